// Jobs off the caller's thread (issue 14): the language server runs a connectivity diagnosis or a conversations query
// on one long-lived worker thread (the "job host") instead of its main thread, which then only relays the job's
// progress and answers other requests meanwhile (a check while a 1 GB diagnosis runs: milliseconds, not seconds).
//
// Why a host thread for the whole job, and not only the join: everything a diagnosis does per record (the join, scans,
// coverage, a conversations query's WHERE and GROUP BY on every closed conversation) runs where the records arrive, and
// it is most of the work; moving all of it leaves the main thread one message per whole percent. The job's readers
// are the host's own pool (threads/pool.ts sharedPool, started inside the host: nested workers), as the main thread's
// would be: the same units, the same ring of shared slots, so the same speed; the main thread's pool stays free for
// the engine's queries. Jobs are registered by name (registerJob) by the modules that own them (the handlers), and
// every bundle that starts the host runs its module code, as the pool's tasks do. Without a bundle (sources under
// tsx) the job runs here, the same code.
//
// Cancellation: the caller's signal posts a cancel; the job's signal aborts in the host (the diagnosis's join yields
// every 10 ms, so it sees it at once), the job unwinds and removes its spill files, and the host takes the next job.
// Every job spills under its own folder, removed here once the job has settled, whatever it left. A host that does not
// answer a cancel within CANCEL_GRACE_MS (stuck in a long synchronous step) is terminated: a new one starts for the
// next job. An idle host is terminated after IDLE_MS to give its memory back (and does not keep the process alive).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryError } from '../query/errors';
import { onPoolWanted, ownBundle, releaseIdlePool } from './pool';

/** What a job gets besides its payload. */
export interface JobContext {
  signal: AbortSignal;
  /** Progress of the job's input (bytes done of total); the host passes on whole percents only. */
  onProgress: (done: number, total: number) => void;
  /** A folder for the job's spill files (removed after the job), or undefined: the system's temporary folder. */
  spillDir?: string;
}

export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<unknown>;

export interface OffThreadOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const jobs = new Map<string, JobHandler>();

/** Registers a job that runOffThread can run by name (at module load, so that the host's copy of the bundle has it). */
export function registerJob(name: string, handler: JobHandler): void {
  jobs.set(name, handler);
}

/** Milliseconds a host has to stop a cancelled job before it is terminated. */
const CANCEL_GRACE_MS = 3000;
/** Milliseconds without a job after which the host is terminated. */
const IDLE_MS = 60_000;
const HOST_MARK = 'flowlogJobHost';

type ToHost = { type: 'run'; id: number; job: string; payload: unknown; spillDir: string } | { type: 'cancel'; id: number };
type FromHost =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; error: WireError };

/** An error as it crosses threads: a QueryError keeps its position, an AbortError its name. */
interface WireError {
  name: string;
  message: string;
  stack?: string;
  query?: { offset: number; line: number; column: number; expected?: string[] };
}

function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const wire: WireError = { name: e.name, message: e.message, stack: e.stack };
  if (e instanceof QueryError) wire.query = { offset: e.offset, line: e.line, column: e.column, expected: e.expected };
  return wire;
}

function fromWire(w: WireError): Error {
  let e: Error;
  if (w.query) {
    // The position as the host computed it (the query text is the caller's: it is not sent back).
    e = Object.create(QueryError.prototype) as Error;
    Object.assign(e, { message: w.message, offset: w.query.offset, line: w.query.line, column: w.query.column, expected: w.query.expected });
  } else e = new Error(w.message);
  Object.defineProperty(e, 'name', { value: w.name, writable: true, configurable: true });
  if (w.stack) e.stack = w.stack;
  return e;
}

/** In the job host: serves jobs and returns true; elsewhere returns false at once. */
export function maybeRunAsJobHost(): boolean {
  if (isMainThread || !workerData?.[HOST_MARK]) return false;
  const port = parentPort!;
  const running = new Map<number, AbortController>();
  const post = (m: FromHost) => port.postMessage(m);
  port.on('message', (m: ToHost) => {
    if (m.type === 'cancel') {
      running.get(m.id)?.abort();
      return;
    }
    const handler = jobs.get(m.job);
    if (!handler) {
      post({ type: 'error', id: m.id, error: { name: 'Error', message: `no job ${m.job} in this thread` } });
      return;
    }
    const abort = new AbortController();
    running.set(m.id, abort);
    let lastPercent = -1;
    const onProgress = (done: number, total: number) => {
      const percent = total > 0 ? Math.floor((done / total) * 100) : 0;
      if (percent === lastPercent) return;
      lastPercent = percent;
      post({ type: 'progress', id: m.id, done, total });
    };
    Promise.resolve()
      .then(() => handler(m.payload, { signal: abort.signal, onProgress, spillDir: m.spillDir }))
      .then((result) => {
        // A job cancelled while it ran answers cancelled even when it got to its end first.
        abort.signal.throwIfAborted();
        post({ type: 'done', id: m.id, result });
      })
      .catch((e: unknown) => post({ type: 'error', id: m.id, error: toWire(e) }))
      .finally(() => {
        running.delete(m.id);
      });
  });
  return true;
}

