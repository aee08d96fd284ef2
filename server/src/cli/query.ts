// `flowlog query PATH... 'QUERY' [--format table|json|csv] [--limit N]`: files, folders and globs of any delivery
// shape, and streams; or on a ClickHouse table: `flowlog query --clickhouse URL --table NAME [--user U] 'QUERY'`.
// Files that cannot be read (or not to their end) are told on stderr, with what else the result should be read
// with, and the others are read; exit 2 when a file could not be read.
import { MIN_MEMORY_BUDGET_MB, QueryError, QueryResult, runQuery } from '../core/query';
import { csvLine } from '../core/query/csv';
import type { Value } from '../core/query/values';
import { terminalJson, terminalText } from '../core/terminalText';
import { runClickHouseQuery } from '../core/clickhouse/query';
import { isClickHouseError } from '../core/clickhouse/http';
import { CLICKHOUSE_USAGE, ClickHouseCliOptions, clickhouseCredentials, takeClickHouseOption } from './clickhouseOptions';
import { CliIO, UsageError } from './io';
import { alignedTable } from './textTable';
import { querySubjectOf } from '../core/querySubject';
import { runDiagnoseQuery } from './diagnoseQuery';
import { INPUT_OPTIONS, InputHints, parseInputOption, place, reportFileError, reportSkipped, reportWarning } from './inputs';
import { cliScansHere } from './prestart';

const USAGE = `usage: flowlog query PATH... 'QUERY' [--format table|json|csv] [--limit N] [--memory-budget MB] [--format-hint FORMAT]
       flowlog query ${CLICKHOUSE_USAGE} 'QUERY' [--format …] [--limit N]
  --memory-budget MB       memory the groups may take, all threads together, before they spill to a temporary
                           folder (default 256, or FLOWLOG_MEMORY_BUDGET_MB; at least ${MIN_MEMORY_BUDGET_MB})\n${INPUT_OPTIONS}`;

/** Decode problems told on stderr at most (all are counted, and the first 100 are in --format json's stats). */
const SHOWN_PROBLEMS = 5;

