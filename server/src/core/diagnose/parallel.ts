// Reading on the engine's worker threads. The join needs the records in order, so the work is split as the engine
// splits a query (query/input.ts planUnits: byte ranges of big files, whole files of a folder, gzip files whole) and
// the workers of the engine's pool (threads/pool.ts) parse units as they become idle, each into packed batches,
// while this thread takes the units' batches in unit order and does the rest (joins conversations, counts scans,
// keeps coverage).
//
// Batches travel through a ring of slots in shared memory per worker, never copied or allocated per batch: the
// worker fills a slot, posts its number, and waits when every slot of its ring is still unread; this thread reads
// the slot and hands it back. So each worker runs at most a ring ahead (RING_SLOTS batches), memory does not grow
// with the input, and while this thread joins one unit the workers parse the next ones.
//
// Interface ids and files are numbered per unit by the worker and renumbered here; line numbers of a range that
// starts inside its file are shifted by the lines of the ranges before. A header line a later range could not see
// (one inside a split file) makes the read start over on this thread (the caller does: see RestartOnOneThread).
import { QuerySource, ScanUnit, UnitReadInfo, expandSource, planUnits, readUnit, unitFormat } from '../query/input';
import { DecodeError } from '../readers/types';
import { DIAGNOSE_PARALLEL_MIN_BYTES, WorkerPool, registerTask, sharedPool } from '../threads/pool';
import { ByteInterner } from './byteInterner';
import { DEBUG_DIAGNOSE_MEMORY, debugDiagnoseMemory } from './debugMemory';
import { RECORD_WORDS, RecordBatch, W_FILE, W_IFACE, W_LINE } from './packed';
import { MAX_INTERFACES, RecordPacker } from './recordPacker';
import { MAX_SKIPPED_KEPT, ReadOptions, ReadStats, RecordSink, addExpansionProblems, addUnitProblems, emptyStats } from './readStats';

const TASKS = { open: 'diagnose.open', scan: 'diagnose.scan', close: 'diagnose.close' };
/** Slots of a worker's ring, and records a slot (a batch) holds: 16 × 4,096 × 88 bytes = 5.8 MB a worker. */
const RING_SLOTS = 16;
const SLOT_RECORDS = 4096;
const SLOT_BYTES = SLOT_RECORDS * RECORD_WORDS * 4;
/**
 * A worker whose ring is full waits until this many slots or fewer are unread, and this thread wakes it only then:
 * waking it for every slot read made the two threads trade places (a futex wake and a context switch) per batch.
 */
const RESUME_AT = RING_SLOTS / 2;
/** control words: batches posted and not yet read back, and the abort flag. */
const INFLIGHT = 0;
const ABORT = 1;
/** Big files are cut into ranges of about SPLIT_BYTES / 4 (input from DIAGNOSE_PARALLEL_MIN_BYTES is read on workers). */
const SPLIT_BYTES = 16 << 20;
const MAX_PIECES = 64;
/** Records renumbered at a time before the sink takes them (1,024 × 88 bytes: within a core's second-level cache). */
const RENUMBER_SLICE = 1024;
/** Milliseconds of joining before the event loop gets a turn. */
const PUMP_SLICE_MS = 10;

/** A header line inside a split file: the ranges after it were read with the wrong format. */
export class RestartOnOneThread extends Error {
  constructor(readonly file: string) {
    super(`${file} has a header line after its first line: read again on one thread`);
  }
}

