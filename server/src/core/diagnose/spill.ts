// Spill files of a join that outgrew its memory: the open conversations and the records that come after are split
// by a hash of their conversation key into partitions on disk (a grace hash join). Every record of one key lands in
// one partition, in arrival order, so each partition is then joined on its own with a fraction of the memory.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECORD_WORDS, RecordBatch } from './packed';

const RECORDS_PER_BLOCK = 2048;

/** Appends fixed-size rows to one file through a buffer. */
class RowWriter {
  private buf: Uint8Array;
  private used = 0;
  private fd: number;
  rows = 0;

  constructor(readonly path: string, readonly rowBytes: number, rowsPerBlock: number) {
    this.buf = new Uint8Array(rowBytes * rowsPerBlock);
    this.fd = openSync(path, 'w');
  }

  /** Copies one row of `rowBytes` from `src` at byte `offset`. */
  write(src: Uint8Array, offset: number): void {
    if (this.used + this.rowBytes > this.buf.length) this.flush();
    this.buf.set(src.subarray(offset, offset + this.rowBytes), this.used);
    this.used += this.rowBytes;
    this.rows++;
  }

  flush(): void {
    let at = 0;
    while (at < this.used) at += writeSync(this.fd, this.buf, at, this.used - at);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Reads a file of fixed-size rows back, a block at a time. */
export function* readRows(path: string, rowBytes: number, rowsPerBlock = RECORDS_PER_BLOCK): Generator<{ buffer: ArrayBuffer; rows: number }> {
  const fd = openSync(path, 'r');
  try {
    const buffer = new ArrayBuffer(rowBytes * rowsPerBlock);
    const bytes = new Uint8Array(buffer);
    for (;;) {
      let got = 0;
      while (got < bytes.length) {
        const n = readSync(fd, bytes, got, bytes.length - got, null);
        if (n === 0) break;
        got += n;
      }
      const rows = Math.floor(got / rowBytes);
      if (rows > 0) yield { buffer, rows };
      if (got < bytes.length) return;
    }
  } finally {
    closeSync(fd);
  }
}

/** The partitions of one spill: per partition a file of conversation states and a file of packed records. */
export class Spill {
  readonly dir: string;
  private states: RowWriter[] = [];
  private records: RowWriter[] = [];

  constructor(readonly partitions: number, readonly stateBytes: number, parentDir?: string) {
    this.dir = mkdtempSync(join(parentDir ?? tmpdir(), 'flowlog-diagnose-'));
    for (let p = 0; p < partitions; p++) {
      this.states.push(new RowWriter(join(this.dir, `states-${p}`), stateBytes, 256));
      this.records.push(new RowWriter(join(this.dir, `records-${p}`), RECORD_WORDS * 4, RECORDS_PER_BLOCK / 8));
    }
  }

  /** One conversation's state: stateBytes from `offset` of `bytes`. */
  writeState(partition: number, bytes: Uint8Array, offset = 0): void {
    this.states[partition].write(bytes, offset);
  }

  writeRecord(partition: number, batch: RecordBatch, index: number): void {
    this.records[partition].write(batch.bytes, index * RECORD_WORDS * 4);
  }

  /** Closes the files; then each partition is read back with `statesOf` and `recordsOf`. */
  seal(): void {
    for (const w of [...this.states, ...this.records]) w.close();
  }

  *statesOf(partition: number): Generator<{ buffer: ArrayBuffer; rows: number }> {
    yield* readRows(this.states[partition].path, this.stateBytes, 256);
  }

  *recordsOf(partition: number): Generator<RecordBatch> {
    for (const { buffer, rows } of readRows(this.records[partition].path, RECORD_WORDS * 4)) yield RecordBatch.over(buffer, rows);
  }

  recordCount(partition: number): number {
    return this.records[partition].rows;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
