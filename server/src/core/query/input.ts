// Where a query's records come from, as units of work, read through the delivery readers (server/src/core/readers/):
// an open document's text, a whole file of any encoding and compression (detected by content), a byte range of a
// big uncompressed line-based file (split at line starts so that threads share it), or a stream (standard input, a
// pipe, a FIFO). Files are independent units: a folder of many files keeps every thread busy. Each unit is read as
// chunks of canonical lines that carry their source line numbers.
import { minSplitBytes } from '../envSettings';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { DEFAULT_FORMAT, FieldSpans, LineKind, RecordFormat, classifyLine, headerNames, makeFormat, scanFields } from '../scan';
import { DecodeError, DecodeOptions, DecodedChunk, Encoding, NotAFlowLogError, SMALL_FILE, decodeFile, decodeFileRange, decodeStream, detectFile, expandInputs, readCanonicalHead } from '../readers';
import type { CsvOptions } from '../readers';
import { notAFlowLog } from '../readers/inputs';

/**
 * Files on disk, read through the delivery readers: every encoding and compression is detected by content.
 * `paths` may name files, folders (read recursively), globs (`AWSLogs/**` `/*.log.gz`), `-` (standard input),
 * pipes and FIFOs; they are read in the order given, the files of each folder and glob in path order. Files
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

export interface FileProblem {
  file: string;
  message: string;
  /** The source line reached or concerned (row number for Parquet), where there is one. */
  line?: number;
}

/** A file of a folder or glob left out because it is not a flow log. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** A file (or stream) of a source, once folders and globs are expanded. */
export interface SourceFile {
  path: string;
  /** Its size when the query was planned (0 for a stream). */
  size: number;
  stream: boolean;
  /** Where it came from, read from its path (`AWS S3 · 123456789010 · us-east-1 · 2024-01-15`), or its name. */
  delivery: string;
  /** Found in a folder or glob (not named): skipped, when reading it shows it is not a flow log. */
  found?: boolean;
}

export interface ExpandedSource {
  files: SourceFile[];
  /** Files of folders and globs that are not flow logs. */
  skipped: SkippedFile[];
  /** Inputs that name nothing readable: missing paths, globs matching nothing, files that cannot be opened. */
  errors: FileProblem[];
}

/** One unit of work: read by one thread, in order. */
export interface ScanUnit {
  /** Index in the query's unit list (orders rows and groups: the sequence of a record is unit × 2^32 + n). */
  index: number;
  /** The file as shown in results (the document's path for a text source). */
  file: string;
  /** Index of the file in the source's list. */
  fileIndex: number;
  /** text: an open document; file: a whole file; range: bytes [start, end) of a file; stream: a pipe, FIFO or `-`. */
  kind: 'text' | 'file' | 'range' | 'stream';
  start: number;
  end: number;
  /** The unit starts at the file's first line (header bindings start over; line numbers are the file's). */
  startsFile: boolean;
  /** The unit ends the file (no later range of it follows). */
  endsFile: boolean;
  /** Field names of the file's first line when it is a header line: the format of a later range of plain text. */
  headerNames?: string[];
  /** How the readers read it: the source's hints, or for a range what detection found. */
  decode: { formatHint?: Encoding; csv?: CsvOptions };
  /** Found in a folder or glob: skipped (UnitReadInfo.skipped) when its content is clearly not a flow log. */
  found?: boolean;
  /** The file's size when the query was planned (0 for streams). */
  fileSize: number;
  /** Bytes of the whole query before this unit, and in all (progress). */
  before: number;
  total: number;
}

const TEXT_PIECE = 1 << 20;

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * The files of a source, in the order given: `-`, pipes, FIFOs and devices as streams; folders and globs expanded
 * (expandInputs), each in path order; a file named twice is read once.
 */
