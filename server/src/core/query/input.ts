// Where a query's records come from, as units of work: an open document's text, a byte range of a plain file
// (big files are split at line starts so that threads share them), or a whole compressed file, pipe or FIFO
// (streams that cannot be split). Each unit is read as chunks of whole lines (LineChunker).
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { DEFAULT_FORMAT, FieldSpans, LineKind, RecordFormat, classifyLine, headerNames, makeFormat, scanFields } from '../scan';
import { DecodeError, Encoding } from '../readers/types';
import type { CsvOptions } from '../readers/csv';
import { DEFAULT_MAX_LINE_BYTES, LineChunk, LineChunker } from './lineChunker';

/**
 * Files on disk, read through the delivery readers (server/src/core/readers/): every encoding and compression is
 * detected by content. `paths` may name files, folders (read recursively), globs (`AWSLogs/**\/*.log.gz`), `-`
 * (standard input), pipes and FIFOs; they are read in the order given, each folder and glob in path order. Files
 * inside folders and globs that are clearly not flow logs are skipped with their reason (QueryStats.skipped).
 */
export interface FilesSource {
  kind: 'files';
  paths: string[];
  /** The folder relative paths and globs start from (default: the process's working folder). */
  cwd?: string;
  /** The encoding of every file, where detection by content cannot decide (CSV separated by spaces…). */
  formatHint?: Encoding;
  /** CSV settings (separator, header row, field names), where detection cannot decide. */
  csv?: CsvOptions;
}

/** An open document's text (`name`: its path, shown in results), or files. */
export type QuerySource = { kind: 'text'; text: string; name: string } | FilesSource;

/** One unit of work: read by one thread, in order. */
export interface ScanUnit {
  /** Index in the query's unit list (orders rows and groups: the sequence of a record is unit × 2^32 + n). */
  index: number;
  /** The file as shown in results (the document's path for a text source). */
  file: string;
  kind: 'text' | 'range' | 'stream';
  /** A range: bytes [start, end) of the file at `file`. */
  start: number;
  end: number;
  /** The unit starts at the file's first line (header bindings start over; line numbers are the file's). */
  startsFile: boolean;
  /** Field names of the file's first line when it is a header line: the format of a range that starts later. */
  headerNames?: string[];
  gzip: boolean;
  /** The file's size when the query was planned (0 for streams). */
  fileSize: number;
  /** Bytes of the whole query before this unit, and in all (progress). */
  before: number;
  total: number;
}

export interface UnitChunk extends LineChunk {
  /** Bytes of the unit's input consumed so far (compressed bytes for gzip). */
  bytesDone: number;
}

const CHUNK = 1 << 20;

/** Plain files over this size are split across threads (smaller ones are not worth a thread). */
export function minSplitBytes(): number {
  const fromEnv = Number(process.env.FLOWLOG_PARALLEL_MIN_BYTES);
  return process.env.FLOWLOG_PARALLEL_MIN_BYTES !== undefined && Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : 48 << 20;
}

function isStreamPath(path: string): boolean {
  return path === '-' || path.startsWith('/dev/') || path.startsWith('/proc/');
}

export function isGzipPath(path: string): boolean {
  return /\.gz$/i.test(path);
}

/**
 * The units of a source. Plain files over `splitBytes` are cut at line starts into about `pieces` ranges each
 * (`pieces` = 1 keeps them whole); gzip files, pipes and FIFOs are one stream unit each.
 */
export async function planUnits(source: QuerySource, pieces = 1, splitBytes = minSplitBytes()): Promise<ScanUnit[]> {
  if (source.kind === 'text') {
    const total = source.text.length;
    return [{ index: 0, file: source.name, kind: 'text', start: 0, end: total, startsFile: true, gzip: false, fileSize: total, before: 0, total }];
  }
  const infos = await Promise.all(source.paths.map(async (path) => {
    if (isStreamPath(path)) return { path, size: 0, stream: true };
    const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
      throw new DecodeError(path, readError(e));
    });
    if (st.isDirectory()) throw new DecodeError(path, 'is a folder');
    return { path, size: st.isFile() ? st.size : 0, stream: !st.isFile() };
  }));
  const total = infos.reduce((n, i) => n + i.size, 0);
  const units: ScanUnit[] = [];
  let before = 0;
  for (const { path, size, stream } of infos) {
    const gzip = isGzipPath(path);
    if (stream || gzip || pieces <= 1 || size < splitBytes) {
      units.push({ index: units.length, file: path, kind: stream || gzip ? 'stream' : 'range', start: 0, end: size, startsFile: true, gzip, fileSize: size, before, total });
    } else {
      const header = await fileHeaderNames(path).catch(() => undefined);
      let start = 0;
      const n = Math.max(1, Math.min(pieces, Math.round(size / (splitBytes / 4))));
      for (let k = 1; k <= n && start < size; k++) {
        const end = k === n ? size : await lineStartAfter(path, Math.floor((size * k) / n), size);
        if (end > start) units.push({ index: units.length, file: path, kind: 'range', start, end, startsFile: start === 0, headerNames: header, gzip: false, fileSize: size, before: before + start, total });
        start = end;
      }
    }
    before += size;
  }
  return units;
}

