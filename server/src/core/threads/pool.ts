// A pool of worker threads that stay up between jobs (starting a thread and loading the bundle costs tens of
// milliseconds; the language server runs many queries). The bundles (dist/cli.js, dist/server.js, the bench) start
// themselves as the workers: their entries call maybeRunAsPoolWorker() first. A worker runs tasks registered by
// name (registerTask); a task gets its payload, can post data and progress to the caller before its result, and
// keeps state between calls in its own module (a query's session lives in the worker that scans for it).
import { TransferListItem, Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HOLD_FLAG, afterWorkerStarted, heldByParent, youngGenerationHeld } from './youngGeneration';
import { envPositiveInteger } from '../envSettings';

export interface TaskContext {
  /** Sends data to the caller's onData (in order, before the result). */
  post(data: unknown, transfer?: TransferListItem[]): void;
}

export type TaskHandler = (payload: unknown, ctx: TaskContext) => Promise<unknown> | unknown;

const tasks = new Map<string, TaskHandler>();

/** A task's result with buffers to move to the caller instead of copying them (postMessage's transfer list). */
export class Transfer<T = unknown> {
  constructor(readonly value: T, readonly list: TransferListItem[]) {}
}

/** Registers a task that pool workers (and callers on the main thread) can run by name. */
export function registerTask(name: string, handler: TaskHandler): void {
  tasks.set(name, handler);
}

/** The handler of a registered task. */
export function taskHandler(name: string): TaskHandler {
  const handler = tasks.get(name);
  if (!handler) throw new Error(`no task ${name}`);
  return handler;
}

/** Runs a registered task on this thread (the one-thread path runs the same code as the workers). */
export async function runTaskHere(name: string, payload: unknown, onData?: (data: unknown) => void): Promise<unknown> {
  const result = await taskHandler(name)(payload, { post: (data) => onData?.(data) });
  return result instanceof Transfer ? result.value : result;
}

type ToWorker = { id: number; task: string; payload: unknown };
type FromWorker =
  | { id: number; type: 'data'; data: unknown }
  | { id: number; type: 'done'; result: unknown }
  | { id: number; type: 'error'; message: string; stack?: string };

const POOL_MARK = 'flowlogPoolWorker';
/** workerData: the worker was started while the young generations are held (threads/youngGeneration.ts). */
const HELD_MARK = 'flowlogYoungGenerationHeld';
const HOLD_AGAIN = `require('node:v8').setFlagsFromString(${JSON.stringify(HOLD_FLAG)});`;

/** In a pool worker: serves tasks and returns true; elsewhere returns false at once. */
export function maybeRunAsPoolWorker(): boolean {
  if (isMainThread || !workerData?.[POOL_MARK]) return false;
  if (workerData[HELD_MARK]) heldByParent();
  const port = parentPort!;
  port.on('message', (m: ToWorker) => {
    const handler = tasks.get(m.task);
    const reply = (r: FromWorker, transfer?: TransferListItem[]) => port.postMessage(r, transfer as never);
    if (!handler) {
      reply({ id: m.id, type: 'error', message: `no task ${m.task} in this worker` });
      return;
    }
    const ctx: TaskContext = { post: (data, transfer) => reply({ id: m.id, type: 'data', data }, transfer) };
    Promise.resolve()
      .then(() => handler(m.payload, ctx))
      .then((result) => (result instanceof Transfer ? reply({ id: m.id, type: 'done', result: result.value }, result.list) : reply({ id: m.id, type: 'done', result })))
      .catch((e: unknown) => reply({ id: m.id, type: 'error', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined }));
  });
  return true;
}

let bundledWorker: string | undefined | null = null;

function runningBundled(): boolean {
  return typeof __filename === 'string' && __filename.endsWith('.js');
}

/**
 * The bundle this code runs from (FLOWLOG_WORKER_SCRIPT when set), for a thread that must run all of it (the
 * language server's job host); undefined when running from sources.
 */
export function ownBundle(): string | undefined {
  return process.env.FLOWLOG_WORKER_SCRIPT || (runningBundled() ? __filename : undefined);
}

/**
 * The bundle worker threads start from: dist/worker.js beside this bundle (only what workers run, about 10 MB a
 * worker less than loading the CLI's or the server's bundle), else this bundle itself (the bench's bundles start
 * themselves), or undefined when running from sources (tests under tsx).
 */
