// Running queries: plan, cut the source into units, scan them on worker threads (files big enough, or many) or
// on this thread, and assemble each query's result. One query, or several on one scan (the summary). A header
// line where a split file's later ranges could not see it sends the run back to one thread (written once here).
import { QueryPlan, planQuery } from './plan';
import { QueryCancelledError, QueryError } from './errors';
import { QuerySource, ScanUnit, isGzipPath, planUnits, readAt } from './input';
import { ColumnUnion } from './columns';
import { GroupsState, ThreadScan, TopNOptions, UnitOutput, partitionsForJob } from './threadScan';
import { secondPasses } from './twoPass';
import { ResultAssembler } from './assemble';
import { Value } from './values';
import { OrderedRow } from './passes';
import { WorkerPool, defaultThreadCount, sharedPool } from '../threads/pool';
import { runUnitsOnPool } from '../threads/unitRunner';
import { MergeJob, QUERY_MERGE_TASK, QUERY_TASKS, QuerySessionArgs, ScanProgress, UnitScanResult } from './session';
import { FieldSpans, LineKind, classifyLine, headerNames, scanFields } from '../scan';
import { gunzipSync } from 'node:zlib';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { PARTITIONS, SpillFolder } from './groups/spill';
import { PassState } from './threadScan';

export { planQuery };

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
  /** Threads to scan with (default: FLOWLOG_QUERY_WORKERS, else the cores); 1 scans on this thread. */
  threads?: number;
  /**
   * Bytes the groups of a query may hold in memory, all threads together (default FLOWLOG_MEMORY_BUDGET_MB, else
   * 256 MB); past it they spill to a temporary folder and the answer stays exact.
   */
  memoryBudget?: number;
  /**
   * runPlans: each plan's result as soon as it is final (after the scan, plans with few groups come first; the
   * rest are still merging). The summary shows its first sections this way.
   */
  onPlanDone?: (plan: number, result: PlanResult) => void;
}

/**
 * What one thread's group tables may hold: a third of the budget, shared by the threads. The rest is for what
 * surrounds them: the arrays kept for reuse, outgrown ones not yet collected, chunks being read, the partitions
 * being merged, and what the allocator does not give back.
 */
function tableBytes(options: QueryOptions, threads: number): number {
  return Math.floor((options.memoryBudget ?? defaultMemoryBudget()) / 3 / threads);
}

export function defaultMemoryBudget(): number {
  const mb = Number(process.env.FLOWLOG_MEMORY_BUDGET_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : 256) * (1 << 20);
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
  /** Threads that scanned (absent when another engine answered, e.g. ClickHouse). */
  threads?: number;
  /** Files that could not be read (or not to their end), with the reason; the others were read. */
  fileErrors?: FileProblem[];
  /** Things the result should be read with: a file that changed while read, lines skipped for their length. */
  warnings?: string[];
  /** Top-N queries that read the input twice (a sketch, then their candidates) instead of holding every group. */
  twoPass?: number;
  /** Groups written to disk because they passed the memory budget: run files, and partitions of them with groups. */
  spilled?: { runs: number; partitions: number; bytes: number };
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
    planQuery(query);
    return undefined;
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
}

/** One plan's answer from runPlans. */
export interface PlanResult {
  columns: string[];
  rows: Value[][];
  matched: number;
}

/** What the units of a run added up to. */
class RunTally {
  readonly stats: QueryStats;
  private readonly warnings: string[] = [];
  private readonly fileErrors: FileProblem[] = [];
  private overlong = 0;
  private readonly started = performance.now();

  constructor(threads: number) {
    this.stats = { records: 0, matched: 0, malformed: 0, bytes: 0, elapsedMs: 0, threads };
  }

  unit(unit: ScanUnit, out: UnitOutput): void {
    this.stats.records += out.counts.records;
    this.stats.malformed += out.counts.malformed;
    this.stats.bytes += unit.end - unit.start;
    this.overlong += out.counts.overlong;
    if (out.counts.changed) this.warnings.push(out.counts.changed);
    // The records read before a file's damage count; its problem is reported; the other files go on.
    if (out.counts.error) this.fileErrors.push(out.counts.error);
  }

