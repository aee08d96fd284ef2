// `flowlog load`: flow log files into a ClickHouse table, in batches over HTTP (TabSeparated, \N for `-`).
// Creates the table when it is missing (the documented schema); into an existing one it only inserts.
// Resumable per file: a journal table beside the data table (`<table>_loads`) records each committed batch (the
// file's last line handled, its record and malformed counts); a new run skips a file whose load is done, goes on
// after the last committed line of one that was cut off (after checking which lines of the cut batch made it
// into the table: a Distributed insert can land on one shard and fail on another), and loads only the new lines
// of a file that grew. Malformed lines are never loaded: they are counted, reported with their line numbers and
// message, and skipped.
import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { QueryCancelledError } from '../query/errors';
import { ClickHouseClient, ClickHouseError, isClickHouseError, sqlString } from './http';
import { RecordVisitor, readRecordChunks } from './records';
import { FIELD_COLUMNS, FILE_COLUMN, LINE_COLUMN, columnOf, createJournalSql, createTableSql, journalName, quoteIdent, quoteTable } from './schema';
import { DEFAULT_FORMAT, FieldSpans, RecordFormat } from '../scan';

export interface LoadOptions {
  table: string;
  /** Records per INSERT; default 200,000. */
  batchRows?: number;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  /** Every malformed line, as it is found (the report keeps the first MAX_LISTED). */
  onMalformed?: (file: string, line: number, message: string) => void;
  onWarning?: (file: string, line: number, message: string) => void;
}

export interface LoadProgress {
  file: string;
  fileIndex: number;
  files: number;
  /** Bytes of this file read so far, and its size. */
  bytesDone: number;
  bytesTotal: number;
  /** Records inserted and malformed lines skipped so far, over all files of this run. */
  records: number;
  malformed: number;
}

export type FileStatus = 'loaded' | 'resumed' | 'already loaded' | 'failed';

export interface FileLoadReport {
  file: string;
  status: FileStatus;
  /** Records inserted by this run. */
  records: number;
  /** Malformed lines found by this run (skipped). */
  malformed: number;
  /** The first MAX_LISTED malformed lines. */
  malformedLines: { line: number; message: string }[];
  /** Records of a cut-off batch found in the table already (not inserted again). */
  alreadyPresent: number;
  /** The line this run started after (0 for a fresh load). */
  resumedAfter: number;
  error?: string;
}

export interface LoadReport {
  table: string;
  created: boolean;
  files: FileLoadReport[];
  records: number;
  malformed: number;
  elapsedMs: number;
}

export const MAX_LISTED = 100;
const FINGERPRINT_BYTES = 64 * 1024;

/** The files under the given files and folders (folders recursively, sorted, hidden entries skipped). */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const s = await stat(path);
    if (s.isDirectory()) {
      const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
      for (const n of names) await walk(join(path, n));
    } else if (s.isFile()) out.push(resolve(path));
  };
  for (const p of inputs) await walk(p);
  return out;
}

/** Identifies a file's content: a hash of its first 64 KiB (the same file grown keeps it). */
async function fingerprint(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(FINGERPRINT_BYTES);
    const { bytesRead } = await handle.read(buf, 0, FINGERPRINT_BYTES, 0);
    return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex').slice(0, 32);
  } finally {
    await handle.close();
  }
}

interface JournalState {
  fingerprint: string;
  size: number;
  line: number;
  records: number;
  malformed: number;
  formats: string[];
  done: boolean;
}

/** A TabSeparated field: `-` is NULL (\N); backslash, tab, newline and CR escaped. */
function tsvValue(v: string): string {
  if (v === '-') return '\\N';
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
}

/** Whether the table exists, created from the documented schema when it does not. */
export async function ensureTable(client: ClickHouseClient, table: string): Promise<{ created: boolean; columns: Set<string> }> {
  const exists = (await client.text(`EXISTS TABLE ${quoteTable(table)}`)).trim() === '1';
  if (!exists) await client.exec(createTableSql(table, { ifNotExists: true }));
  const columns = await tableColumns(client, table);
  for (const c of [FILE_COLUMN, LINE_COLUMN]) {
    if (!columns.has(c)) {
      throw new ClickHouseError('server', `table ${table} has no column ${c}: load into a table created from the documented schema (flowlog load --print-schema)`);
    }
  }
  await client.exec(createJournalSql(table));
  return { created: !exists, columns };
}

export async function tableColumns(client: ClickHouseClient, table: string): Promise<Set<string>> {
  const text = await client.text(`DESCRIBE TABLE ${quoteTable(table)} FORMAT TabSeparated`);
  return new Set(text.split('\n').filter(Boolean).map((l) => l.split('\t')[0]));
}

