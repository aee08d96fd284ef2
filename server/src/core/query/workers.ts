// Big plain files are split at line boundaries into one range per core; each worker thread runs the same plans
// (one query, or the summary's queries on one scan) over its range and the main thread merges the partial
// results; a search's rows can come back while the workers scan. The bundles (dist/cli.js, dist/server.js, the
// bench) start themselves as the workers: their entries call maybeRunAsQueryWorker() first.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { DEFAULT_FORMAT, RecordFormat, makeFormat } from '../scan';
import { parseQuery } from './parser';
import { QueryPlan } from './plan';
import { PassResult, QueryOptions, QueryPass, mergePasses, packKeys, unpackKeys } from './execute';
import { Chunk, fileHeaderNames, readAt, readFileRange } from './sources';
import { QueryCancelledError } from './errors';
import { Value } from './values';

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

interface WorkerJob {
  /** The leader's query, then the followers' (one scan for all). */
  queries: string[];
  range: FileRange;
  cap: number;
  /** Post the leader's rows as they are found (a search with onRows). */
  streamRows?: boolean;
}

/** A worker's rows found since its last message; `end` comes last, before its result. */
export interface RowsMessage {
  rows: Value[][];
  formatNames?: string[];
  end?: { lines: number; lateHeader: boolean };
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

/** Runs the query over the ranges on worker threads and merges their results in file order. */
export async function runInWorkers(query: string, ranges: FileRange[], cap: number, options: QueryOptions): Promise<PassResult | undefined> {
  return (await runPassesInWorkers([query], ranges, cap, options))?.[0];
}

/**
 * Runs several queries on one scan per range (the first leads, the others follow) on worker threads, and merges
 * each query's results over the ranges in file order. Undefined when workers are not available. A search with
 * `onRows` gets its rows in file order as they come: those of the first range as its worker finds them, those of
 * each later range once every earlier one is done (its line numbers then known).
 */
export async function runPassesInWorkers(queries: string[], ranges: FileRange[], cap: number, options: QueryOptions): Promise<PassResult[] | undefined> {
  if (!workerScript()) return undefined;
  const plans = queries.map((q) => new QueryPlan(parseQuery(q), q));
  const total = ranges[0]?.total ?? 0;
  const stream = options.onRows && plans[0].kind === 'search' ? new RowStream(ranges, cap, options.onRows) : undefined;
  const jobs: WorkerJob[] = ranges.map((range) => ({ queries, range, cap, streamRows: stream !== undefined }));
  const results = await runWorkerJobs<PassResult[]>(QUERY_JOB, jobs, {
    signal: options.signal,
    onProgress: (done) => options.onProgress?.(done, total),
    onData: stream ? (i, data) => stream.receive(i, data as RowsMessage) : undefined,
  });
  for (const range of results) for (const r of range) r.groups = unpackKeys(r.groups);
  const merged = mergeRanges(plans, ranges, results, cap);
  // The rows came as messages, and went out in order with their line numbers shifted: they are the result's.
  if (stream) merged[0].rows = stream.emitted;
  return merged;
}

/**
 * Merges the results of consecutive ranges (results[range][query]) for each query, in file order: search line
 * numbers restart in each range, so they are shifted by the lines of the earlier ranges of the same file.
 */
export function mergeRanges(plans: QueryPlan[], ranges: { path: string }[], results: PassResult[][], cap: number): PassResult[] {
  return plans.map((plan, q) => {
    const parts = results.map((r) => r[q]);
    let offset = 0;
    parts.forEach((r, i) => {
      if (i > 0 && ranges[i].path !== ranges[i - 1].path) offset = 0;
      if (plan.kind === 'search' && offset > 0) for (const row of r.rows) row[row.length - 1] = (row[row.length - 1] as number) + offset;
      offset += r.lines;
    });
    return mergePasses(plan, parts, cap);
  });
}

/**
 * One range's scan, as a worker runs it: the first plan leads, the others follow. `format` binds the records
 * before any header line (the file's header for a range that does not start the file). `afterChunk` sees the
 * leader after each chunk.
 */
export async function scanRange(
  plans: QueryPlan[],
  cap: number,
  chunks: AsyncIterable<Chunk>,
  format: RecordFormat,
  startsFile: boolean,
  afterChunk?: (leader: QueryPass, chunk: Chunk) => void,
): Promise<PassResult[]> {
  const leader = new QueryPass(plans[0], cap, format, startsFile);
  const passes = [leader, ...plans.slice(1).map((p) => leader.follow(p, cap))];
  for await (const chunk of chunks) {
    leader.process(chunk);
    afterChunk?.(leader, chunk);
  }
  leader.finish();
  return passes.map((p) => p.result);
}

/** The rows of a search from the workers, handed on in file order (see runPassesInWorkers). */
export class RowStream {
  private readonly rows: Value[][][];
  private readonly ends: (RowsMessage['end'] | undefined)[];
  private names0?: string[];
  private current = 0;
  /** Rows of the current range handed on, and line offset of the current range in its file. */
  private taken = 0;
  private offset = 0;
  private stopped = false;
  readonly emitted: Value[][] = [];

