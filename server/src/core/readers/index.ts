// The entry point of the readers: a file (any delivery shape), a byte range of one, or a stream (a pipe, standard
// input, an open document) in, canonical lines out, streamed.
//
//   for await (const chunk of decodeFile(path, { formatHint, csv, maxLineBytes, signal })) …
//
// Memory stays bounded whatever the input's size: raw bytes are read 1 MiB at a time, decompressors stream with
// backpressure, lines over the cap are skipped, and chunks are handed out at about 1 MiB. A small file (up to 1 MiB
// as stored, up to 16 MiB of text) is read in one piece and inflated in one call: a folder of thousands of 5-minute
// deliveries costs each file its bytes, not the setting up of streams and megabyte buffers.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { ChunkWriter, FLUSH_BYTES } from './chunkWriter';
import { detectCompression, isParquet } from './detect';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './lineSplitter';
import { ParquetError, decodeParquet, parquetColumnNames } from './parquet';
import { countLineFeeds, plainTextRuns } from './plainText';
import { DecodeOptions, decodeLines, decompress, fileBytes, readReason, readSize, sinkFor } from './pipeline';
import { headerName } from './json';
import { decodeJsonLines } from './jsonRange';
import { notAFlowLogText } from './inputs';
import { Compression, DecodeError, DecodedChunk, DetectedFormat, NotAFlowLogError } from './types';
import { GzipError } from './gzip';
import { BufferLease, ReadBuffers } from './bufferPool';
import { CR, LF, SNIFF, Sample, detect, formatOf, sample } from './fileSample';
import { SnappyError } from './snappy';
import { LzoError } from './lzo';

export * from './types';
export { expandInputs } from './inputs';
export type { InputFile, SkippedInput, ExpandedInputs, DeliveryOrigin } from './inputs';
export type { CsvOptions } from './csv';
export type { DecodeOptions } from './pipeline';
export { DEFAULT_MAX_LINE_BYTES } from './lineSplitter';
export { SMALL_FILE, detectFile } from './fileSample';

/**
 * Decodes a file of any delivery shape into canonical lines. Throws DecodeError (after yielding every line read
 * before the damage) for a file that cannot be read on: missing, corrupt or truncated.
 */
export async function* decodeFile(path: string, options: DecodeOptions = {}): AsyncGenerator<DecodedChunk> {
  // The consumer keeps no view of a chunk once it asks for the next: a small file is read into this thread's
  // reused buffers, handed back once the file is done (its last chunk read out, or the consumer stopped).
  const lease = options.reuseBuffers ? new BufferLease() : undefined;
  try {
    yield* decodeWholeFile(path, options, lease);
  } finally {
    lease?.release();
  }
}

async function* decodeWholeFile(path: string, options: DecodeOptions, lease: BufferLease | undefined): AsyncGenerator<DecodedChunk> {
  let s: Sample;
  let format: DetectedFormat;
  let start: Uint8Array;
  let text: Uint8Array | undefined;
  try {
    s = await sample(path, lease);
    ({ format, start, text } = await detect(path, s, options, lease));
  } catch (e) {
    throw new DecodeError(path, readReason(e));
  }
  if (options.onlyFlowLogs && format.encoding !== 'parquet' && !options.formatHint) {
    const reason = notAFlowLogText(start, format.compression !== 'none');
    if (reason) throw new NotAFlowLogError(path, reason);
  }
  if (format.encoding === 'parquet') {
    if (format.compression !== 'none') throw new DecodeError(path, `a ${format.compression}-compressed Parquet file is not supported`);
    try {
      yield* decodeParquet(path, { signal: options.signal, sourceColumns: options.sourceColumns, reuseBuffers: options.reuseBuffers });
    } catch (e) {
      if (e instanceof ParquetError) throw new DecodeError(path, `Parquet: ${e.message}`, e.row);
      if ((e as Error).name === 'AbortError') throw e;
      throw new DecodeError(path, `Parquet: ${(e as Error).message}`);
    }
    return;
  }
  const stored = s.whole?.length ?? s.size;
  if (text) {
    const cap = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const chunks = format.encoding === 'text' ? plainChunks(text, cap, stored) : undefined;
    if (chunks) yield* chunks;
    else yield* decodeLines(path, only(text), format, options, { n: stored }, true, 1, text.length);
    return;
  }
  if (format.compression === 'none' && format.encoding === 'text') {
    yield* decodePlain(path, 0, s.size, format, options);
    return;
  }
  if (format.compression === 'none' && format.encoding === 'json') {
    yield* decodeJsonLines(path, 0, s.size, options);
    return;
  }
  const counter = { n: 0 };
  // Read buffers come back from the stage that consumes them: zlib (gzip), or the line splitter (no compression).
  // lzop and snappy blocks may be looked at across reads: fresh buffers for them.
  const buffers = options.reuseBuffers && (format.compression === 'gzip' || format.compression === 'none') ? new ReadBuffers(readSize(0, s.size)) : undefined;
  const openBytes = () => {
    counter.n = 0;
    return fileBytes(path, 0, s.size, counter, options.signal, buffers);
  };
  const bytes = decompress(openBytes, format.compression, s.head, s.size, buffers);
  yield* decodeLines(path, bytes, format, options, counter, true, 1, Infinity, format.compression === 'none' ? buffers : undefined);
}

