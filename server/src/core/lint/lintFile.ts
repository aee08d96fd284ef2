// Lint of one file from disk, streamed in file order into a sink that may make it wait (back-pressure): on this
// thread, or for a big plain file on worker threads, one range each. Workers run ahead of the output only so
// far: each may have WORKER_WINDOW batches handed on and not yet written (credit-based flow control, the credits
// in shared memory), then waits until the sink has taken its earlier ones. Memory is bounded by the workers'
// windows, whatever the file and however slow the reader. The thread pool is the query engine's (planRanges,
// runWorkerJobs, maybeRunWorkerJob); everything lint asks of it is in this module.
import { stat } from 'node:fs/promises';
import { FileRange, maybeRunWorkerJob, planRanges, runWorkerJobs } from '../query/workers';
import { readFileRange } from '../query/sources';
import { LintCounts, LintProblem, RangeLinter, addCounts, lintChunks, zeroCounts } from './rangeLinter';

export interface LintSink {
  /** Takes the next problems, in file order; a returned promise holds the linting back until it settles. */
  write(batch: LintProblem[]): void | Promise<void>;
}

export interface LintFileOptions {
  signal?: AbortSignal;
  /** Problems handed to the sink at most (the rest are counted only); default all. */
  keep?: number;
  /** Use worker threads for a big plain file (default true). */
  parallel?: boolean;
}

/** Batches a worker may have handed on that the sink has not taken yet. */
const WORKER_WINDOW = 8;
const LINT_JOB = 'flowlogLintWorker';

interface LintJob {
  range: FileRange;
  /** Batches taken by the sink, per job (Int32 counters the main thread raises and notifies). */
  credits: SharedArrayBuffer;
  index: number;
  window: number;
  keep: number;
}

interface RangeEnd {
  counts: LintCounts;
  lateHeader: boolean;
  lastHeaderNames?: string[];
}

/** A batch of problems as a worker posts it: columns, which cost far less to copy between threads than objects. */
interface PackedProblems {
  lines: Int32Array;
  columns: Int32Array;
  endColumns: Int32Array;
  severities: Uint8Array;
  codes: string[];
  messages: string[];
}

type LintMessage = { problems: PackedProblems } | { end: RangeEnd };

const SEVERITIES: LintProblem['severity'][] = ['error', 'warning', 'info'];

function pack(problems: LintProblem[]): PackedProblems {
  const n = problems.length;
  const packed: PackedProblems = { lines: new Int32Array(n), columns: new Int32Array(n), endColumns: new Int32Array(n), severities: new Uint8Array(n), codes: new Array<string>(n), messages: new Array<string>(n) };
  for (let i = 0; i < n; i++) {
    const p = problems[i];
    packed.lines[i] = p.line;
    packed.columns[i] = p.column;
    packed.endColumns[i] = p.endColumn;
    packed.severities[i] = SEVERITIES.indexOf(p.severity);
    packed.codes[i] = p.code;
    packed.messages[i] = p.message;
  }
  return packed;
}

/** The problems of a packed batch, their lines moved down by `lineOffset`. */
function unpack(file: string, packed: PackedProblems, lineOffset: number): LintProblem[] {
  const problems = new Array<LintProblem>(packed.lines.length);
  for (let i = 0; i < problems.length; i++) {
    const line = packed.lines[i] + lineOffset;
    problems[i] = { file, line, column: packed.columns[i], endLine: line, endColumn: packed.endColumns[i], severity: SEVERITIES[packed.severities[i]], code: packed.codes[i], message: packed.messages[i] };
  }
  return problems;
}

/** What the main thread held at most while streaming workers' output: a figure for tests and `FLOWLOG_LINT_STATS`. */
export const lintStreamStats = { maxQueuedProblems: 0 };

/** Lints `path`, handing its problems to `sink` in file order; resolves with the counts. */
export async function lintFile(path: string, sink: LintSink, options: LintFileOptions = {}): Promise<LintCounts> {
  const size = (await stat(path)).size;
  const ranges = options.parallel === false ? undefined : await planRanges([path]);
  if (ranges && ranges.length > 1) return lintInWorkers(path, size, ranges, sink, options);
  return lintHere(path, 0, size, undefined, 0, sink, options);
}

