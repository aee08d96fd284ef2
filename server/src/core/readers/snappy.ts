// Snappy, streamed. Files called `.snappy` come in four shapes, told apart by their first bytes:
// - the framing format (`ff 06 00 00 sNaPpY`, google/snappy framing_format.txt): chunks of at most 64 KiB with a
//   masked CRC-32C each;
// - snappy-java's SnappyOutputStream (`82 SNAPPY 00`, version, compatible version; then length-prefixed blocks);
// - Hadoop's SnappyCodec (block: 4-byte uncompressed length, then length-prefixed compressed pieces), which Hive
//   and object-storage shippers write;
// - raw snappy: the whole file one block (a varint length, then elements), as `snappy::Compress` makes it: the
//   log services that document their snappy output (Alibaba SLS, Volcengine TLS) write this one; Tencent CLS does
//   not say which it writes, so all four are read.
// The raw decoder below is incremental with a sliding window, so even a whole-file block is never held whole:
// reference compressors keep back-references within 64 KiB, the window keeps 1 MiB.
import { ByteReader, TruncatedError } from './byteReader';

export type SnappyContainer = 'framed' | 'snappy-java' | 'hadoop' | 'raw';

const FRAMED_MAGIC = [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59];
const JAVA_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];

export class SnappyError extends Error {}

const startsWith = (b: Uint8Array, m: number[]) => b.length >= m.length && m.every((x, i) => b[i] === x);

/** Which snappy container `head` (the file's first bytes) starts, given the file's size. */
export function snappyContainer(head: Uint8Array, fileSize: number): SnappyContainer | undefined {
  if (startsWith(head, FRAMED_MAGIC)) return 'framed';
  if (startsWith(head, JAVA_MAGIC)) return 'snappy-java';
  if (looksHadoop(head, fileSize)) return 'hadoop';
  if (looksRaw(head)) return 'raw';
  return undefined;
}

function looksHadoop(h: Uint8Array, fileSize: number): boolean {
  if (h.length < 10) return false;
  const u = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
  const c = ((h[4] << 24) | (h[5] << 16) | (h[6] << 8) | h[7]) >>> 0;
  if (u === 0 || c === 0 || c > fileSize - 8 || u > 1 << 30) return false;
  // The first piece is a raw block whose declared length fits the block, starting with a literal.
  const v = readVarint(h, 8);
  return v !== undefined && v.value > 0 && v.value <= u && v.next < h.length && (h[v.next] & 3) === 0;
}

function looksRaw(h: Uint8Array): boolean {
  const v = readVarint(h, 0);
  // A non-empty raw stream starts with a literal; an empty one is a single 0.
  return v !== undefined && (v.value === 0 ? h.length === 1 : v.next < h.length && (h[v.next] & 3) === 0);
}

function readVarint(b: Uint8Array, i: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (i >= b.length) return undefined;
    const c = b[i++];
    value += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) return { value, next: i };
  }
  return undefined;
}

const WINDOW = 1 << 20;
const SLACK = 1 << 18;

/** Incremental decoder of one raw snappy stream: feed bytes, take output, then `finish`. */
export class RawSnappyDecoder {
  private expected = -1;
  private lenBytes: number[] = [];
  private produced = 0;
  private literalLeft = 0;
  private rest: Uint8Array = new Uint8Array(0);
  private win = new Uint8Array(WINDOW + SLACK);
  private pos = 0;
  private flushed = 0;
  private out: Uint8Array[] = [];

