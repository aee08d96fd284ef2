// Big plain files are split at line boundaries into one range per core; each worker thread runs the same plans
// (one query, or the summary's queries on one scan) over its range and the main thread merges the partial
// results; a search's rows can come back while the workers scan. The bundles (dist/cli.js, dist/server.js, the
// bench) start themselves as lint workers: their entries call maybeRunAsLintWorker() first.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileHeaderNames, readAt } from './sources';
import { QueryCancelledError } from './errors';

export interface FileRange {
  path: string;
  start: number;
  end: number;
  /** Field names of the file's header line, when its first line is one (binds records of later ranges). */
  headerNames?: string[];
  /** Bytes of the query's input before this range, and in all (for progress). */
  before: number;
  total: number;
}

/** The bundle that can start itself as a worker, or undefined when running from sources (tests under tsx). */
function workerScript(): string | undefined {
  return typeof __filename === 'string' && __filename.endsWith('.js') ? __filename : undefined;
}

function workerCount(): number {
  const fromEnv = Number(process.env.FLOWLOG_QUERY_WORKERS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.min(availableParallelism(), 8);
}

/** Smaller inputs are faster on one thread than the cost of starting workers. */
function minParallelBytes(): number {
  const fromEnv = Number(process.env.FLOWLOG_PARALLEL_MIN_BYTES);
  return Number.isFinite(fromEnv) && fromEnv >= 0 && process.env.FLOWLOG_PARALLEL_MIN_BYTES !== undefined ? fromEnv : 48 << 20;
}

/** The first line start at or after `offset`. */
async function lineStartAfter(path: string, offset: number, size: number): Promise<number> {
  for (let at = offset; at < size; at += 1 << 16) {
    const buf = await readAt(path, at - 1, (1 << 16) + 1);
    const nl = buf.indexOf(10);
    if (nl >= 0) return at - 1 + nl + 1;
  }
  return size;
}

/** Ranges for the workers, or undefined when one thread is the better choice. */
export async function planRanges(paths: string[]): Promise<FileRange[] | undefined> {
  const workers = workerCount();
  if (workers < 2 || !workerScript() || paths.some((p) => /\.gz$/i.test(p))) return undefined;
  const sizes = await Promise.all(paths.map(async (p) => (await stat(p)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total < minParallelBytes()) return undefined;
  const ranges: FileRange[] = [];
  let before = 0;
  for (let f = 0; f < paths.length; f++) {
    const path = paths[f];
    const size = sizes[f];
    const pieces = Math.max(1, Math.round((workers * size) / total));
    const headerNames = await fileHeaderNames(path);
    let start = 0;
    for (let k = 1; k <= pieces; k++) {
      const end = k === pieces ? size : await lineStartAfter(path, Math.floor((size * k) / pieces), size);
      if (end > start) ranges.push({ path, start, end, headerNames, before: before + start, total });
      start = end;
    }
    before += size;
  }
  return ranges;
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