  constructor(
    private readonly ranges: FileRange[],
    private readonly cap: number,
    private readonly onRows: (rows: Value[][], columns: string[]) => void,
  ) {
    this.rows = ranges.map(() => []);
    this.ends = ranges.map(() => undefined);
  }

  receive(range: number, m: RowsMessage): void {
    for (const r of m.rows) this.rows[range].push(r);
    if (range === 0 && m.formatNames) this.names0 ??= m.formatNames;
    if (m.end) {
      this.ends[range] = m.end;
      if (range === 0) this.names0 = m.formatNames;
    }
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.current < this.ranges.length) {
      const i = this.current;
      const rows = this.rows[i];
      if (this.taken < rows.length && this.emitted.length < this.cap) {
        const batch = rows.slice(this.taken, this.taken + (this.cap - this.emitted.length));
        this.taken = rows.length;
        if (this.offset > 0) for (const row of batch) row[row.length - 1] = (row[row.length - 1] as number) + this.offset;
        for (const row of batch) this.emitted.push(row);
        this.onRows(batch, [...(this.names0 ?? DEFAULT_FORMAT.names), 'file', 'line']);
      }
      const end = this.ends[i];
      if (!end) return;
      // A header line inside this range: later ranges bound the wrong format (the query reruns on one thread).
      if (end.lateHeader) {
        this.stopped = true;
        return;
      }
      this.current++;
      this.taken = 0;
      this.offset = this.current < this.ranges.length && this.ranges[this.current].path === this.ranges[i].path ? this.offset + end.lines : 0;
    }
  }
}

const QUERY_JOB = 'flowlogQueryWorker';

/** In a query worker thread: runs its range and returns true; elsewhere returns false at once. */
export function maybeRunAsQueryWorker(): boolean {
  return maybeRunWorkerJob<WorkerJob, PassResult[]>(QUERY_JOB, async ({ queries, range, cap, streamRows }, progress, send) => {
    const plans = queries.map((q) => new QueryPlan(parseQuery(q), q));
    const format = range.headerNames ? makeFormat(range.headerNames, 0) : DEFAULT_FORMAT;
    let last = 0;
    let sent = 0;
    const sendRows = (leader: QueryPass, end: boolean) => {
      const res = leader.result;
      // Rows after a header line mid-range are not sent: the query reruns on one thread.
      const upTo = res.rowsBeforeLateHeader ?? res.rows.length;
      if (upTo === sent && !end) return;
      const m: RowsMessage = { rows: res.rows.slice(sent, upTo), formatNames: res.formatNames };
      if (end) m.end = { lines: res.lines, lateHeader: res.lateHeader };
      sent = upTo;
      send(m);
    };
    const chunks = readFileRange(range.path, range.start, range.end, range.before, range.total);
    let leader: QueryPass | undefined;
    const results = await scanRange(plans, cap, chunks, format, range.start === 0, (pass, chunk) => {
      leader = pass;
      if (streamRows) sendRows(pass, false);
      const done = chunk.bytesDone - range.before;
      if (done - last >= 8 << 20) {
        last = done;
        progress(done);
      }
    });
    progress(range.end - range.start);
    if (streamRows) {
      if (leader) sendRows(leader, true);
      else send({ rows: [], formatNames: results[0].formatNames, end: { lines: results[0].lines, lateHeader: results[0].lateHeader } } satisfies RowsMessage);
      results[0].rows = []; // already sent
    }
    for (const r of results) r.groups = packKeys(r.groups);
    return results;
  });
}
