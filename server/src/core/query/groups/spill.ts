// Spilling groups to disk: when a thread's groups pass its share of the memory budget, a table is written out as
// one run file, its groups in partition order (256 partitions by the top 8 bits of the key hash), and the table
// starts over empty. A merge later reads one partition of every run at a time, with the groups still in memory,
// so it needs memory for one partition only. Runs live in a temporary folder removed when the query ends.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '../values';
import { GroupTableData } from './groupTable';
import { PARTITIONS } from './partitions';

export { PARTITIONS, PARTITION_BITS } from './partitions';

/** A spilled table: its file, and where each partition's groups are in it. */
export interface SpillRun {
  path: string;
  /** Partition p is bytes [offsets[p], offsets[p + 1]) of the file. */
  offsets: number[];
  /** DISTINCT entry tables carry their group's hash and key length. */
  distinct: boolean;
  /** Aggregate states per group (two numbers each), and whether value states follow. */
  width: number;
  values: boolean;
  /**
   * Each group is one record (groups/recordRuns.ts): one number per aggregate, its argument (AggregateStates
   * addRecordAt), not two states.
   */
  records?: boolean;
}

/** The folder of a query's runs (made on first use; removed with remove()). */
export class SpillFolder {
  private dir?: string;
  private count = 0;

  constructor(private readonly parent = process.env.FLOWLOG_SPILL_DIR || tmpdir()) {}

  /** A new file path in the folder. */
  next(): string {
    this.dir ??= mkdtempSync(join(this.parent, 'flowlog-spill-'));
    return join(this.dir, `run-${this.count++}`);
  }

  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** Grows a byte buffer as records are appended. */
class Writer {
  buf = Buffer.allocUnsafe(1 << 16);
  length = 0;

  ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  align8(): void {
    while (this.length & 7) this.buf[this.length++] = 0;
  }
}

/** One partition's groups to write: the table, and the aggregate states beside it (none for DISTINCT entries). */
export interface RunPartition {
  table: GroupTableData;
  acc?: Float64Array;
  values?: Value[];
}

/**
 * Writes the groups of every partition (key, hash, first record, aggregate states; DISTINCT entries: their
 * group's hash and key length too) to a new run file, partition after partition.
 */
export function writeRun(path: string, parts: (RunPartition | undefined)[], width: number, withValues: boolean, distinct = false): SpillRun {
  const fd = openSync(path, 'w');
  const offsets: number[] = [0];
  const w = new Writer();
  let written = 0;
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      w.length = 0;
      const part = parts[p];
      const table = part?.table;
      const keyBytes = table ? new Uint8Array(table.keyWords.buffer, table.keyWords.byteOffset) : undefined;
      for (let g = 0; table && g < table.size; g++) {
        const len = table.keyLength[g];
        const words = (len + 3) >>> 2;
        w.ensure(32 + words * 4 + 8 + width * 16);
        const b = w.buf;
        b.writeInt32LE(len, w.length);
        b.writeInt32LE(table.hashes[g], w.length + 4);
        b.writeDoubleLE(table.firstSeq[g], w.length + 8);
        w.length += 16;
        if (distinct) {
          b.writeInt32LE(table.auxHash![g], w.length);
          b.writeInt32LE(table.auxLength![g], w.length + 4);
          w.length += 8;
        }
        const at = table.keyStart[g] * 4;
        for (let q = 0; q < words * 4; q++) b[w.length + q] = keyBytes![at + q];
        w.length += words * 4;
        w.align8();
        const acc = part!.acc;
        if (acc) {
          for (let i = 0; i < width * 2; i++) b.writeDoubleLE(acc[g * width * 2 + i], w.length + i * 8);
          w.length += width * 16;
        }
        if (withValues) {
          const json = Buffer.from(JSON.stringify((part!.values ?? []).slice(g * width, g * width + width)));
          w.ensure(8 + json.length);
          w.buf.writeInt32LE(json.length, w.length);
          json.copy(w.buf, w.length + 4);
          w.length += 4 + json.length;
          w.align8();
        }
      }
      if (w.length > 0) writeSync(fd, w.buf, 0, w.length);
      written += w.length;
      offsets.push(written);
    }
  } finally {
    closeSync(fd);
  }
  return { path, offsets, distinct, width, values: withValues };
}