export async function runQueryCommand(argv: string[], io: CliIO): Promise<number> {
  let format: 'table' | 'json' | 'csv' = 'table';
  let limit: number | undefined;
  let memoryBudget: number | undefined;
  const positional: string[] = [];
  const hints: InputHints = {};
  const clickhouse: ClickHouseCliOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (takeClickHouseOption(a, value, clickhouse, USAGE)) continue;
    const hint = parseInputOption(argv, i, hints, USAGE);
    if (hint >= 0) i = hint;
    else if (a === '--format' || a.startsWith('--format=')) {
      const v = value();
      if (v !== 'table' && v !== 'json' && v !== 'csv') throw new UsageError(`--format must be table, json or csv, not ${v ?? 'nothing'}\n${USAGE}`);
      format = v;
    } else if (a === '--limit' || a.startsWith('--limit=')) {
      const v = value();
      if (!v || !/^\d+$/.test(v)) throw new UsageError(`--limit takes a whole number, not ${v ?? 'nothing'}\n${USAGE}`);
      limit = Number(v);
    } else if (a === '--memory-budget' || a.startsWith('--memory-budget=')) {
      const v = value();
      if (!v || !/^\d+$/.test(v) || Number(v) < MIN_MEMORY_BUDGET_MB) throw new UsageError(`--memory-budget takes a whole number of MB from ${MIN_MEMORY_BUDGET_MB}, not ${v ?? 'nothing'}\n${USAGE}`);
      memoryBudget = Number(v) * (1 << 20);
    } else if (a === '-h' || a === '--help') {
      io.stdout(USAGE + '\n');
      return 0;
    } else if (a.startsWith('--')) {
      throw new UsageError(`unknown option ${a}\n${USAGE}`);
    } else positional.push(a);
  }
  if (clickhouse.url !== undefined || clickhouse.table !== undefined) {
    if (!clickhouse.url || !clickhouse.table) throw new UsageError(`give both --clickhouse URL and --table NAME\n${USAGE}`);
    if (positional.length !== 1) throw new UsageError(`with --clickhouse, give the query and no files\n${USAGE}`);
  } else if (positional.length < 2) throw new UsageError(`give at least one file and a query\n${USAGE}`);
  const query = positional[positional.length - 1];
  const paths = positional.slice(0, -1);
  // `FROM conversations`, or a column only conversations have: the diagnosis's rows, printed the same way.
  if (!clickhouse.url && querySubjectOf(query) === 'conversations') return runDiagnoseQuery({ kind: 'files', paths, ...hints }, query, format, limit, {}, io);
  let result: QueryResult;
  // CSV and JSON rows of a search or plain SQL are written as they are found, and not kept (the result's rows are
  // then only those not written yet); a table needs every row for its widths. ClickHouse's rows are written at the
  // end, the same way.
  const stream = format !== 'table' ? new StreamedRows(format, io) : undefined;
  try {
    result = clickhouse.url
      ? await runClickHouseQuery({ kind: 'clickhouse', url: clickhouse.url, table: clickhouse.table! }, query, { limit, credentials: await clickhouseCredentials(clickhouse) })
      : await runQuery({ kind: 'files', paths, ...hints }, query, { limit, memoryBudget, onRows: stream && ((rows, columns) => stream.rows(rows, columns)), keepStreamedRows: stream === undefined, scanHere: cliScansHere() });
  } catch (e) {
    if (e instanceof QueryError) {
      io.stderr(`flowlog: query error at ${e.format(query)}\n`);
      return 2;
    }
    if (isClickHouseError(e)) {
      io.stderr(`flowlog: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  // Values are hostile: what reaches a terminal shows its control characters escaped (JSON keeps its value, CSV
  // keeps its bytes when it goes to a file or a pipe).
  if (stream) stream.finish(result);
  else io.stdout(toTable(result));
  // JSON keeps these in its stats; the other formats tell them on stderr.
  if (format !== 'json') reportStats(io, result);
  return result.stats.fileErrors ? 2 : 0;
}

/** What the result should be read with, on stderr: files not read (or not to their end), skipped, warnings. */
function reportStats(io: CliIO, result: QueryResult): void {
  const { fileErrors, skipped, warnings, decodeProblems } = result.stats;
  for (const e of fileErrors ?? []) reportFileError(io, e);
  for (const s of skipped ?? []) reportSkipped(io, s);
  for (const w of warnings ?? []) reportWarning(io, w);
  if (decodeProblems) {
    const n = decodeProblems.count;
    io.stderr(`flowlog: ${n} source line${n === 1 ? ' is' : 's are'} not records (counted as malformed)${n > SHOWN_PROBLEMS ? `; the first ${SHOWN_PROBLEMS}` : ''}:\n`);
    for (const p of decodeProblems.first.slice(0, SHOWN_PROBLEMS)) io.stderr(`  ${place(p.file, p.line)}: ${terminalText(p.message)}\n`);
  }
}

/** The result as an aligned text table, values with their control characters escaped. */
export function toTable(result: QueryResult): string {
  const { columns, rows, stats } = result;
  const more = stats.matched > rows.length && result.kind === 'search' ? ` (first ${rows.length} shown; --limit N for more)` : '';
  const files = (stats.files ?? 1) !== 1 ? ` · ${stats.files} files` : '';
  return alignedTable(columns, rows, `${rows.length} rows · ${stats.matched} of ${stats.records} records matched${more} · ${stats.malformed} malformed skipped${files} · ${stats.elapsedMs} ms`);
}

/**
 * Rows written out as they come, as CSV (the header with the first rows) or as the JSON object the whole result
 * would make (the same keys, columns last: a later file's format may add columns). Rows written before a format
 * added columns do not have them; a warning on stderr says so.
 */
class StreamedRows {
  private started = false;
  private written = 0;
  private columns: string[] = [];
  private widened = false;
  private readonly display: ((text: string) => string) | undefined;

  constructor(private readonly format: 'json' | 'csv', private readonly io: CliIO) {
    this.display = io.stdoutIsTerminal ? terminalText : undefined;
  }

  /** Writes rows; the promise of stdout's draining (the engine holds the next rows back until it settles). */
  rows(rows: Value[][], columns: string[]): Promise<void> | undefined {
    if (!this.started) this.start(columns);
    else if (columns.length !== this.columns.length) {
      this.widened = true;
      this.columns = columns;
    }
    let out = '';
    for (const row of rows) {
      if (this.format === 'json') out += (this.written++ > 0 ? ',' : '') + JSON.stringify(row);
      else out += csvLine(row, this.display);
    }
    this.io.stdout(this.format === 'json' ? terminalJson(out) : out);
    return this.io.flushed?.();
  }

  private start(columns: string[]): void {
    this.started = true;
    this.columns = columns;
    this.io.stdout(this.format === 'json' ? '{"rows":[' : csvLine(columns, this.display));
  }

  /** The rows not streamed (an aggregation's, sorted rows) and, for JSON, the columns and stats. */
  finish(result: QueryResult): void {
    if (!this.started) this.start(result.columns);
    void this.rows(result.rows, result.columns)?.catch(() => undefined);
    if (this.format === 'json') this.io.stdout(terminalJson(`],"columns":${JSON.stringify(result.columns)},"stats":${JSON.stringify(result.stats)}}`) + '\n');
    // Column names come from the files' header lines: hostile text, escaped for the terminal.
    if (this.widened) this.io.stderr(`flowlog: a later file's format added columns (now ${terminalText(result.columns.join(', '))}); the rows written before it lack them${this.format === 'csv' ? ' and the CSV header is the first files\' columns' : ''}\n`);
  }
}

