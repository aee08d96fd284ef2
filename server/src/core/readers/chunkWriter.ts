// Builds DecodedChunk's: canonical lines appended as bytes, with their source line numbers and problems, handed
// out once about FLUSH_BYTES have gathered. Every decoder writes through one of these, so the bookkeeping of line
// numbers (consecutive or not), `!` lines and made-up headers lives in one place.
import { SourceColumnsBuilder } from './sourceColumns';
import { DecodedChunk, DecodeProblem } from './types';

/** A chunk is handed out once it holds about this many bytes. */
export const FLUSH_BYTES = 1 << 20;

const NEWLINE = 10;
const SPACE = 32;
const BANG = 33;
const DASH = 45;
const ENCODER = new TextEncoder();

const EMPTY = new Uint8Array(0);

export class ChunkWriter {
  /**
   * Allocated when the first byte of a chunk comes, at `expected` bytes (what is left of a small input) or a
   * chunk's size: a small file costs a buffer of its size, not of a chunk, and nothing is allocated for a chunk
   * that never comes (a flood of megabyte buffers for many small files is what the garbage collector pays for).
   */
  private buf: Uint8Array = EMPTY;
  private len = 0;
  /** Bytes the rest of the input will take about, when known (a whole decompressed small file). */
  expected = Infinity;
  private lineNos = new Int32Array(1024);
  private count = 0;
  /** Lines so far are numbered firstLine, firstLine+1, …: `lines` can be left out. */
  private consecutive = true;
  private problems: DecodeProblem[] = [];
  /** Bytes of the line being written (begin … end), for a value that has to be taken back. */
  private lineStart = 0;
  /** Where each line's fields are in the source (only when asked for: lint, the editor). */
  readonly columns: SourceColumnsBuilder | undefined;

  /**
   * `reuse`: the consumer keeps no view of a chunk once it asks for the next (DecodeOptions.reuseBuffers), so one
   * buffer serves every chunk. Otherwise each chunk gets a buffer of its own: a chunk may be kept or transferred.
   */
  constructor(sourceColumns = false, private readonly reuse = false) {
    this.columns = sourceColumns ? new SourceColumnsBuilder() : undefined;
  }

  get size(): number {
    return this.len;
  }

  get lineCount(): number {
    return this.count;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    if (this.buf.length === 0) {
      this.buf = Buffer.allocUnsafe(Math.max(extra, Math.min(FLUSH_BYTES + (64 << 10), this.expected + 64)));
      return;
    }
    let n = this.buf.length * 2;
    while (n < this.len + extra) n *= 2;
    const b = Buffer.allocUnsafe(n);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  private noteLine(lineNo: number): void {
    if (this.count === this.lineNos.length) {
      const l = new Int32Array(this.count * 2);
      l.set(this.lineNos);
      this.lineNos = l;
    }
    if (this.count > 0 && lineNo !== this.lineNos[this.count - 1] + 1) this.consecutive = false;
    this.lineNos[this.count++] = lineNo;
    this.columns?.line();
  }

  /** Starts a canonical line for source line `lineNo` (0: a made-up header line). */
  begin(lineNo: number): void {
    this.noteLine(lineNo);
    this.lineStart = this.len;
  }

  /** Ends the line begun last. */
  end(): void {
    this.ensure(1);
    this.buf[this.len++] = NEWLINE;
  }

  /** Drops what was written since `begin` and writes a `!` line with a problem instead. */
  abandon(lineNo: number, message: string, longLine = false): void {
    this.len = this.lineStart;
    this.columns?.unplaced();
    this.ensure(2);
    this.buf[this.len++] = BANG;
    this.buf[this.len++] = NEWLINE;
    this.problems.push(longLine ? { line: lineNo, message, longLine } : { line: lineNo, message });
  }

  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    if (n < 32) {
      const b = this.buf;
      let o = this.len;
      for (let i = start; i < end; i++) b[o++] = src[i];
    } else {
      this.buf.set(src.subarray(start, end), this.len);
    }
    this.len += n;
  }