/**
 * Plain text in memory as chunks of about FLUSH_BYTES of whole lines, views of `text` (no copy); undefined when it
 * holds a `\r` or a line over the cap (the line splitter reads those).
 */
function plainChunks(text: Uint8Array, cap: number, stored: number): DecodedChunk[] | undefined {
  const buf = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  if (buf.indexOf(CR) >= 0) return undefined;
  const first = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  // No line over the cap: from each line start, the next `cap + 1` bytes hold a line end (linear: the windows
  // searched never overlap, since each one holds no line end past the last one found).
  for (let p = first; buf.length - p > cap; ) {
    const nl = buf.lastIndexOf(LF, p + cap);
    if (nl < p) return undefined;
    p = nl + 1;
  }
  const chunks: DecodedChunk[] = [];
  let line = 1;
  for (let at = first; at < buf.length; ) {
    let end = buf.length;
    if (buf.length - at > FLUSH_BYTES) {
      const nl = buf.lastIndexOf(LF, at + FLUSH_BYTES - 1);
      end = nl >= at ? nl + 1 : buf.indexOf(LF, at + FLUSH_BYTES) + 1 || buf.length;
    }
    let bytes: Uint8Array = buf.subarray(at, end);
    // Lines are counted only for the next chunk's first line number (most small files are one chunk).
    const breaks = end < buf.length ? countLineFeeds(buf, at, end) : 0;
    if (buf[end - 1] !== LF) {
      // The last line has no line break: canonical lines all end with one.
      const b = Buffer.allocUnsafeSlow(bytes.length + 1);
      b.set(bytes);
      b[bytes.length] = LF;
      bytes = b;
    }
    chunks.push({ bytes, firstLine: line, bytesRead: end === buf.length ? stored : Math.floor((stored * end) / buf.length) });
    line += breaks;
    at = end;
  }
  return chunks;
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
  else if (encoding === 'json') yield* decodeJsonLines(path, start, end, options);
  else {
    const buffers = options.reuseBuffers ? new ReadBuffers(readSize(start, end)) : undefined;
    yield* decodeLines(path, fileBytes(path, start, end, counter, options.signal, buffers), format, options, counter, start === 0, 1, Infinity, buffers);
  }
}

/** Plain text: whole-line runs handed on as read, then the general splitter from where they stop (if they do). */
async function* decodePlain(path: string, start: number, end: number, format: DetectedFormat, options: DecodeOptions): AsyncGenerator<DecodedChunk> {
  const counter = { n: 0 };
  const cap = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let stop: { pos: number; nextLine: number };
  try {
    stop = yield* plainTextRuns(path, start, end, { cap, startsFile: start === 0, signal: options.signal, counter, reuseBuffers: options.reuseBuffers });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new DecodeError(path, readReason(e));
  }
  if (stop.pos >= end) return;
  counter.n = stop.pos - start;
  const buffers = options.reuseBuffers ? new ReadBuffers(readSize(stop.pos, end)) : undefined;
  const rest = fileBytes(path, stop.pos, end, counter, options.signal, buffers);
  yield* decodeLines(path, rest, format, options, counter, stop.pos === 0, stop.nextLine, Infinity, buffers);
}

