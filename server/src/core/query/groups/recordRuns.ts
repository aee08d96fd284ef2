// Near-unique keys: records written straight to spill runs, each as a group of one record. When an aggregation's
// table holds about as many groups as it took records (the high-cardinality bench file's source, destination and
// port: nearly every record its own group), a table in memory saves almost nothing: each record costs a probe that
// misses the cache, the table's growth, and a spill of it all later anyway. Then the pass stops keeping a table
// (passes.ts toRecordRuns): each record's key and its aggregates' arguments (one number each) go to the end of its
// partition's slice of one arena (256 slices, one per partition, by the key hash's top bits as everywhere), in
// the spill runs' layout (spill.ts; one number an aggregate instead of two states: SpillRun.records), and when a
// slice is full the arena is written out as one run file, partition after partition, and reused. The merge (mergeGroups.ts) reads partition p of every run as it reads spilled tables: groups of one
// partition meet there, in a table small enough for the cache, and the answer is exact. The input is read once and
// the arena is the pass's memory: fixed, allocated once.
import { closeSync, openSync, writeSync } from 'node:fs';
import { PARTITIONS, SpillFolder, SpillRun } from './spill';
import { PARTITION_BITS } from './partitions';
import { freeBuffers } from '../../threads/freeBuffers';

const SHIFT = 32 - PARTITION_BITS;
/** Bytes of a slice at least (a smaller budget still writes runs of about 256 × this). */
const MIN_SLICE = 4 << 10;

export class RecordRuns {
  /** One arena, slice p at p × slice bytes; `used[p]` bytes of it are written. */
  private arena: ArrayBuffer;
  private bytes: Uint8Array;
  private i32: Int32Array;
  private f64: Float64Array;
  private readonly slice: number;
  private readonly used: Int32Array = new Int32Array(PARTITIONS);
  private usedTotal = 0;
  /** Records written to runs (the stats: how many went this way). */
  records = 0;
  private runsWritten = 0;

  /**
   * `bytes`: the arena's size (rounded down to whole slices of 8-byte multiples); `width`: aggregates per group,
   * each one number a record (its argument: AggregateStates addRecordAt).
   */
  constructor(bytes: number, private readonly width: number, private readonly folder: SpillFolder, private readonly runs: SpillRun[]) {
    this.slice = Math.max(MIN_SLICE, Math.floor(bytes / PARTITIONS / 8) * 8);
    this.arena = new ArrayBuffer(this.slice * PARTITIONS);
    this.bytes = new Uint8Array(this.arena);
    this.i32 = new Int32Array(this.arena);
    this.f64 = new Float64Array(this.arena);
  }

  /** Bytes written to the arena and not yet to a run (what a flush frees for more). */
  get usedBytes(): number {
    return this.usedTotal;
  }

  /** The arena's size (the memory it holds). */
  get arenaBytes(): number {
    return this.arena.byteLength;
  }

  /**
   * Appends one record: key words key[0, words) (byte length `len`, hash `hash`), its sequence `seq`, and its
   * aggregates' arguments args[0, width). Writes a run first when the key's slice has no room left.
   */
  add(key: Int32Array, words: number, len: number, hash: number, seq: number, args: Float64Array): void {
    const p = hash >>> SHIFT;
    // 16 header bytes, the key padded to 8 bytes, a number per aggregate: the layout of spill.ts writeRun, with
    // one number an aggregate instead of two states (SpillRun.records).
    const size = 16 + (((words << 2) + 7) & ~7) + this.width * 8;
    let at = this.used[p];
    if (at + size > this.slice) {
      this.flush();
      at = 0;
      // A key longer than a slice (a text of tens of KB): the record is a run of its own.
      if (size > this.slice) return this.addAlone(key, words, len, hash, seq, args, size);
    }
    this.write(this.i32, this.f64, p * this.slice + at, key, words, len, hash, seq, args);
    this.used[p] = at + size;
    this.usedTotal += size;
    this.records++;
  }

  private addAlone(key: Int32Array, words: number, len: number, hash: number, seq: number, args: Float64Array, size: number): void {
    const one = new ArrayBuffer(size);
    this.write(new Int32Array(one), new Float64Array(one), 0, key, words, len, hash, seq, args);
    const p = hash >>> SHIFT;
    this.used[p] = size;
    this.writeRun((q) => (q === p ? new Uint8Array(one) : undefined));
    this.used[p] = 0;
    this.records++;
  }

  /** One record at byte `base` (a multiple of 8) of the views. */
  private write(i32: Int32Array, f64: Float64Array, base: number, key: Int32Array, words: number, len: number, hash: number, seq: number, args: Float64Array): void {
    let w = base >>> 2;
    i32[w] = len;
    i32[w + 1] = hash;
    f64[(base >>> 3) + 1] = seq;
    w += 4;
    for (let q = 0; q < words; q++) i32[w + q] = key[q];
    if (words & 1) i32[w + words] = 0;
    const accAt = (base + 16 + (((words << 2) + 7) & ~7)) >>> 3;
    for (let q = 0, n = this.width; q < n; q++) f64[accAt + q] = args[q];
  }

  /**
   * Calls f with each record the arena holds (key words at i32[keyAt…], arguments at f64[argsAt…]) and empties
   * it: a scan that ended before its first run adds them to its table in memory instead (passes.ts).
   */
  drain(f: (i32: Int32Array, keyAt: number, len: number, hash: number, seq: number, f64: Float64Array, argsAt: number) => void): void {
    const i32 = this.i32;
    const f64 = this.f64;
    for (let p = 0; p < PARTITIONS; p++) {
      const end = p * this.slice + this.used[p];
      for (let at = p * this.slice; at < end;) {
        const len = i32[at >>> 2];
        const keyBytes = (((len + 3) & ~3) + 7) & ~7;
        f(i32, (at >>> 2) + 4, len, i32[(at >>> 2) + 1], f64[(at >>> 3) + 1], f64, (at + 16 + keyBytes) >>> 3);
        this.records--;
        at += 16 + keyBytes + this.width * 8;
      }
    }
    this.used.fill(0);
    this.usedTotal = 0;
  }

  /** Whether a run has been written (else every record since the switch is in the arena). */
  get wroteRuns(): boolean {
    return this.runsWritten > 0;
  }

  /** Writes what the arena holds as one run (partition after partition) and empties it. */
  flush(): void {
    if (this.usedTotal === 0) return;
    this.writeRun((p) => this.bytes.subarray(p * this.slice, p * this.slice + this.used[p]));
    this.used.fill(0);
    this.usedTotal = 0;
  }

  /** A run of each partition's bytes (`used[p]` of them, from `partition(p)`). */
  private writeRun(partition: (p: number) => Uint8Array | undefined): void {
    const path = this.folder.next();
    const fd = openSync(path, 'w');
    const offsets: number[] = [0];
    let written = 0;
    try {
      for (let p = 0; p < PARTITIONS; p++) {
        const n = this.used[p];
        const bytes = n > 0 ? partition(p)! : undefined;
        let done = 0;
        while (done < n) done += writeSync(fd, bytes!, done, n - done);
        written += n;
        offsets.push(written);
      }
    } finally {
      closeSync(fd);
    }
    this.runs.push({ path, offsets, distinct: false, width: this.width, values: false, records: true });
    this.runsWritten++;
  }

  /** Writes the rest and frees the arena (the pass is done). */
  close(): void {
    this.flush();
    freeBuffers([this.arena]);
    this.bytes = new Uint8Array(0);
    this.i32 = new Int32Array(0);
    this.f64 = new Float64Array(0);
    this.arena = new ArrayBuffer(0);
  }
}
