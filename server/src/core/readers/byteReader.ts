// Reads exact byte counts from a stream of chunks, for the block containers (lzop, snappy framings): only the
// bytes of the block being read are held, never the file.

/** The data ends inside a header or block: the file is cut short. */
export class TruncatedError extends Error {
  constructor(what: string) {
    super(`the file ends inside ${what} (truncated?)`);
  }
}

const EMPTY = new Uint8Array(0);

export class ByteReader {
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  private ended = false;
  private readonly iter: AsyncIterator<Uint8Array>;
  /** Bytes handed out so far. */
  consumed = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iter = source[Symbol.asyncIterator]();
  }

  private get available(): number {
    return this.buf.length - this.pos;
  }

  /** Makes at least `n` bytes available; false when the stream ends first. */
  private async fill(n: number): Promise<boolean> {
    while (this.available < n) {
      if (this.ended) return false;
      const next = await this.iter.next();
      if (next.done) {
        this.ended = true;
        return this.available >= n;
      }
      const rest = this.buf.subarray(this.pos);
      if (rest.length === 0) this.buf = next.value;
      else {
        const b = new Uint8Array(rest.length + next.value.length);
        b.set(rest);
        b.set(next.value, rest.length);
        this.buf = b;
      }
      this.pos = 0;
    }
    return true;
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** The next `n` bytes (a view: valid until the next call). */
  async exact(n: number, what: string): Promise<Uint8Array> {
    if (!(await this.fill(n))) throw new TruncatedError(what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.consumed += n;
    return out;
  }

  async u8(what: string): Promise<number> {
    return (await this.exact(1, what))[0];
  }

  async u32be(what: string): Promise<number> {
    const b = await this.exact(4, what);
    return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  }

  /** The next bytes without consuming them (fewer at the end of the stream). */
  async peek(n: number): Promise<Uint8Array> {
    await this.fill(n);
    return this.buf.subarray(this.pos, Math.min(this.buf.length, this.pos + n));
  }

  /** `n` bytes as pieces of at most `piece` bytes each, without holding them all. */
  async *pieces(n: number, piece: number, what: string): AsyncGenerator<Uint8Array> {
    while (n > 0) {
      if (this.available === 0 && !(await this.fill(1))) throw new TruncatedError(what);
      const take = Math.min(n, piece, this.available);
      const out = this.buf.subarray(this.pos, this.pos + take);
      this.pos += take;
      this.consumed += take;
      n -= take;
      yield out;
    }
  }
}
