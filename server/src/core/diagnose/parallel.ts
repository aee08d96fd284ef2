// Reading on a second thread. The join needs the records in order, so the input is not split: one worker thread
// reads and parses the files and hands the packed batches to the main thread, which does everything else (joins
// conversations, counts scans, keeps coverage). Reading and parsing is the larger half (a profile on 1.8 M records:
// about 60% against 40%), so the diagnosis runs on two cores at the reader's pace. The worker stays at most a few batches ahead (it waits for
// acknowledgements), so memory does not grow with the input.
//
// The bundles (dist/cli.js, dist/server.js, the bench) start themselves as the worker: their entries call
// maybeRunAsDiagnoseWorker() first. From sources (tests under tsx) there is no bundle, and everything runs inline.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { QuerySource } from '../query/sources';
import { RECORD_WORDS, RecordBatch } from './packed';
import { ReadStats, RecordReader } from './records';

const JOB = 'flowlogDiagnoseReader';
/** Batches in flight at most (each about 360 KB). */
const AHEAD = 8;

interface ReaderJob {
  paths: string[];
}

type FromWorker =
  | { type: 'batch'; buffer: ArrayBuffer; count: number; files: string[]; interfaces: string[]; bytes: number }
  | { type: 'end'; stats: ReadStats; files: string[]; interfaces: string[] }
  | { type: 'error'; message: string };


/** The bundle that can start itself as the worker, or undefined when running from sources. */
function workerScript(): string | undefined {
  return typeof __filename === 'string' && __filename.endsWith('.js') ? __filename : undefined;
}

/** Whether a diagnosis of `source` should read on a worker thread. */
export function readerThreadAvailable(source: QuerySource, bytes: number): boolean {
  const env = process.env.FLOWLOG_DIAGNOSE_THREADS;
  if (env === '1') return false;
  return source.kind === 'files' && workerScript() !== undefined && (env === '2' || bytes >= 16 << 20);
}

/**
 * Reads the files on a worker thread; `onBatch` gets each batch in order, with `files` and `interfaces` (shared
 * lists the caller passed) already extended with the names its records refer to.
 */
export function readOnWorker(
  paths: string[], files: string[], interfaces: string[], onBatch: (batch: RecordBatch) => void,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; total: number },
): Promise<ReadStats> {
  return new Promise<ReadStats>((resolve, reject) => {
    const job: ReaderJob = { paths };
    // A small young generation keeps the reader's memory down: its chunks of text are short-lived.
    const worker = new Worker(workerScript()!, { workerData: { [JOB]: job }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', abort);
      f();
      void worker.terminate();
    };
    const abort = () => finish(() => reject(options.signal?.reason ?? new Error('cancelled')));
    options.signal?.addEventListener('abort', abort);
    const extend = (m: { files: string[]; interfaces: string[] }) => {
      for (const f of m.files) files.push(f);
      for (const i of m.interfaces) interfaces.push(i);
    };
    worker.on('message', (m: FromWorker) => {
      if (settled) return;
      try {
        if (m.type === 'batch') {
          extend(m);
          onBatch(RecordBatch.over(m.buffer, m.count));
          // The buffer goes back to the reader for its next batch: no garbage per batch on either side.
          worker.postMessage(m.buffer, [m.buffer]);
          options.onProgress?.(m.bytes, options.total);
        } else if (m.type === 'end') {
          extend(m);
          finish(() => resolve(m.stats));
        } else finish(() => reject(new Error(m.message)));
      } catch (e) {
        finish(() => reject(e));
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the diagnosis reader thread exited with ${code}`))));
  });
}

/** In the worker started by readOnWorker: reads, and returns true; elsewhere false. */
export function maybeRunAsDiagnoseWorker(): boolean {
  if (isMainThread || !workerData?.[JOB]) return false;
  const job = workerData[JOB] as ReaderJob;
  const port = parentPort!;
  const reader = new RecordReader();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const pool: ArrayBuffer[] = [];
  port.on('message', (returned: ArrayBuffer) => {
    pool.push(returned);
    inFlight--;
    wake?.();
    wake = undefined;
  });
  let sentFiles = 0;
  let sentInterfaces = 0;
  const names = () => {
    const files = reader.files.slice(sentFiles);
    const interfaces = reader.interfaces.list.slice(sentInterfaces);
    sentFiles = reader.files.length;
    sentInterfaces = reader.interfaces.list.length;
    return { files, interfaces };
  };
  reader
    .read({ kind: 'files', paths: job.paths }, (batch) => {
      const bytes = batch.count * RECORD_WORDS * 4;
      const buffer = pool.pop() ?? new ArrayBuffer(batch.capacity * RECORD_WORDS * 4);
      new Uint8Array(buffer).set(batch.bytes.subarray(0, bytes));
      inFlight++;
      port.postMessage({ type: 'batch', buffer, count: batch.count, bytes: reader.stats.bytes, ...names() } satisfies FromWorker, [buffer]);
    }, {
      between: () => (inFlight >= AHEAD ? new Promise<void>((resolve) => (wake = resolve)) : undefined),
    })
    .then(() => port.postMessage({ type: 'end', stats: reader.stats, ...names() } satisfies FromWorker))
    .catch((e: unknown) => port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromWorker));
  return true;
}
