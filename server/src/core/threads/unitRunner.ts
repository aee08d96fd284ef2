// Units of work over threads: the one place that decides where units run and in which order results come
// back, for queries, the summary and lint alike. A session (a query's passes, lint's checker) is opened on
// every worker; idle workers take the next unit (so a folder of many small files keeps every core busy);
// results are handed back per unit with the unit's index (callers put them in order); at the end each worker's
// session state is collected. This thread can take units beside the workers (callHere), or run them all in order.
// Jobs without a session (merging partitions) go the same way to idle participants (runJobsOnPool).
import type { TransferListItem } from 'node:worker_threads';
import { Transfer, WorkerPool, taskHandler } from './pool';
import { holdYoungGeneration } from './youngGeneration';

/** The task names of a kind of session (registered with registerTask by its module). */
export interface SessionTasks {
  /** ({ session, args }) → void: creates the session's state in the worker. */
  open: string;
  /** ({ session, unit }) → unit result; may post data while it runs. */
  scan: string;
  /** ({ session }) → the session's final state; the session is dropped. */
  finish: string;
}

export interface UnitRunCallbacks<U, R, F = unknown> {
  /** Data a unit's scan posted while it ran (e.g. rows found so far). */
  onData?: (unit: U, data: unknown) => void;
  /** A unit's result; returning false stops giving out units (e.g. the run must start over on one thread). */
  onUnit: (unit: U, result: R) => boolean | void;
  /** A worker's final state as soon as it is in (before the others'), e.g. to fold it in and let go of it. */
  onFinish?: (state: F) => void;
}

let nextSession = 1;

/**
 * Runs `units` on `threads` workers of `pool` (with `here`, on this thread and `threads` - 1 workers): each opens a
 * session with `args`, scans units as it gets them, and finishes. Resolves with each one's final state (those that
 * got no unit included).
 */
export async function runUnitsOnPool<U, R, F>(pool: WorkerPool, threads: number, tasks: SessionTasks, args: unknown, units: readonly U[], callbacks: UnitRunCallbacks<U, R, F>, options: { here?: boolean } = {}): Promise<F[]> {
  const session = nextSession++;
  let next = 0;
  let stopped = false;
  const workers = participants(threads, units.length, options.here);
  const call = <T>(i: number, task: string, payload: unknown, onData?: (data: unknown) => void): Promise<T> => callOn<T>(pool, i, task, payload, onData);
  const run = async (i: number): Promise<F> => {
    await call(i, tasks.open, { session, args });
    try {
      while (!stopped && next < units.length) {
        const unit = units[next++];
        const result = await call<R>(i, tasks.scan, { session, unit }, callbacks.onData ? (data) => callbacks.onData!(unit, data) : undefined);
        if (callbacks.onUnit(unit, result) === false) stopped = true;
      }
    } catch (e) {
      stopped = true;
      await call(i, tasks.finish, { session }).catch(() => undefined);
      throw e;
    }
    const state = await call<F>(i, tasks.finish, { session });
    callbacks.onFinish?.(state);
    return state;
  };
  // Scanning here as well: this thread's young generation stays at its size (a main thread's would grow to 32 MB).
  const release = options.here ? holdYoungGeneration() : undefined;
  const settled = await Promise.allSettled(workers.map(run)).finally(release);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<F>).value);
}

/** A task on one participant: worker i of the pool, or this thread when i < 0 (callHere). */
export type ParticipantCall = <T>(task: string, payload: unknown, transfer?: TransferListItem[]) => Promise<T>;

/**
 * Runs `jobs` in order on `threads` participants (with `here`, this thread and `threads` - 1 workers), each taking
 * the next job when it is idle. With `here` each worker may have two jobs in hand: a worker done while this thread
 * runs a job would otherwise wait for it to hand out the next one. Resolves with the number of jobs run here.
 */
export async function runJobsOnPool<J>(pool: WorkerPool, threads: number, jobs: readonly J[], run: (call: ParticipantCall, job: J) => Promise<void>, options: { here?: boolean } = {}): Promise<number> {
  const first = participants(threads, jobs.length, options.here);
  // A worker's second job in hand (extra): only while more jobs are left than participants, so that the last ones
  // do not wait behind it while this thread has nothing to do.
  const slots = [...first.map((i) => ({ i, extra: false })), ...(options.here ? first.filter((i) => i >= 0).map((i) => ({ i, extra: true })) : [])];
  let next = 0;
  let here = 0;
  // After a failure no participant takes another job: the caller hears of the first failure once every job under
  // way has ended, so nothing runs on after the run has failed.
  let stopped = false;
  const take = async ({ i, extra }: { i: number; extra: boolean }) => {
    const call: ParticipantCall = (task, payload, transfer) => callOn(pool, i, task, payload, undefined, transfer);
    for (;;) {
      // Before each of its jobs this thread turns its event loop: the workers get theirs first, and the answers of
      // those done are taken in (a job here runs to its end without a turn).
      if (i < 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (stopped || next >= jobs.length || (extra && jobs.length - next <= first.length)) return;
      if (i < 0) here++;
      try {
        await run(call, jobs[next++]);
      } catch (e) {
        stopped = true;
        throw e;
      }
    }
  };
  const settled = await Promise.allSettled(slots.map(take));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return here;
}

/** The participants of a run of `count` units or jobs: workers 0..; with `here`, this thread (-1) and one worker fewer. */
function participants(threads: number, count: number, here = false): number[] {
  const n = Math.max(1, Math.min(threads, count || 1));
  return Array.from({ length: n }, (_, i) => (here ? i - 1 : i));
}

function callOn<T>(pool: WorkerPool, i: number, task: string, payload: unknown, onData?: (data: unknown) => void, transfer?: TransferListItem[]): Promise<T> {
  return i < 0 ? callHere<T>(task, payload, onData, transfer) : pool.call<T>(i, task, payload, onData, transfer);
}

/**
 * A task on this thread with a worker's semantics: the payload, what it posts and its result are cloned, and the
 * buffers handed over or back are moved (detached where they were, as posting them would), so the task cannot tell
 * where it runs and nothing it keeps is shared with the caller.
 */
async function callHere<T>(task: string, payload: unknown, onData?: (data: unknown) => void, transfer?: TransferListItem[]): Promise<T> {
  const handler = taskHandler(task);
  const result = await handler(structuredClone(payload, transfer ? { transfer } : undefined), {
    post: (data, transfer) => onData?.(structuredClone(data, transfer ? { transfer } : undefined)),
  });
  return (result instanceof Transfer ? structuredClone(result.value, { transfer: result.list }) : structuredClone(result)) as T;
}
