// Section `spill`: the 3-key GROUP BY on the 1 GB high-cardinality file with the default memory budget, with
// FLOWLOG_MEMORY_BUDGET_MB=64, and on one thread (where the merge runs on the main thread: it once kept every merged
// partition alive, 1.5 GB): time, peak RSS and the engine's `spilled` stats; every answer must be DuckDB's.
import { BenchContext } from './context';
import { diffRows } from './compare';
import { fmt } from './measure';
import { THREE_KEY, duckdbRows, runOurs, spilledText, threadsText } from './querySection';

export async function spillSection(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  report.section('spill: the 3-key GROUP BY with the default memory budget, with 64 MB, and on one thread', 'spill');
  const set = await ctx.data.get('wide', 'big');
  report.info(`${set.label}: \`${THREE_KEY.ours}\``);
  const expected = duckdbRows(ctx, set.path, THREE_KEY.duckdb);
  const out: unknown[] = [];
  for (const [budget, threads] of [[undefined, undefined], [64, undefined], [undefined, 1]] as const) {
    const env = { ...(budget ? { FLOWLOG_MEMORY_BUDGET_MB: String(budget) } : {}), ...(threads ? { FLOWLOG_QUERY_WORKERS: String(threads) } : {}) };
    const r = runOurs(ctx, set.path, THREE_KEY.ours, ctx.runs(true), env);
    const name = `${budget ? `budget ${budget} MB` : 'default budget'}${threads ? `, ${threads} thread` : ''}`;
    report.goal(`${name}: ${fmt(r.seconds, 2)} s, peak ${fmt(r.peakMB, 0)} MB; ${threadsText(r.stats.threads)}, ${spilledText(r.stats.spilled)}`, 'peak < 300 MB, exact answer', r.peakMB < 300, 4);
    const diff = diffRows(r.rows, expected);
    if (diff) report.mismatch(`3-key GROUP BY with the ${name}`, diff, 4);
    out.push({ budgetMB: budget ?? 'default', threadsAsked: threads ?? 'default', seconds: r.seconds, allSeconds: r.allSeconds, peakMB: r.peakMB, threads: r.stats.threads, spilled: r.stats.spilled ?? null, equalToDuckDB: diff === undefined });
  }
  ctx.results.spill = { file: set.path, sizeMB: set.sizeMB, query: THREE_KEY.ours, runs: out };
}