/** A plain reading of a system error, for messages. */
export function readError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a folder';
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR': return `not valid gzip data (${e.message})`;
    default: return e.message;
  }
}

/** The first line start at or after `offset`. */
async function lineStartAfter(path: string, offset: number, size: number): Promise<number> {
  for (let at = offset; at < size; at += 1 << 16) {
    const buf = await readAt(path, at - 1, (1 << 16) + 1);
    const nl = buf.indexOf(10);
    if (nl >= 0) return at - 1 + nl + 1;
  }
  return size;
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

/** The format that binds a unit's first records: the default, or the file's header for a later range. */
export function unitFormat(unit: ScanUnit): RecordFormat {
  return !unit.startsFile && unit.headerNames ? makeFormat(unit.headerNames, 0) : DEFAULT_FORMAT;
}

/** What a unit's reading noticed besides its lines. */
export interface UnitReadInfo {
  /** The file's size changed while it was read (a growing or truncated file). */
  changed?: string;
}

/**
 * The chunks of whole lines of a unit. `text` is the document for a text unit. Throws DecodeError (with the
 * path and the reason) for a file that cannot be read on; the chunks before stay valid.
 */
export async function* readUnit(unit: ScanUnit, text?: string, info: UnitReadInfo = {}, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<UnitChunk> {
  const chunker = new LineChunker(maxLineBytes, CHUNK);
  let done = 0;
  const drain = function* (): Generator<UnitChunk> {
    for (let c = chunker.next(); c; c = chunker.next()) yield { ...c, bytesDone: done };
  };
  if (unit.kind === 'text') {
    const t = text ?? '';
    for (let at = 0; at < t.length; at += CHUNK) {
      const piece = t.slice(at, at + CHUNK);
      chunker.push(Buffer.from(piece, 'utf8'));
      done = Math.min(t.length, at + CHUNK);
      yield* drain();
    }
  } else if (unit.kind === 'range') {
    let handle;
    try {
      handle = await open(unit.file, 'r');
    } catch (e) {
      throw new DecodeError(unit.file, readError(e as NodeJS.ErrnoException));
    }
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      let position = unit.start;
      while (position < unit.end) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, unit.end - position), position);
        if (bytesRead === 0) {
          info.changed = `${unit.file} is shorter than when the query started (${unit.end} bytes then, ${position} now): it changed while it was read`;
          break;
        }
        position += bytesRead;
        done = position - unit.start;
        chunker.push(buf.subarray(0, bytesRead));
        yield* drain();
      }
      if (!info.changed && unit.end === unit.fileSize) {
        const now = (await handle.stat()).size;
        if (now !== unit.fileSize) info.changed = `${unit.file} changed while it was read (${unit.fileSize} bytes when the query started, ${now} now): the result covers the first ${unit.fileSize}`;
      }
    } catch (e) {
      if (e instanceof DecodeError) throw e;
      throw new DecodeError(unit.file, readError(e as NodeJS.ErrnoException));
    } finally {
      await handle.close();
    }
  } else {
    const raw = unit.file === '-' ? process.stdin : createReadStream(unit.file, { highWaterMark: CHUNK });
    let consumed = 0;
    raw.on('data', (b: Buffer | string) => {
      consumed += b.length;
    });
    const stream = unit.gzip ? raw.pipe(createGunzip()) : raw;
    // A gunzip error does not reach the source stream: forward the source's (EACCES…) to the output.
    if (unit.gzip) raw.on('error', (e: Error) => stream.destroy(e));
    try {
      for await (const data of stream as AsyncIterable<Buffer>) {
        done = consumed;
        chunker.push(data);
        yield* drain();
      }
    } catch (e) {
      throw new DecodeError(unit.file, readError(e as NodeJS.ErrnoException));
    }
    done = consumed;
  }
  const last = chunker.end();
  if (last) yield { ...last, bytesDone: done };
}
