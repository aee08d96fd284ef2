// lzop files (`.lzo`, what Tencent CLS writes when asked for "lzop"): a header, then blocks of at most 64 MiB
// (256 KiB as lzop writes them), each compressed with LZO1X and checked by Adler-32 or CRC-32. No maintained
// pure-JS LZO decoder exists on npm (the `lzo` package is a native addon built at install time, `lzo-wasm` a
// browser-only FFmpeg build), so LZO1X decompression is written here after the reference decoder's
// (lzo1x_d.ch in LZO 2.10, whose format the lzop tool writes); the tests decode files made by the lzop tool.
import { ByteReader, TruncatedError } from './byteReader';

export const LZOP_MAGIC = [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a];

export class LzoError extends Error {}

const F_ADLER32_D = 0x1;
const F_ADLER32_C = 0x2;
const F_H_EXTRA_FIELD = 0x40;
const F_CRC32_D = 0x100;
const F_CRC32_C = 0x200;
const F_H_FILTER = 0x800;
const F_H_CRC32 = 0x1000;
const MAX_BLOCK = 64 << 20;

/** Decompresses an lzop file as a stream of blocks. */
export async function* lzopDecompress(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const r = new ByteReader(source);
  try {
    const flags = await readHeader(r);
    for (;;) {
      const size = await r.u32be('a block header');
      if (size === 0) break;
      if (size > MAX_BLOCK) throw new LzoError(`lzop: a block of ${size} bytes (corrupt header?)`);
      const csize = await r.u32be('a block header');
      const dAdler = flags & F_ADLER32_D ? await r.u32be('a block checksum') : undefined;
      const dCrc = flags & F_CRC32_D ? await r.u32be('a block checksum') : undefined;
      let cAdler: number | undefined;
      let cCrc: number | undefined;
      if (csize < size) {
        cAdler = flags & F_ADLER32_C ? await r.u32be('a block checksum') : undefined;
        cCrc = flags & F_CRC32_C ? await r.u32be('a block checksum') : undefined;
      }
      if (csize > size) throw new LzoError('lzop: a block larger compressed than plain (corrupt)');
      const data = Uint8Array.prototype.slice.call(await r.exact(csize, 'a block'));
      if (cAdler !== undefined && adler32(data) !== cAdler) throw new LzoError('lzop: a block fails its Adler-32 checksum (corrupt)');
      if (cCrc !== undefined && crc32(data) !== cCrc) throw new LzoError('lzop: a block fails its CRC-32 checksum (corrupt)');
      let plain: Uint8Array;
      if (csize === size) plain = data;
      else {
        plain = new Uint8Array(size);
        const n = lzo1xDecompress(data, plain);
        if (n !== size) throw new LzoError(`lzop: a block decoded to ${n} bytes, ${size} declared (corrupt)`);
      }
      if (dAdler !== undefined && adler32(plain) !== dAdler) throw new LzoError('lzop: decoded data fails its Adler-32 checksum (corrupt)');
      if (dCrc !== undefined && crc32(plain) !== dCrc) throw new LzoError('lzop: decoded data fails its CRC-32 checksum (corrupt)');
      yield plain;
    }
  } catch (e) {
    if (e instanceof TruncatedError) throw new LzoError(`lzop: ${e.message}`);
    throw e;
  }
}

async function readHeader(r: ByteReader): Promise<number> {
  const magic = await r.exact(9, 'the lzop header');
  if (!LZOP_MAGIC.every((b, i) => magic[i] === b)) throw new LzoError('lzop: not an lzop file (bad magic)');
  const version = (await r.u8('the header') << 8) | (await r.u8('the header'));
  await r.exact(2, 'the header'); // library version
  if (version >= 0x0940) await r.exact(2, 'the header'); // version needed to extract
  const method = await r.u8('the header');
  if (method < 1 || method > 3) throw new LzoError(`lzop: compression method ${method} is not LZO1X`);
  if (version >= 0x0940) await r.u8('the header'); // level
  const flags = await r.u32be('the header');
  if (flags & F_H_FILTER) throw new LzoError('lzop: files with a filter are not supported');
  await r.exact(version >= 0x0940 ? 12 : 8, 'the header'); // mode, mtime
  const nameLength = await r.u8('the header');
  await r.exact(nameLength, 'the header');
  await r.exact(4, 'the header'); // header checksum (Adler-32 or CRC-32 by F_H_CRC32)
  void F_H_CRC32;
  if (flags & F_H_EXTRA_FIELD) {
    const len = await r.u32be('the header');
    await r.exact(len + 4, 'the header');
  }
  return flags;
}

