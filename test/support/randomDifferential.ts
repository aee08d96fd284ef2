// One case of the random differential test: the engine's answer to a generated query against DuckDB's answer to
// its translation (rows, column names, record counts), or the positioned error an invalid query must get. And the
// shrinker's loop: the smallest query that still fails the same way.
import { QueryError, runQuery, Value } from '../../server/src/core/query';
import type { QueryResult } from '../../server/src/core/query';
import { lookupField } from '../../server/src/core/schema';
import { Dataset, sourcePaths } from './qgenData';
import { QueryAst, expectedColumns, printQuery, printSearch } from './queryAst';
import { toDuckdb } from './queryToDuckdb';
import { DuckdbOracle } from './duckdbOracle';
import { diffRows, missingFrom } from './resultCompare';
import { shrinkCandidates } from './queryShrink';

/** The engine under test: runQuery by default (cliEngine.ts: the built CLI, with worker threads). */
export type Engine = (paths: string[], query: string, options: { limit?: number }) => Promise<Pick<QueryResult, 'columns' | 'rows' | 'stats'>>;

export interface CaseContext {
  ds: Dataset;
  oracle: DuckdbOracle;
  engine?: Engine;
}

const inProcess: Engine = (paths, query, options) => runQuery({ kind: 'files', paths }, query, options);

export type FailureKind =
  | 'engine-error' | 'no-error' | 'error-position' | 'error-message' | 'columns' | 'rows'
  | 'stats-records' | 'stats-malformed' | 'stats-matched'
  /** DuckDB refused a query the generator calls valid, or accepted one it calls invalid: a generator bug. */
  | 'oracle';

export interface Failure {
  kind: FailureKind;
  query: string;
  duckdb: string;
  detail: string;
}

/** The engine's row limit for a query: an explicit SQL LIMIT must win over the default cap (10,000). */
function engineOptions(q: QueryAst): { limit?: number } {
  return q.sql?.limit !== undefined ? {} : { limit: 1_000_000 };
}

function canonical(column: string): string {
  return lookupField(column)?.name ?? column;
}

/** `skip`: kinds of failure not to report (for exploring past a known one; the test skips none). */
export async function checkCase(ctx: CaseContext, q: QueryAst, skip: readonly FailureKind[] = []): Promise<Failure | undefined> {
  const text = printQuery(q);
  const paths = sourcePaths(ctx.ds, q.source);
  const tr = toDuckdb(q, ctx.ds);
  const fail = (kind: FailureKind, detail: string): Failure | undefined => (skip.includes(kind) ? undefined : { kind, query: text, duckdb: tr.sql, detail });
  if (q.error) return checkInvalid(ctx, q, text, paths, tr.sql, fail);

  let expected: Value[][];
  try {
    expected = await ctx.oracle.rows(tr.sql);
  } catch (e) {
    return fail('oracle', `DuckDB refused the translation: ${(e as Error).message}`);
  }
  let result;
  try {
    result = await (ctx.engine ?? inProcess)(paths, text, engineOptions(q));
  } catch (e) {
    return fail('engine-error', e instanceof QueryError ? e.format(text) : String((e as Error).stack ?? e));
  }
  let rows = result.rows;
  const columns = expectedColumns(q);
  if (columns) {
    if (JSON.stringify(result.columns) !== JSON.stringify(columns)) {
      return fail('columns', `columns ${JSON.stringify(result.columns)}, expected ${JSON.stringify(columns)}`);
    }
  } else {
    // A search or `select *` over several formats: one column list, the union of their fields (matched by name).
    const want = [...tr.fields!, ...(q.sql ? [] : ['file', 'line'])];
    const got = result.columns.map(canonical);
    const same = got.length === want.length && want.every((c) => got.includes(c));
    if (!same) return fail('columns', `columns ${JSON.stringify(result.columns)}, expected the fields ${JSON.stringify(want)} (any order)`);
    const at = want.map((c) => got.indexOf(c));
    rows = rows.map((r) => at.map((i) => r[i]));
  }
  const limit = q.sql?.limit;
  if (!tr.ordered && limit !== undefined) {
    // LIMIT without ORDER BY: any `limit` of the rows.
    const all = await ctx.oracle.rows(tr.unlimited);
    const want = Math.min(limit, all.length);
    if (rows.length !== want) return fail('rows', `${rows.length} rows, expected ${want} (LIMIT ${limit} of ${all.length})`);
    const foreign = missingFrom(rows, all);
    if (foreign.length) return fail('rows', `rows that are not in the result: ${JSON.stringify(foreign.slice(0, 3))}`);
  } else {
    const diff = diffRows(rows, expected, tr.ordered);
    if (diff) return fail('rows', diff);
  }
  const counts = ctx.oracle.counts[q.source];
  if (result.stats.records !== counts.records) {
    const f = fail('stats-records', `stats.records ${result.stats.records}, expected ${counts.records} (every query sees the same well-formed records)`);
    if (f) return f;
  }
  if (result.stats.malformed !== counts.malformed) {
    const f = fail('stats-malformed', `stats.malformed ${result.stats.malformed}, expected ${counts.malformed} (one definition of a malformed line)`);
    if (f) return f;
  }
  const matched = (await ctx.oracle.rows(tr.matched))[0][0];
  if (result.stats.matched !== matched) return fail('stats-matched', `stats.matched ${result.stats.matched}, expected ${matched}`);
  return undefined;
}

