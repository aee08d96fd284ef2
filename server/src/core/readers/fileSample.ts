// What a file is and its first bytes: a sample of its start and end (all of a small file, read in one piece), the
// compression and encoding found in them and in its name (the hints override), and the first bytes of its text
// (a small gzip file inflated whole, a big one's start decompressed).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { detectCompression, detectEncoding, isParquet } from './detect';
import { DecodeOptions, decompress, fileBytes } from './pipeline';
import { Compression, DetectedFormat } from './types';
import { BufferLease } from './bufferPool';
import { gunzipInto } from './inflateInto';

export const SNIFF = 64 << 10;
/** Files up to this size as stored are read in one piece… */
export const SMALL_FILE = 1 << 20;
/** …and a gzip one inflated in one call when its text is at most this (else it is streamed). */
const SMALL_TEXT = 16 << 20;
export const LF = 10;
export const CR = 13;

/** What a file is, from its first and last bytes and its name (the hints override). */
export async function detectFile(path: string, options: DecodeOptions = {}): Promise<DetectedFormat> {
  return (await detect(path, await sample(path), options)).format;
}

export interface Sample {
  head: Uint8Array;
  tail: Uint8Array;
  size: number;
  /** The whole file, when it is small. */
  whole?: Uint8Array;
}

/**
 * The start and end of a file, or all of a small one. On a worker thread the reads are synchronous: nothing else
 * waits on that thread, and a folder of thousands of small files is spared four thread-pool round trips a file.
 */
export async function sample(path: string, lease?: BufferLease): Promise<Sample> {
  if (!isMainThread) return sampleSync(path, lease);
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= SMALL_FILE) {
      // A buffer of its own (not a slice of Node's shared pool): chunks made of it may be kept or transferred,
      // unless they are read out at once (reuseBuffers): then one of this thread's leased buffers.
      const whole = lease ? lease.take(size) : Buffer.allocUnsafeSlow(size);
      let got = 0;
      while (got < size) {
        const { bytesRead } = await handle.read(whole, got, size - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      const bytes = whole.subarray(0, got);
      return { head: bytes.subarray(0, SNIFF), tail: bytes.subarray(Math.max(0, got - 8)), size, whole: bytes };
    }
    const head = Buffer.alloc(SNIFF);
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(8);
    await handle.read(tail, 0, tail.length, size - tail.length);
    return { head, tail, size };
  } finally {
    await handle.close();
  }
}

function sampleSync(path: string, lease?: BufferLease): Sample {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    const want = size <= SMALL_FILE ? size : SNIFF;
    // A small file's bytes in a leased buffer: chunks are views of them (uncompressed) until the lease ends.
    const head = lease && size <= SMALL_FILE ? lease.take(want) : Buffer.allocUnsafeSlow(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, head, got, want - got, got);
      if (n === 0) break;
      got += n;
    }
    const bytes = head.subarray(0, got);
    if (size <= SMALL_FILE) return { head: bytes.subarray(0, SNIFF), tail: bytes.subarray(Math.max(0, got - 8)), size, whole: bytes };
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    return { head: bytes, tail, size };
  } finally {
    closeSync(fd);
  }
}

/**
 * The format of a sampled file, its decompressed start, and the whole text of a small one when inflating it was
 * the way to see it.
 */
export async function detect(path: string, s: Sample, options: DecodeOptions, lease?: BufferLease): Promise<{ format: DetectedFormat; start: Uint8Array; text?: Uint8Array }> {
  const compression = options.compressionHint ?? detectCompression(s.head, s.size, basename(path));
  if (compression === 'none' && (options.formatHint === 'parquet' || (!options.formatHint && isParquet(s.head, s.tail).start))) {
    return { format: { compression, encoding: 'parquet' }, start: s.head };
  }
  if (compression === 'none') return { format: formatOf(compression, s.head, path, options), start: s.head, text: s.whole };
  const text = s.whole && compression === 'gzip' ? inflateSmall(s.whole, lease) : undefined;
  // The encoding is read from the decompressed start.
  const start = text ? text.subarray(0, SNIFF) : await decompressedHead(path, compression, s.head, s.size);
  return { format: formatOf(compression, start, path, options), start, text };
}

/**
 * A small gzip file's text in one call; undefined when it is damaged or inflates past SMALL_TEXT (then streamed).
 * With a lease (the text is read out before the next file), into one of this thread's reused buffers by its kept
 * inflater (inflateInto.ts), when the text fits the size its trailer states.
 */
function inflateSmall(data: Uint8Array, lease?: BufferLease): Uint8Array | undefined {
  const guess = inflatedSizeGuess(data);
  if (lease) {
    const out = lease.take(guess);
    const n = gunzipInto(data, out);
    if (n !== undefined) return out.subarray(0, n);
  }
  try {
    return gunzipSync(data, { maxOutputLength: SMALL_TEXT, chunkSize: guess });
  } catch {
    return undefined;
  }
}

/**
 * The output buffer for a small gzip file inflated in one call: its text's size plus one when the last member's
 * trailer says it (a one-member file: the usual delivery), so the text comes out in one buffer of its size and zlib
 * allocates nothing more; else about 8× the stored size (flow logs inflate about 5×). Either way a guess too small
 * only costs pieces joined at the end.
 */
function inflatedSizeGuess(data: Uint8Array): number {
  const stated = data.length >= 18 ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).readUInt32LE(data.length - 4) : 0;
  const guess = stated >= data.length ? stated + 1 : data.length * 8;
  return Math.min(SMALL_TEXT, Math.max(64 << 10, guess));
}

export function formatOf(compression: Compression, head: Uint8Array, path: string, options: DecodeOptions): DetectedFormat {
  const guess = detectEncoding(head, basename(path));
  const encoding = options.formatHint ?? guess.encoding;
  const format: DetectedFormat = { compression, encoding };
  if (encoding === 'csv') {
    format.csv = {
      separator: options.csv?.separator ?? guess.csv?.separator ?? ',',
      header: options.csv?.header ?? guess.csv?.header ?? false,
    };
  }
  return format;
}

async function decompressedHead(path: string, compression: Compression, head: Uint8Array, size: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    for await (const p of decompress(() => fileBytes(path, 0, size, { n: 0 }), compression, head, size)) {
      parts.push(p);
      n += p.length;
      if (n >= SNIFF) break;
    }
  } catch {
    // A damaged file: what came out before the damage decides; decodeFile reports the damage.
  }
  return Buffer.concat(parts).subarray(0, SNIFF);
}