interface SessionArgs {
  ring: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/** What a worker posts per batch: the slot, its records, and the interface ids new in the unit since the last post. */
interface BatchPosted {
  slot: number;
  count: number;
  names: string[];
  bytesDone: number;
}

interface UnitResult {
  stats: ReadStats;
  lines: number;
  /** A header line that did not start the file (the ranges after this one may have been read with another format). */
  lateHeader: boolean;
}

interface WorkerSession {
  ring: SharedArrayBuffer;
  control: Int32Array;
  /** Batches posted in all (the next slot is posted % RING_SLOTS). */
  posted: number;
}

const sessions = new Map<number, WorkerSession>();

registerTask(TASKS.open, (payload) => {
  const { session, args } = payload as { session: number; args: SessionArgs };
  sessions.set(session, { ring: args.ring, control: new Int32Array(args.control), posted: 0 });
});

registerTask(TASKS.close, (payload) => {
  sessions.delete((payload as { session: number }).session);
});

class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

registerTask(TASKS.scan, async (payload, ctx) => {
  const { session, unit } = payload as { session: number; unit: ScanUnit };
  const s = sessions.get(session);
  if (!s) throw new Error(`no diagnosis session ${session}`);
  const { control, ring } = s;
  const slotView = (n: number) => RecordBatch.view(ring, (n % RING_SLOTS) * SLOT_BYTES, SLOT_RECORDS);
  const interfaces = new ByteInterner(MAX_INTERFACES);
  const packer = new RecordPacker(interfaces, SLOT_RECORDS, slotView(s.posted));
  packer.startUnit(0, unit.file, unitFormat(unit));
  let sentNames = 0;
  let bytesDone = 0;
  let lateHeader = false;
  const post = (batch: RecordBatch) => {
    const names = interfaces.list.slice(sentNames);
    sentNames = interfaces.list.length;
    Atomics.add(control, INFLIGHT, 1);
    ctx.post({ slot: s.posted % RING_SLOTS, count: batch.count, names, bytesDone } satisfies BatchPosted);
    s.posted++;
    if (DEBUG_DIAGNOSE_MEMORY && s.posted % 256 === 0) debugDiagnoseMemory(`reader posted ${s.posted} batches`);
    // Every slot posted and unread: this worker is a ring ahead of the reader. It waits until half the ring is free
    // (the reader notifies when the count comes down to RESUME_AT; a count that changed before the wait began ends it).
    if (Atomics.load(control, INFLIGHT) >= RING_SLOTS) {
      for (;;) {
        if (Atomics.load(control, ABORT) === 1) throw new Cancelled();
        const inflight = Atomics.load(control, INFLIGHT);
        if (inflight <= RESUME_AT) break;
        Atomics.wait(control, INFLIGHT, inflight, 500);
      }
    }
    if (Atomics.load(control, ABORT) === 1) throw new Cancelled();
    packer.batch = slotView(s.posted);
  };
  const info: UnitReadInfo = {};
  let error: DecodeError | undefined;
  try {
    // The packer copies what it keeps of a chunk (interface ids), so the reader may reuse its two read buffers.
    for await (const chunk of readUnit(unit, undefined, info, { reuseBuffers: true })) {
      if (Atomics.load(control, ABORT) === 1) throw new Cancelled();
      bytesDone = chunk.bytesRead;
      // A header line a reader made up (line 0: JSON keys, CSV columns) comes with every range that needs one.
      packer.chunk(chunk, post, (line) => {
        if (line !== 0 && !(unit.startsFile && line === 1)) lateHeader = true;
      });
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    error = e;
  }
  addUnitProblems(packer.stats, info, error);
  packer.stats.bytes = unit.end - unit.start;
  if (packer.batch.count > 0) post(packer.batch);
  return { stats: packer.stats, lines: packer.lines, lateHeader } satisfies UnitResult;
});

/**
 * Reader threads for a diagnosis of `source` on `threads` threads in all (0: read on this thread). This thread joins,
 * so threads − 1 read: the join is the larger half, more readers would wait for it.
 */
export function readerThreads(source: QuerySource, bytes: number, threads: number): number {
  if (source.kind !== 'files' || threads <= 1 || bytes < DIAGNOSE_PARALLEL_MIN_BYTES) return 0;
  return sharedPool(threads - 1) ? threads - 1 : 0;
}

let nextSession = 1;

interface UnitState {
  unit: ScanUnit;
  worker: number;
  posted: BatchPosted[];
  result?: UnitResult;
  /** Local interface id → the sink's number; whether some differ (else the batches keep the worker's numbers). */
  ids: number[];
  renumber: boolean;
}

/**
 * Reads the files of `source` on `threads` workers of the engine's pool, handing `sink` each batch in file order.
 * Throws RestartOnOneThread when a split file has a header line the later ranges could not see.
 */
export async function readOnPool(source: Extract<QuerySource, { kind: 'files' }>, sink: RecordSink, threads: number, options: ReadOptions = {}): Promise<ReadStats> {
  const pool = sharedPool(threads)!;
  return pool.use(() => readWith(pool, source, sink, threads, options));
}

async function readWith(pool: WorkerPool, source: Extract<QuerySource, { kind: 'files' }>, sink: RecordSink, threads: number, options: ReadOptions): Promise<ReadStats> {
  const expanded = await expandSource(source);
  // One reader gains nothing from ranges (it reads them one after another) and each range is a new file handle, read
  // buffers and interner: a file is then one unit. Several readers take ranges as they become idle.
  const units = await planUnits(source, expanded, threads === 1 ? 1 : MAX_PIECES, SPLIT_BYTES);
  const workers = Math.max(1, Math.min(threads, units.length));
  const session = nextSession++;
  const rings = Array.from({ length: workers }, () => new SharedArrayBuffer(RING_SLOTS * SLOT_BYTES));
  const controls = Array.from({ length: workers }, () => new SharedArrayBuffer(8));
  const control = controls.map((c) => new Int32Array(c));
  const stats = emptyStats();
  addExpansionProblems(stats, expanded);
  const interfaceNumber = new Map<string, number>();
  const states = new Map<number, UnitState>();
  let next = 0;
  let started = -1;
  let given = 0;
  let failure: unknown;
  // The file of the unit being read and the lines of its ranges before it.
  let fileIndex = -1;
  let lineBase = 0;

  const stop = () => {
    for (const c of control) {
      Atomics.store(c, ABORT, 1);
      Atomics.notify(c, INFLIGHT);
    }
  };
  const onAbort = () => {
    failure ??= options.signal?.reason ?? new Error('cancelled');
    stop();
  };
  options.signal?.addEventListener('abort', onAbort);

  const release = (worker: number) => {
    // The worker waits only above RESUME_AT, and the count comes down one at a time: wake it when it reaches it.
    if (Atomics.sub(control[worker], INFLIGHT, 1) === RESUME_AT + 1) Atomics.notify(control[worker], INFLIGHT);
  };

  const consume = (st: UnitState, m: BatchPosted) => {
    for (const name of m.names) {
      let n = interfaceNumber.get(name);
      if (n === undefined) {
        n = sink.interfaces.length;
        sink.interfaces.push(name);
        interfaceNumber.set(name, n);
      }
      if (n !== st.ids.length) st.renumber = true;
      st.ids.push(n);
    }
    const batch = RecordBatch.view(rings[st.worker], m.slot * SLOT_BYTES, SLOT_RECORDS);
    batch.count = m.count;
    if (!st.renumber && fileIndex === 0 && lineBase === 0) {
      // The worker's numbers are this thread's (the first file, read as one unit: the usual single file).
      sink.onBatch(batch, 0, m.count);
    } else {
      const w = batch.words;
      const ids = st.ids;
      // Renumbered a slice at a time, just before the consumers read it (the slice is then in this core's cache).
      for (let from = 0; from < m.count; from += RENUMBER_SLICE) {
        const to = Math.min(m.count, from + RENUMBER_SLICE);
        for (let o = from * RECORD_WORDS, end = to * RECORD_WORDS; o < end; o += RECORD_WORDS) {
          w[o + W_IFACE] = ids[w[o + W_IFACE]];
          w[o + W_FILE] = fileIndex;
          w[o + W_LINE] += lineBase;
        }
        sink.onBatch(batch, from, to);
      }
    }
    options.onProgress?.(st.unit.before + Math.min(m.bytesDone, st.unit.end - st.unit.start), st.unit.total);
  };


  const startUnit = (unit: ScanUnit) => {
    if (unit.startsFile) {
      sink.files.push(unit.file);
      fileIndex = sink.files.length - 1;
      lineBase = 0;
    }
  };

  const finishUnit = (st: UnitState) => {
    const r = st.result!;
    const s = r.stats;
    stats.records += s.records;
    stats.traffic += s.traffic;
    stats.nodata += s.nodata;
    stats.skipdata += s.skipdata;
    stats.malformed += s.malformed;
    stats.incomplete += s.incomplete;
    stats.bytes += s.bytes;
    for (const k of s.skipped) if (stats.skipped.length < MAX_SKIPPED_KEPT) stats.skipped.push({ ...k, line: k.line + lineBase });
    if (s.fileErrors) (stats.fileErrors ??= []).push(...s.fileErrors);
    if (s.changed) (stats.changed ??= []).push(...s.changed);
    const following = units[st.unit.index + 1];
    if (r.lateHeader && following && !following.startsFile && following.file === st.unit.file) throw new RestartOnOneThread(st.unit.file);
    lineBase += r.lines;
  };

  // Batches are joined in slices of PUMP_SLICE_MS, the event loop let in between: the workers' messages come faster
  // than the join takes them, and a language server (this thread) must still answer its requests meanwhile.
  let pumpScheduled = false;
  const schedulePump = () => {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump(PUMP_SLICE_MS);
    });
  };

