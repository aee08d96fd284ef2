// The stages every line-based delivery goes through, whatever its source (a file, a byte range, a pipe, a
// buffer in memory): raw bytes → decompressed bytes → source lines (LineSplitter) → a sink per encoding →
// canonical lines in chunks (ChunkWriter).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { ReadBuffers } from './bufferPool';
import { ChunkWriter, FLUSH_BYTES } from './chunkWriter';
import { CsvOptions, CsvSink } from './csv';
import { GzipError, gunzip } from './gzip';
import { JsonLinesSink } from './json';
import { DEFAULT_MAX_LINE_BYTES, LineSink, LineSplitter } from './lineSplitter';
import { LzoError, lzopDecompress } from './lzo';
import { SnappyError, snappyContainer, snappyDecompress } from './snappy';
import { CloudWatchSink, TextSink } from './text';
import { Compression, DecodeError, DecodedChunk, DetectedFormat, Encoding } from './types';

export interface DecodeOptions {
  /** The encoding, where detection cannot decide (space-separated CSV, a damaged first line…). */
  formatHint?: Encoding;
  /** The compression, where detection cannot decide (a raw snappy file not named `.snappy`). */
  compressionHint?: Compression;
  /** CSV settings; detected from the content when left out. */
  csv?: CsvOptions;
  /** Cap on one source line (default 1 MiB): a longer line is one problem, skipped. */
  maxLineBytes?: number;
  /** Record where each line's fields are in its source line (DecodedChunk.sourceColumns): for lint and the editor. */
  sourceColumns?: boolean;
  /**
   * The file was found in a folder (not named): throw NotAFlowLogError, before any line, when its content is clearly
   * not a flow log (binary, or a first line that is no part of one). The check of expandInputs' `sniff`, made here.
   */
  onlyFlowLogs?: boolean;
  /**
   * The consumer keeps no view of a chunk once it asks for the next: chunks are written in one buffer, plain text
   * and JSON lines reuse their read buffers, small files are read into this thread's leased buffers, and gzip and
   * line-based files read into buffers that the stage consuming them gives back (bufferPool.ts).
   */
  reuseBuffers?: boolean;
  /**
   * Canonical names of the only fields the consumer reads: JSON lines may then leave the other fields out of their
   * lines (records judged malformed exactly as with every field). Undefined: every field. Ignored with sourceColumns.
   */
  fields?: readonly string[];
  signal?: AbortSignal;
}

export const READ_CHUNK = 1 << 20;

/**
 * Raw bytes [start, end) of a file, 1 MiB at a time; `counter.n` counts the bytes read. With `buffers`, each piece
 * is read into a buffer lent by it, read into again only after the consumer has given that piece back.
 */
export async function* fileBytes(path: string, start: number, end: number, counter: { n: number }, signal?: AbortSignal, buffers?: ReadBuffers): AsyncGenerator<Uint8Array> {
  if (end <= start) return;
  if (buffers) {
    yield* lentBytes(path, start, end, counter, buffers, signal);
    return;
  }
  // A read buffer no bigger than the range: a small file costs its size, not a megabyte.
  const stream = createReadStream(path, { start, end: end - 1, highWaterMark: readSize(start, end) });
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

/** The size of the reads of [start, end): no bigger than the range, and READ_CHUNK at most. */
export function readSize(start: number, end: number): number {
  return Math.min(READ_CHUNK, Math.max(16 << 10, end - start));
}

async function* lentBytes(path: string, start: number, end: number, counter: { n: number }, buffers: ReadBuffers, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    for (let pos = start; pos < end; ) {
      signal?.throwIfAborted();
      const buf = buffers.take();
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) {
        buffers.giveBack(buf);
        return;
      }
      pos += bytesRead;
      counter.n += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Decompressed bytes; `open` gives the raw bytes from the start (gzip may read twice to recover from damage). With
 * `buffers` (gzip only: the raw bytes are read into them), zlib gives each piece back once it has taken it in.
 */
export function decompress(open: () => AsyncIterable<Uint8Array>, compression: Compression, head: Uint8Array, size: number, buffers?: ReadBuffers): AsyncIterable<Uint8Array> {
  switch (compression) {
    case 'none':
      return open();
    case 'gzip':
      return gunzip(open, buffers);
    case 'lzo':
      return lzopDecompress(open());
    case 'snappy':
      return snappyDecompress(open(), snappyContainer(head, size) ?? 'raw');
  }
}

export function sinkFor(format: DetectedFormat, out: ChunkWriter, options: DecodeOptions): LineSink {
  switch (format.encoding) {
    case 'text':
      return new TextSink(out);
    case 'cloudwatch':
      return new CloudWatchSink(out);
    case 'json':
      return new JsonLinesSink(out, options.sourceColumns ? undefined : options.fields);
    case 'csv':
      return new CsvSink(out, { ...options.csv, separator: format.csv?.separator, header: format.csv?.header });
    case 'parquet':
      throw new Error('parquet is not line-based');
  }
}

/**
 * Canonical lines of decompressed bytes. `counter.n` is the source's bytes read so far (progress); `expected`, when
 * known, the decompressed size (chunk buffers are sized to it). With `buffers`, the bytes are read into them and each
 * piece is given back once the line splitter has taken it in (it copies what it keeps). Throws DecodeError (after
 * yielding the lines read before the damage) when the bytes cannot be read on.
 */
export async function* decodeLines(
  path: string,
  bytes: AsyncIterable<Uint8Array>,
  format: DetectedFormat,
  options: DecodeOptions,
  counter: { n: number },
  startsFile: boolean,
  firstLine = 1,
  expected = Infinity,
  buffers?: ReadBuffers,
): AsyncGenerator<DecodedChunk> {
  const out = new ChunkWriter(options.sourceColumns, options.reuseBuffers);
  out.expected = expected;
  const cap = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const splitter = new LineSplitter(sinkFor(format, out, options), cap, startsFile, firstLine);
  try {
    for await (const chunk of bytes) {
      splitter.push(chunk);
      buffers?.giveBack(chunk);
      if (out.size >= FLUSH_BYTES) yield out.take(counter.n)!;
    }
    splitter.finish();
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    const pending = out.take(counter.n);
    if (pending) yield pending;
    const line = splitter.linesDone + 1;
    if (e instanceof DecodeError) throw e;
    if (e instanceof GzipError || e instanceof SnappyError || e instanceof LzoError) throw new DecodeError(path, e.message, line);
    throw new DecodeError(path, readReason(e), line);
  }
  const last = out.take(counter.n);
  if (last) yield last;
}

/** A reason for a failed read, in words (no stack, no errno jargon where a sentence says it). */
export function readReason(e: unknown): string {
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
