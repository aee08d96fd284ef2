// Worker threads started for one job each (lint's ranges of a big file, server/src/core/lint/lintFile.ts), unlike
// the query engine's persistent pool (core/threads/pool.ts): a job streams data back before its result, under
// credit-based flow control of its own. The bundles (dist/cli.js, dist/server.js, the bench) start themselves as
// these workers: their entries call maybeRunAsLintWorker() first.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { workerScript } from '../threads/pool';
import { QueryCancelledError } from './errors';

/** Whether jobs can run on worker threads (the bundled build, or FLOWLOG_WORKER_SCRIPT naming it). */
export function workerJobsAvailable(): boolean {
  return workerScript() !== undefined;
}

type WorkerReply<T> =
  | { type: 'progress'; bytes: number }
  | { type: 'data'; data: unknown }
  | { type: 'done'; result: T }
  | { type: 'error'; message: string };

/**
 * Starts this bundle once per job as a worker thread (`workerData[dataKey]` = the job) and resolves with their
 * results in job order. Progress messages are summed; `onData` gets what a job sent before its result, in the
 * order it sent it; abort terminates them all.
 */
export async function runWorkerJobs<T>(
  dataKey: string,
  jobs: unknown[],
  options: { signal?: AbortSignal; onProgress?: (done: number) => void; onData?: (job: number, data: unknown) => void } = {},
): Promise<T[]> {
  const script = workerScript();
  if (!script) throw new Error('worker threads need the bundled build');
  const progress = new Array<number>(jobs.length).fill(0);
  const workers: Worker[] = [];
  const onAbort = () => workers.forEach((w) => void w.terminate());
  options.signal?.addEventListener('abort', onAbort);
  try {
    return await Promise.all(jobs.map((job, i) => new Promise<T>((resolve, reject) => {
      // A small young generation keeps each worker's memory down; chunks are short-lived anyway.
      const worker = new Worker(script, { workerData: { [dataKey]: job }, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
      workers.push(worker);
      worker.on('message', (m: WorkerReply<T>) => {
        if (m.type === 'progress') {
          progress[i] = m.bytes;
          options.onProgress?.(progress.reduce((a, b) => a + b, 0));
        } else if (m.type === 'data') {
          try {
            options.onData?.(i, m.data);
          } catch (e) {
            reject(e);
          }
        } else if (m.type === 'done') resolve(m.result);
        else reject(new Error(m.message));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (options.signal?.aborted) reject(new QueryCancelledError());
        else if (code !== 0) reject(new Error(`worker exited with ${code}`));
      });
    })));
  } catch (e) {
    if (options.signal?.aborted) throw new QueryCancelledError();
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    workers.forEach((w) => void w.terminate());
  }
}

/**
 * In a worker started by runWorkerJobs: runs `work` on the job under `dataKey` and returns true; elsewhere false.
 * `send` passes data to the job's onData before the result.
 */
export function maybeRunWorkerJob<J, T>(
  dataKey: string,
  work: (job: J, progress: (bytes: number) => void, send: (data: unknown) => void) => Promise<T>,
): boolean {
  if (isMainThread || !workerData?.[dataKey]) return false;
  const post = (m: WorkerReply<T>) => parentPort!.postMessage(m);
  work(workerData[dataKey] as J, (bytes) => post({ type: 'progress', bytes }), (data) => post({ type: 'data', data }))
    .then((result) => post({ type: 'done', result }))
    .catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
  return true;
}