  /** Feeds input; returns the output it completes. */
  push(input: Uint8Array): Uint8Array[] {
    let b = input;
    if (this.rest.length) {
      b = new Uint8Array(this.rest.length + input.length);
      b.set(this.rest);
      b.set(input, this.rest.length);
    }
    let i = 0;
    while (this.expected < 0 && i < b.length) {
      this.lenBytes.push(b[i++]);
      if (b[i - 1] < 0x80) {
        const v = readVarint(Uint8Array.from(this.lenBytes), 0);
        if (!v) throw new SnappyError('snappy: bad length preamble');
        this.expected = v.value;
      } else if (this.lenBytes.length > 5) throw new SnappyError('snappy: bad length preamble');
    }
    const n = b.length;
    while (true) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, n - i);
        if (take === 0) break;
        this.append(b, i, take);
        i += take;
        this.literalLeft -= take;
        continue;
      }
      if (i >= n) break;
      const tag = b[i];
      const type = tag & 3;
      if (type === 0) {
        let len = tag >>> 2;
        if (len < 60) {
          i += 1;
          len += 1;
        } else {
          const extra = len - 59;
          if (i + 1 + extra > n) break;
          len = 0;
          for (let k = extra; k >= 1; k--) len = len * 256 + b[i + k];
          len += 1;
          i += 1 + extra;
        }
        this.literalLeft = len;
        continue;
      }
      let len: number;
      let offset: number;
      if (type === 1) {
        if (i + 2 > n) break;
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | b[i + 1];
        i += 2;
      } else if (type === 2) {
        if (i + 3 > n) break;
        len = (tag >>> 2) + 1;
        offset = b[i + 1] | (b[i + 2] << 8);
        i += 3;
      } else {
        if (i + 5 > n) break;
        len = (tag >>> 2) + 1;
        offset = (b[i + 1] | (b[i + 2] << 8) | (b[i + 3] << 16) | (b[i + 4] << 24)) >>> 0;
        i += 5;
      }
      this.copy(offset, len);
    }
    this.rest = i < n ? Uint8Array.prototype.slice.call(b, i) : new Uint8Array(0);
    return this.takeOutput();
  }

  /** Checks the stream ended where its length said; returns the last output. */
  finish(): Uint8Array[] {
    if (this.expected < 0 && this.lenBytes.length === 0) return [];
    if (this.literalLeft > 0 || this.rest.length > 0) throw new SnappyError('snappy: the data ends inside an element (truncated?)');
    if (this.produced !== this.expected) throw new SnappyError(`snappy: ${this.produced} bytes decoded, ${this.expected} declared (truncated?)`);
    const out = this.takeOutput();
    if (this.pos > this.flushed) out.push(this.win.slice(this.flushed, this.pos));
    this.flushed = this.pos;
    return out;
  }

  private room(len: number): void {
    if (this.produced + len > this.expected) throw new SnappyError('snappy: more data than the declared length (corrupt)');
    if (this.pos + len <= this.win.length) return;
    // Hand out what is not yet, and keep the last WINDOW bytes for back-references.
    if (this.pos > this.flushed) this.out.push(this.win.slice(this.flushed, this.pos));
    const keep = Math.min(this.pos, WINDOW);
    this.win.copyWithin(0, this.pos - keep, this.pos);
    this.pos = keep;
    this.flushed = keep;
    if (len > this.win.length - this.pos) {
      // A literal longer than the slack: in pieces.
      throw new SnappyError('internal: oversized write');
    }
  }

  private append(b: Uint8Array, at: number, len: number): void {
    while (len > 0) {
      const take = Math.min(len, SLACK);
      this.room(take);
      this.win.set(b.subarray(at, at + take), this.pos);
      this.pos += take;
      this.produced += take;
      at += take;
      len -= take;
    }
  }

  private copy(offset: number, len: number): void {
    if (offset === 0) throw new SnappyError('snappy: a back-reference with offset 0 (corrupt)');
    if (offset > this.produced) throw new SnappyError('snappy: a back-reference before the start of the data (corrupt)');
    this.room(len);
    if (offset > this.pos) throw new SnappyError(`snappy: a back-reference ${offset} bytes back, beyond the ${WINDOW >> 20} MiB this reader keeps`);
    const w = this.win;
    let from = this.pos - offset;
    let to = this.pos;
    for (let k = 0; k < len; k++) w[to++] = w[from++];
    this.pos = to;
    this.produced += len;
  }

  private takeOutput(): Uint8Array[] {
    const out = this.out;
    this.out = [];
    if (this.pos > this.flushed) {
      out.push(this.win.slice(this.flushed, this.pos));
      this.flushed = this.pos;
    }
    return out;
  }
}