  /** Hands on what has arrived of the units in order (for at most `sliceMs`, then again later). */
  const pump = (sliceMs = Infinity) => {
    if (failure !== undefined) return;
    const deadline = performance.now() + sliceMs;
    try {
      for (;;) {
        const st = states.get(next);
        if (!st) return;
        if (started !== next) {
          started = next;
          startUnit(st.unit);
        }
        while (st.posted.length > 0) {
          if (performance.now() > deadline) {
            schedulePump();
            return;
          }
          consume(st, st.posted.shift()!);
          release(st.worker);
        }
        if (!st.result) return;
        finishUnit(st);
        states.delete(next);
        next++;
      }
    } catch (e) {
      failure ??= e;
      stop();
    }
  };

  const run = async (worker: number) => {
    await pool.call(worker, TASKS.open, { session, args: { ring: rings[worker], control: controls[worker] } satisfies SessionArgs });
    try {
      while (failure === undefined && given < units.length) {
        const unit = units[given++];
        const st: UnitState = { unit, worker, posted: [], ids: [], renumber: false };
        states.set(unit.index, st);
        st.result = await pool.call<UnitResult>(worker, TASKS.scan, { session, unit }, (data) => {
          if (failure !== undefined) {
            release(worker);
            return;
          }
          st.posted.push(data as BatchPosted);
          if (unit.index === next) schedulePump();
        });
        pump(PUMP_SLICE_MS);
      }
    } catch (e) {
      failure ??= e;
      stop();
    } finally {
      await pool.call(worker, TASKS.close, { session }).catch(() => undefined);
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, (_, i) => run(i)));
    // Every unit has its result: what is still posted is joined now, to the end.
    pump();
    if (failure === undefined && next < units.length) failure = new Error(`the diagnosis's read stopped at unit ${next} of ${units.length}`);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) throw failure instanceof Cancelled ? (options.signal?.reason ?? failure) : failure;
  return stats;
}

/** Kept for the bundles' entries: the diagnosis now reads on the engine's pool (maybeRunAsPoolWorker). */
export function maybeRunAsDiagnoseWorker(): boolean {
  return false;
}
