// The entry point of the readers: a file (any delivery shape) in, canonical lines out, streamed.
//
//   for await (const chunk of decodeFile(path, { formatHint, csv, maxLineBytes, signal })) …
//
// Memory stays bounded whatever the file's size: raw bytes are read 1 MiB at a time, decompressors stream with
// backpressure, lines over the cap are skipped, and chunks are handed out at about 1 MiB.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ChunkWriter, FLUSH_BYTES } from './chunkWriter';
import { CsvOptions, CsvSink } from './csv';
import { detectCompression, detectEncoding, isParquet } from './detect';
import { GzipError, gunzip } from './gzip';
import { JsonLinesSink } from './json';
import { DEFAULT_MAX_LINE_BYTES, LineSink, LineSplitter } from './lineSplitter';
import { LzoError, lzopDecompress } from './lzo';
import { ParquetError, decodeParquet } from './parquet';
import { plainTextRuns } from './plainText';
import { SnappyError, snappyContainer, snappyDecompress } from './snappy';
import { CloudWatchSink, TextSink } from './text';
import { Compression, DecodeError, DecodedChunk, DetectedFormat, Encoding } from './types';

export * from './types';
export { expandInputs } from './inputs';
export type { InputFile, SkippedInput, ExpandedInputs, DeliveryOrigin } from './inputs';
export type { CsvOptions } from './csv';
export { DEFAULT_MAX_LINE_BYTES } from './lineSplitter';

export interface DecodeOptions {
  /** The encoding, where detection cannot decide (space-separated CSV, a damaged first line…). */
  formatHint?: Encoding;
  /** The compression, where detection cannot decide (a raw snappy file not named `.snappy`). */
  compressionHint?: Compression;
  /** CSV settings; detected from the content when left out. */
  csv?: CsvOptions;
  /** Cap on one source line (default 1 MiB): a longer line is one problem, skipped. */
  maxLineBytes?: number;
  signal?: AbortSignal;
}

const READ_CHUNK = 1 << 20;
const SNIFF = 64 << 10;

/** What a file is, from its first and last bytes and its name (the hints override). */
export async function detectFile(path: string, options: DecodeOptions = {}): Promise<DetectedFormat> {
  return detectSample(path, await sample(path), options);
}

async function detectSample(path: string, { head, tail, size }: Sample, options: DecodeOptions): Promise<DetectedFormat> {
  const compression = options.compressionHint ?? detectCompression(head, size, basename(path));
  if (compression === 'none' && (options.formatHint === 'parquet' || (!options.formatHint && isParquet(head, tail).start))) {
    return { compression, encoding: 'parquet' };
  }
  if (compression !== 'none') {
    // The encoding is read from the decompressed start.
    const start = await decompressedHead(path, compression, head, size);
    return formatOf(compression, start, path, options);
  }
  return formatOf(compression, head, path, options);
}

function formatOf(compression: Compression, head: Uint8Array, path: string, options: DecodeOptions): DetectedFormat {
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

interface Sample {
  head: Uint8Array;
  tail: Uint8Array;
  size: number;
}

async function sample(path: string): Promise<Sample> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, SNIFF));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(size, 8));
    await handle.read(tail, 0, tail.length, size - tail.length);
    return { head, tail, size };
  } finally {
    await handle.close();
  }
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

/** Raw bytes [start, end) of a file, 1 MiB at a time; `counter.n` counts the bytes read. */
async function* fileBytes(path: string, start: number, end: number, counter: { n: number }, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (end <= start) return;
  const stream = createReadStream(path, { start, end: end - 1, highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      counter.n += chunk.length;
      yield chunk;
    }
  } finally {
    stream.destroy();
  }
}

/** Decompressed bytes; `open` gives the raw bytes from the start (gzip may read twice to recover from damage). */
function decompress(open: () => AsyncIterable<Uint8Array>, compression: Compression, head: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  const raw = compression === 'gzip' ? undefined : open();
  switch (compression) {
    case 'none':
      return raw!;
    case 'gzip':
      return gunzip(open);
    case 'lzo':
      return lzopDecompress(raw!);
    case 'snappy':
      return snappyDecompress(raw!, snappyContainer(head, size) ?? 'raw');
  }
}

function sinkFor(format: DetectedFormat, out: ChunkWriter, options: DecodeOptions): LineSink {
  switch (format.encoding) {
    case 'text':
      return new TextSink(out);
    case 'cloudwatch':
      return new CloudWatchSink(out);
    case 'json':
      return new JsonLinesSink(out);
    case 'csv':
      return new CsvSink(out, { ...options.csv, separator: format.csv?.separator, header: format.csv?.header });
    case 'parquet':
      throw new Error('parquet is not line-based');
  }
}

/**
 * Decodes a file of any delivery shape into canonical lines. Throws DecodeError (after yielding every line read
 * before the damage) for a file that cannot be read on: missing, corrupt or truncated.
 */