  /** Plans answered by the two-pass top-N. */
  twoPass(plans: number): void {
    this.stats.twoPass = (this.stats.twoPass ?? 0) + plans;
  }

  /** Counts the spill runs of the groups (and removes their folders: call after merging). */
  spills(states: PassState[][]): void {
    const folders = new Set<string>();
    for (const perThread of states) for (const st of perThread) {
      if (st.kind !== 'groups') continue;
      for (const run of [...st.runs, ...st.distinctRuns.flat()]) {
        const s = (this.stats.spilled ??= { runs: 0, partitions: 0, bytes: 0 });
        s.runs++;
        s.bytes += run.offsets[run.offsets.length - 1];
        for (let p = 0; p + 1 < run.offsets.length; p++) if (run.offsets[p + 1] > run.offsets[p]) s.partitions++;
        folders.add(dirname(run.path));
      }
    }
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  }

  finish(matched: number): QueryStats {
    const stats = this.stats;
    stats.matched = matched;
    if (this.overlong > 0) this.warnings.push(`${this.overlong} line${this.overlong === 1 ? '' : 's'} longer than 1 MiB skipped (counted as malformed)`);
    if (this.warnings.length > 0) stats.warnings = this.warnings;
    if (this.fileErrors.length > 0) stats.fileErrors = this.fileErrors;
    stats.elapsedMs = Math.round((performance.now() - this.started) * 10) / 10;
    return stats;
  }
}

/** Runs several plans on one scan of `source` (the first one's rows stream to onRows). */
export async function runPlans(source: QuerySource, plans: QueryPlan[], options: QueryOptions = {}): Promise<{ results: PlanResult[]; stats: QueryStats }> {
  const threads = options.threads ?? defaultThreadCount();
  const pool = source.kind === 'files' && threads > 1 ? sharedPool(threads) : undefined;
  let emitted = 0;
  const onRows = options.onRows && ((rows: Value[][], columns: string[]) => {
    emitted += rows.length;
    options.onRows!(rows, columns);
  });
  if (pool && source.kind === 'files') {
    // A few units per thread: threads that run slower (a busy core) take fewer, and progress moves in steps.
    const units = await planUnits(source, threads * 4);
    if (units.length > 1) {
      const done = await runOnPool(pool, threads, source.paths, units, plans, { ...options, onRows });
      if (done) return done;
    }
  }
  // One thread (again, after a header line the threads could not see: the rows already handed on are skipped).
  const skip = emitted;
  let seen = 0;
  const rest = onRows && ((rows: Value[][], columns: string[]) => {
    const fresh = rows.slice(Math.max(0, skip - seen));
    seen += rows.length;
    if (fresh.length > 0) onRows(fresh, columns);
  });
  return runHere(source, plans, { ...options, onRows: rest });
}

