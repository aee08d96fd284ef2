// The merge of a run on worker threads: each aggregation's groups from every worker merged a range of partitions per
// job (partitions never share a group), and a two-pass top-N's sampled groups ranked the same way, so that the
// thread that runs the query (a language server's main thread) only hands partitions out and puts sorted rows
// together; the CLI's thread, one of the scan's threads (`here`), takes merge jobs as well.
import { readFileSync, readdirSync } from 'node:fs';
import type { QueryPlan } from './plan';
import type { WorkerPool } from '../threads/pool';
import { runJobsOnPool } from '../threads/unitRunner';
import { envNonNegative } from '../envSettings';
import { GroupsState, PassState, partitionsForJob } from './passState';
import type { OrderedRow } from './rowOrder';
import { bestRows } from './groups/finishGroups';
import { MergeJob, QUERY_MERGE_TASK } from './session';
import { PARTITIONS } from './groups/spill';
import { blockRanges, packedGroupCount } from './groups/packedState';
import type { SampleRanker } from './twoPass';

/**
 * Groups from which this thread merges beside the workers (`here`): below it the workers merge alone. Taking merge
 * jobs costs this thread compiling and warming the merge code; measured on 2 cores (29 Nov 2026, quiet, 3
 * alternated runs each), sharing made the 3-key GROUP BY of 9.3 M near-unique records 8% faster (3.30-3.51 s
 * against 3.59-3.78) but that of 1.8 M records 3% slower and 13% more CPU, and the top-N over 534 k records 4%
 * slower. FLOWLOG_MERGE_HERE_GROUPS sets it (tests: 0).
 */
function mergeHereGroups(): number {
  return envNonNegative('FLOWLOG_MERGE_HERE_GROUPS', 4_000_000);
}

/**
 * Merges each aggregation's groups from every worker: small ones in one job, big or spilled ones in ranges of
 * partitions (a few per thread, so that they share the work); per plan, the sorted rows of each job. `threads`
 * count this thread with `here`: it merges too when the groups are many (mergeHereGroups). Resolves with the number
 * of jobs merged on this thread.
 */
export async function mergeOnPool(pool: WorkerPool, threads: number, plans: QueryPlan[], finals: PassState[][], done: (plan: number, rows: OrderedRow[][]) => void, which: ReadonlySet<number>, here = false): Promise<number> {
  const jobs: { plan: number; job: MergeJob }[] = [];
  const sizes = new Map<number, number>();
  plans.forEach((plan, i) => {
    if (!plan.aggregate || !which.has(i)) return;
    const parts = finals.map((states) => states[i]).filter((s): s is GroupsState => s.kind === 'groups' && groupCount(s) > 0);
    const groups = parts.reduce((n, p) => n + groupCount(p), 0);
    sizes.set(i, groups);
    if (parts.length === 0) return;
    if (groups <= 50_000) {
      jobs.push({ plan: i, job: { query: plan.text, parts, from: 0, to: PARTITIONS } });
      return;
    }
    for (const { from, to } of blockRanges(threads * 8)) jobs.push({ plan: i, job: { query: plan.text, parts, from, to } });
  });
  // Small plans first: their results are ready while the big ones merge.
  jobs.sort((a, b) => sizes.get(a.plan)! - sizes.get(b.plan)!);
  const out = new Map<number, OrderedRow[][]>();
  const left = new Map<number, number>();
  for (const { plan } of jobs) left.set(plan, (left.get(plan) ?? 0) + 1);
  // Aggregations without any group (no records taken) are final at once.
  for (const i of sizes.keys()) if (!left.has(i)) done(i, []);
  let total = 0;
  for (const n of sizes.values()) total += n;
  const share = here && total >= mergeHereGroups();
  return runJobsOnPool(pool, share ? threads : threads - (here ? 1 : 0), jobs, async (call, { plan, job }) => {
    // The job's partitions move to its thread (each partition goes to one job).
    const handed = job.parts.map((part) => partitionsForJob(part, job.from, job.to));
    const rows = await call<OrderedRow[]>(QUERY_MERGE_TASK, { ...job, parts: handed.map((h) => h.state) }, handed.flatMap((h) => h.buffers));
    debugMemory(`merged ${job.from}–${job.to}`);
    const list = out.get(plan) ?? [];
    list.push(rows);
    out.set(plan, list);
    const n = left.get(plan)! - 1;
    left.set(plan, n);
    if (n === 0) done(plan, list);
  }, { here: share });
}

/**
 * The sampled groups of a two-pass top-N ranked on the workers (and this thread with `here`), a range of partitions
 * each (moved there, without the sketch: the ranking does not read it), the best LIMIT rows of the ranges kept.
 * `ranHere` counts the jobs ranked on this thread.
 */
export function rankOnPool(pool: WorkerPool, threads: number, here = false, ranHere?: (jobs: number) => void): SampleRanker {
  return async (plan, samples) => {
    const lists: OrderedRow[][] = [];
    const jobs = await runJobsOnPool(pool, threads, blockRanges(threads * 4), async (call, { from, to }) => {
      const handed = samples.map((s) => partitionsForJob(s, from, to));
      const job: MergeJob = { query: plan.text, parts: handed.map((h) => ({ ...h.state, sketch: undefined })), from, to };
      lists.push(await call<OrderedRow[]>(QUERY_MERGE_TASK, job, handed.flatMap((h) => h.buffers)));
    }, { here });
    ranHere?.(jobs);
    return bestRows(plan, lists);
  };
}

/** Groups a plan's state holds (to finish small plans first). */
export function groupCount(state: PassState | undefined): number {
  if (state?.kind !== 'groups') return 0;
  let n = state.runs.length * 1e6;
  if (state.packed) n += packedGroupCount(state.packed);
  for (const p of state.parts) if (p) n += p.table.size;
  return n;
}

/** FLOWLOG_DEBUG_MEMORY=1: the process's memory at the phases of a run (stderr). */
export function debugMemory(phase: string): void {
  if (process.env.FLOWLOG_DEBUG_MEMORY !== '1') return;
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  // The process's CPU (all threads), its busiest threads', and the time so far: what a phase took of each thread,
  // whatever else the machine runs.
  process.stderr.write(`[mem main] ${phase}: rss ${m.rss >> 20} heap ${m.heapUsed >> 20}/${m.heapTotal >> 20} ext ${m.external >> 20} ab ${m.arrayBuffers >> 20} cpu ${Math.round((cpu.user + cpu.system) / 1000)} ms (threads ${threadCpu()}) at ${Math.round(performance.now())} ms\n`);
}

/** The process's threads that took the most CPU so far, as thread id:ms (Linux's /proc; empty elsewhere). */
function threadCpu(): string {
  try {
    const tasks = readdirSync('/proc/self/task').map((tid) => ({ tid, ms: Math.round(Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6) }));
    return tasks.sort((a, b) => b.ms - a.ms).slice(0, 12).map((t) => `${t.tid === String(process.pid) ? 'main' : t.tid}:${t.ms}`).join(' ');
  } catch {
    return '';
  }
}
