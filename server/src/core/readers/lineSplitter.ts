// Splits a stream of byte chunks into source lines: `\n`, `\r\n` and a lone `\r` end a line, a UTF-8 byte order
// mark at the start is dropped, and a line longer than the cap is reported once and skipped to its end. A line
// that spans chunks is kept as a list of pieces and joined once, when it ends: time stays linear in the input
// whatever the line lengths, and memory stays under the cap.

/** Default cap on one source line: longer lines are a problem, not a record. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

const LF = 10;
const CR = 13;

export interface LineSink {
  /** One source line, `buf[start, end)` without its terminator, numbered from 1. */
  line(buf: Uint8Array, start: number, end: number, lineNo: number): void;
  /** A source line over the cap: its bytes are skipped. */
  longLine(lineNo: number, cap: number): void;
  /**
   * Optional: a run of whole lines, `buf[start, end)` ending with `\n`, none of them holding `\r` or over the
   * cap, `count` lines numbered from `firstLineNo`. Without it every line goes through `line`.
   */
  lines?(buf: Uint8Array, start: number, end: number, firstLineNo: number, count: number): void;
}

export class LineSplitter {
  private pieces: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Inside a line over the cap: bytes are dropped up to its end. */
  private skipping = false;
  /** The last chunk ended with `\r`: a `\n` starting the next one belongs to it. */
  private afterCR = false;
  private started = false;
  /** The input's first bytes while fewer than three have come (a byte order mark may be cut). */
  private headBytes = Buffer.alloc(0);
  private stripBomOff = false;
  /** Lines completed so far. */
  private done = 0;

  /** `stripBom`: the bytes start a file (a byte order mark there is dropped); `firstLine`: the first line's number. */
  constructor(private readonly sink: LineSink, private readonly cap = DEFAULT_MAX_LINE_BYTES, private readonly stripBom = true, firstLine = 1) {
    this.done = firstLine - 1;
  }

  /** Lines completed so far (the number of the last complete line). */
  get linesDone(): number {
    return this.done;
  }

  /** Position of the next `\r` at or after the last search in the current chunk (-1: none left). */
  private nextCR = -1;
  private nextLF = -1;

  push(data: Uint8Array): void {
    // Buffer's indexOf is memchr; a plain Uint8Array's is much slower.
    const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.nextCR = chunk.indexOf(CR);
    this.nextLF = chunk.indexOf(LF);
    let i = 0;
    const n = chunk.length;
    if (!this.started && n > 0) {
      // The first three bytes decide whether there is a byte order mark, however the input is cut.
      if (this.stripBom && !this.stripBomOff && this.headBytes.length + n < 3) {
        this.headBytes = Buffer.concat([this.headBytes, chunk]);
        return;
      }
      this.started = true;
      if (this.headBytes.length > 0) {
        const joined = Buffer.concat([this.headBytes, chunk]);
        this.headBytes = Buffer.alloc(0);
        this.started = false;
        this.push(joined);
        return;
      }
      if (this.stripBom && n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    if (this.afterCR) {
      this.afterCR = false;
      if (i < n && chunk[i] === LF) i++;
    }
    // The line carried over from the last chunk ends first.
    if (this.pendingBytes > 0 || this.skipping) {
      const stop = this.nextBreak(chunk, i);
      if (stop < 0) {
        this.addPending(chunk, i, n);
        return;
      }
      this.addPending(chunk, i, stop);
      this.endPending();
      i = this.skipTerminator(chunk, stop);
    }
    if (i >= n) return;
    if (this.sink.lines && this.nextCR < 0) i = this.fastRun(chunk, i);
    while (i < n) {
      const stop = this.nextBreak(chunk, i);
      if (stop < 0) {
        this.addPending(chunk, i, n);
        return;
      }
      if (stop - i > this.cap) this.sink.longLine(++this.done, this.cap);
      else this.sink.line(chunk, i, stop, ++this.done);
      i = this.skipTerminator(chunk, stop);
    }
  }

  /** The last line, when the input does not end with a line break. */
  finish(): void {
    if (!this.started && this.headBytes.length > 0) {
      const head = this.headBytes;
      this.headBytes = Buffer.alloc(0);
      this.stripBomOff = true;
      this.push(head);
    }
    if (this.pendingBytes > 0 && !this.skipping) this.endPending();
    this.skipping = false;
  }

  /** Whole lines from `i` up to the last `\n` of a chunk without `\r`, as one run when none is over the cap. */
  private fastRun(chunk: Buffer, i: number): number {
    let count = 0;
    let at = i;
    const cap = this.cap;
    for (;;) {
      const nl = chunk.indexOf(LF, at);
      if (nl < 0) break;
      if (nl - at > cap) break;
      count++;
      at = nl + 1;
    }
    if (count > 0) {
      this.sink.lines!(chunk, i, at, this.done + 1, count);
      this.done += count;
    }
    return at;
  }

  /** Position of the next `\n` or `\r` from `i`, or -1 (both searches cached: linear per chunk). */
  private nextBreak(chunk: Buffer, i: number): number {
    if (this.nextLF >= 0 && this.nextLF < i) this.nextLF = chunk.indexOf(LF, i);
    if (this.nextCR >= 0 && this.nextCR < i) this.nextCR = chunk.indexOf(CR, i);
    const lf = this.nextLF;
    const cr = this.nextCR;
    if (cr < 0) return lf;
    if (lf < 0) return cr;
    return lf < cr ? lf : cr;
  }

  private skipTerminator(chunk: Uint8Array, stop: number): number {
    if (chunk[stop] === CR) {
      if (stop + 1 < chunk.length) return chunk[stop + 1] === LF ? stop + 2 : stop + 1;
      this.afterCR = true;
    }
    return stop + 1;
  }

  private addPending(chunk: Uint8Array, start: number, end: number): void {
    if (end <= start || this.skipping) return;
    if (this.pendingBytes + (end - start) > this.cap) {
      // Over the cap: reported now, then dropped up to the line's end (never joined).
      this.sink.longLine(this.done + 1, this.cap);
      this.skipping = true;
      this.pieces = [];
      this.pendingBytes = 0;
      return;
    }
    // A copy (Buffer's own slice is a view): the caller may reuse its chunk.
    this.pieces.push(Uint8Array.prototype.slice.call(chunk, start, end));
    this.pendingBytes += end - start;
  }

  private endPending(): void {
    this.done++;
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    const line = this.pieces.length === 1 ? this.pieces[0] : concat(this.pieces, this.pendingBytes);
    this.pieces = [];
    this.pendingBytes = 0;
    this.sink.line(line, 0, line.length, this.done);
  }
}


function concat(pieces: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of pieces) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
