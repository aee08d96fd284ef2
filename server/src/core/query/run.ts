// Running queries: plan, cut the source into units, scan them on worker threads (files big enough, or many) or
// on this thread, and assemble each query's result. One query, or several on one scan (the summary). A header
// line where a split file's later ranges could not see it sends the run back to one thread (written once here).
import { QueryPlan, planQuery } from './plan';
import { QueryCancelledError, QueryError } from './errors';
import { ExpandedSource, QuerySource, ScanUnit, expandSource, planUnits } from './input';
import { batchUnits, bigCompressedFile } from './unitBatches';
import { columnsBeforeScan } from './columnsBeforeScan';
import { ThreadScan, TopNOptions, packedRoom } from './threadScan';
import { PassState } from './passState';
import { SketchSums, secondPasses } from './twoPass';
import { debugMemory, groupCount, mergeOnPool, rankOnPool } from './poolMerge';
import { sketchThreshold, sketchWidth } from './groups/topN';
import { ResultAssembler, RowsListener } from './assemble';
import { RowsInbox } from './rowsText';
import type { RowsJson } from './rowsJson';
import { Value } from './values';
import { OrderedRow } from './rowOrder';
import { WorkerPool, defaultThreadCount, sharedPool } from '../threads/pool';
import { releaseStartupHold } from '../threads/youngGeneration';
import { runUnitsOnPool } from '../threads/unitRunner';
import { QUERY_TASKS, QuerySessionArgs, ScanProgress, UnitScanResult } from './session';
import { SpillFolder } from './groups/spill';
import { QueryStats, RunTally } from './stats';
import { PartialOptions, defaultPartialMs, firstSnapshotAt } from './partial';
import { PartialCollector } from './partialMerge';

export { planQuery };
export type { FileProblem, SkippedFile, FileTally, QueryStats } from './stats';
export type { PartialOptions, PartialResults, PartialPlanResult } from './partial';

export const DEFAULT_ROW_LIMIT = 10_000;

export interface QueryOptions {
  /**
   * Rows returned at most for a search, or for SQL rows without a LIMIT (the match count stays exact); default
   * 10,000. An explicit SQL LIMIT is not capped.
   */
  limit?: number;
  signal?: AbortSignal;
  /** Bytes read of all (compressed sizes for compressed files), and files done of all (for a source of files). */
  onProgress?: (done: number, total: number, files?: { done: number; total: number }) => void;
  /**
   * Search and plain SQL rows as they are found, in result order (batches joined are the first rows of the
   * result). `columns` are the result's so far: a format met later can add columns (earlier rows then lack them).
   * A promise returned holds the next rows back until it settles: on worker threads they wait as the text they
   * came in, unparsed (a consumer slower than the scan, such as a connection, keeps only what it is sending).
   */
  onRows?: RowsListener;
  /**
   * false: rows handed to onRows are not kept for the result as well (a caller that writes them out as they come
   * holds none of them; the result's rows are then only those not streamed). Default true.
   */
  keepStreamedRows?: boolean;
  /**
   * With keepStreamedRows false: onRows may get rows as the JSON text the worker threads made of them (its `texts`,
   * after its `rows`), unparsed, for a caller that only writes them out again (default false).
   */
  rowsAsText?: boolean;
  /** Threads to scan with (default: FLOWLOG_QUERY_WORKERS, else the cores); 1 scans on this thread. */
  threads?: number;
  /**
   * This thread scans as one of the threads, beside one worker fewer: it starts at once, where a worker first loads
   * the bundle. Only for a caller with nothing else to do meanwhile (the CLI): a language server's thread answers
   * requests. Default false.
   */
  scanHere?: boolean;
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
  /**
   * runPlans: results so far while the first pass scans (partial.ts), about every `everyMs`: aggregations with few
   * groups exact as far as read, top-Ns provisional from the threads' best groups. None after the first pass.
   */
  partial?: PartialOptions;
  /** Count records, malformed lines and bytes per file (QueryStats.perFile: the summary's per-delivery breakdown). */
  perFile?: boolean;
}