/** The run on this thread: units in order, the same passes the workers run. */
async function runHere(source: QuerySource, plans: QueryPlan[], options: QueryOptions): Promise<{ results: PlanResult[]; stats: QueryStats }> {
  const cap = options.limit ?? DEFAULT_ROW_LIMIT;
  const units = await planUnits(source, 1);
  const columns = new ColumnUnion();
  const assemblers = plans.map((p, i) => new ResultAssembler(p, cap, columns, units, i === 0 ? options.onRows : undefined));
  const tally = new RunTally(1);
  const folder = new SpillFolder();
  const topN: TopNOptions = { enabled: rereadable(units), flags: new Int32Array(plans.length) };
  const thread = new ThreadScan(plans, cap, columns, { bytes: tableBytes(options, 1), folder }, topN);
  const text = source.kind === 'text' ? source.text : undefined;
  const scanned: PassState[][] = [];
  const scanAll = async (scan: ThreadScan, first: boolean) => {
    for (const unit of units) {
      if (options.signal?.aborted) throw new QueryCancelledError();
      const takeRows = () => scan.takeRows().forEach((rows, i) => assemblers[i].rowsFound(unit.index, rows));
      const out = await scan.scan(unit, text, {
        cancelled: () => options.signal?.aborted === true,
        onProgress: (done) => options.onProgress?.(unit.before + Math.min(done, unit.end - unit.start), unit.total),
        afterChunk: first && options.onRows ? takeRows : undefined,
      }, first ? assemblers[0].rowBudget : 0);
      if (!first) continue;
      out.rows.forEach((rows, i) => assemblers[i].rowsFound(unit.index, rows));
      out.matched.forEach((m, i) => assemblers[i].unitDone(unit.index, out.counts.lines, m));
      tally.unit(unit, out);
    }
    if (options.signal?.aborted) throw new QueryCancelledError();
    const states = scan.finish();
    scanned.push(states);
    return states;
  };
  try {
    const states = await scanAll(thread, true);
    // Top-Ns that turned to their sketch read the input again for their candidates (groups/topN.ts).
    const second = secondPasses(plans, [states]);
    const again = plans.flatMap((_, i) => (second[i] ? [i] : []));
    if (again.length > 0) {
      const scan = new ThreadScan(again.map((i) => plans[i]), cap, columns, { bytes: tableBytes(options, 1), folder }, { enabled: false, flags: new Int32Array(again.length), candidates: again.map((i) => second[i]) });
      const more = await scanAll(scan, false);
      again.forEach((i, j) => (states[i] = more[j]));
      tally.twoPass(again.length);
    }
    states.forEach((state, i) => assemblers[i].addState(state));
    // Plans with few groups first, each handed on as soon as it is final.
    const results: PlanResult[] = new Array(plans.length);
    const order = plans.map((_, i) => i).sort((a, b) => groupCount(states[a]) - groupCount(states[b]));
    for (const i of order) {
      const a = assemblers[i];
      results[i] = { rows: a.finish(), columns: a.resultColumns(), matched: a.matched };
      options.onPlanDone?.(i, results[i]);
    }
    return { results, stats: tally.finish(results[0]?.matched ?? 0) };
  } finally {
    tally.spills(scanned);
    folder.remove();
  }
}

/** Whether the units can be read a second time (not a pipe or a FIFO): the two-pass top-N needs it. */
function rereadable(units: readonly ScanUnit[]): boolean {
  return units.every((u) => u.kind !== 'stream' || !(u.file === '-' || u.file.startsWith('/dev/') || u.file.startsWith('/proc/')));
}

/**
 * The run on worker threads: units to idle workers, rows and counts back per unit, then each aggregation's
 * groups merged by partitions on the workers. Undefined when the run must start over on one thread.
 */