export function workerScript(): string | undefined {
  const fromEnv = process.env.FLOWLOG_WORKER_SCRIPT;
  if (fromEnv) return fromEnv;
  if (!runningBundled()) return undefined;
  if (bundledWorker === null) {
    const beside = join(dirname(__filename), 'worker.js');
    bundledWorker = existsSync(beside) ? beside : undefined;
  }
  return bundledWorker ?? __filename;
}

/** Threads for a query: FLOWLOG_QUERY_WORKERS, else the cores (at most 8). */
export function defaultThreadCount(): number {
  return envPositiveInteger('FLOWLOG_QUERY_WORKERS') ?? Math.min(availableParallelism(), 8);
}

/** Threads for a diagnosis: FLOWLOG_DIAGNOSE_THREADS, else the engine's (FLOWLOG_QUERY_WORKERS, else the cores). */
export function diagnoseThreadCount(): number {
  return envPositiveInteger('FLOWLOG_DIAGNOSE_THREADS') ?? defaultThreadCount();
}

/** Input from which a diagnosis reads on worker threads (diagnose/parallel.ts; the CLI starts them early: cli/prestart.ts). */
export const DIAGNOSE_PARALLEL_MIN_BYTES = 16 << 20;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onData?: (data: unknown) => void;
}

/** A pool's worker thread running `script`. */
function spawnPoolWorker(script: string): Worker {
  // A small young generation keeps each worker's memory down: chunks and per-file state are short-lived, and a
  // dead buffer (a small gzip file's inflated text) is freed only at a collection. 4 MB against 16: about 60 MB
  // less on a folder of 2,000 files, the workers' collection time the same within tens of milliseconds (README,
  // delivery memory).
  const held = youngGenerationHeld();
  const options = { workerData: { [POOL_MARK]: true, [HELD_MARK]: held }, resourceLimits: { maxYoungGenerationSizeMb: 4 } };
  // During a hold, dist/worker.js's thread applies it again before it loads the bundle (threads/youngGeneration.ts:
  // its heap's configuration reset it, and the thread that holds it may be loading the CLI's bundle meanwhile; 8 MB
  // of young generation there otherwise, against 4). Not another bundle: loaded by require, it would not be the
  // main module its worker code checks for (cli.ts); it applies the hold when it serves (heldByParent).
  const early = held && script === bundledWorker;
  const worker = early ? new Worker(`${HOLD_AGAIN}require(${JSON.stringify(script)});`, { ...options, eval: true }) : new Worker(script, options);
  // Its heap's configuration set V8's young generation growth back to the default (threads/youngGeneration.ts).
  worker.once('online', afterWorkerStarted);
  return worker;
}

interface Prestarted {
  script: string;
  worker: Worker;
  failed: boolean;
  /** Marks it failed on 'error' or 'exit' until a pool takes it. */
  watch: () => void;
}

/**
 * Workers started before anything asked for them, waiting for a pool to take them (cli/prestart.ts starts them while
 * the CLI's bundle is still being evaluated).
 */
const prestarted: Prestarted[] = [];

/** Starts `n` workers now for a pool to take later (their thread ids); idle, they do not keep the process alive. */
export function prestartWorkers(n: number): number[] {
  const script = workerScript();
  if (!script) return [];
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const p: Prestarted = { script, worker: spawnPoolWorker(script), failed: false, watch: () => (p.failed = true) };
    p.worker.once('error', p.watch);
    p.worker.once('exit', p.watch);
    p.worker.unref();
    prestarted.push(p);
    ids.push(p.worker.threadId);
  }
  return ids;
}

/** A worker started earlier for `script` that is still up, or undefined. */
function takePrestarted(script: string): Worker | undefined {
  for (let p = prestarted.shift(); p; p = prestarted.shift()) {
    if (p.script === script && !p.failed) {
      // Only its own listeners: the one spawnPoolWorker put on 'online' may still be waiting.
      p.worker.off('error', p.watch).off('exit', p.watch);
      return p.worker;
    }
    void p.worker.terminate();
  }
  return undefined;
}

class PoolWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  busy = 0;

  constructor(script: string, onExit: (w: PoolWorker, error: Error) => void) {
    this.worker = takePrestarted(script) ?? spawnPoolWorker(script);
    this.worker.on('message', (m: FromWorker) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'data') {
        try {
          p.onData?.(m.data);
        } catch (e) {
          p.reject(e as Error);
        }
        return;
      }
      this.pending.delete(m.id);
      this.busy--;
      // An idle worker must not keep the process alive; a busy one must (the caller awaits it).
      if (this.busy === 0) this.worker.unref();
      if (m.type === 'done') p.resolve(m.result);
      else {
        const e = new Error(m.message);
        if (m.stack) e.stack = m.stack;
        p.reject(e);
      }
    });
    const fail = (error: Error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      onExit(this, error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`a worker thread stopped (exit code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker again (a worker started before its first call,
    // cli/prestart.ts, kept an idle CLI from exiting).
    this.worker.unref();
  }
}

let nextId = 1;

/** Worker threads running registered tasks. */
export class WorkerPool {
  private workers: PoolWorker[] = [];
  /** Runs using the pool now (use()): their sessions live in the workers between calls. */
  private users = 0;

  constructor(private readonly script: string, readonly size: number) {}

  /** Runs `work`, which calls the pool, with the pool kept up meanwhile (releaseIfIdle leaves it alone). */
  async use<T>(work: () => Promise<T>): Promise<T> {
    this.users++;
    try {
      return await work();
    } finally {
      this.users--;
    }
  }

  /** Stops the workers when nothing uses them, giving their memory back; the next call starts new ones. */
  releaseIfIdle(): boolean {
    if (this.users > 0 || this.workers.some((w) => w && w.busy > 0) || !this.workers.some(Boolean)) return false;
    void this.terminate();
    return true;
  }

  private worker(i: number): PoolWorker {
    let w = this.workers[i];
    if (!w) {
      w = new PoolWorker(this.script, (dead) => {
        if (this.workers[i] === dead) this.workers[i] = undefined as unknown as PoolWorker;
      });
      this.workers[i] = w;
    }
    return w;
  }

  /**
   * Starts every worker now, before any call (a thread boots and loads its bundle for about 0.1 s: the CLI starts
   * them while it loads and plans). Idle workers do not keep the process alive.
   */
  start(): void {
    for (let i = 0; i < this.size; i++) this.worker(i);
  }

  /** Runs a task on worker `i` (tasks of a session go to the worker that holds its state). */
  call<T>(i: number, task: string, payload: unknown, onData?: (data: unknown) => void, transfer?: TransferListItem[]): Promise<T> {
    const w = this.worker(i);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      w.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onData });
      if (w.busy++ === 0) w.worker.ref();
      try {
        w.worker.postMessage({ id, task, payload } satisfies ToWorker, transfer as never);
      } catch (e) {
        // Not sent (a payload that cannot be cloned, a buffer already moved): no answer will come, so the call is
        // not waited for, and an idle worker must not keep the process alive (it did: the CLI printed the error
        // and then never exited).
        w.pending.delete(id);
        if (--w.busy === 0) w.worker.unref();
        reject(e);
      }
    });
  }

  /** The thread ids of the workers running now (tests). */
  get threadIds(): number[] {
    return this.workers.filter(Boolean).map((w) => w.worker.threadId);
  }

  /** Stops every worker (their state is lost; the next call starts new ones). */
  async terminate(): Promise<void> {
    const workers = this.workers.filter(Boolean);
    this.workers = [];
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

let shared: WorkerPool | undefined;
const poolWanted: (() => void)[] = [];

/** Calls `f` whenever this thread's pool is asked for (the job host's side stops an idle host then). */
export function onPoolWanted(f: () => void): void {
  poolWanted.push(f);
}

/**
 * Stops this thread's pool's workers if none is in use (the language server before a job on its host thread, which
 * reads on a pool of its own: the idle workers' heaps would otherwise stay beside it). Whether it did.
 */
export function releaseIdlePool(): boolean {
  return shared?.releaseIfIdle() ?? false;
}

/** The thread ids of this thread's pool's workers running now (tests). */
export function sharedPoolThreadIds(): number[] {
  return shared?.threadIds ?? [];
}

/**
 * The process's pool, sized for `threads` (it grows, never shrinks); undefined when workers are not available
 * (running from sources).
 */
export function sharedPool(threads = defaultThreadCount()): WorkerPool | undefined {
  const script = workerScript();
  if (!script) return undefined;
  for (const f of poolWanted) f();
  if (!shared || shared.size < threads) {
    void shared?.terminate();
    shared = new WorkerPool(script, threads);
  }
  return shared;
}
