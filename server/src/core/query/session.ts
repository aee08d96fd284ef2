// A query's work on a worker thread: the tasks the pool runs for the engine. A session holds the passes of a
// query (or of the summary's queries) in the worker that scans for it, between the units it is given; a merge
// task merges one partition of the groups that every worker found (their tables are shared memory).
import { Transfer, registerTask } from '../threads/pool';
import { SessionTasks } from '../threads/unitRunner';
import { QueryPlan, planQuery } from './plan';
import { ColumnUnion } from './columns';
import { ScanUnit } from './input';
import { Candidates, ThreadScan, TopNOptions, UnitOutput } from './threadScan';
import { GroupsState, PassState, stateBuffers, stateForTransfer, unpackedState } from './passState';
import { freeBuffers } from '../threads/freeBuffers';
import { OrderedRow } from './rowOrder';
import { SpillFolder } from './groups/spill';
import { PostedRows, rowsForPost } from './rowsText';
import { partitionRows } from './groups/mergeGroups';
import { ThreadSnapshot, firstSnapshotAt, snapshotBuffers } from './partial';
import { threadId } from 'node:worker_threads';

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
  /** KiB the groups the workers hand on may take in memory, all together (threadScan.ts packedRoom). */
  packedRoom?: Int32Array;
  /**
   * [0]: rows of the first query the caller has taken, in order. Past the cap no unit's rows can be in the result
   * any more: workers stop making them (making rows, and posting them, is most of a search's cost).
   */
  rowsTaken?: Int32Array;
  /** How many rows of the first query the result takes at most (its search cap, or its SQL LIMIT). */
  rowsWanted?: number;
  /** Two-pass top-Ns (groups/topN.ts): allowed (the input can be read again), one shared flag per query. */
  topN?: { enabled: boolean; flags: Int32Array; threshold?: number; width?: number };
  /** A second pass: each query's candidates (the merged sketch, shared, and the lower bound). */
  candidates?: (Candidates | undefined)[];
  /** Results so far are asked for: a snapshot of the passes this often (ms; partial.ts). */
  partialEveryMs?: number;
}

/** What a worker posts while it scans a unit (`unit`: its index in the query's unit list). */
export interface ScanProgress {
  unit: number;
  bytesDone: number;
  rows?: PostedRows;
  /** The passes' state so far (partial.ts), its groups' buffers transferred. */
  partial?: ThreadSnapshot;
}

export interface UnitScanResult extends Omit<UnitOutput, 'rows'> {
  /** Per plan, the rows found in the unit since the last progress post. */
  rows: (PostedRows | undefined)[];
  /** A record of a format whose fields are not all in the columns given (the run must start over on one thread). */
  columnsGrew: boolean;
}

export const QUERY_TASKS: SessionTasks = { open: 'query.open', scan: 'query.scan', finish: 'query.finish' };
export const QUERY_MERGE_TASK = 'query.merge';

interface Session {
  args: QuerySessionArgs;
  scan: ThreadScan;
  columns: ColumnUnion;
  /** When the next snapshot of the passes is due (partialEveryMs). */
  snapshotAt?: number;
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
  const topN: TopNOptions = { enabled: args.topN?.enabled ?? false, flags: args.topN?.flags ?? new Int32Array(args.queries.length), candidates: args.candidates, threshold: args.topN?.threshold, width: args.topN?.width };
  const scan = new ThreadScan(args.queries.map(planOf), args.cap, columns, { bytes: args.budgetBytes, folder: new SpillFolder(), packedRoom: args.packedRoom }, topN);
  scan.keepHeavy = args.partialEveryMs !== undefined;
  const snapshotAt = args.partialEveryMs !== undefined ? firstSnapshotAt(args.partialEveryMs) : undefined;
  sessions.set(session, { args, columns, scan, snapshotAt });
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
      afterChunk: () => {
        if (s.args.rowsTaken && Atomics.load(s.args.rowsTaken, 0) >= (s.args.rowsWanted ?? s.args.cap)) s.scan.stopKeepingRows();
        if (s.snapshotAt !== undefined && performance.now() >= s.snapshotAt) {
          s.snapshotAt = performance.now() + s.args.partialEveryMs!;
          // Its arrays are copies: they move to the thread that runs the query (the live tables stay).
          const snapshot = s.scan.snapshot(threadId);
          ctx.post({ unit: unit.index, bytesDone: -1, partial: snapshot } satisfies ScanProgress, snapshotBuffers(snapshot));
        }
        if (!s.args.streamRows) return;
        const rows = s.scan.takeRows()[0];
        if (rows && rows.length > 0) ctx.post({ unit: unit.index, bytesDone: -1, rows: rowsForPost(rows) } satisfies ScanProgress);
      },
    }, s.args.cap);
    results.push({ ...out, rows: out.rows.map((r) => r && rowsForPost(r)), columnsGrew: s.columns.names.length !== width });
  }
  return results;
});

registerTask(QUERY_TASKS.finish, (payload) => {
  const { session } = payload as { session: number };
  const s = sessions.get(session);
  sessions.delete(session);
  if (!s) return [];
  // The groups move to the main thread, which hands each range of partitions to the worker that merges it: packed
  // into a few buffers, which the main thread passes on without looking inside.
  const buffers: ArrayBuffer[] = [];
  const states = s.scan.finish(true).map((st) => {
    if (st.kind !== 'groups') return st;
    const out = stateForTransfer(st);
    buffers.push(...out.buffers);
    return out.state;
  });
  return new Transfer(states, buffers);
});

export interface MergeJob {
  query: string;
  /** Every worker's groups of the query in the job's partitions (their buffers transferred), and their spill runs. */
  parts: GroupsState[];
  /** Partitions [from, to) of PARTITIONS, merged one at a time. */
  from: number;
  to: number;
}

export function mergePartitionRows(job: MergeJob): OrderedRow[] {
  // The partitions came for this job only: their memory goes when it is done, not at a collection some jobs later.
  const buffers = job.parts.flatMap(stateBuffers);
  const rows = partitionRows(planOf(job.query), job.parts.map(unpackedState), job.from, job.to);
  freeBuffers(buffers);
  return rows;
}

registerTask(QUERY_MERGE_TASK, (payload) => mergePartitionRows(payload as MergeJob));

export type { PassState };