async function runOnPool(pool: WorkerPool, threads: number, paths: string[], units: ScanUnit[], plans: QueryPlan[], options: QueryOptions): Promise<{ results: PlanResult[]; stats: QueryStats } | undefined> {
  const cap = options.limit ?? DEFAULT_ROW_LIMIT;
  const columns = new ColumnUnion();
  for (const path of paths) {
    const names = await firstLineHeader(path);
    columns.addNames(names ?? DEFAULT_NAMES);
  }
  const abort = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => Atomics.store(abort, 0, 1);
  options.signal?.addEventListener('abort', onAbort);
  const args: QuerySessionArgs = {
    queries: plans.map((p) => p.text), cap, columns: [...columns.names], abort, streamRows: options.onRows !== undefined,
    budgetBytes: tableBytes(options, threads),
    rowsTaken: new Int32Array(new SharedArrayBuffer(4)),
    topN: { enabled: rereadable(units), flags: new Int32Array(new SharedArrayBuffer(4 * plans.length)) },
  };
  const assemblers = plans.map((p, i) => new ResultAssembler(p, cap, columns, units, i === 0 ? options.onRows : undefined));
  assemblers[0].onTaken = (n) => Atomics.store(args.rowsTaken!, 0, n);
  args.rowsWanted = assemblers[0].rowLimitValue;
  const tally = new RunTally(threads);
  const progress = new Map<number, number>();
  let restart = false;
  let finals: PassState[][] = [];
  try {
    finals = await runUnitsOnPool<ScanUnit, UnitScanResult, PassState[]>(pool, threads, QUERY_TASKS, args, units, {
      onData: (unit, data) => {
        const d = data as ScanProgress;
        if (d.rows) assemblers[0].rowsFound(unit.index, d.rows);
        if (d.bytesDone >= 0 && options.onProgress) {
          progress.set(unit.index, d.bytesDone);
          let done = 0;
          for (const v of progress.values()) done += v;
          options.onProgress(done, unit.total);
        }
      },
      onUnit: (unit, out) => {
        if (out.counts.lateHeader || out.columnsGrew) {
          restart = true;
          return false;
        }
        out.rows.forEach((rows, i) => assemblers[i].rowsFound(unit.index, rows));
        out.matched.forEach((m, i) => assemblers[i].unitDone(unit.index, out.counts.lines, m));
        tally.unit(unit, out);
      },
    });
    if (options.signal?.aborted) throw new QueryCancelledError();
    if (restart) return undefined;
    debugMemory('scan done');
    // Top-Ns that turned to their sketch read the input again for their candidates (groups/topN.ts).
    const second = secondPasses(plans, finals);
    const again = plans.flatMap((_, i) => (second[i] ? [i] : []));
    if (again.length > 0) {
      const args2: QuerySessionArgs = {
        ...args, queries: again.map((i) => plans[i].text), streamRows: false, rowsTaken: undefined, rowsWanted: undefined,
        topN: undefined, candidates: again.map((i) => second[i]),
      };
      const more = await runUnitsOnPool<ScanUnit, UnitScanResult, PassState[]>(pool, threads, QUERY_TASKS, args2, units, { onUnit: () => undefined });
      if (options.signal?.aborted) throw new QueryCancelledError();
      // As many workers as the first pass (same units, same threads): each one's states replace its first ones.
      if (more.length !== finals.length) throw new Error(`the second pass ran on ${more.length} workers, the first on ${finals.length}`);
      more.forEach((states, w) => again.forEach((i, j) => (finals[w][i] = states[j])));
      tally.twoPass(again.length);
      debugMemory('second pass done');
    }
    for (const states of finals) states.forEach((state, i) => assemblers[i].addState(state));
    // Each aggregation's groups: merged on the workers, a partition each, then the partitions' rows here.
    const results: PlanResult[] = new Array(plans.length);
    const finishPlan = (i: number, merged?: OrderedRow[][]) => {
      const a = assemblers[i];
      results[i] = { rows: a.finish(merged), columns: a.resultColumns(), matched: a.matched };
      options.onPlanDone?.(i, results[i]);
    };
    // Plans without groups are final now; each aggregation when its last merge job is in.
    plans.forEach((p, i) => {
      if (!p.aggregate) finishPlan(i);
    });
    await mergeOnPool(pool, threads, plans, finals, finishPlan);
    debugMemory('merge done');
    return { results, stats: tally.finish(results[0]?.matched ?? 0) };
  } catch (e) {
    if (options.signal?.aborted || (e instanceof Error && e.name === 'AbortError')) throw new QueryCancelledError();
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    tally.spills(finals);
  }
}

/** FLOWLOG_DEBUG_MEMORY=1: the process's memory at the phases of a run (stderr). */
function debugMemory(phase: string): void {
  if (process.env.FLOWLOG_DEBUG_MEMORY !== '1') return;
  const m = process.memoryUsage();
  process.stderr.write(`[mem main] ${phase}: rss ${m.rss >> 20} heap ${m.heapUsed >> 20} ab ${m.arrayBuffers >> 20}\n`);
}

const DEFAULT_NAMES = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'];

/**
 * Merges each aggregation's groups from every worker: small ones in one job, big or spilled ones in ranges of
 * partitions (a few per worker, so that they share the work); per plan, the sorted rows of each job.
 */