/** Input is fed to the raw decoder in pieces this size, so one push never makes more than ~1.4 MB of output. */
const FEED = 64 << 10;

async function* rawStream(pieces: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const d = new RawSnappyDecoder();
  for await (const p of pieces) {
    for (let i = 0; i < p.length; i += FEED) yield* d.push(p.subarray(i, i + FEED));
  }
  yield* d.finish();
}

/** One raw block of a known compressed size from the reader, decoded (blocks of the framed containers). */
async function* block(r: ByteReader, size: number, what: string): AsyncGenerator<Uint8Array> {
  yield* rawStream(r.pieces(size, FEED, what));
}

/** Decompresses a snappy file of any of the four shapes, as a stream of output chunks. */
export async function* snappyDecompress(source: AsyncIterable<Uint8Array>, container: SnappyContainer): AsyncGenerator<Uint8Array> {
  if (container === 'raw') {
    yield* rawStream(source);
    return;
  }
  const r = new ByteReader(source);
  try {
    if (container === 'framed') yield* framed(r);
    else if (container === 'snappy-java') yield* snappyJava(r);
    else yield* hadoop(r);
  } catch (e) {
    if (e instanceof TruncatedError) throw new SnappyError(`snappy: ${e.message}`);
    throw e;
  }
}

async function* framed(r: ByteReader): AsyncGenerator<Uint8Array> {
  let first = true;
  while (!(await r.atEnd())) {
    const h = await r.exact(4, 'a chunk header');
    const type = h[0];
    const len = h[1] | (h[2] << 8) | (h[3] << 16);
    if (first && type !== 0xff) throw new SnappyError('snappy: the framed stream does not start with its identifier');
    first = false;
    if (type === 0xff) {
      const id = await r.exact(len, 'the stream identifier');
      if (len !== 6 || String.fromCharCode(...id) !== 'sNaPpY') throw new SnappyError('snappy: bad stream identifier');
    } else if (type === 0x00 || type === 0x01) {
      if (len < 4) throw new SnappyError('snappy: a chunk too short for its checksum');
      const data = Uint8Array.prototype.slice.call(await r.exact(len, 'a chunk'));
      const want = (data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)) >>> 0;
      let plain: Uint8Array;
      if (type === 0x01) plain = data.subarray(4);
      else {
        const d = new RawSnappyDecoder();
        const parts = [...d.push(data.subarray(4)), ...d.finish()];
        plain = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      }
      if (plain.length > 65536) throw new SnappyError('snappy: a chunk over 64 KiB');
      if (maskedCrc32c(plain) !== want) throw new SnappyError('snappy: a chunk fails its CRC-32C (corrupt)');
      yield plain;
    } else if (type >= 0x02 && type <= 0x7f) {
      throw new SnappyError(`snappy: reserved unskippable chunk type 0x${type.toString(16)}`);
    } else {
      for await (const _ of r.pieces(len, FEED, 'a skippable chunk')) void _;
    }
  }
}

async function* snappyJava(r: ByteReader): AsyncGenerator<Uint8Array> {
  await r.exact(16, 'the snappy-java header');
  while (!(await r.atEnd())) {
    const size = await r.u32be('a block length');
    yield* block(r, size, 'a block');
  }
}

async function* hadoop(r: ByteReader): AsyncGenerator<Uint8Array> {
  while (!(await r.atEnd())) {
    const total = await r.u32be('a block length');
    let done = 0;
    while (done < total) {
      const size = await r.u32be('a piece length');
      if (size === 0) throw new SnappyError('snappy: an empty piece in a Hadoop block (corrupt)');
      for await (const out of block(r, size, 'a compressed piece')) {
        done += out.length;
        yield out;
      }
    }
    if (done !== total) throw new SnappyError(`snappy: a Hadoop block decoded to ${done} bytes, ${total} declared (corrupt)`);
  }
}

let crcTable: Uint32Array | undefined;

/** CRC-32C (Castagnoli), masked as the framing format stores it. */
export function maskedCrc32c(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  crc = (crc ^ 0xffffffff) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