/**
 * What one thread's group tables may hold: a third of the budget, shared by the threads. The rest is for what
 * surrounds them: the arrays kept for reuse, outgrown ones not yet collected, chunks being read, the partitions
 * being merged, and what the allocator does not give back.
 */
function tableBytes(options: QueryOptions, threads: number): number {
  return Math.floor((options.memoryBudget ?? defaultMemoryBudget()) / 3 / threads);
}

/** The memory budget's default and smallest MB (the setting `flowlog.query.memoryBudgetMB`, `--memory-budget`). */
export const DEFAULT_MEMORY_BUDGET_MB = 256;
export const MIN_MEMORY_BUDGET_MB = 16;

export function defaultMemoryBudget(): number {
  const mb = Number(process.env.FLOWLOG_MEMORY_BUDGET_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_MEMORY_BUDGET_MB) * (1 << 20);
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

/** Runs several plans on one scan of `source` (the first one's rows stream to onRows). */
export async function runPlans(source: QuerySource, plans: QueryPlan[], options: QueryOptions = {}): Promise<{ results: PlanResult[]; stats: QueryStats }> {
  const threads = options.threads ?? defaultThreadCount();
  const expanded = source.kind === 'files' ? await expandSource(source) : undefined;
  let emitted = 0;
  const onRows = options.onRows && ((rows: Value[][], columns: string[], texts?: readonly RowsJson[]) => {
    emitted += rows.length;
    if (texts) for (const t of texts) emitted += t.count;
    return options.onRows!(rows, columns, texts);
  });
  // Streams are read on this thread (standard input belongs to it; a pipe is one stream anyway).
  if (expanded && threads > 1 && !expanded.files.some((f) => f.stream)) {
    // Ranges that shrink toward the end: threads that run slower (a busy core) take fewer, all finish together,
    // and progress moves in steps.
    const units = await planUnits(source, expanded, threads * 4, undefined, threads);
    // One unit is read here (a worker started for it would only wait), but for a big compressed file (one .gz): the
    // same single thread of work on one worker, whose young generation is 4 MB (threads/pool.ts), where this
    // thread's is V8's default, which inflating 1 GB grew to 30-40 MB of mostly dead objects (top 10 over a 184 MB
    // .gz: 147-159 MB here, 138-140 there; a language server's main thread stays free as well). Not a Parquet file:
    // its decoder makes many small objects that a 4 MB young generation promotes (+9-12 MB, +20% CPU there).
    const alone = units.length === 1;
    const here = !alone && options.scanHere === true;
    // The CLI held this thread's young generation from its start for a scan here (cli/prestart.ts): a run that reads
    // elsewhere, or alone on this thread, lets go of it now; a scan here holds it for itself (unitRunner.ts).
    if (!here) releaseStartupHold();
    const pool = !alone || (await bigCompressedFile(units[0])) ? sharedPool(here ? threads - 1 : threads) : undefined;
    if (pool) {
      const done = await pool.use(() => runOnPool(pool, alone ? 1 : threads, expanded, units, plans, { ...options, onRows }, here)).finally(releaseStartupHold);
      if (done) return done;
    }
  }
  // One thread (again, after a header line the threads could not see: the rows already handed on are skipped).
  const skip = emitted;
  let seen = 0;
  const rest = onRows && ((rows: Value[][], columns: string[]) => {
    const fresh = rows.slice(Math.max(0, skip - seen));
    seen += rows.length;
    if (fresh.length > 0) return onRows(fresh, columns);
  });
  return runHere(source, expanded, plans, { ...options, onRows: rest });
}

/** The run on this thread: units in order, the same passes the workers run. */
async function runHere(source: QuerySource, expanded: ExpandedSource | undefined, plans: QueryPlan[], options: QueryOptions): Promise<{ results: PlanResult[]; stats: QueryStats }> {
  const cap = options.limit ?? DEFAULT_ROW_LIMIT;
  const units = await planUnits(source, expanded, 1);
  const columns = await columnsBeforeScan(plans, expanded, units);
  const assemblers = plans.map((p, i) => new ResultAssembler(p, cap, columns, units, i === 0 ? options.onRows : undefined, options.keepStreamedRows));
  const tally = new RunTally(1, units, expanded, options.perFile);
  const folder = new SpillFolder();
  const topN: TopNOptions = { enabled: rereadable(units), flags: new Int32Array(plans.length), threshold: sketchThreshold(), width: sketchWidthFor(plans, options, 1) };
  const sums = new SketchSums();
  const thread = new ThreadScan(plans, cap, columns, { bytes: tableBytes(options, 1), folder }, topN);
  const text = source.kind === 'text' ? source.text : undefined;
  const partial = options.partial && new PartialCollector(plans, options.partial, 1);
  thread.keepHeavy = partial !== undefined;
  let snapshotAt = firstSnapshotAt(options.partial?.everyMs);
  const scanned: PassState[][] = [];
  const scanAll = async (scan: ThreadScan, first: boolean) => {
    for (const unit of units) {
      if (options.signal?.aborted) throw new QueryCancelledError();
      const takeRows = () => scan.takeRows().forEach((rows, i) => assemblers[i].rowsFound(unit.index, rows));
      const snapshot = () => {
        if (performance.now() < snapshotAt) return;
        snapshotAt = performance.now() + (options.partial?.everyMs ?? defaultPartialMs());
        partial!.add(scan.snapshot(0));
      };
      const afterChunk = first && options.onRows ? (partial ? () => (takeRows(), snapshot()) : takeRows) : first && partial ? snapshot : undefined;
      const out = await scan.scan(unit, text, {
        cancelled: () => options.signal?.aborted === true,
        onProgress: (done) => {
          const bytes = unit.before + Math.min(done, unit.end - unit.start);
          if (partial) [partial.bytesDone, partial.bytesTotal] = [bytes, unit.total];
          options.onProgress?.(bytes, unit.total, tally.files());
        },
        afterChunk,
      }, first ? assemblers[0].rowBudget : 0);
      if (!first) continue;
      out.rows.forEach((rows, i) => assemblers[i].rowsFound(unit.index, rows));
      out.matched.forEach((m, i) => assemblers[i].unitDone(unit.index, out.counts.lines, m));
      tally.unit(unit, out);
      options.onProgress?.(unit.before + (unit.end - unit.start), unit.total, tally.files());
    }
    if (options.signal?.aborted) throw new QueryCancelledError();
    if (first) partial?.stop();
    const states = scan.finish();
    if (first) sums.add(states);
    scanned.push(states);
    return states;
  };
  try {
    const states = await scanAll(thread, true);
    // Top-Ns that turned to their sketch read the input again for their candidates (groups/topN.ts).
    const second = await secondPasses(plans, [states], sums);
    const again = plans.flatMap((_, i) => (second[i] ? [i] : []));
    const results: PlanResult[] = new Array(plans.length);
    // Plans with few groups first, each handed on as soon as it is final: those the first pass answered before
    // the second pass reads the input again.
    const finish = (which: number[]) => {
      for (const i of which) assemblers[i].addState(states[i]);
      for (const i of [...which].sort((a, b) => groupCount(states[a]) - groupCount(states[b]))) {
        const a = assemblers[i];
        results[i] = { rows: a.finish(), columns: a.resultColumns(), matched: a.matched };
        options.onPlanDone?.(i, results[i]);
      }
    };
    finish(plans.flatMap((_, i) => (second[i] ? [] : [i])));
    if (again.length > 0) {
      const scan = new ThreadScan(again.map((i) => plans[i]), cap, columns, { bytes: tableBytes(options, 1), folder }, { enabled: false, flags: new Int32Array(again.length), candidates: again.map((i) => second[i]) });
      const more = await scanAll(scan, false);
      again.forEach((i, j) => (states[i] = more[j]));
      tally.twoPass(again.length);
      finish(again);
    }
    return { results, stats: tally.finish(results[0]?.matched ?? 0) };
  } finally {
    tally.spills(scanned);
    folder.remove();
  }
}

/** The width of a run's sketches: a quarter of a thread's table budget for all its top-N plans' (groups/topN.ts). */
function sketchWidthFor(plans: readonly QueryPlan[], options: QueryOptions, threads: number): number {
  return sketchWidth(tableBytes(options, threads), plans.filter((p) => p.rankAggregate !== undefined).length);
}

/** Whether the units can be read a second time (not a pipe or a FIFO): the two-pass top-N needs it. */
function rereadable(units: readonly ScanUnit[]): boolean {
  return units.every((u) => u.kind !== 'stream');
}

/**
 * The run on worker threads: units to idle workers, rows and counts back per unit, then each aggregation's
 * groups merged by partitions on the workers. Undefined when the run must start over on one thread.
 */
async function runOnPool(pool: WorkerPool, threads: number, expanded: ExpandedSource, units: ScanUnit[], plans: QueryPlan[], options: QueryOptions, here = false): Promise<{ results: PlanResult[]; stats: QueryStats } | undefined> {
  const cap = options.limit ?? DEFAULT_ROW_LIMIT;
  const columns = await columnsBeforeScan(plans, expanded, units);
  const abort = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => Atomics.store(abort, 0, 1);
  options.signal?.addEventListener('abort', onAbort);
  const args: QuerySessionArgs = {
    queries: plans.map((p) => p.text), cap, columns: [...columns.names], abort, streamRows: options.onRows !== undefined,
    budgetBytes: tableBytes(options, threads),
    packedRoom: packedRoom(tableBytes(options, threads)),
    rowsTaken: new Int32Array(new SharedArrayBuffer(4)),
    topN: { enabled: rereadable(units), flags: new Int32Array(new SharedArrayBuffer(4 * plans.length)), threshold: sketchThreshold(), width: sketchWidthFor(plans, options, threads) },
    partialEveryMs: options.partial ? options.partial.everyMs ?? defaultPartialMs() : undefined,
  };
  const batches = batchUnits(units, threads);
  // Results so far: each worker's latest snapshot (its groups packed), merged here.
  const partial = options.partial && new PartialCollector(plans, options.partial, Math.min(threads, batches.length));
  // Each worker's sketches are added up as its states come in, and let go of (twoPass.ts).
  const sums = new SketchSums();
  const assemblers = plans.map((p, i) => new ResultAssembler(p, cap, columns, units, i === 0 ? options.onRows : undefined, options.keepStreamedRows, options.rowsAsText));
  args.rowsWanted = assemblers[0].rowLimitValue;
  const tally = new RunTally(threads, units, expanded, options.perFile);
  // Rows come as text and are parsed here a slice at a time; a unit's end follows its rows (rowsText.ts).
  const inbox = new RowsInbox((unit, plan, rows) => assemblers[plan].rowsFound(unit, rows), (plan) => assemblers[plan].takesText, (unit, plan, json, count) => assemblers[plan].textFound(unit, json, count));
  // Workers stop making rows once the result has them all: the rows taken in order, and those of the unit taken
  // next that wait in the inbox (held back by a slow taker, they are as good as taken).
  const publishTaken = () => {
    const current = assemblers[0].currentUnit;
    Atomics.store(args.rowsTaken!, 0, assemblers[0].takenRows + (current === undefined ? 0 : inbox.queued(current)));
  };
  assemblers[0].onTaken = publishTaken;
  const progress = new Map<number, number>();
  let restart = false;
  let finals: PassState[][] = [];
  const reportProgress = (total: number) => {
    let done = 0;
    for (const v of progress.values()) done += v;
    if (partial) [partial.bytesDone, partial.bytesTotal] = [done, total];
    options.onProgress?.(done, total, tally.files());
  };
  try {
    finals = await runUnitsOnPool<ScanUnit[], UnitScanResult[], PassState[]>(pool, threads, QUERY_TASKS, args, batches, {
      onData: (_batch, data) => {
        const d = data as ScanProgress;
        const unit = units[d.unit];
        if (d.rows) {
          inbox.rows(unit.index, 0, d.rows);
          publishTaken();
        }
        if (d.partial) partial?.add(d.partial);
        if (d.bytesDone >= 0 && (options.onProgress || partial)) {
          progress.set(unit.index, Math.min(d.bytesDone, unit.end - unit.start));
          reportProgress(unit.total);
        }
      },
      onUnit: (batch, outs) => {
        for (let k = 0; k < outs.length; k++) {
          const unit = batch[k];
          const out = outs[k];
          if (out.counts.lateHeader || out.columnsGrew) {
            restart = true;
            return false;
          }
          out.rows.forEach((rows, i) => inbox.rows(unit.index, i, rows));
          inbox.then(() => {
            let wait: void | Promise<void> = undefined;
            out.matched.forEach((m, i) => (wait = assemblers[i].unitDone(unit.index, out.counts.lines, m) ?? wait));
            return wait;
          });
          tally.unit(unit, out);
          if (options.onProgress || partial) progress.set(unit.index, unit.end - unit.start);
        }
        if (options.onProgress || partial) reportProgress(batch[0].total);
      },
      onFinish: (states) => sums.add(states),
    }, { here });
    partial?.stop();
    if (options.signal?.aborted) throw new QueryCancelledError();
    if (restart) return undefined;
    await inbox.drained();
    debugMemory('scan done');
    // Top-Ns that turned to their sketch read the input again for their candidates (groups/topN.ts).
    const second = await secondPasses(plans, finals, sums, rankOnPool(pool, threads, here, (jobs) => tally.mergedHere(jobs)));
    const again = plans.flatMap((_, i) => (second[i] ? [i] : []));
    const results: PlanResult[] = new Array(plans.length);
    const finishPlan = (i: number, merged?: OrderedRow[][]) => {
      const a = assemblers[i];
      results[i] = { rows: a.finish(merged), columns: a.resultColumns(), matched: a.matched };
      options.onPlanDone?.(i, results[i]);
    };
    // Each aggregation's groups: merged on the workers (and here, with `here`), a range of partitions each, then the
    // partitions' rows here. Plans without groups are final at once; each aggregation when its last merge job is in.
    const finishAll = async (which: ReadonlySet<number>) => {
      for (const states of finals) states.forEach((state, i) => which.has(i) && assemblers[i].addState(state));
      plans.forEach((p, i) => {
        if (which.has(i) && !p.aggregate) finishPlan(i);
      });
      tally.mergedHere(await mergeOnPool(pool, threads, plans, finals, finishPlan, which, here));
    };
    // The plans the first pass answered are handed on before the second pass reads the input again (the
    // summary's small sections show while its top lists are still being counted).
    await finishAll(new Set(plans.flatMap((_, i) => (second[i] ? [] : [i]))));
    if (again.length > 0) {
      const args2: QuerySessionArgs = {
        ...args, queries: again.map((i) => plans[i].text), streamRows: false, rowsTaken: undefined, rowsWanted: undefined,
        topN: undefined, candidates: again.map((i) => second[i]),
        // The first pass's groups have been merged and let go of: the candidates' groups get the room afresh.
        packedRoom: packedRoom(args.budgetBytes),
      };
      const more = await runUnitsOnPool<ScanUnit[], UnitScanResult[], PassState[]>(pool, threads, QUERY_TASKS, args2, batchUnits(units, threads), { onUnit: () => undefined }, { here });
      if (options.signal?.aborted) throw new QueryCancelledError();
      // As many workers as the first pass (same units, same threads): each one's states replace its first ones.
      if (more.length !== finals.length) throw new Error(`the second pass ran on ${more.length} workers, the first on ${finals.length}`);
      more.forEach((states, w) => again.forEach((i, j) => (finals[w][i] = states[j])));
      tally.twoPass(again.length);
      debugMemory('second pass done');
      await finishAll(new Set(again));
    }
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

/** Parses, plans and runs `query` over `source`. Rejects with QueryError, or QueryCancelledError when aborted. */
export async function runQuery(source: QuerySource, query: string, options: QueryOptions = {}): Promise<QueryResult> {
  const plan = planQuery(query);
  const { results, stats } = await runPlans(source, [plan], options);
  return { columns: results[0].columns, rows: results[0].rows, stats, kind: plan.kind };
}
