// Section `query`: `flowlog query` against DuckDB (read_csv, same SQL) as whole processes, best of runs, on both
// shapes at both sizes; the results must be DuckDB's. Goals (issue 14): ≥ 1.5× DuckDB's speed; peak < 300 MB on
// 1 GB. mawk's filter count is a reference line.
import { BenchContext } from './context';
import { DataSet } from './data';
import { diffRows } from './compare';
import { best, fmt, Measured } from './measure';
import { ISO } from './summarySql';

export interface BenchQuery {
  name: string;
  ours: string;
  duckdb: string;
  mawk?: string;
}

// ORDER BY with tie-breakers up to a total order in both (a top-N with ties may keep either row otherwise).
export const QUERIES: BenchQuery[] = [
  {
    name: 'filter count',
    ours: 'action:REJECT | select count(*)',
    duckdb: "select count(*) from flows where action = 'REJECT'",
    mawk: '$13 == "REJECT" { n++ } END { print n }',
  },
  {
    name: 'top-N by source',
    ours: 'action:REJECT | select srcaddr, count(*) as n, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 10',
    duckdb: "select srcaddr, count(*) as n, sum(bytes) as b from flows where action = 'REJECT' group by srcaddr order by b desc, srcaddr limit 10",
  },
  {
    name: '5-minute histogram',
    ours: '* | select histogram(start, interval 5 minute) as t, sum(bytes) as b group by t order by t',
    duckdb: `select strftime(bucket, ${ISO}) as t, sum(bytes) as b from (select time_bucket(interval 5 minute, make_timestamp(start * 1000000)) as bucket, bytes from flows) group by bucket order by bucket`,
  },
  {
    name: '3-key GROUP BY',
    ours: '* | select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b group by srcaddr, dstaddr, dstport order by b desc, srcaddr, dstaddr, dstport limit 20',
    duckdb: 'select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b from flows group by srcaddr, dstaddr, dstport order by b desc, srcaddr, dstaddr, dstport limit 20',
  },
];

export const THREE_KEY = QUERIES[3];

export interface OurRun extends Measured {
  rows: unknown[][];
  stats: { threads?: number; spilled?: { runs: number; partitions: number; bytes: number }; records: number; malformed: number };
}

/** `flowlog query FILE 'Q' --format json`, best of `runs`, with its rows and stats. */
export function runOurs(ctx: BenchContext, file: string, query: string, runs: number, env?: Record<string, string>): OurRun & { allSeconds: number[] } {
  const m = best('node', [ctx.cli, 'query', file, query, '--format', 'json'], runs, env);
  const parsed = JSON.parse(m.out) as { rows: unknown[][]; stats: OurRun['stats'] };
  return { ...m, rows: parsed.rows, stats: parsed.stats };
}

/** DuckDB's rows for `sql` on `file` (cached for later sections). */
export function duckdbRows(ctx: BenchContext, file: string, sql: string): unknown[][] {
  const key = `${file}\n${sql}`;
  let rows = ctx.duckdbRows.get(key);
  if (!rows) {
    rows = JSON.parse(best('node', [ctx.path('bench/duckdbQuery.mjs'), file, sql], 1).out) as unknown[][];
    ctx.duckdbRows.set(key, rows);
  }
  return rows;
}

export const threadsText = (n: number | undefined) => (n === undefined ? 'threads unknown' : `${n} thread${n === 1 ? '' : 's'}`);

export const spilledText = (s: OurRun['stats']['spilled']) =>
  s ? `spilled ${s.runs} runs, ${s.partitions} partitions, ${fmt(s.bytes / (1 << 20), 0)} MB` : 'nothing spilled';

export async function querySection(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  report.section('query: `flowlog query` vs DuckDB (read_csv, same SQL), whole processes, best of runs', 'query');
  const out: unknown[] = [];
  for (const set of await ctx.data.all()) {
    report.info(`${set.label}`);
    for (const q of QUERIES) out.push(measureQuery(ctx, set, q));
  }
  ctx.results.query = out;
}

function measureQuery(ctx: BenchContext, set: DataSet, q: BenchQuery): unknown {
  const { report } = ctx;
  const big = set.size === 'big';
  const runs = ctx.runs(big);
  const ours = runOurs(ctx, set.path, q.ours, runs);
  const duck = best('node', [ctx.path('bench/duckdbQuery.mjs'), set.path, q.duckdb], runs);
  const duckRows = JSON.parse(duck.out) as unknown[][];
  ctx.duckdbRows.set(`${set.path}\n${q.duckdb}`, duckRows);
  const ratio = duck.seconds / ours.seconds;
  report.info(`${q.name}: \`${q.ours}\``, 4);
  report.goal(`${q.name}, ${set.label}: flowlog ${fmt(ours.seconds, 2)} s, DuckDB ${fmt(duck.seconds, 2)} s → ${fmt(ratio, 2)}× DuckDB's speed`, '≥ 1.5×', ratio >= 1.5, 6);
  const peaks = `peak flowlog ${fmt(ours.peakMB, 0)} MB, DuckDB ${fmt(duck.peakMB, 0)} MB (${threadsText(ours.stats.threads)}; ${spilledText(ours.stats.spilled)})`;
  // CPU seconds, for a shared machine: wall time on 2 busy cores is what the other jobs leave; ours uses both
  // cores when it runs alone, so half its CPU time is its wall time on an idle machine, DuckDB's likewise.
  report.info(`CPU seconds (best run): flowlog ${fmt(ours.cpuSeconds, 2)}, DuckDB ${fmt(duck.cpuSeconds, 2)} → ${fmt(duck.cpuSeconds / ours.cpuSeconds, 2)}× DuckDB's CPU efficiency`, 6);
  if (big) report.goal(`${q.name}, ${set.label}: ${peaks}`, 'flowlog < 300 MB on 1 GB', ours.peakMB < 300, 6);
  else report.info(peaks, 6);
  const diff = diffRows(ours.rows, duckRows);
  if (diff) report.mismatch(`${q.name} on ${set.label}`, diff, 6);
  let mawk: { seconds: number; count: number } | undefined;
  if (q.mawk) {
    const m = best('mawk', [q.mawk, set.path], runs);
    mawk = { seconds: m.seconds, count: Number(m.out.trim()) };
    if (mawk.count !== ours.rows[0]?.[0]) report.mismatch(`${q.name} on ${set.label} (mawk)`, `mawk counts ${mawk.count}, flowlog ${String(ours.rows[0]?.[0])}`, 6);
    report.info(`mawk (reference) ${fmt(m.seconds, 2)} s → flowlog at ${fmt(m.seconds / ours.seconds, 2)}× mawk's speed`, 6);
  }
  return {
    file: set.path, shape: set.shape, size: set.size, sizeMB: set.sizeMB, records: set.records, query: q.name, ours: q.ours, duckdbSql: q.duckdb,
    seconds: ours.seconds, allSeconds: ours.allSeconds, cpuSeconds: ours.cpuSeconds, duckdbCpuSeconds: duck.cpuSeconds, peakMB: ours.peakMB, threads: ours.stats.threads, spilled: ours.stats.spilled ?? null,
    duckdbSeconds: duck.seconds, duckdbAllSeconds: duck.allSeconds, duckdbPeakMB: duck.peakMB, ratio, resultsEqual: diff === undefined, difference: diff ?? null,
    mawkSeconds: mawk?.seconds ?? null,
  };
}