async function checkInvalid(ctx: CaseContext, q: QueryAst, text: string, paths: string[], duckdb: string, fail: (k: FailureKind, d: string) => Failure | undefined): Promise<Failure | undefined> {
  const err = q.error!;
  let thrown: unknown;
  try {
    await (ctx.engine ?? inProcess)(paths, text, engineOptions(q));
  } catch (e) {
    thrown = e;
  }
  if (!(thrown instanceof QueryError)) {
    return fail('no-error', thrown ? `not a QueryError: ${String((thrown as Error).stack ?? thrown)}` : `no error; expected a QueryError (rule: ${err.rule})`);
  }
  // Where the error must point: inside the offending search atom, or at the column the generator put first in a clause.
  let lo: number;
  let hi: number;
  if (err.clause === 'search') {
    const atom = findAtom(q, err.at);
    lo = text.indexOf(atom);
    hi = lo + atom.length;
  } else {
    const bar = text.indexOf('|');
    const m = new RegExp(`${err.clause} `, 'i').exec(text.slice(bar))!;
    lo = hi = bar + m.index + m[0].length;
  }
  if (thrown.offset < lo || thrown.offset > hi) {
    return fail('error-position', `the error points at offset ${thrown.offset} (${thrown.line}:${thrown.column}), expected ${lo === hi ? lo : `${lo}–${hi}`}: ${thrown.format(text)}`);
  }
  if (err.named) {
    const msg = thrown.message.toLowerCase();
    const written = err.at.replace(/"/g, '').toLowerCase();
    if (!msg.includes(written) && !(err.name && msg.includes(err.name))) return fail('error-message', `the message does not name ${err.at}: ${thrown.message}`);
  }
  if (err.oracleRejects) {
    try {
      await ctx.oracle.rows(duckdb);
      return fail('oracle', `DuckDB accepts a query the generator calls invalid (${err.rule})`);
    } catch {
      // As expected: SQL engines reject it too.
    }
  }
  return undefined;
}

function findAtom(q: QueryAst, bad: string): string {
  let found = bad;
  const walk = (n: NonNullable<QueryAst['search']>): void => {
    if (n.k === 'field' && (n.text === bad || printSearch(n).includes(bad))) found = printSearch(n);
    if (n.k === 'and' || n.k === 'or') n.items.forEach(walk);
    if (n.k === 'not' || n.k === 'paren') walk(n.item);
  };
  if (q.search) walk(q.search);
  return found;
}

/** The smallest query (by the shrinker's steps) that still fails with the same kind of failure. */
export async function shrink(ctx: CaseContext, q: QueryAst, first: Failure, budget = 150): Promise<{ query: QueryAst; failure: Failure; tries: number }> {
  let best = q;
  let failure = first;
  let tries = 0;
  for (let improved = true; improved && tries < budget;) {
    improved = false;
    for (const c of shrinkCandidates(best)) {
      if (tries++ >= budget) break;
      const f = await checkCase(ctx, c).catch(() => undefined);
      if (f && f.kind === failure.kind) {
        best = c;
        failure = f;
        improved = true;
        break;
      }
    }
  }
  return { query: best, failure, tries };
}

export function formatFailure(f: Failure): string {
  return `[${f.kind}] ${f.query}\n  duckdb: ${f.duckdb}\n  ${f.detail.replace(/\n/g, '\n  ')}`;
}