export async function expandSource(source: FilesSource): Promise<ExpandedSource> {
  const files: SourceFile[] = [];
  const skipped: SkippedFile[] = [];
  const errors: FileProblem[] = [];
  const seen = new Set<string>();
  for (const input of source.paths) {
    if (input === '-') {
      if (!seen.has(input)) files.push({ path: '-', size: 0, stream: true, delivery: 'standard input' });
      seen.add(input);
      continue;
    }
    if (!GLOB_CHARS.test(input)) {
      const st = await stat(input).catch(() => undefined);
      if (st && !st.isFile() && !st.isDirectory()) {
        // A pipe, FIFO or device (`<(zcat …)`, /dev/stdin): read as it comes, its size unknown.
        if (!seen.has(input)) files.push({ path: input, size: 0, stream: true, delivery: input });
        seen.add(input);
        continue;
      }
    }
    // Whether each file found is a flow log is told by its content as it is read, on the threads that read it.
    const expanded = await expandInputs([input], { cwd: source.cwd, sniff: false });
    for (const f of expanded.files) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      files.push({ path: f.path, size: f.size, stream: false, delivery: f.origin.label, found: !f.explicit });
    }
    for (const s of expanded.skipped) {
      if (s.unreadable) errors.push({ file: s.path, message: s.reason });
      else skipped.push({ file: s.path, reason: s.reason });
    }
  }
  return { files, skipped, errors };
}

/**
 * The smallest range of a tapered split: a few milliseconds of a thread (smaller ones cost more than they balance),
 * or a 16th of the size from which files are split when that is less (tests split small files), at least 64 KB.
 */
const leastTaperedRange = (splitBytes: number) => Math.max(64 << 10, Math.min(4 << 20, Math.floor(splitBytes / 16)));

/**
 * Where the ranges of a file of `size` bytes end (before moving each to a line start). Equal ranges, `pieces` of
 * them; or, `taperFor` threads taking ranges as they get idle, ranges that shrink toward the end (guided
 * scheduling: each a 2·threads-th of what is left, down to `least` bytes): threads start on big ranges and end on
 * small ones, so they finish within a few milliseconds of each other, where equal eighths of 1 GB left one thread
 * alone on up to 128 MB while the other had nothing left.
 */
export function rangeEnds(size: number, pieces: number, taperFor?: number, least = 4 << 20): number[] {
  const ends: number[] = [];
  if (taperFor === undefined || taperFor < 2) {
    for (let k = 1; k <= pieces; k++) ends.push(k === pieces ? size : Math.floor((size * k) / pieces));
    return ends;
  }
  let at = 0;
  while (at < size) {
    const piece = Math.max(Math.ceil((size - at) / (2 * taperFor)), least);
    // A last range smaller than half the least one joins the one before.
    at = size - (at + piece) < least / 2 ? size : at + piece;
    ends.push(at);
  }
  return ends;
}

/**
 * The units of a source. Uncompressed line-based files over `splitBytes` are cut at line starts into about `pieces`
 * ranges each (`pieces` = 1 keeps them whole), or, given `taperFor` (the threads that take them), into ranges that
 * shrink toward the end (rangeEnds); every other file is one unit, streams one stream unit each.
 */