const M2_MAX_OFFSET = 0x0800;

/**
 * LZO1X decompression of `src` into `dst` (sized to the block's declared length). Returns the bytes written;
 * throws LzoError on any overrun (input, output or a back-reference before the start).
 */
export function lzo1xDecompress(src: Uint8Array, dst: Uint8Array): number {
  const ipEnd = src.length;
  const opEnd = dst.length;
  let ip = 0;
  let op = 0;
  let t = 0;
  let mPos = 0;
  const corrupt = (what: string): never => {
    throw new LzoError(`lzo: ${what} (corrupt block)`);
  };
  const needIp = (n: number) => {
    if (ip + n > ipEnd) corrupt('input overrun');
  };
  const needOp = (n: number) => {
    if (op + n > opEnd) corrupt('output overrun');
  };
  const copyLiterals = (n: number) => {
    needIp(n);
    needOp(n);
    dst.set(src.subarray(ip, ip + n), op);
    ip += n;
    op += n;
  };
  /** Adds runs of zero bytes to a length (the long-length encoding). */
  const longLength = (base: number) => {
    let n = 0;
    needIp(1);
    while (src[ip] === 0) {
      n += 255;
      ip++;
      needIp(1);
    }
    return n + base + src[ip++];
  };
  const copyMatch = (from: number, n: number) => {
    if (from < 0) corrupt('a back-reference before the start');
    needOp(n);
    for (let k = 0; k < n; k++) dst[op++] = dst[from++];
  };

  // State machine over the reference decoder's labels.
  const enum S { Loop, FirstLiteralRun, Match, MatchDone, MatchNext }
  let state: S = S.Loop;
  needIp(1);
  if (src[ip] > 17) {
    t = src[ip++] - 17;
    if (t < 4) state = S.MatchNext;
    else {
      copyLiterals(t);
      state = S.FirstLiteralRun;
    }
  }
  for (;;) {
    switch (state) {
      case S.Loop:
        needIp(1);
        t = src[ip++];
        if (t >= 16) {
          state = S.Match;
          break;
        }
        if (t === 0) t = longLength(15);
        copyLiterals(t + 3);
        state = S.FirstLiteralRun;
        break;
      case S.FirstLiteralRun:
        needIp(1);
        t = src[ip++];
        if (t >= 16) {
          state = S.Match;
          break;
        }
        needIp(1);
        mPos = op - (1 + M2_MAX_OFFSET) - (t >> 2) - (src[ip++] << 2);
        copyMatch(mPos, 3);
        state = S.MatchDone;
        break;
      case S.Match:
        if (t >= 64) {
          needIp(1);
          mPos = op - 1 - ((t >> 2) & 7) - (src[ip++] << 3);
          copyMatch(mPos, (t >> 5) + 1);
        } else if (t >= 32) {
          t &= 31;
          if (t === 0) t = longLength(31);
          needIp(2);
          mPos = op - 1 - ((src[ip] >> 2) + (src[ip + 1] << 6));
          ip += 2;
          copyMatch(mPos, t + 2);
        } else if (t >= 16) {
          mPos = op - ((t & 8) << 11);
          t &= 7;
          if (t === 0) t = longLength(7);
          needIp(2);
          mPos -= (src[ip] >> 2) + (src[ip + 1] << 6);
          ip += 2;
          if (mPos === op) {
            // End of stream marker.
            if (ip !== ipEnd) corrupt(ip < ipEnd ? 'data after the end marker' : 'input overrun');
            return op;
          }
          mPos -= 0x4000;
          copyMatch(mPos, t + 2);
        } else {
          needIp(1);
          mPos = op - 1 - (t >> 2) - (src[ip++] << 2);
          copyMatch(mPos, 2);
        }
        state = S.MatchDone;
        break;
      case S.MatchDone:
        t = src[ip - 2] & 3;
        if (t === 0) {
          state = S.Loop;
          break;
        }
        state = S.MatchNext;
        break;
      case S.MatchNext:
        copyLiterals(t);
        needIp(1);
        t = src[ip++];
        state = S.Match;
        break;
    }
  }
}

/** Adler-32, as lzop stores it. */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  const n = data.length;
  let i = 0;
  while (i < n) {
    // 3800 bytes keep the sums inside 2^31 before the modulo.
    const stop = Math.min(n, i + 3800);
    for (; i < stop; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

let crcTable: Int32Array | undefined;

/** CRC-32 (the zlib one). */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
