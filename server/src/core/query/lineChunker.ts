// Raw bytes in, chunks of whole lines out: the one place where a stream of bytes (a file, a gzip stream, a pipe)
// becomes the line chunks the record scanner reads. Linear in the input whatever it holds: the bytes after the
// last line end are moved once per chunk, a line longer than the cap is skipped to its end (a `!` line takes its
// place, so line numbers stay right and the engine counts it malformed), and a lone CR ends a line.

export interface LineChunk {
  /** Whole lines (the last one may lack its \n only at the end of the input). Valid until the next push. */
  bytes: Uint8Array;
  /** Lines longer than the cap in this chunk: the offset of each one's `!` stand-in line. */
  overlong?: number[];
}

const LF = 10;
const CR = 13;
const BANG = 33;

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

export class LineChunker {
  // Buffers, not plain Uint8Arrays: Buffer's indexOf is a native search, a Uint8Array's walks element by element.
  private buf: Buffer;
  private len = 0;
  /** Inside a line longer than the cap: its bytes are dropped until its end. */
  private skipping = false;
  private first = true;
  /** Lines skipped for their length, in all. */
  overlongLines = 0;

  constructor(readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES, private readonly chunkBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(chunkBytes, 1024) + 1024);
  }

  private pending: Buffer = Buffer.alloc(0);
  private at = 0;

  /** Adds input; then call next() until it returns undefined. */
  push(data: Uint8Array): void {
    this.pending = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.at = 0;
    if (this.first && data.length > 0) {
      this.first = false;
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) this.at = 3; // a UTF-8 byte order mark
    }
  }

  /** The next chunk of whole lines from the input pushed, valid until the next call; undefined when it needs more. */
  next(): LineChunk | undefined {
    const data = this.pending;
    while (this.at < data.length) {
      if (this.skipping) {
        const nl = indexOfLineEnd(data, this.at);
        if (nl < 0) {
          this.at = data.length;
          return undefined;
        }
        this.skipping = false;
        this.at = nl + 1;
        continue;
      }
      // Take as much as fits in the buffer (it holds at most one chunk plus the partial line).
      if (this.len === this.buf.length) this.grow();
      const take = Math.min(data.length - this.at, this.buf.length - this.len);
      const from = this.len;
      this.buf.set(data.subarray(this.at, this.at + take), this.len);
      this.len += take;
      this.at += take;
      loneCrToLf(this.buf, from > 0 ? from - 1 : 0, this.len);
      if (this.len >= this.chunkBytes || this.at >= data.length) {
        const chunk = this.flushLines();
        if (chunk) return chunk;
      }
    }
    return undefined;
  }

  /** The last chunk, at the end of the input. */
  end(): LineChunk | undefined {
    if (this.len > 0 && this.buf[this.len - 1] === CR) this.buf[this.len - 1] = LF;
    if (this.len === 0) return undefined;
    const chunk: LineChunk = { bytes: this.buf.subarray(0, this.len) };
    this.len = 0;
    return chunk;
  }


  /** Whole lines out of the buffer; the partial last line stays (or is skipped when it passes the cap). */
  private flushLines(): LineChunk | undefined {
    const buf = this.buf;
    const lastNl = buf.lastIndexOf(LF, this.len - 1);
    const tail = this.len - (lastNl + 1);
    if (tail <= this.maxLineBytes) {
      if (lastNl < 0) {
        if (this.len > this.buf.length - 1024) this.grow();
        return undefined;
      }
      return { bytes: this.carryAfter(lastNl + 1) };
    }
    // The partial line is too long: keep the lines before it, put a stand-in for it, skip the rest of it.
    this.overlongLines++;
    this.skipping = true;
    const keep = lastNl + 1;
    buf[keep] = BANG;
    buf[keep + 1] = LF;
    const chunk: LineChunk = { bytes: buf.slice(0, keep + 2), overlong: [keep] };
    this.len = 0;
    return chunk;
  }

  /** A second buffer: the chunk handed out lives in one while the partial line moves to the other. */
  private spare?: Buffer;

  /** The bytes before `cut` as a chunk, and the rest moved to the front of the other buffer. */
  private carryAfter(cut: number): Uint8Array {
    const chunk = this.buf.subarray(0, cut);
    const rest = this.len - cut;
    const next = this.spare && this.spare.length === this.buf.length ? this.spare : Buffer.allocUnsafeSlow(this.buf.length);
    next.set(this.buf.subarray(cut, this.len));
    this.spare = this.buf;
    this.buf = next;
    this.len = rest;
    return chunk;
  }

  private grow(): void {
    const next = Buffer.allocUnsafeSlow(this.buf.length * 2);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

/** The next LF or lone CR at or after `from`, or -1. */
function indexOfLineEnd(data: Buffer, from: number): number {
  const nl = data.indexOf(LF, from);
  const cr = data.indexOf(CR, from);
  if (cr >= 0 && (nl < 0 || cr < nl)) return cr;
  return nl;
}

/** Turns every CR in buf[from, to - 1) that is not followed by LF into LF (the last byte waits for the next one). */
function loneCrToLf(buf: Buffer, from: number, to: number): void {
  let i = buf.indexOf(CR, from);
  while (i >= 0 && i < to - 1) {
    if (buf[i + 1] !== LF) buf[i] = LF;
    i = buf.indexOf(CR, i + 1);
  }
}