export async function planUnits(source: QuerySource, expanded: ExpandedSource | undefined, pieces = 1, splitBytes = minSplitBytes(), taperFor?: number): Promise<ScanUnit[]> {
  if (source.kind === 'text') {
    const total = source.text.length;
    return [{ index: 0, file: source.name, fileIndex: 0, kind: 'text', start: 0, end: total, startsFile: true, endsFile: true, decode: {}, fileSize: total, before: 0, total }];
  }
  const files = expanded?.files ?? [];
  const hints = { formatHint: source.formatHint, csv: source.csv };
  const total = files.reduce((n, f) => n + f.size, 0);
  const units: ScanUnit[] = [];
  let before = 0;
  for (let fi = 0; fi < files.length; fi++) {
    const { path, size, stream, found } = files[fi];
    let split = !stream && pieces > 1 && size >= splitBytes ? await splitPlan(path, hints) : undefined;
    // A big file found in a folder is looked at now: its ranges are read on several threads at once.
    if (split && found && !hints.formatHint) {
      const reason = await notAFlowLog(path, size).catch(() => undefined);
      if (reason) split = undefined;
    }
    if (!split) {
      units.push({ index: units.length, file: path, fileIndex: fi, kind: stream ? 'stream' : 'file', start: 0, end: size, startsFile: true, endsFile: true, decode: hints, found, fileSize: size, before, total });
    } else {
      let start = 0;
      const n = Math.max(1, Math.min(pieces, Math.round(size / (splitBytes / 4))));
      for (const cut of rangeEnds(size, n, n > 1 ? taperFor : undefined, leastTaperedRange(splitBytes))) {
        if (start >= size) break;
        const end = cut >= size ? size : await lineStartAfter(path, Math.max(cut, start), size);
        if (end > start) {
          units.push({
            index: units.length, file: path, fileIndex: fi, kind: 'range', start, end, startsFile: start === 0, endsFile: end >= size,
            headerNames: split.headerNames, decode: start === 0 ? split.first : split.later, fileSize: size, before: before + start, total,
          });
        }
        start = end;
      }
    }
    before += size;
  }
  return units;
}

interface SplitPlan {
  /** How the first range is read, and the later ones. */
  first: ScanUnit['decode'];
  later: ScanUnit['decode'];
  headerNames?: string[];
}

/**
 * How a big file is read by ranges, or undefined when it cannot be (compressed, Parquet, or unreadable: then it is
 * read whole, and reading it says what is wrong). Plain text and CloudWatch exports: later ranges start bound to
 * the file's first header line; JSON lines: each range makes its own header; CSV with a key row: later ranges get
 * the key row's names.
 */
