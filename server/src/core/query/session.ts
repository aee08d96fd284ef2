// A query's work on a worker thread: the tasks the pool runs for the engine. A session holds the passes of a
// query (or of the summary's queries) in the worker that scans for it, between the units it is given; a merge
// task merges one partition of the groups that every worker found (their tables are shared memory).
import { registerTask } from '../threads/pool';
import { SessionTasks } from '../threads/unitRunner';
import { QueryPlan, planQuery } from './plan';
import { ColumnUnion } from './columns';
import { ScanUnit } from './input';
import { GroupsState, PassState, ThreadScan, UnitOutput } from './threadScan';
import { OrderedRow, compareKeys } from './passes';
import { BoundedHeap } from './heap';
import { PARTITION_BITS, SpillFolder } from './groups/spill';
import { Value } from './values';
import { mergeGroups } from './groups/mergeGroups';
import { groupRows } from './groups/finishGroups';
import { keyDisplays } from './groups/groupKeys';

export interface QuerySessionArgs {
  queries: string[];
  cap: number;
  /** The columns of every file's first format, in file order: rows of every thread use them. */
  columns: string[];
  /** Set to 1 by the caller to cancel (checked between chunks). */
  abort: Int32Array;
  /** Post the first query's rows (search, plain SQL) as they are found. */
  streamRows: boolean;
  /** Bytes of groups the worker keeps in memory before it spills them to disk. */
  budgetBytes: number;
}

/** What a worker posts while it scans a unit (`unit`: its index in the query's unit list). */
export interface ScanProgress {
  unit: number;
  bytesDone: number;
  rows?: Value[][];
}

export interface UnitScanResult extends UnitOutput {
  /** A record of a format whose fields are not all in the columns given (the run must start over on one thread). */
  columnsGrew: boolean;
}

export const QUERY_TASKS: SessionTasks = { open: 'query.open', scan: 'query.scan', finish: 'query.finish' };
export const QUERY_MERGE_TASK = 'query.merge';

interface Session {
  args: QuerySessionArgs;
  scan: ThreadScan;
  columns: ColumnUnion;
}

const sessions = new Map<number, Session>();
const plans = new Map<string, QueryPlan>();

function planOf(query: string): QueryPlan {
  let plan = plans.get(query);
  if (!plan) {
    if (plans.size > 64) plans.clear();
    plan = planQuery(query);
    plans.set(query, plan);
  }
  return plan;
}

registerTask(QUERY_TASKS.open, (payload) => {
  const { session, args } = payload as { session: number; args: QuerySessionArgs };
  const columns = new ColumnUnion();
  columns.addNames(args.columns);
  sessions.set(session, { args, columns, scan: new ThreadScan(args.queries.map(planOf), args.cap, columns, { bytes: args.budgetBytes, folder: new SpillFolder() }) });
});

// A batch of units (one, or many small files: a round trip to the main thread per batch, not per file), a result
// each, in order.
registerTask(QUERY_TASKS.scan, async (payload, ctx) => {
  const { session, unit: batch } = payload as { session: number; unit: ScanUnit[] };
  const s = sessions.get(session);
  if (!s) throw new Error(`no query session ${session}`);
  const results: UnitScanResult[] = [];
  const cancelled = () => Atomics.load(s.args.abort, 0) === 1;
  for (const unit of batch) {
    if (cancelled()) break;
    const width = s.columns.names.length;
    // Progress of a unit read in one piece is told by its result.
    const small = batch.length > 1;
    const out = await s.scan.scan(unit, undefined, {
      cancelled,
      onProgress: small ? undefined : (bytesDone) => ctx.post({ unit: unit.index, bytesDone } satisfies ScanProgress),
      afterChunk: s.args.streamRows ? () => {
        const rows = s.scan.takeRows()[0];
        if (rows && rows.length > 0) ctx.post({ unit: unit.index, bytesDone: -1, rows } satisfies ScanProgress);
      } : undefined,
    }, s.args.cap);
    results.push({ ...out, columnsGrew: s.columns.names.length !== width });
  }
  return results;
});

registerTask(QUERY_TASKS.finish, (payload) => {
  const { session } = payload as { session: number };
  const s = sessions.get(session);
  sessions.delete(session);
  return s ? s.scan.finish(true) : [];
});

export interface MergeJob {
  query: string;
  /** Every worker's groups of the query (shared arrays, and the runs they spilled). */
  parts: GroupsState[];
  /** Partitions [from, to) of PARTITIONS, merged one at a time; `whole`: all groups at once (small tables). */
  from: number;
  to: number;
  whole?: boolean;
}

/**
 * The result rows of some partitions of the groups (all, or the best LIMIT by ORDER BY), sorted. Partitions are
 * merged one at a time: memory for one partition's groups, whatever their number in all.
 */
export function mergePartitionRows(job: MergeJob): OrderedRow[] {
  const plan = planOf(job.query);
  const display = keyDisplays(plan.groupBy);
  if (job.whole) {
    const merged = mergeGroups(plan, job.parts);
    return groupRows(plan, merged.table, merged.states, display);
  }
  const better = (a: OrderedRow, b: OrderedRow) => compareKeys(a.keys, b.keys, plan.orderBy) || a.seq - b.seq;
  const limit = plan.limit ?? Infinity;
  const heap = Number.isFinite(limit) ? new BoundedHeap<OrderedRow>(limit, better) : undefined;
  const all: OrderedRow[] = [];
  for (let p = job.from; p < job.to; p++) {
    const merged = mergeGroups(plan, job.parts, p, PARTITION_BITS);
    if (merged.table.size === 0) continue;
    for (const row of groupRows(plan, merged.table, merged.states, display)) {
      if (heap) heap.push(row);
      else all.push(row);
    }
  }
  return heap ? heap.sorted() : all.sort(better);
}

registerTask(QUERY_MERGE_TASK, (payload) => mergePartitionRows(payload as MergeJob));

export type { PassState };
