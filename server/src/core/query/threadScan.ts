// What one thread does for a query: the passes of its plans (one query, or the summary's on one scan) over the
// units it is given, and what it hands back: per unit, the counts and the rows found (in the unit's order);
// at the end, each pass's state (the ordered rows it kept, or its groups).
import { QueryPlan } from './plan';
import { AggregatePass } from './aggregatePass';
import { ScanPass, SearchPass, SelectPass } from './passes';
import { ColumnUnion } from './columns';
import { ScanUnit } from './input';
import { ScanControl, UnitCounts, scanUnit } from './unitScan';
import { Value } from './values';
import { PassState } from './passState';
import { SpillFolder } from './groups/spill';
import { arrayPool } from './groups/arrayPool';
import { CountMin, MAX_SKETCH_WIDTH } from './groups/topN';
import { HeavyGroups, ThreadSnapshot, heavyGroups, snapshotPasses } from './partial';

/** A unit's results: its counts, and per plan the records matched and rows found in it (search, plain SQL). */
export interface UnitOutput {
  counts: UnitCounts;
  matched: number[];
  rows: (Value[][] | undefined)[];
}

export function makePass(plan: QueryPlan, cap: number, columns: ColumnUnion, candidates?: Candidates): ScanPass {
  if (plan.kind === 'search') return new SearchPass(plan, cap, columns);
  return plan.aggregate ? new AggregatePass(plan, candidates && { sketch: CountMin.over(candidates.cells), lower: candidates.lower }) : new SelectPass(plan, cap, columns);
}

/** The second pass of a two-pass top-N (groups/topN.ts): the merged sketch's cells and the lower bound. */
export interface Candidates {
  cells: Float32Array;
  lower: number;
}

/** How a thread takes part in two-pass top-Ns: per plan, a flag any thread sets when its groups pass the threshold. */
export interface TopNOptions {
  /** The input can be read again (files, an open document): the two-pass plan is allowed. */
  enabled: boolean;
  /** One cell per plan (shared between threads): 1 once some thread has turned that plan to the sketch. */
  flags: Int32Array;
  /** The width of the sketches (the same on every thread: they are added cell by cell); groups/topN.ts sketchWidth. */
  width?: number;
  /** Plans of a second pass: their candidates, by plan index. */
  candidates?: (Candidates | undefined)[];
  /**
   * Groups a thread holds before a top-N turns to its sketch (FLOWLOG_TOPN_THRESHOLD, read by the thread that runs
   * the query and handed to the workers: theirs is the environment they started with); else the table budget decides.
   */
  threshold?: number;
}

/**
 * A table with more groups than this per record it took is near-unique: when it passes the budget, the pass writes
 * records to runs rather than keep a table (groups/recordRuns.ts).
 */
const NEAR_UNIQUE = 0.5;
/**
 * Groups a top-N of a scan of several aggregations (the summary) holds on a thread before it turns to its sketch
 * (keepTopNsSmall): about where its table outgrows the cache.
 */
const SEVERAL_TOPN_GROUPS = 32_768;
/** The one aggregation of a scan is checked for near-unique keys once its groups take this part of the share. */
const EARLY_CHECK = 1 / 32;

/**
 * Groups per record above which a table is near-unique: NEAR_UNIQUE, or FLOWLOG_NEAR_UNIQUE (read as the scan
 * starts; tests set a value above 1 to keep tables, and see the spill and the sketch on the same files).
 */
function nearUniqueRatio(): number {
  const fromEnv = Number(process.env.FLOWLOG_NEAR_UNIQUE);
  return process.env.FLOWLOG_NEAR_UNIQUE && fromEnv > 0 ? fromEnv : NEAR_UNIQUE;
}

/** FLOWLOG_DEBUG_MEMORY=1: a thread prints its memory now and then (resident, heap, buffers, tables, pool). */
const DEBUG_MEMORY = process.env.FLOWLOG_DEBUG_MEMORY === '1';
const DEBUG_TOPN = process.env.FLOWLOG_DEBUG_TOPN === '1';

/** The memory a thread's groups may take before they spill to disk, and where they spill. */
export interface ThreadBudget {
  bytes: number;
  folder: SpillFolder;
  /**
   * What the groups leaving the scan's threads may take in memory, all threads together (KiB, shared: see
   * packedRoom): each takes its share as it finishes. Without it each thread keeps a quarter of its budget.
   */
  packedRoom?: Int32Array;
}