async function splitPlan(path: string, hints: ScanUnit['decode']): Promise<SplitPlan | undefined> {
  const format = await detectFile(path, hints).catch(() => undefined);
  if (!format || format.compression !== 'none') return undefined;
  const read = { ...hints, formatHint: format.encoding, csv: format.csv ? { ...hints.csv, ...format.csv } : hints.csv };
  switch (format.encoding) {
    case 'text':
    case 'cloudwatch':
      return { first: read, later: read, headerNames: await fileHeaderNames(path, read).catch(() => undefined) };
    case 'json':
      return { first: read, later: read };
    case 'csv': {
      if (!read.csv?.header || read.csv.fields) return { first: read, later: read };
      const names = await fileHeaderNames(path, read).catch(() => undefined);
      return names ? { first: read, later: { ...read, csv: { ...read.csv, fields: names } } } : undefined;
    }
    case 'parquet':
      return undefined;
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

/**
 * The field names of a file's first line when it is a header line, in any delivery shape: as written in text, made
 * up from the keys of JSON, a CSV key row and Parquet columns (reads only the file's start).
 */
export async function fileHeaderNames(path: string, options: DecodeOptions = {}): Promise<string[] | undefined> {
  const head = await readCanonicalHead(path, options);
  const nl = head.indexOf('\n');
  const line = nl < 0 ? head : head.slice(0, nl);
  const spans = new FieldSpans();
  scanFields(line, 0, line.length, spans);
  return classifyLine(line, spans) === LineKind.Header ? headerNames(line, spans) : undefined;
}

/** The format that binds a unit's first records: the default, or the file's header for a later range. */
export function unitFormat(unit: ScanUnit): RecordFormat {
  return !unit.startsFile && unit.headerNames ? makeFormat(unit.headerNames, 0) : DEFAULT_FORMAT;
}

/** How a unit is read besides what it is. */
export interface ReadOptions {
  /** Lines longer than this are skipped (default 1 MiB). */
  maxLineBytes?: number;
  /** Where each line's fields are in the source line (lint). */
  sourceColumns?: boolean;
  /** The consumer keeps no view of a chunk once it asks for the next (DecodeOptions.reuseBuffers). */
  reuseBuffers?: boolean;
  /** Canonical names of the only fields the query reads (DecodeOptions.fields); undefined: every field. */
  fields?: readonly string[];
  signal?: AbortSignal;
}

/** What a unit's reading noticed besides its lines. */
export interface UnitReadInfo {
  /** The file's size changed while it was read (a growing or truncated file). */
  changed?: string;
  /** The file, found in a folder, is not a flow log: why (nothing of it was read as records). */
  skipped?: string;
}

/**
 * The chunks of canonical lines of a unit (DecodedChunk: bytes, source line numbers, problems). `text` is the
 * document for a text unit. Throws DecodeError (with the path and the reason) for a file that cannot be read on;
 * the chunks before stay valid.
 */
export async function* readUnit(unit: ScanUnit, text?: string, info: UnitReadInfo = {}, read: ReadOptions = {}): AsyncGenerator<DecodedChunk> {
  const options: DecodeOptions = { ...unit.decode, ...read };
  if (unit.kind === 'text') {
    // An open document is what the editor shows: its content decides, not its name.
    yield* decodeStream(textBytes(text ?? ''), unit.file, { ...options, compressionHint: 'none' }, true);
    return;
  }
  if (unit.kind === 'stream') {
    yield* decodeStream(streamBytes(unit.file), unit.file, options);
    return;
  }
  const chunks = unit.kind === 'range' ? decodeFileRange(unit.file, unit.start, unit.end, options) : decodeFile(unit.file, { ...options, onlyFlowLogs: unit.found });
  let bytesRead = 0;
  try {
    for await (const chunk of chunks) {
      bytesRead = chunk.bytesRead;
      yield chunk;
    }
  } catch (e) {
    if (!(e instanceof NotAFlowLogError)) throw e;
    info.skipped = e.reason;
    return;
  }
  if (bytesRead < unit.end - unit.start) {
    info.changed = `${unit.file} is shorter than when the query started (${unit.fileSize} bytes then): it changed while it was read`;
  } else if (unit.kind === 'file' && bytesRead > unit.fileSize) {
    info.changed = `${unit.file} changed between the start of the query and its reading (${unit.fileSize} bytes then, ${bytesRead} read)`;
  } else if (unit.endsFile && !(unit.kind === 'file' && unit.fileSize <= SMALL_FILE)) {
    // A small file is read in one piece, its size taken then (a change since the start shows above); a big one is
    // checked again at its end.
    const now = await stat(unit.file).then((s) => s.size, () => -1);
    if (now !== unit.fileSize) {
      info.changed = now < 0
        ? `${unit.file} was removed while it was read`
        : `${unit.file} changed while it was read (${unit.fileSize} bytes when the query started, ${now} now): the result covers the first ${unit.fileSize}`;
    }
  }
}

/** An open document as UTF-8 pieces of about 1 MiB (never cutting a surrogate pair). */
async function* textBytes(text: string): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + TEXT_PIECE);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield Buffer.from(text.slice(at, end), 'utf8');
    at = end;
  }
}

/**
 * Names of this process's standard input. Read through process.stdin, not opened again: when standard input is a
 * socket (as a parent process may hand it), opening /dev/stdin fails (ENXIO).
 */
const STANDARD_INPUT = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/** Standard input (`-`) or a pipe, FIFO or device, as it comes. */
async function* streamBytes(path: string): AsyncGenerator<Uint8Array> {
  const stdin = STANDARD_INPUT.has(path);
  const stream = stdin ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  } finally {
    if (!stdin) (stream as ReturnType<typeof createReadStream>).destroy();
  }
}

export { DecodeError };
export { defaultThreadCount } from '../threads/pool';