/** Lints bytes [start, end) of `path` on this thread; `lineOffset` lines come before them. */
async function lintHere(path: string, start: number, end: number, headerNames: string[] | undefined, lineOffset: number, sink: LintSink, options: LintFileOptions): Promise<LintCounts> {
  const linter = new RangeLinter(path, { headerNames, startsFile: start === 0, lineOffset, keep: options.keep });
  await lintChunks(readFileRange(path, start, end, 0, 0), linter, (batch) => sink.write(batch), options.signal);
  return linter.counts;
}

async function lintInWorkers(path: string, size: number, ranges: FileRange[], sink: LintSink, options: LintFileOptions): Promise<LintCounts> {
  const credits = new Int32Array(new SharedArrayBuffer(4 * ranges.length));
  const queues: LintMessage[][] = ranges.map(() => []);
  let queued = 0;
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  const jobs: LintJob[] = ranges.map((range, index) => ({ range, credits: credits.buffer as SharedArrayBuffer, index, window: WORKER_WINDOW, keep: options.keep ?? Infinity }));
  const run = runWorkerJobs<void>(LINT_JOB, jobs, {
    signal: stop.signal,
    onData: (i, data) => {
      const m = data as LintMessage;
      queues[i].push(m);
      if ('problems' in m) {
        queued += m.problems.lines.length;
        if (queued > lintStreamStats.maxQueuedProblems) lintStreamStats.maxQueuedProblems = queued;
      }
      wake?.();
    },
  }).then(
    () => undefined,
    (e: unknown) => {
      failure = e;
    },
  ).finally(() => {
    finished = true;
    wake?.();
  });

  try {
    const total = zeroCounts();
    let lineOffset = 0;
    for (let r = 0; r < ranges.length; r++) {
      for (;;) {
        const m = queues[r].shift();
        if (!m) {
          if (finished) throw failure ?? new Error(`a lint worker ended without finishing its part of ${path}`);
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        if ('problems' in m) {
          queued -= m.problems.lines.length;
          await sink.write(unpack(path, m.problems, lineOffset));
          options.signal?.throwIfAborted();
          // The batch is written: the worker may hand on one more.
          Atomics.add(credits, r, 1);
          Atomics.notify(credits, r);
          continue;
        }
        addCounts(total, m.end.counts);
        lineOffset += m.end.counts.lines;
        if (m.end.lateHeader && r + 1 < ranges.length) {
          // A header line inside this range binds the records after it, but later ranges were started with the
          // file's first header: stop them and lint the rest here, bound by the header this range ended with.
          stop.abort();
          await run;
          addCounts(total, await lintHere(path, ranges[r + 1].start, size, m.end.lastHeaderNames, lineOffset, sink, options));
          return total;
        }
        break;
      }
    }
    await run;
    if (failure) throw failure;
    return total;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

type WaitAsync = (a: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** In a lint worker thread: lints its range, handing problems on as its credit allows, and returns true; elsewhere false. */
export function maybeRunAsLintWorker(): boolean {
  return maybeRunWorkerJob<LintJob, void>(LINT_JOB, async (job, _progress, send) => {
    const { range, index, window } = job;
    const credits = new Int32Array(job.credits);
    let handed = 0;
    const emit = async (problems: LintProblem[]) => {
      for (;;) {
        const taken = Atomics.load(credits, index);
        if (handed - taken < window) break;
        const wait = waitAsync(credits, index, taken);
        if (!wait.async) continue;
        // A pending waitAsync does not keep the thread's event loop alive: without a timer it would end here.
        const keepAlive = setInterval(() => undefined, 1 << 30);
        await wait.value;
        clearInterval(keepAlive);
      }
      send({ problems: pack(problems) } satisfies LintMessage);
      handed++;
    };
    const linter = new RangeLinter(range.path, { headerNames: range.start > 0 ? range.headerNames : undefined, startsFile: range.start === 0, keep: job.keep });
    await lintChunks(readFileRange(range.path, range.start, range.end, 0, 0), linter, emit);
    send({ end: { counts: linter.counts, lateHeader: linter.lateHeader, lastHeaderNames: linter.lastHeaderNames } } satisfies LintMessage);
  });
}
