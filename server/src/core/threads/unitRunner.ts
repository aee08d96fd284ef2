// Units of work over threads: the one place that decides where units run and in which order results come
// back, for queries, the summary and lint alike. A session (a query's passes, lint's checker) is opened on
// every worker; idle workers take the next unit (so a folder of many small files keeps every core busy);
// results are handed back per unit with the unit's index (callers put them in order); at the end each worker's
// session state is collected. On this thread the same session code runs the units in order.
import { WorkerPool } from './pool';

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
 * Runs `units` on `threads` workers of `pool`: each worker opens a session with `args`, scans units as it gets
 * them, and finishes. Resolves with each worker's final state (workers that got no unit included).
 */
export async function runUnitsOnPool<U, R, F>(pool: WorkerPool, threads: number, tasks: SessionTasks, args: unknown, units: readonly U[], callbacks: UnitRunCallbacks<U, R, F>): Promise<F[]> {
  const session = nextSession++;
  let next = 0;
  let stopped = false;
  const workers = Array.from({ length: Math.max(1, Math.min(threads, units.length || 1)) }, (_, i) => i);
  const run = async (i: number): Promise<F> => {
    await pool.call(i, tasks.open, { session, args });
    try {
      while (!stopped && next < units.length) {
        const unit = units[next++];
        const result = await pool.call<R>(i, tasks.scan, { session, unit }, callbacks.onData ? (data) => callbacks.onData!(unit, data) : undefined);
        if (callbacks.onUnit(unit, result) === false) stopped = true;
      }
    } catch (e) {
      stopped = true;
      await pool.call(i, tasks.finish, { session }).catch(() => undefined);
      throw e;
    }
    const state = await pool.call<F>(i, tasks.finish, { session });
    callbacks.onFinish?.(state);
    return state;
  };
  const settled = await Promise.allSettled(workers.map(run));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<F>).value);
}
