// Running queries: parse and plan, cut the source into units, scan them (on this thread, or on worker threads
// for big inputs), and assemble each query's result. One query, or several on one scan (the summary).
import { parseQuery } from './parser';
import { QueryPlan } from './plan';
import { QueryCancelledError, QueryError } from './errors';
import { QuerySource, ScanUnit, planUnits } from './input';
import { ColumnUnion } from './columns';
import { ThreadScan } from './threadScan';
import { ResultAssembler } from './assemble';
import { Value } from './values';

export const DEFAULT_ROW_LIMIT = 10_000;

export interface QueryOptions {
  /**
   * Rows returned at most for a search, or for SQL rows without a LIMIT (the match count stays exact); default
   * 10,000. An explicit SQL LIMIT is not capped.
   */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /**
   * Search and plain SQL rows as they are found, in result order (batches joined are the first rows of the
   * result). `columns` are the result's so far: a format met later can add columns (earlier rows then lack them).
   */
  onRows?: (rows: Value[][], columns: string[]) => void;
}

export interface FileProblem {
  file: string;
  message: string;
}

export interface QueryStats {
  /** Well-formed records scanned. */
  records: number;
  matched: number;
  /** Record lines skipped as malformed: wrong field count, a number or address that does not parse (README). */
  malformed: number;
  bytes: number;
  elapsedMs: number;
  /** Threads that scanned. */
  threads: number;
  /** Files that could not be read (or not to their end), with the reason; the others were read. */
  fileErrors?: FileProblem[];
  /** Things the result should be read with: a file that changed while read, lines skipped for their length. */
  warnings?: string[];
}

export interface QueryResult {
  columns: string[];
  rows: Value[][];
  stats: QueryStats;
  kind: 'search' | 'sql';
}

/** Parses and plans a query without running it: the as-you-type check. */
export function checkQuery(query: string): QueryError | undefined {
  try {
    new QueryPlan(parseQuery(query), query);
    return undefined;
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
}

export function planQuery(query: string): QueryPlan {
  return new QueryPlan(parseQuery(query), query);
}

/** One plan's answer from runPlans. */
export interface PlanResult {
  columns: string[];
  rows: Value[][];
  matched: number;
}

export interface RunOptions extends QueryOptions {
  /** onRows for the first plan only. */
}

/** Runs several plans on one scan of `source` (the first one's rows stream to onRows). */
export async function runPlans(source: QuerySource, plans: QueryPlan[], options: RunOptions = {}): Promise<{ results: PlanResult[]; stats: QueryStats }> {
  const started = performance.now();
  const cap = options.limit ?? DEFAULT_ROW_LIMIT;
  const units = await planUnits(source, 1);
  const columns = new ColumnUnion();
  const assemblers = plans.map((p, i) => new ResultAssembler(p, cap, columns, units, i === 0 ? options.onRows : undefined));
  const stats: QueryStats = { records: 0, matched: 0, malformed: 0, bytes: 0, elapsedMs: 0, threads: 1 };
  const thread = new ThreadScan(plans, cap, columns);
  const text = source.kind === 'text' ? source.text : undefined;
  const warnings: string[] = [];
  const fileErrors: FileProblem[] = [];
  let overlong = 0;
  for (const unit of units) {
    if (options.signal?.aborted) throw new QueryCancelledError();
    const takeRows = () => thread.takeRows().forEach((rows, i) => assemblers[i].rowsFound(unit.index, rows));
    const out = await thread.scan(unit, text, {
      cancelled: () => options.signal?.aborted === true,
      onProgress: (done) => options.onProgress?.(unit.before + Math.min(done, unit.end - unit.start), unit.total),
      afterChunk: options.onRows ? takeRows : undefined,
    }, assemblers[0].rowBudget);
    out.rows.forEach((rows, i) => assemblers[i].rowsFound(unit.index, rows));
    out.matched.forEach((m, i) => assemblers[i].unitDone(unit.index, out.counts.lines, m));
    stats.records += out.counts.records;
    stats.malformed += out.counts.malformed;
    overlong += out.counts.overlong;
    if (out.counts.changed) warnings.push(out.counts.changed);
    // The records read before a file's damage count; its problem is reported; the other files go on.
    if (out.counts.error) fileErrors.push(out.counts.error);
    stats.bytes += unitBytes(unit);
  }
  if (options.signal?.aborted) throw new QueryCancelledError();
  thread.finish().forEach((state, i) => assemblers[i].addState(state));
  const results = assemblers.map((a) => ({ rows: a.finish(), columns: a.resultColumns(), matched: a.matched }));
  stats.matched = results[0]?.matched ?? 0;
  if (overlong > 0) warnings.push(`${overlong} line${overlong === 1 ? '' : 's'} longer than 1 MiB skipped (counted as malformed)`);
  if (warnings.length > 0) stats.warnings = warnings;
  if (fileErrors.length > 0) stats.fileErrors = fileErrors;
  stats.elapsedMs = Math.round((performance.now() - started) * 10) / 10;
  return { results, stats };
}

function unitBytes(unit: ScanUnit): number {
  return unit.end - unit.start;
}

/** Parses, plans and runs `query` over `source`. Rejects with QueryError, or QueryCancelledError when aborted. */
export async function runQuery(source: QuerySource, query: string, options: QueryOptions = {}): Promise<QueryResult> {
  const plan = planQuery(query);
  const { results, stats } = await runPlans(source, [plan], options);
  return { columns: results[0].columns, rows: results[0].rows, stats, kind: plan.kind };
}