/** One group read back from a run. */
export interface RunGroup {
  len: number;
  hash: number;
  firstSeq: number;
  auxHash: number;
  auxLength: number;
  /** The key words, and the states, views into the run's bytes (valid until the next group). */
  keyWords: Int32Array;
  keyStart: number;
  acc: Float64Array;
  accStart: number;
  values?: Value[];
}

/** Partitions this big are read into a buffer of their own (one this big is not kept between reads). */
const KEPT_READ_BYTES = 8 << 20;
let kept: Buffer | undefined;

/**
 * A buffer of at least `length` bytes at offset 0 of its ArrayBuffer (the views over it are aligned), the same one
 * for every partition read on this thread: a merge reads each partition of every run, thousands of reads, and a
 * fresh buffer each time was garbage that the collector let pile up (tens of MB on the 1 GB bench file).
 */
function readBuffer(length: number): Buffer {
  if (length > KEPT_READ_BYTES) return Buffer.from(new ArrayBuffer(length));
  if (!kept || kept.length < length) {
    let size = 64 << 10;
    while (size < length) size *= 2;
    kept = Buffer.from(new ArrayBuffer(size));
  }
  return kept;
}

/**
 * Run files open for reading on this thread: a merge reads partition after partition of the same runs (thousands of
 * reads; an open and a close for each was a tenth of merging near-unique keys). closeRunFiles closes them.
 */
const openRuns = new Map<string, number>();

function runFile(path: string): number {
  let fd = openRuns.get(path);
  if (fd === undefined) {
    fd = openSync(path, 'r');
    openRuns.set(path, fd);
  }
  return fd;
}

/** Closes the run files read on this thread (a merge or a fold is done with them). */
export function closeRunFiles(): void {
  for (const fd of openRuns.values()) closeSync(fd);
  openRuns.clear();
}

/** Calls f with each group of partition p of a run (not reentrant: the groups are views into one read buffer). */
export function forEachRunGroup(run: SpillRun, p: number, f: (g: RunGroup) => void): void {
  const start = run.offsets[p];
  const length = run.offsets[p + 1] - start;
  if (length === 0) return;
  const bytes = readBuffer(length);
  const fd = runFile(run.path);
  let got = 0;
  while (got < length) got += readSync(fd, bytes, got, length - got, start + got);
  const words = new Int32Array(bytes.buffer, 0, length >>> 2);
  const doubles = new Float64Array(bytes.buffer, 0, length >>> 3);
  const g: RunGroup = { len: 0, hash: 0, firstSeq: 0, auxHash: 0, auxLength: 0, keyWords: words, keyStart: 0, acc: doubles, accStart: 0 };
  // Every group starts at a multiple of 8 (its header's numbers are read through the aligned views).
  let at = 0;
  while (at < length) {
    g.len = words[at >>> 2];
    g.hash = words[(at >>> 2) + 1];
    g.firstSeq = doubles[(at >>> 3) + 1];
    at += 16;
    if (run.distinct) {
      g.auxHash = words[at >>> 2];
      g.auxLength = words[(at >>> 2) + 1];
      at += 8;
    }
    g.keyStart = at >>> 2;
    at += ((g.len + 3) >>> 2) * 4;
    at = (at + 7) & ~7;
    g.accStart = at >>> 3;
    at += run.width * (run.records ? 8 : 16);
    if (run.values) {
      const n = bytes.readInt32LE(at);
      g.values = JSON.parse(bytes.toString('utf8', at + 4, at + 4 + n)) as Value[];
      at = (at + 4 + n + 7) & ~7;
    }
    f(g);
  }
}