/**
 * Decodes a stream (standard input, a pipe or FIFO, an open document's bytes) of any line-based delivery shape:
 * the compression and the encoding are detected from its first bytes, as for a file (`name` names it in errors and,
 * unless `byContentOnly`, stands for the file name where content cannot decide). Parquet needs its footer first, so
 * it is refused: name the file instead.
 */
export async function* decodeStream(source: AsyncIterable<Uint8Array>, name: string, options: DecodeOptions = {}, byContentOnly = false): AsyncGenerator<DecodedChunk> {
  const detectName = byContentOnly ? '' : name;
  const counter = { n: 0 };
  const raw = new PeekedBytes(source, counter);
  const head = await raw.head(SNIFF);
  if (raw.error && head.length === 0) throw new DecodeError(name, readReason(raw.error));
  const compression = options.compressionHint ?? detectCompression(head, Number.MAX_SAFE_INTEGER, basename(detectName));
  if (options.formatHint === 'parquet' || (compression === 'none' && !options.formatHint && isParquet(head).start)) {
    throw new DecodeError(name, 'Parquet cannot be read as a stream (its index is at its end): name the file instead');
  }
  // gzip reads its input again to recover from damage; a stream cannot be read twice, so that second reading is empty.
  let opened = false;
  const once = () => {
    if (opened) return nothing();
    opened = true;
    return raw.all();
  };
  const text = new PeekedBytes(decompress(once, compression, head, Number.MAX_SAFE_INTEGER), { n: 0 });
  const start = await text.head(SNIFF);
  const format = formatOf(compression, start, detectName, options);
  yield* decodeLines(name, text.all(), format, options, counter, true);
}

async function* only(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function* nothing(): AsyncGenerator<Uint8Array> {}

/** A byte stream whose first bytes can be looked at before it is read from its start; an error waits its turn. */
class PeekedBytes {
  private readonly buffered: Uint8Array[] = [];
  private size = 0;
  private ended = false;
  error: unknown;
  private readonly iter: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>, private readonly counter: { n: number }) {
    this.iter = source[Symbol.asyncIterator]();
  }

  /** At least the first `n` bytes (fewer when the stream ends or fails first). */
  async head(n: number): Promise<Uint8Array> {
    while (this.size < n && !this.ended && this.error === undefined) {
      try {
        const next = await this.iter.next();
        if (next.done) this.ended = true;
        else {
          this.counter.n += next.value.length;
          this.buffered.push(next.value);
          this.size += next.value.length;
        }
      } catch (e) {
        this.error = e;
      }
    }
    return this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
  }

  /** Every byte from the start: the buffered ones, then the rest (then the error, if reading failed). */
  async *all(): AsyncGenerator<Uint8Array> {
    while (this.buffered.length > 0) yield this.buffered.shift()!;
    if (this.error !== undefined) throw this.error;
    if (this.ended) return;
    for (;;) {
      const next = await this.iter.next();
      if (next.done) return;
      this.counter.n += next.value.length;
      yield next.value;
    }
  }
}

/**
 * The canonical lines of a file's start (its first 64 KiB, decompressed), for what its first line says (a header
 * line, made up for JSON, CSV and Parquet): cheap for a small file, one read of the start for a big one.
 */
export async function readCanonicalHead(path: string, options: DecodeOptions = {}): Promise<string> {
  const s = await sample(path);
  const { format, start, text } = await detect(path, s, options);
  if (format.encoding === 'parquet') return `${(await parquetColumnNames(path)).map(headerName).join(' ')}\n`;
  const head = text ? text.subarray(0, SNIFF) : start;
  const whole = text !== undefined ? head.length === text.length : s.whole !== undefined && format.compression === 'none';
  const out = new ChunkWriter();
  const splitter = new LineSplitter(sinkFor(format, out, options), options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, true);
  splitter.push(head);
  // The last line of a sample cut short is not a line; at the end of the file it is.
  if (whole) splitter.finish();
  const chunk = out.take(0);
  return chunk ? Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength).toString('utf8') : '';
}