/**
 * The shared room for groups leaving the threads (ThreadBudget.packedRoom): a quarter of one thread's budget, for
 * all of them. The packed groups are held beside the tables of the threads still scanning, so a room of a quarter
 * of each thread's budget let the end of a big scan hold its groups twice (the 1 GB folder's top 10: 16 MB of groups
 * on each of two threads, packed and held while the other scanned on, 165-169 MB at the peak against 150-153 when
 * they spill, the CPU time the same).
 */
export function packedRoom(budgetBytes: number): Int32Array {
  const room = new Int32Array(new SharedArrayBuffer(4));
  room[0] = Math.floor(budgetBytes / 4 / 1024);
  return room;
}

export class ThreadScan {
  readonly passes: ScanPass[];
  private readonly matchedBefore: number[];
  /** Run files written because the groups passed the budget. */
  spills = 0;
  private readonly threshold: number | undefined;
  private readonly nearUniqueRatio: number;
  /** A top-N spills once before it turns to its sketch (keepTopNsSmall): when it is the scan's only aggregation. */
  private readonly spillFirst: boolean;
  private checks = 0;
  /**
   * Results so far are asked for (partial.ts): a top-N keeps its best groups as it turns to its sketch, so that
   * later snapshots still name them.
   */
  keepHeavy = false;
  private readonly heavy: (HeavyGroups | undefined)[] = [];
  /** Time spent on snapshots (FLOWLOG_DEBUG_PARTIAL prints it). */
  private snapshotMs = 0;

  constructor(readonly plans: readonly QueryPlan[], cap: number, readonly columns: ColumnUnion, private readonly budget?: ThreadBudget, private readonly topN?: TopNOptions) {
    this.passes = plans.map((p, i) => makePass(p, cap, columns, topN?.candidates?.[i]));
    this.threshold = topN?.threshold;
    this.nearUniqueRatio = nearUniqueRatio();
    this.spillFirst = this.passes.filter((p) => p instanceof AggregatePass).length === 1;
    this.matchedBefore = plans.map(() => 0);
    // Spilled tables come back as the next ones: the pool may hold a budget's worth (less the tables': keepInBudget).
    if (budget) arrayPool.limit = budget.bytes;
  }

  /** Bytes the aggregations hold now: their groups, DISTINCT entries and sketches (the table budget counts them). */
  groupBytes(): number {
    let n = 0;
    for (const p of this.passes) if (p instanceof AggregatePass) n += p.byteSize();
    return n;
  }

  /** The aggregation whose groups take the most memory (the one to spill first). */
  private biggestGroups(): AggregatePass | undefined {
    let biggest: AggregatePass | undefined;
    for (const p of this.passes) if (p instanceof AggregatePass && (!biggest || p.groupBytes() > biggest.groupBytes())) biggest = p;
    return biggest && biggest.holdsGroups ? biggest : undefined;
  }

  /**
   * Turns a top-N plan to its sketch once its groups pass the threshold here, or some other thread's did. Without a
   * threshold, a top-N first spills like any aggregation (keepInBudget) and turns to its sketch only when its groups
   * pass the budget again: writing a budget's worth of groups once costs less than reading the whole input a second
   * time (the wide 1 GB bench file's top 10 sources: one pass and a 50 MB spill, 20–25% less time than two passes),
   * and a query with many times the budget in groups still gets the sketch, its spilled groups folded in. That is
   * for a scan of one aggregation: in a scan of several (the summary) each top-N has a fraction of the share, and on
   * a high-cardinality log their groups are far past it, so they turn to the sketch at once (spilling them first
   * made the summary of the wide 1 GB file 26.0 → 30.0 s). There they turn once they pass SEVERAL_TOPN_GROUPS
   * already, well before half the budget: every record of a scan of several aggregations probes each of their
   * tables, and past the cache a probe costs a miss; the sketch and a second read of the candidates cost less (the
   * summary of the 1.8 M bench files: 20–28% less CPU on both, though friendly's pairs and rejected ports now take
   * the second pass too).
   */
  private keepTopNsSmall(): void {
    const topN = this.topN;
    if (!topN?.enabled) return;
    this.passes.forEach((p, i) => {
      if (!(p instanceof AggregatePass) || !p.canSketch) return;
      const budget = this.budget;
      const over = this.threshold !== undefined
        ? p.groups.size() > this.threshold
        : budget !== undefined && (this.spillFirst ? p.runs.length > 0 && p.groupBytes() > budget.bytes / 2 : p.groups.size() > SEVERAL_TOPN_GROUPS || p.groupBytes() > budget.bytes / 2);
      if (Atomics.load(topN.flags, i) === 1 || over) this.toSketch(i, p);
    });
  }

