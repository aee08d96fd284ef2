// Where records come from: an open document's text, or files on disk of any size (plain or gzip), read as
// chunks that end at line boundaries. Memory stays constant: one chunk at a time.
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { FieldSpans, LineKind, classifyLine, headerNames, scanFields } from '../scan';

export type QuerySource = { kind: 'text'; text: string; name: string } | { kind: 'files'; paths: string[] };

/** A run of whole lines. `text` holds them (each ends with \n, but maybe the last of a file). */
export interface Chunk {
  file: string;
  text: string;
  /** Bytes of input consumed so far, over all files, and the total (compressed sizes for .gz). */
  bytesDone: number;
  bytesTotal: number;
  /** The chunk starts a new file (header bindings reset). */
  fileStart: boolean;
}

const CHUNK = 1 << 20;

export function sourceBytes(source: QuerySource): number {
  if (source.kind === 'text') return Buffer.byteLength(source.text);
  return source.paths.reduce((n, p) => n + statSync(p).size, 0);
}

export async function* readChunks(source: QuerySource): AsyncGenerator<Chunk> {
  if (source.kind === 'text') {
    // Slices of an in-memory document, so the caller can yield to the event loop (progress, cancellation).
    const text = source.text.charCodeAt(0) === 0xfeff ? source.text.slice(1) : source.text;
    const total = text.length;
    let at = 0;
    while (at < total) {
      let end = Math.min(total, at + CHUNK);
      if (end < total) {
        const nl = text.indexOf('\n', end);
        end = nl < 0 ? total : nl + 1;
      }
      yield { file: source.name, text: text.slice(at, end), bytesDone: end, bytesTotal: total, fileStart: at === 0 };
      at = end;
    }
    return;
  }
  const total = sourceBytes(source);
  let before = 0;
  for (const path of source.paths) {
    const size = statSync(path).size;
    yield* readFileRange(path, 0, size, before, total);
    before += size;
  }
}

/**
 * Chunks of whole lines from bytes [start, end) of one file (`start` and `end` at line starts; gzip files only
 * whole). `before` and `total` place the progress in the whole query.
 */
export async function* readFileRange(path: string, start: number, end: number, before: number, total: number): AsyncGenerator<Chunk> {
  const gzip = /\.gz$/i.test(path);
  const raw = gzip ? createReadStream(path, { highWaterMark: CHUNK }) : createReadStream(path, { highWaterMark: CHUNK, start, end: Math.max(start, end - 1) });
  if (!gzip && end <= start) return;
  let consumed = 0;
  raw.on('data', (b: Buffer | string) => {
    consumed += b.length;
  });
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  let carry: Buffer | undefined;
  let first = start === 0;
  let fileStart = start === 0;
  const done = () => before + Math.min(consumed, end - start);
  for await (const data of stream as AsyncIterable<Buffer>) {
    let buf = carry ? Buffer.concat([carry, data]) : data;
    carry = undefined;
    if (first) {
      first = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    const lastNl = buf.lastIndexOf(10);
    if (lastNl < 0) {
      carry = buf;
      continue;
    }
    const text = buf.toString('utf8', 0, lastNl + 1);
    yield { file: path, text, bytesDone: done(), bytesTotal: total, fileStart };
    fileStart = false;
    if (lastNl + 1 < buf.length) carry = Buffer.from(buf.subarray(lastNl + 1));
  }
  if (carry && carry.length > 0) {
    yield { file: path, text: carry.toString('utf8'), bytesDone: before + (end - start), bytesTotal: total, fileStart };
  }
}

/** `length` bytes of a file from `position` (fewer at its end). */
export async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The field names of a plain file's first line when it is a header line (reads only the file's start). */
export async function fileHeaderNames(path: string): Promise<string[] | undefined> {
  let text = (await readAt(path, 0, 1 << 16)).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nl = text.indexOf('\n');
  const line = nl < 0 ? text : text.slice(0, nl);
  const spans = new FieldSpans();
  scanFields(line, 0, line.length, spans);
  return classifyLine(line, spans) === LineKind.Header ? headerNames(line, spans) : undefined;
}