export async function* decodeFile(path: string, options: DecodeOptions = {}): AsyncGenerator<DecodedChunk> {
  let format: DetectedFormat;
  let size: number;
  let head: Uint8Array;
  try {
    const s = await sample(path);
    size = s.size;
    head = s.head;
    format = await detectSample(path, s, options);
  } catch (e) {
    throw new DecodeError(path, readReason(e));
  }
  if (format.encoding === 'parquet') {
    if (format.compression !== 'none') throw new DecodeError(path, `a ${format.compression}-compressed Parquet file is not supported`);
    try {
      yield* decodeParquet(path, { signal: options.signal });
    } catch (e) {
      if (e instanceof ParquetError) throw new DecodeError(path, `Parquet: ${e.message}`, e.row);
      if ((e as Error).name === 'AbortError') throw e;
      throw new DecodeError(path, `Parquet: ${(e as Error).message}`);
    }
    return;
  }
  if (format.compression === 'none' && format.encoding === 'text') {
    yield* decodePlain(path, 0, size, format, options);
    return;
  }
  const counter = { n: 0 };
  const open = () => {
    counter.n = 0;
    return fileBytes(path, 0, size, counter, options.signal);
  };
  yield* decodeLines(path, decompress(open, format.compression, head, size), format, options, counter, true);
}

/**
 * The bytes of a file decompressed, as they are (the file's own text, for a view of it), streamed. `compression`
 * as detectFile found it. Throws DecodeError after yielding every byte before the damage.
 */
export async function* decompressedBytes(path: string, compression: Compression, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  let s: Sample;
  try {
    s = await sample(path);
  } catch (e) {
    throw new DecodeError(path, readReason(e));
  }
  const counter = { n: 0 };
  const open = () => {
    counter.n = 0;
    return fileBytes(path, 0, s.size, counter, signal);
  };
  try {
    yield* decompress(open, compression, s.head, s.size);
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    if (e instanceof GzipError || e instanceof SnappyError || e instanceof LzoError) throw new DecodeError(path, e.message);
    throw new DecodeError(path, readReason(e));
  }
}

/**
 * Canonical lines of bytes [start, end) of an uncompressed line-based file (both at line starts), so the engine
 * can split a big file across threads: plain text and CloudWatch exports; JSON lines too (each range makes its own
 * header line from its first object); CSV when the range holds no header row (start 0, no header, or
 * `csv.fields` given). Line numbers count from 1 at `start` (the caller shifts them); a byte order mark is dropped
 * only at the file's start. `bytesRead` counts from `start`. `formatHint` (and `csv`) say what the file is: detect
 * it once with `detectFile`.
 */
export async function* decodeFileRange(path: string, start: number, end: number, options: DecodeOptions = {}): AsyncGenerator<DecodedChunk> {
  const counter = { n: 0 };
  const encoding = options.formatHint ?? 'text';
  const format: DetectedFormat = { compression: 'none', encoding };
  if (encoding === 'parquet') throw new DecodeError(path, 'byte ranges are for line-based files, not Parquet');
  if (encoding === 'csv') {
    const csv = options.csv ?? {};
    format.csv = { separator: csv.separator ?? ',', header: (csv.header ?? false) && start === 0 && !csv.fields };
    if (csv.header && start > 0 && !csv.fields) throw new DecodeError(path, 'a CSV range after the header row needs csv.fields');
  }
  if (encoding === 'text') yield* decodePlain(path, start, end, format, options);
  else yield* decodeLines(path, fileBytes(path, start, end, counter, options.signal), format, options, counter, start === 0);
}

/** Plain text: whole-line runs handed on as read, then the general splitter from where they stop (if they do). */
async function* decodePlain(path: string, start: number, end: number, format: DetectedFormat, options: DecodeOptions): AsyncGenerator<DecodedChunk> {
  const counter = { n: 0 };
  const cap = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let stop: { pos: number; nextLine: number };
  try {
    stop = yield* plainTextRuns(path, start, end, { cap, startsFile: start === 0, signal: options.signal, counter });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new DecodeError(path, readReason(e));
  }
  if (stop.pos >= end) return;
  counter.n = stop.pos - start;
  const rest = fileBytes(path, stop.pos, end, counter, options.signal);
  yield* decodeLines(path, rest, format, options, counter, stop.pos === 0, stop.nextLine);
}

async function* decodeLines(
  path: string,
  bytes: AsyncIterable<Uint8Array>,
  format: DetectedFormat,
  options: DecodeOptions,
  counter: { n: number },
  startsFile: boolean,
  firstLine = 1,
): AsyncGenerator<DecodedChunk> {
  const out = new ChunkWriter();
  const cap = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const splitter = new LineSplitter(sinkFor(format, out, options), cap, startsFile, firstLine);
  try {
    for await (const chunk of bytes) {
      splitter.push(chunk);
      if (out.size >= FLUSH_BYTES) yield out.take(counter.n)!;
    }
    splitter.finish();
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    const pending = out.take(counter.n);
    if (pending) yield pending;
    const line = splitter.linesDone + 1;
    if (e instanceof GzipError || e instanceof SnappyError || e instanceof LzoError) throw new DecodeError(path, e.message, line);
    throw new DecodeError(path, readReason(e), line);
  }
  const last = out.take(counter.n);
  if (last) yield last;
}

/** A reason for a failed read, in words (no stack, no errno jargon where a sentence says it). */
function readReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
  }
  return err.message ?? String(e);
}