interface PendingJob {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number) => void;
  spillDir: string;
  /** What a callback of the caller threw (the job is then cancelled, and fails with it). */
  failure?: Error;
}

/** The main thread's side of one host thread. */
class JobHost {
  readonly worker: Worker;
  readonly pending = new Map<number, PendingJob>();
  private idleTimer: NodeJS.Timeout | undefined;
  private dead = false;

  constructor(script: string, private readonly onGone: (host: JobHost) => void) {
    this.worker = new Worker(script, { workerData: { [HOST_MARK]: true } });
    this.worker.unref();
    this.worker.on('message', (m: FromHost) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') {
        try {
          p.onProgress?.(m.done, m.total);
        } catch (e) {
          // The caller's callback failed: the job is of no use any more.
          this.cancel(m.id);
          p.onProgress = undefined;
          p.failure ??= e as Error;
        }
        return;
      }
      this.settle(m.id);
      if (p.failure) p.reject(p.failure);
      else if (m.type === 'done') p.resolve(m.result);
      else p.reject(fromWire(m.error));
    });
    this.worker.on('error', (e) => this.failJobs(this.retire(), e));
    this.worker.on('exit', (code) => this.failJobs(this.retire(), new Error(`the diagnosis thread stopped (exit code ${code})`)));
  }

  /** No job runs here now. */
  get idle(): boolean {
    return this.pending.size === 0;
  }

  run(id: number, job: string, payload: unknown, options: OffThreadOptions): Promise<unknown> {
    const spillDir = mkdtempSync(join(tmpdir(), 'flowlog-job-'));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress: options.onProgress, spillDir });
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ type: 'run', id, job, payload, spillDir } satisfies ToHost);
    });
  }

  cancel(id: number): void {
    if (!this.pending.has(id)) return;
    this.worker.postMessage({ type: 'cancel', id } satisfies ToHost);
    const timer = setTimeout(() => {
      if (this.pending.has(id)) void this.terminate(new Error('the diagnosis thread did not stop when cancelled: it was restarted'));
    }, CANCEL_GRACE_MS);
    timer.unref();
  }

  /** A job settled: its spill folder goes, and an idle host no longer keeps the process alive. */
  private settle(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    rmSync(p.spillDir, { recursive: true, force: true });
    if (this.pending.size === 0 && !this.dead) {
      this.worker.unref();
      this.idleTimer = setTimeout(() => void this.terminate(), IDLE_MS);
      this.idleTimer.unref();
    }
  }

  /** Takes no more jobs (the next one starts a new host); the jobs it had, to fail. */
  private retire(): PendingJob[] {
    if (this.dead) return [];
    this.dead = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.onGone(this);
    const jobs = [...this.pending.values()];
    this.pending.clear();
    return jobs;
  }

  /** Jobs of a host that is gone: their spill folders go (nothing writes there any more) and they fail. */
  private failJobs(jobs: PendingJob[], error: Error): void {
    for (const p of jobs) {
      rmSync(p.spillDir, { recursive: true, force: true });
      p.reject(error);
    }
  }

  /** Stops the thread; its jobs (if any) fail with `error` once it has stopped. */
  async terminate(error = new Error('the diagnosis thread was stopped')): Promise<void> {
    const jobs = this.retire();
    await this.worker.terminate();
    this.failJobs(jobs, error);
  }
}

let host: JobHost | undefined;
let nextJob = 1;

// A query wanting this thread's pool stops an idle host (no host runs outside the language server's main thread).
onPoolWanted(() => {
  if (host?.idle) void stopJobHost();
});

/** Whether jobs run on a host thread (a bundle is running: threads/pool.ts ownBundle). */
export function jobsRunOffThread(): boolean {
  return ownBundle() !== undefined && process.env.FLOWLOG_JOBS_OFF_THREAD !== '0';
}

/**
 * Runs the job `name` on the host thread (started on first use), or here when there is no bundle to start it with.
 * Progress comes as whole percents; the result and errors as the job gave them (a QueryError with its position).
 */
export async function runOffThread<T>(name: string, payload: unknown, options: OffThreadOptions = {}): Promise<T> {
  const { signal, onProgress = () => undefined } = options;
  if (!jobsRunOffThread()) {
    const handler = jobs.get(name);
    if (!handler) throw new Error(`no job ${name}`);
    return (await handler(payload, { signal: signal ?? new AbortController().signal, onProgress })) as T;
  }
  signal?.throwIfAborted();
  // One set of threads at a time: the job reads on the host's own pool, so this thread's idle pool goes (a 1 GB
  // summary's workers held about 60 MB beside the diagnosis's); an idle host goes when this pool is wanted (below).
  releaseIdlePool();
  host ??= new JobHost(ownBundle()!, (gone) => {
    if (host === gone) host = undefined;
  });
  const id = nextJob++;
  const running = host;
  const onAbort = () => running.cancel(id);
  signal?.addEventListener('abort', onAbort);
  try {
    return (await running.run(id, name, payload, { onProgress })) as T;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The host thread's id while one runs (tests: the same thread serves the next job). */
export function jobHostThreadId(): number | undefined {
  return host?.worker.threadId;
}

/** Stops the host thread, if one runs (tests; a server shutting down). */
export async function stopJobHost(): Promise<void> {
  const h = host;
  host = undefined;
  await h?.terminate();
}
