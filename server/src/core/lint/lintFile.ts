// Lint of one file (any delivery shape, read through the readers) or stream, in file order into a sink that may make
// it wait (back-pressure): on this thread, or for a big uncompressed line-based file (plain text, CloudWatch, JSON
// lines, CSV) on worker threads, one range each, cut as the query engine cuts it (input.ts planUnits). Workers run
// ahead of the output only so far: each may have WORKER_WINDOW batches handed on and not yet written (credit-based
// flow control, the credits in shared memory), then waits until the sink has taken its earlier ones. Memory is
// bounded by the workers' windows, whatever the file and however slow the reader.
import { stat } from 'node:fs/promises';
import { maybeRunWorkerJob, runWorkerJobs, workerJobsAvailable } from '../query/workers';
import { ScanUnit, UnitReadInfo, defaultThreadCount, planUnits, readUnit } from '../query/input';
import { CsvOptions, DecodeError, Encoding } from '../readers';
import { LintCounts, LintProblem, RangeLinter, addCounts, lintChunks, zeroCounts } from './rangeLinter';

export interface LintSink {
  /** Takes the next problems, in file order; a returned promise holds the linting back until it settles. */
  write(batch: LintProblem[]): void | Promise<void>;
}

export interface LintFileOptions {
  signal?: AbortSignal;
  /** Problems handed to the sink at most (the rest are counted only); default all. */
  keep?: number;
  /** Use worker threads for a big file (default true). */
  parallel?: boolean;
  /** The encoding, where detection by content cannot decide (CSV separated by spaces…). */
  formatHint?: Encoding;
  csv?: CsvOptions;
  /** The file was found in a folder or glob: skip it (LintFileResult.skipped) when it is clearly not a flow log. */
  onlyFlowLogs?: boolean;
}

/** What a lint found besides its problems. */
export interface LintFileResult extends LintCounts {
  /** The file could not be read (or not to its end: missing, corrupt, truncated): why, and the line reached. */
  error?: { message: string; line?: number };
  /** The file changed while it was read. */
  changed?: string;
  /** The file (found in a folder) is not a flow log: why. Nothing of it was linted. */
  skipped?: string;
}

/** Batches a worker may have handed on that the sink has not taken yet. */
const WORKER_WINDOW = 8;
const LINT_JOB = 'flowlogLintWorker';

interface LintJob {
  unit: ScanUnit;
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
  error?: { message: string; line?: number };
  changed?: string;
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

/**
 * Lints `path` (a file of any delivery shape; `-`, a pipe or a FIFO as a stream), handing its problems to `sink` in
 * file order; resolves with the counts, and why the file could not be read to its end if it could not.
 */
export async function lintFile(path: string, sink: LintSink, options: LintFileOptions = {}): Promise<LintFileResult> {
  const hints = { formatHint: options.formatHint, csv: options.csv };
  let size = 0;
  let stream = path === '-';
  if (!stream) {
    try {
      const st = await stat(path);
      if (st.isDirectory()) return { ...zeroCounts(), error: { message: 'is a folder, not a file' } };
      stream = !st.isFile();
      size = st.size;
    } catch (e) {
      return { ...zeroCounts(), error: { message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message } };
    }
  }
  const expanded = { files: [{ path, size: stream ? 0 : size, stream, delivery: path, found: options.onlyFlowLogs }], skipped: [], errors: [] };
  const threads = defaultThreadCount();
  const parallel = options.parallel !== false && !stream && threads > 1 && workerJobsAvailable();
  const units = await planUnits({ kind: 'files', paths: [path], ...hints }, expanded, parallel ? threads : 1);
  if (units.length > 1) return lintInWorkers(path, units, sink, options);
  return lintHere(units[0], sink, options);
}

/** Lints a unit on this thread; `lineOffset` lines of its file come before it. */
async function lintHere(unit: ScanUnit, sink: LintSink, options: LintFileOptions, lineOffset = 0): Promise<LintFileResult> {
  const linter = new RangeLinter(unit.file, { headerNames: unit.startsFile ? undefined : unit.headerNames, startsFile: unit.startsFile, lineOffset, keep: options.keep });
  const info: UnitReadInfo = {};
  const result: LintFileResult = linter.counts;
  try {
    await lintChunks(readUnit(unit, undefined, info, { sourceColumns: true, reuseBuffers: true, signal: options.signal }), linter, (batch) => sink.write(batch), options.signal);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    result.error = e.line !== undefined ? { message: e.reason, line: e.line + lineOffset } : { message: e.reason };
  }
  if (info.changed) result.changed = info.changed;
  if (info.skipped) result.skipped = info.skipped;
  return result;
}

async function lintInWorkers(path: string, units: ScanUnit[], sink: LintSink, options: LintFileOptions): Promise<LintFileResult> {
  const credits = new Int32Array(new SharedArrayBuffer(4 * units.length));
  const queues: LintMessage[][] = units.map(() => []);
  let queued = 0;
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  const jobs: LintJob[] = units.map((unit, index) => ({ unit, credits: credits.buffer as SharedArrayBuffer, index, window: WORKER_WINDOW, keep: options.keep ?? Infinity }));
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
    const total: LintFileResult = zeroCounts();
    let lineOffset = 0;
    for (let r = 0; r < units.length; r++) {
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
        if (m.end.changed) total.changed = m.end.changed;
        if (m.end.error) {
          // The file cannot be read on from here: the ranges after it are not linted.
          stop.abort();
          await run;
          total.error = m.end.error.line !== undefined ? { message: m.end.error.message, line: m.end.error.line + lineOffset } : { message: m.end.error.message };
          return total;
        }
        lineOffset += m.end.counts.lines;
        if (m.end.lateHeader && r + 1 < units.length) {
          // A header line inside this range binds the records after it, but later ranges were started with the
          // file's first header: stop them and lint the rest here, bound by the header this range ended with.
          stop.abort();
          await run;
          const rest: ScanUnit = { ...units[r + 1], end: units[units.length - 1].end, endsFile: true, headerNames: m.end.lastHeaderNames };
          const after = await lintHere(rest, sink, options, lineOffset);
          addCounts(total, after);
          if (after.error) total.error = after.error;
          if (after.changed) total.changed = after.changed;
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
    const { unit, index, window } = job;
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
    const linter = new RangeLinter(unit.file, { headerNames: unit.startsFile ? undefined : unit.headerNames, startsFile: unit.startsFile, keep: job.keep });
    const info: UnitReadInfo = {};
    let error: RangeEnd['error'];
    try {
      await lintChunks(readUnit(unit, undefined, info, { sourceColumns: true, reuseBuffers: true }), linter, emit);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      error = e.line !== undefined ? { message: e.reason, line: e.line } : { message: e.reason };
    }
    send({ end: { counts: linter.counts, lateHeader: linter.lateHeader, lastHeaderNames: linter.lastHeaderNames, error, changed: info.changed } } satisfies LintMessage);
  });
}