  /** Pass i turns to its sketch, and the flag tells the other threads' passes of the same plan to follow. */
  private toSketch(i: number, p: AggregatePass): void {
    Atomics.store(this.topN!.flags, i, 1);
    if (this.keepHeavy && p.canSketch) this.heavy[i] = heavyGroups(p);
    p.toSketch(this.topN!.width ?? MAX_SKETCH_WIDTH);
  }

  /** While the groups are over the budget, writes the biggest pass's to disk (spill.ts), or sketches a top-N. */
  private keepInBudget(): void {
    this.keepTopNsSmall();
    const budget = this.budget;
    if (!budget) return;
    if (DEBUG_MEMORY && ++this.checks % 20 === 0) {
      const m = process.memoryUsage();
      process.stderr.write(`[mem] rss ${m.rss >> 20} heap ${m.heapUsed >> 20}/${m.heapTotal >> 20} ext ${m.external >> 20} ab ${m.arrayBuffers >> 20} tables ${this.groupBytes() >> 20} pool ${arrayPool.bytes >> 20}\n`);
    }
    // The one aggregation of a scan whose table is near-unique at an eighth of the share turns to record runs
    // before its table grows further: growing it (fresh arrays, page faults) and spilling it would cost more than
    // the whole of the rest, and the table saves nothing over writing records out.
    if (this.spillFirst) {
      for (const p of this.passes) {
        if (p instanceof AggregatePass && p.groupBytes() > budget.bytes * EARLY_CHECK && this.nearUnique(p)) this.toRecordRuns(p);
      }
    }
    // The arrays kept for reuse count with the tables: together they stay within the budget.
    let total = this.groupBytes();
    if (total + arrayPool.bytes > budget.bytes) arrayPool.trim(Math.max(0, budget.bytes - total));
    while (total > budget.bytes) {
      const biggest = this.biggestGroups();
      if (!biggest) return;
      // A top-N that can read the input again and has spilled once turns to its sketch rather than spill again
      // (keepTopNsSmall).
      // Near-unique keys: the table saves little over writing each record out (groups/recordRuns.ts), and the
      // input is read once, not twice as with the sketch.
      if (this.nearUnique(biggest)) this.toRecordRuns(biggest);
      else if (this.topN?.enabled && biggest.canSketch && (!this.spillFirst || biggest.runs.length > 0)) this.toSketch(this.passes.indexOf(biggest), biggest);
      else this.spillPass(biggest);
      total = this.groupBytes();
    }
  }

  /** Spills the biggest passes' groups until the groups of all of them take at most `bytes`. */
  private spillDownTo(bytes: number): void {
    for (;;) {
      const biggest = this.biggestGroups();
      if (!biggest || this.heldGroupBytes() <= bytes) return;
      this.spillPass(biggest);
    }
  }

  private heldGroupBytes(): number {
    let held = 0;
    for (const p of this.passes) if (p instanceof AggregatePass) held += p.groupBytes();
    return held;
  }

  /**
   * Takes room for the groups this thread hands on from the room all threads share, spilling the biggest passes
   * until they fit what is left. Shared rather than a quarter per thread: how the units happened to split between
   * threads must not decide whether a small input spills (a thread that read 5/8 of an 80,000-record file spilled
   * and one that read half did not; the summary's `spilled` differed between two runs of the same file).
   */
  private spillToRoom(room: Int32Array): void {
    for (;;) {
      const held = Math.ceil(this.heldGroupBytes() / 1024);
      const left = Atomics.load(room, 0);
      if (held <= left) {
        if (Atomics.compareExchange(room, 0, left, left - held) === left) return;
        continue;
      }
      const biggest = this.biggestGroups();
      if (!biggest) return;
      this.spillPass(biggest);
    }
  }

  /**
   * Whether a pass's table is near-unique and should give way to record runs. A top-N under a test's threshold
   * (FLOWLOG_TOPN_THRESHOLD) follows the threshold to its sketch instead.
   */
  private nearUnique(p: AggregatePass): boolean {
    if (this.threshold !== undefined && p.canSketch) return false;
    return p.nearUnique(this.nearUniqueRatio);
  }

  /** The pass writes its records to runs from now on, through an arena of half the thread's share. */
  private toRecordRuns(p: AggregatePass): void {
    const budget = this.budget!;
    if (DEBUG_TOPN) process.stderr.write(`[records] ${p.plan.text.slice(0, 60)}: ${p.groups.size()} groups of ${p.matched} records to record runs\n`);
    p.toRecordRuns(budget.folder, budget.bytes / 2);
    // The spilled table's arrays are of no use to record runs: the arena takes their place in the budget.
    arrayPool.clear();
  }