async function journalState(client: ClickHouseClient, table: string, file: string): Promise<JournalState | undefined> {
  const text = await client.text(
    `SELECT fingerprint, size, line, records, malformed, formats, done FROM ${quoteTable(journalName(table))} WHERE file = ${sqlString(file)} ORDER BY line DESC, done DESC LIMIT 1 FORMAT JSONEachRow`,
    { params: { output_format_json_quote_64bit_integers: 0 } },
  );
  if (!text.trim()) return undefined;
  const r = JSON.parse(text) as { fingerprint: string; size: number; line: number; records: number; malformed: number; formats: string[]; done: number };
  return { ...r, done: r.done === 1 };
}

async function writeJournal(client: ClickHouseClient, table: string, file: string, state: JournalState): Promise<void> {
  const row = {
    file, fingerprint: state.fingerprint, size: state.size, line: state.line, records: state.records, malformed: state.malformed,
    formats: state.formats, done: state.done ? 1 : 0, at: Math.floor(Date.now() / 1000),
  };
  await client.insert(`INSERT INTO ${quoteTable(journalName(table))} FORMAT JSONEachRow`, JSON.stringify(row) + '\n');
}

/** Loads files (and folders) into `options.table`; a file that fails is reported and the others go on. */
export async function loadFiles(client: ClickHouseClient, inputs: string[], options: LoadOptions): Promise<LoadReport> {
  const started = performance.now();
  const files = await expandInputs(inputs);
  const { created, columns } = await ensureTable(client, options.table);
  const report: LoadReport = { table: options.table, created, files: [], records: 0, malformed: 0, elapsedMs: 0 };
  for (let i = 0; i < files.length; i++) {
    if (options.signal?.aborted) throw new QueryCancelledError();
    const fileReport = await loadFile(client, files[i], columns, options, (p) => options.onProgress?.({
      ...p, fileIndex: i, files: files.length, records: report.records + p.records, malformed: report.malformed + p.malformed,
    }));
    report.files.push(fileReport);
    report.records += fileReport.records;
    report.malformed += fileReport.malformed;
  }
  report.elapsedMs = Math.round(performance.now() - started);
  return report;
}

type FileProgress = (p: { file: string; bytesDone: number; bytesTotal: number; records: number; malformed: number }) => void;

async function loadFile(client: ClickHouseClient, file: string, columns: Set<string>, options: LoadOptions, progress: FileProgress): Promise<FileLoadReport> {
  const report: FileLoadReport = { file, status: 'loaded', records: 0, malformed: 0, malformedLines: [], alreadyPresent: 0, resumedAfter: 0 };
  const { table } = options;
  try {
    const size = (await stat(file)).size;
    const print = await fingerprint(file);
    const before = await journalState(client, table, file);
    if (before && before.fingerprint !== print) {
      throw new ClickHouseError('protocol', `${file} was loaded into ${table} before with other content (its first 64 KiB differ): delete its rows (ALTER TABLE … DELETE WHERE _file = '…', and from ${journalName(table)}) or load a copy under another name`);
    }
    if (before?.done && before.size === size) {
      report.status = 'already loaded';
      return report;
    }
    if (before && size < before.size) {
      throw new ClickHouseError('protocol', `${file} is smaller than when it was loaded into ${table} (${before.size} bytes then, ${size} now): delete its rows first`);
    }
    const state: JournalState = before ? { ...before, size, done: false } : { fingerprint: print, size, line: 0, records: 0, malformed: 0, formats: [], done: false };
    if (before) {
      report.status = 'resumed';
      report.resumedAfter = before.line;
    } else {
      await writeJournal(client, table, file, state); // a cut-off first batch is then checked on the next run
    }
    // Lines past the last committed batch that are in the table already (a batch cut off after part of it landed).
    const present = new Set<number>();
    if (before && !before.done) {
      const text = await client.text(`SELECT ${quoteIdent(LINE_COLUMN)} FROM ${quoteTable(table)} WHERE ${quoteIdent(FILE_COLUMN)} = ${sqlString(file)} AND ${quoteIdent(LINE_COLUMN)} > ${before.line} FORMAT TabSeparated`, { signal: options.signal });
      for (const l of text.split('\n')) if (l) present.add(Number(l));
    }
    await insertRecords(client, file, columns, options, state, present, report, progress);
    state.done = true;
    await writeJournal(client, table, file, state);
  } catch (e) {
    if (e instanceof QueryCancelledError) throw e;
    report.status = 'failed';
    if (isClickHouseError(e)) report.error = e.message;
    else if (typeof (e as NodeJS.ErrnoException).code === 'string') report.error = `cannot read ${file}: ${(e as NodeJS.ErrnoException).code}`;
    else throw e;
  }
  return report;
}

function targetColumnList(targets: (string | undefined)[]): string {
  return [...targets.filter((c): c is string => c !== undefined), FILE_COLUMN, LINE_COLUMN].map(quoteIdent).join(', ');
}

