// A worker thread's CPU priority, lowered when FLOWLOG_WORKER_NICE asks (the language server's environment sets it:
// client/src/serverFlags.ts). A query's workers keep every core busy; at the same priority as the server's main
// thread, a check request waits for a time slice behind them (250–440 ms stalls near the end of a 1 GB summary on two
// cores). At a lower priority they still get every idle core, and give way when the main thread has work.
//
// Linux gives each thread its own nice value: setpriority(PRIO_PROCESS, tid) changes only that thread, and
// /proc/thread-self names this thread's id. Elsewhere (no /proc) nothing changes: there the same call with the
// process id would lower the whole process, main thread included.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

export const WORKER_NICE_ENV = 'FLOWLOG_WORKER_NICE';

/** In a worker thread with FLOWLOG_WORKER_NICE set (1–19): lowers this thread's priority to it. Returns whether it did. */
export function applyWorkerPriority(): boolean {
  if (isMainThread) return false;
  const nice = Number(process.env[WORKER_NICE_ENV]);
  if (!Number.isInteger(nice) || nice < 1 || nice > 19) return false;
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return false;
  }
  if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return false;
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false; // a sandbox may refuse it: the thread runs as before
  }
}