async function mergeOnPool(pool: WorkerPool, threads: number, plans: QueryPlan[], finals: PassState[][], done: (plan: number, rows: OrderedRow[][]) => void): Promise<void> {
  const jobs: { plan: number; job: MergeJob }[] = [];
  const sizes = new Map<number, number>();
  plans.forEach((plan, i) => {
    if (!plan.aggregate) return;
    const parts = finals.map((states) => states[i]).filter((s): s is GroupsState => s.kind === 'groups' && groupCount(s) > 0);
    const groups = parts.reduce((n, p) => n + groupCount(p), 0);
    sizes.set(i, groups);
    if (parts.length === 0) return;
    if (groups <= 50_000) {
      jobs.push({ plan: i, job: { query: plan.text, parts, from: 0, to: PARTITIONS } });
      return;
    }
    const ranges = Math.min(PARTITIONS, threads * 8);
    for (let r = 0; r < ranges; r++) {
      jobs.push({ plan: i, job: { query: plan.text, parts, from: Math.floor((r * PARTITIONS) / ranges), to: Math.floor(((r + 1) * PARTITIONS) / ranges) } });
    }
  });
  // Small plans first: their results are ready while the big ones merge.
  jobs.sort((a, b) => sizes.get(a.plan)! - sizes.get(b.plan)!);
  const out = new Map<number, OrderedRow[][]>();
  const left = new Map<number, number>();
  for (const { plan } of jobs) left.set(plan, (left.get(plan) ?? 0) + 1);
  // Aggregations without any group (no records taken) are final at once.
  for (const i of sizes.keys()) if (!left.has(i)) done(i, []);
  let next = 0;
  const worker = async (w: number) => {
    while (next < jobs.length) {
      const { plan, job } = jobs[next++];
      // The job's partitions move to its worker (each partition goes to one job).
      const handed = job.parts.map((part) => partitionsForJob(part, job.from, job.to));
      const rows = await pool.call<OrderedRow[]>(w, QUERY_MERGE_TASK, { ...job, parts: handed.map((h) => h.state) }, undefined, handed.flatMap((h) => h.buffers));
      debugMemory(`merged ${job.from}–${job.to}`);
      const list = out.get(plan) ?? [];
      list.push(rows);
      out.set(plan, list);
      const n = left.get(plan)! - 1;
      left.set(plan, n);
      if (n === 0) done(plan, list);
    }
  };
  await Promise.all(Array.from({ length: Math.min(threads, Math.max(1, jobs.length)) }, (_, w) => worker(w)));
}

/** Groups a plan's state holds (to finish small plans first). */
function groupCount(state: PassState | undefined): number {
  if (state?.kind !== 'groups') return 0;
  let n = state.runs.length * 1e6;
  for (const p of state.parts) if (p) n += p.table.size;
  return n;
}

/** The field names of a file's first line when it is a header (gzip files: from their first decompressed bytes). */
async function firstLineHeader(path: string): Promise<string[] | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readAt(path, 0, 1 << 16);
    if (isGzipPath(path)) bytes = gunzipSync(bytes, { finishFlush: 2 /* Z_SYNC_FLUSH: a partial stream is fine */ });
  } catch {
    return undefined;
  }
  const nl = bytes.indexOf(10);
  let text = bytes.subarray(0, nl < 0 ? bytes.length : nl).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const spans = new FieldSpans();
  scanFields(text, 0, text.length, spans);
  return classifyLine(text, spans) === LineKind.Header ? headerNames(text, spans) : undefined;
}

/** Parses, plans and runs `query` over `source`. Rejects with QueryError, or QueryCancelledError when aborted. */
export async function runQuery(source: QuerySource, query: string, options: QueryOptions = {}): Promise<QueryResult> {
  const plan = planQuery(query);
  const { results, stats } = await runPlans(source, [plan], options);
  return { columns: results[0].columns, rows: results[0].rows, stats, kind: plan.kind };
}