/** The table columns of a format's positions (undefined: a position not loaded: unknown or repeated field). */
function formatColumns(format: RecordFormat, columns: Set<string>, file: string, table: string): (string | undefined)[] {
  return format.fields.map((f, k) => {
    if (!f || format.positionOf.get(f.name) !== k) return undefined;
    const name = columnOf(f).name;
    if (!columns.has(name)) throw new ClickHouseError('server', `table ${table} has no column ${name} for field ${f.name} of ${file} (line ${format.headerLine + 1}): add it from the documented schema`);
    return name;
  });
}

async function insertRecords(
  client: ClickHouseClient, file: string, columns: Set<string>, options: LoadOptions, state: JournalState,
  present: Set<number>, report: FileLoadReport, progress: FileProgress,
): Promise<void> {
  const { table, signal } = options;
  const batchRows = options.batchRows ?? 200_000;
  const fileValue = tsvValue(file);
  let format = DEFAULT_FORMAT;
  let targets = formatColumns(format, columns, file, table);
  let columnList = targetColumnList(targets);
  /** Rows of the batch, and where each run of rows of one column list (one format) starts. */
  let batch: string[] = [];
  let runs: { at: number; columns: string }[] = [];
  let lastLine = state.line;
  let pending: Promise<void> | undefined;
  let noted: RecordFormat | undefined;
  let failure: unknown;
  const noteFormat = (f: RecordFormat) => {
    const names = f.names.join(' ');
    if (!state.formats.includes(names)) state.formats.push(names);
  };
  // One batch in flight while the next is read; the journal is written after each one has landed (its runs in
  // order: one INSERT per format).
  const flush = async () => {
    const rows = batch;
    const batchRuns = runs;
    const upTo = lastLine;
    batch = [];
    runs = [];
    if (pending) await pending;
    pending = (async () => {
      for (let r = 0; r < batchRuns.length; r++) {
        const end = r + 1 < batchRuns.length ? batchRuns[r + 1].at : rows.length;
        const body = rows.slice(batchRuns[r].at, end).join('');
        await client.insert(`INSERT INTO ${quoteTable(table)} (${batchRuns[r].columns}) FORMAT TabSeparated`, body, { params: { insert_distributed_sync: 1 }, signal });
      }
      state.records += rows.length;
      report.records += rows.length;
      state.line = upTo;
      await writeJournal(client, table, file, state);
    })();
    pending.catch(() => undefined);
  };
  /** The record's fields as TabSeparated (the target columns' only), each followed by a tab. */
  const rowOf = (text: string, spans: FieldSpans): string => {
    const escape = text.indexOf('\\') >= 0 || text.indexOf('\t') >= 0 || text.indexOf('\r') >= 0;
    let row = '';
    for (let k = 0; k < spans.count; k++) {
      if (targets[k] === undefined) continue;
      const s = spans.starts[k];
      const e = spans.ends[k];
      row += (e - s === 1 && text.charCodeAt(s) === 45 ? '\\N' : escape ? tsvValue(text.slice(s, e)) : text.slice(s, e)) + '\t';
    }
    return row;
  };
  const visitor: RecordVisitor = {
    format: (_line, f) => {
      format = f;
      try {
        targets = formatColumns(format, columns, file, table);
        columnList = targetColumnList(targets);
      } catch (e) {
        failure ??= e;
      }
    },
    warning: (line, message) => {
      if (line > state.line) options.onWarning?.(file, line, message);
    },
    malformed: (line, message) => {
      if (line <= state.line) return; // committed by an earlier run
      lastLine = line;
      state.malformed++;
      report.malformed++;
      if (report.malformedLines.length < MAX_LISTED) report.malformedLines.push({ line, message });
      options.onMalformed?.(file, line, message);
    },
    record: (line, text, spans) => {
      if (line <= state.line || failure) return;
      lastLine = line;
      if (format !== noted) {
        noted = format;
        noteFormat(format);
      }
      if (present.has(line)) {
        report.alreadyPresent++;
        state.records++;
        return;
      }
      if (runs.length === 0 || runs[runs.length - 1].columns !== columnList) runs.push({ at: batch.length, columns: columnList });
      batch.push(`${rowOf(text, spans)}${fileValue}\t${line}\n`);
    },
  };
  for await (const chunk of readRecordChunks(file, visitor)) {
    if (failure) throw failure;
    if (signal?.aborted) throw new QueryCancelledError();
    if (batch.length >= batchRows) await flush();
    progress({ file, bytesDone: chunk.bytesDone, bytesTotal: chunk.bytesTotal, records: report.records + batch.length, malformed: report.malformed });
  }
  // The last batch, or only the journal when the file ended with malformed lines or nothing new.
  if (batch.length > 0 || lastLine > state.line) await flush();
  if (pending) await pending;
}

export { FIELD_COLUMNS };