  /** The output buffer with room for `n` more bytes at `size`; write into it, then `commit` the new size. */
  reserve(n: number): Uint8Array {
    this.ensure(n);
    return this.buf;
  }

  commit(size: number): void {
    this.len = size;
  }

  /** Takes back bytes written after `size` (within the current line). */
  truncate(size: number): void {
    if (size >= this.lineStart && size <= this.len) this.len = size;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  space(): void {
    this.byte(SPACE);
  }

  dash(): void {
    this.byte(DASH);
  }

  /** Appends a string (UTF-8). */
  text(s: string): void {
    this.ensure(s.length * 3);
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 127) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
    } else {
      this.len += ENCODER.encodeInto(s, this.buf.subarray(this.len)).written;
    }
  }

  /** A whole line: `lineNo`, the bytes, a newline; it is its source line as written from column `shift` on. */
  line(lineNo: number, src: Uint8Array, start: number, end: number, shift = 0): void {
    this.begin(lineNo);
    this.columns?.shifted(shift);
    this.bytes(src, start, end);
    this.end();
  }

  /** A made-up header line of field names (line number 0). */
  header(names: readonly string[]): void {
    this.begin(0);
    this.text(names.join(' '));
    this.end();
  }

  /** Puts a made-up header line before the line just ended. */
  headerBeforeLastLine(names: readonly string[]): void {
    const line = Uint8Array.prototype.slice.call(this.buf, this.lineStart, this.len);
    const lineNo = this.lineNos[this.count - 1];
    const placed = this.columns?.takeLast();
    this.len = this.lineStart;
    this.count--;
    this.consecutive = this.count < 2 || this.isConsecutive();
    this.header(names);
    this.begin(lineNo);
    if (placed) this.columns!.restore(placed);
    this.bytes(line, 0, line.length);
  }

  private isConsecutive(): boolean {
    for (let k = 1; k < this.count; k++) if (this.lineNos[k] !== this.lineNos[k - 1] + 1) return false;
    return true;
  }

  /** A source line that is not a record: a `!` line, and its problem. */
  problem(lineNo: number, message: string): void {
    this.begin(lineNo);
    this.abandon(lineNo, message);
  }

  /** A source line over the cap, skipped: a `!` line, and its problem. */
  longLine(lineNo: number, cap: number): void {
    this.begin(lineNo);
    this.abandon(lineNo, `line longer than ${cap} bytes`, true);
  }

  /** Whole lines already in canonical form: `lines` of them from `firstLineNo` on (`src[start, end)` ends with a newline). */
  lines(src: Uint8Array, start: number, end: number, firstLineNo: number, lines: number): void {
    for (let k = 0; k < lines; k++) {
      this.noteLine(firstLineNo + k);
      this.columns?.shifted(0);
    }
    this.bytes(src, start, end);
  }

  /** The pending lines as a chunk (undefined when there are none), and a fresh start. */
  take(bytesRead: number): DecodedChunk | undefined {
    if (this.len === 0 && this.problems.length === 0) return undefined;
    // The buffer itself is handed out (no copy). Reused, it is written over once the consumer asks for the next chunk
    // (a megabyte of garbage a chunk is what fills a worker's malloc arena between collections); else the next one
    // is allocated when the next line comes.
    const chunk: DecodedChunk = {
      bytes: this.buf.subarray(0, this.len),
      firstLine: this.lineNos[0],
      bytesRead,
    };
    if (!this.consecutive) chunk.lines = this.lineNos.slice(0, this.count);
    if (this.problems.length) chunk.problems = this.problems;
    if (this.columns) chunk.sourceColumns = this.columns.take();
    if (this.expected !== Infinity) this.expected = Math.max(0, this.expected - this.len);
    if (!this.reuse) this.buf = EMPTY;
    this.len = 0;
    this.count = 0;
    this.consecutive = true;
    this.problems = [];
    return chunk;
  }

}