  private spillPass(p: AggregatePass): void {
    if (!p.holdsGroups) return;
    p.spill(this.budget!.folder);
    this.spills++;
  }

  /** The passes' state so far, cheaply (partial.ts): small aggregations copied, top-Ns' best groups. */
  snapshot(thread: number): ThreadSnapshot {
    const t0 = performance.now();
    const out = snapshotPasses(this.passes, this.heavy, thread);
    this.snapshotMs += performance.now() - t0;
    out.ms = this.snapshotMs;
    return out;
  }

  /** The first query's result has all its rows: its pass keeps no more. */
  stopKeepingRows(): void {
    this.passes[0].stopKeepingRows?.();
  }

  /** Rows found so far in the current unit, per plan (taken: the pass starts a new list). */
  takeRows(): (Value[][] | undefined)[] {
    return this.passes.map((p) => {
      if (p instanceof SearchPass || (p instanceof SelectPass && !p.heap)) {
        const rows = p.rows.splice(0);
        return rows;
      }
      return undefined;
    });
  }

  /** Scans a unit; rows passes keep at most `rowBudget` of its rows (what the result still needs). */
  async scan(unit: ScanUnit, text: string | undefined, control: ScanControl = {}, rowBudget = Infinity): Promise<UnitOutput> {
    for (const p of this.passes) p.beginUnit?.(rowBudget);
    const afterChunk = control.afterChunk;
    const counts = await scanUnit(unit, text, this.passes, {
      ...control,
      afterChunk: () => {
        this.keepInBudget();
        afterChunk?.();
      },
    });
    const matched = this.passes.map((p, i) => p.matched - this.matchedBefore[i]);
    this.passes.forEach((p, i) => (this.matchedBefore[i] = p.matched));
    return { counts, matched, rows: this.takeRows() };
  }

  /**
   * Each pass's state after the last unit: to post to another thread (`shared`: the arrays only), or the live
   * tables, to finish on this thread.
   */
  finish(shared = false): PassState[] {
    // Another thread may have turned a plan to the sketch after this one's last chunk.
    this.keepTopNsSmall();
    if (process.env.FLOWLOG_DEBUG_TOPN === '1') {
      for (const p of this.passes) if (p instanceof AggregatePass && (p.sketch || p.candidates)) process.stderr.write(`[topN] ${p.sketch ? 'sampled groups' : 'candidate groups'}: ${p.groups.size()}\n`);
    }
    // Groups that already spilled are merged from disk partition by partition: the rest of them go there too, rather
    // than to the merge in memory (packed, copied, held by the thread that runs the query until a job takes them).
    if (this.budget) {
      // Record runs that wrote nothing yet: their records go into the table when it would fit what the thread keeps
      // (a quarter of its share when the groups leave for another thread; a table takes about twice the arena's bytes).
      const keep = shared ? this.budget.bytes / 4 : this.budget.bytes;
      for (const p of this.passes) if (p instanceof AggregatePass && !p.hasSpilled && p.groupBytes() + p.recordBytes <= keep) p.drainRecordRuns();
      for (const p of this.passes) if (p instanceof AggregatePass && p.hasSpilled) this.spillPass(p);
      for (const p of this.passes) if (p instanceof AggregatePass) p.closeRecordRuns();
      // Groups leaving for another thread are packed (a copy) and held by the thread that runs the query until a
      // merge job takes them: past a quarter of the budget (one quarter for all threads, when the scan shares it:
      // packedRoom) they go to disk instead (the page cache holds them).
      if (shared && this.budget.packedRoom) this.spillToRoom(this.budget.packedRoom);
      else if (shared) this.spillDownTo(this.budget.bytes / 4);
    }
    // The arrays kept for reuse are freed (the merge's partitions are of other sizes).
    arrayPool.clear();
    return this.passes.map((p): PassState => {
      if (p instanceof AggregatePass) {
        return {
          kind: 'groups',
          parts: shared ? p.groups.data() : p.groups.parts,
          distinct: p.distinctEntries.map((e) => (shared ? e.data() : e.parts)),
          bytes: p.byteSize(), runs: p.runs, distinctRuns: p.distinctRuns,
          sketch: p.sketch?.cells,
          ...(p.recordRuns ? { recordRuns: p.recordRuns.records } : {}),
        };
      }
      if (p instanceof SelectPass && p.heap) return { kind: 'ordered', rows: p.heap.sorted() };
      return { kind: 'rows' };
    });
  }
}
