// Results so far, while the scan goes on (the summary's provisional sections, as CloudWatch Logs Insights shows
// partial results). Each thread now and then takes a snapshot of its passes, cheap by construction: an
// aggregation with few groups is copied whole (its result so far is exact once the threads' copies are merged
// here, by the engine's own merge), a top-N gives only its best groups (its ranking value known for each), never
// its whole table. The thread that runs the query keeps each thread's latest snapshot and merges them into
// provisional results: small aggregations exact as far as read, top lists provisional (a group's other threads'
// share may be missing, and past the turn to the sketch, groups not in the sample carry the sketch's estimate).
import type { QueryPlan, GroupView } from './plan';
import { AggregatePass, ScanPass, rowOrder } from './passes';
import { Value } from './values';
import { Partition } from './groups/partitions';
import { GroupTableData, bytesOf } from './groups/groupTable';
import { AggregateStates } from './groups/aggregates';
import { KeyDisplay, decodeKeys } from './groups/keyCodec';
import { keyDisplays } from './groups/groupKeys';
import { planAggKinds } from './groups/mergeGroups';
import { sampled } from './groups/topN';
import { freeBuffers } from '../threads/freeBuffers';

/** An aggregation with at most this many groups (and DISTINCT entries) on a thread is copied whole. */
export const SMALL_GROUPS = 50_000;
/** Best groups a thread gives of a top-N (the result shows LIMIT of them; other threads' best may differ). */
export const TOP_CANDIDATES = 64;

/** A group of a top-N so far: its key values, its aggregates (null: not known, past the turn to the sketch). */
export interface TopCandidate {
  keys: Value[];
  aggs: Value[];
  seq: number;
}

/**
 * Every group of a small aggregation on one thread, in a few arrays (not a table per partition: thousands of
 * buffers to make, post and read each time; not a value array per group: garbage a worker's small young
 * generation promotes): the groups' key bytes one after the other, their aggregate states' numbers (two per
 * aggregate) and values, and each DISTINCT aggregate's entries (group key bytes, then the value's).
 */
export interface GroupsSnapshot {
  kind: 'groups';
  keys: KeyList;
  seqs: Float64Array;
  acc: Float64Array;
  values?: Value[];
  /** Per DISTINCT aggregate: its entries, and the length of each one's group key. */
  distinct: { entries: KeyList; groupLength: Int32Array }[];
}

/** Encoded keys one after the other: key k is bytes[starts[k], starts[k + 1]). */
export interface KeyList {
  bytes: Uint8Array;
  starts: Int32Array;
}

/** One plan's state on one thread, mid-scan: every group (exact), or a top-N's best groups. */
export type PlanSnapshot = GroupsSnapshot | { kind: 'top'; candidates: TopCandidate[]; estimated: boolean };

/** A thread's snapshot: per plan (undefined: nothing to show, e.g. too many groups, or spilled), and records read. */
export interface ThreadSnapshot {
  thread: number;
  records: number;
  plans: (PlanSnapshot | undefined)[];
  /** Milliseconds the thread has spent on its snapshots so far. */
  ms?: number;
}

/** One plan's provisional result. */
export interface PartialPlanResult {
  columns: string[];
  rows: Value[][];
  /** A top list from the threads' best groups: provisional (and `estimated`: some values are the sketch's). */
  provisional: boolean;
  estimated: boolean;
}

/** What the results so far are handed with. */
export interface PartialResults {
  results: (PartialPlanResult | undefined)[];
  /** Records read so far (the first plan's matches: every record for the summary's totals). */
  records: number;
  /** Bytes read of all (as onProgress counts them). */
  bytesDone: number;
  bytesTotal: number;
}

export interface PartialOptions {
  onResults: (partial: PartialResults) => void;
  /** How often results are handed on (default defaultPartialMs()); the first after a little less. */
  everyMs?: number;
}

const DEBUG = process.env.FLOWLOG_DEBUG_PARTIAL === '1';

/**
 * How often threads take a snapshot and results are handed on, by default: each snapshot costs a thread a look at
 * its groups (the top-Ns' whole tables while they are exact), and the merge here is on the thread that answers
 * requests; at 1.5 s both come to about 1% of the scan.
 */
export const PARTIAL_EVERY_MS = 1500;

/** The period when the caller gives none: FLOWLOG_PARTIAL_MS (tests: 0, a snapshot after every chunk), else PARTIAL_EVERY_MS. */
export function defaultPartialMs(): number {
  const fromEnv = process.env.FLOWLOG_PARTIAL_MS;
  const ms = fromEnv ? Number(fromEnv) : NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : PARTIAL_EVERY_MS;
}

/** When a thread takes its first snapshot: a little before the period (results once every thread's is in). */
export function firstSnapshotAt(everyMs = defaultPartialMs()): number {
  return performance.now() + everyMs * 0.6;
}

/** Whether a plan is a top-N (its best groups, not all of them, make a snapshot). */
function isTopN(plan: QueryPlan): boolean {
  return plan.aggregate && plan.limit !== undefined && plan.rankAggregate !== undefined;
}

/** The key values of group g of a table. */
function keysOf(table: GroupTableData, g: number, count: number, display: readonly KeyDisplay[]): Value[] {
  const keys = new Array<Value>(count).fill(null);
  decodeKeys(bytesOf(table.keyWords), table.keyStart[g] * 4, count, display, keys);
  return keys;
}

/**
 * The best `n` groups of a pass's tables by its ranking aggregate (exact values on this thread; `skip`: groups left
 * out). One look at each group, and a group below the n-th best so far costs nothing more (no allocation).
 */
function bestOf(pass: AggregatePass, n: number, skip?: (hash: number) => boolean): { part: Partition; g: number }[] {
  const rank = pass.plan.rankAggregate!;
  const kept: { value: number; part: Partition; g: number }[] = [];
  // The worst kept (its place and value): a group must beat it to come in.
  let worst = 0;
  let floor = -Infinity;
  for (const part of pass.groups.parts) {
    if (!part) continue;
    const { table, states } = part;
    for (let g = 0; g < table.size; g++) {
      const v = states.finish(g, rank);
      const value = typeof v === 'number' ? v : 0;
      if (kept.length >= n && value <= floor) continue;
      if (skip?.(table.hashes[g])) continue;
      if (kept.length < n) kept.push({ value, part, g });
      else kept[worst] = { value, part, g };
      if (kept.length < n) continue;
      worst = 0;
      for (let i = 1; i < kept.length; i++) if (kept[i].value < kept[worst].value) worst = i;
      floor = kept[worst].value;
    }
  }
  return kept.sort((a, b) => b.value - a.value);
}

function bestGroups(pass: AggregatePass, n: number): TopCandidate[] {
  const count = pass.plan.groupBy.length;
  const display = keyDisplays(pass.plan.groupBy);
  return bestOf(pass, n).map(({ part, g }) => ({
    keys: keysOf(part.table, g, count, display),
    aggs: Array.from({ length: part.states.width }, (_, i) => part.states.finish(g, i)),
    seq: part.table.firstSeq[g],
  }));
}

/**
 * A top-N's best groups as it turns to its sketch (its table is exact so far): kept by the thread, so that its
 * snapshots past the turn still name the heavy groups that are not in the sample (with the sketch's estimate).
 */
export interface HeavyGroups {
  keys: TopCandidate[];
  hashes: number[];
}

export function heavyGroups(pass: AggregatePass): HeavyGroups {
  // Not the sampled groups: the sample keeps those, exactly.
  const best = bestOf(pass, TOP_CANDIDATES, sampled);
  const count = pass.plan.groupBy.length;
  const display = keyDisplays(pass.plan.groupBy);
  return {
    keys: best.map(({ part, g }) => ({ keys: keysOf(part.table, g, count, display), aggs: [], seq: part.table.firstSeq[g] })),
    hashes: best.map(({ part, g }) => part.table.hashes[g]),
  };
}

function groupsSnapshot(p: AggregatePass): GroupsSnapshot {
  const width = p.kinds.length;
  const n = p.groups.size();
  const acc = new Float64Array(Math.max(1, n * width * 2));
  const seqs = new Float64Array(n);
  const tables: GroupTableData[] = [];
  let values: Value[] | undefined;
  let k = 0;
  for (const part of p.groups.parts) {
    if (!part || part.table.size === 0) continue;
    const { table, states } = part;
    tables.push(table);
    acc.set(states.acc.subarray(0, table.size * width * 2), k * width * 2);
    seqs.set(table.firstSeq.subarray(0, table.size), k);
    if (states.hasValues()) {
      values ??= new Array<Value>(n * width).fill(null);
      for (let i = 0; i < table.size * width; i++) values[k * width + i] = states.values[i] ?? null;
    }
    k += table.size;
  }
  const distinct = p.distinctEntries.map((entries) => {
    const parts = entries.parts.filter((t): t is NonNullable<typeof t> => t !== undefined && t.size > 0);
    const groupLength = new Int32Array(entries.size());
    let e = 0;
    for (const t of parts) for (let i = 0; i < t.size; i++) groupLength[e++] = t.auxLength![i];
    return { entries: keyList(parts), groupLength };
  });
  return values ? { kind: 'groups', keys: keyList(tables), seqs, acc, values, distinct } : { kind: 'groups', keys: keyList(tables), seqs, acc, distinct };
}

/** The keys of tables, in table order, copied one after the other. */
function keyList(tables: readonly GroupTableData[]): KeyList {
  let count = 0;
  let length = 0;
  for (const t of tables) {
    count += t.size;
    for (let g = 0; g < t.size; g++) length += t.keyLength[g];
  }
  const bytes = new Uint8Array(length);
  const starts = new Int32Array(count + 1);
  let k = 0;
  let at = 0;
  for (const t of tables) {
    const from = bytesOf(t.keyWords);
    for (let g = 0; g < t.size; g++) {
      const start = t.keyStart[g] * 4;
      bytes.set(from.subarray(start, start + t.keyLength[g]), at);
      at += t.keyLength[g];
      starts[++k] = at;
    }
  }
  return { bytes, starts };
}

/** The arrays of a thread's snapshot (each one's own buffer), to transfer or to free. */
export function snapshotBuffers(snapshot: ThreadSnapshot): ArrayBuffer[] {
  const arrays = snapshot.plans.flatMap((p) => (p?.kind === 'groups' ? [p.acc, p.seqs, p.keys.bytes, p.keys.starts, ...p.distinct.flatMap((d) => [d.entries.bytes, d.entries.starts, d.groupLength])] : []));
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

function freeSnapshot(snapshot: ThreadSnapshot): void {
  freeBuffers(snapshotBuffers(snapshot));
}

/** Key k of a list as a string (a map key: equal values encode to equal bytes on every thread). */
function keyText(list: Buffer, starts: Int32Array, k: number, from = starts[k], to = starts[k + 1]): string {
  return list.toString('latin1', from, to);
}

/** A key list's bytes as a Buffer (one view for all its keys). */
function keyBuffer(list: KeyList): Buffer {
  return Buffer.from(list.bytes.buffer, list.bytes.byteOffset, list.bytes.byteLength);
}

/** A thread's snapshot of its passes (`heavy`: per pass, the heavy groups kept at its turn to the sketch). */
export function snapshotPasses(passes: readonly ScanPass[], heavy: readonly (HeavyGroups | undefined)[], thread: number): ThreadSnapshot {
  const plans = passes.map((p, i): PlanSnapshot | undefined => {
    if (!(p instanceof AggregatePass)) return undefined;
    if (isTopN(p.plan)) {
      if (p.candidates) return undefined; // a second pass
      if (!p.sketch) return { kind: 'top', candidates: bestGroups(p, TOP_CANDIDATES), estimated: false };
      // Past the turn: the sample's best (exact), and the heavy groups of the turn with the sketch's estimate.
      const candidates = bestGroups(p, TOP_CANDIDATES);
      const rank = p.plan.rankAggregate!;
      const h = heavy[i];
      if (h) {
        h.keys.forEach((k, j) => {
          const aggs = new Array<Value>(p.plan.aggs.length).fill(null);
          aggs[rank] = p.sketch!.estimate(h.hashes[j]);
          candidates.push({ keys: k.keys, aggs, seq: k.seq });
        });
      }
      return { kind: 'top', candidates, estimated: true };
    }
    if (p.hasSpilled || p.groups.size() > SMALL_GROUPS || p.distinctEntries.some((e) => e.size() > SMALL_GROUPS)) return undefined;
    return groupsSnapshot(p);
  });
  return { thread, records: passes[0]?.matched ?? 0, plans };
}

/**
 * The thread that runs the query: each thread's latest snapshot, merged into results so far, handed on at most
 * every `everyMs` (the first once every thread has sent one, or half that time after the first came).
 */
export class PartialCollector {
  private readonly latest = new Map<number, ThreadSnapshot>();
  private lastHanded = 0;
  private firstCame = 0;
  private stopped = false;
  private mergeMs = 0;
  bytesDone = 0;
  bytesTotal = 0;
  private readonly everyMs: number;

  constructor(private readonly plans: readonly QueryPlan[], private readonly options: PartialOptions, private readonly threads: number) {
    this.everyMs = options.everyMs ?? defaultPartialMs();
  }

  /** A thread's snapshot came. */
  add(snapshot: ThreadSnapshot): void {
    if (this.stopped) return;
    const before = this.latest.get(snapshot.thread);
    this.latest.set(snapshot.thread, snapshot);
    // The snapshot it replaces is let go of at once (its arrays came from another thread: external memory, which
    // waits for a full collection otherwise).
    if (before) freeSnapshot(before);
    const now = performance.now();
    if (this.firstCame === 0) this.firstCame = now;
    const due = this.lastHanded === 0 ? this.latest.size >= this.threads || now - this.firstCame >= this.everyMs / 2 : now - this.lastHanded >= this.everyMs * 0.9;
    if (!due) return;
    this.lastHanded = now;
    const merged = this.merged();
    this.mergeMs += performance.now() - now;
    if (DEBUG) {
      const m = process.memoryUsage();
      process.stderr.write(`[partial] merged in ${(performance.now() - now).toFixed(1)} ms (${this.mergeMs.toFixed(0)} ms in all); threads' snapshots ${[...this.latest.values()].map((s) => `${(s.ms ?? 0).toFixed(0)} ms`).join(', ')} in all; rss ${m.rss >> 20} heap ${m.heapUsed >> 20}/${m.heapTotal >> 20} ext ${m.external >> 20} MB\n`);
    }
    this.options.onResults(merged);
  }

  /** No more results so far (the first pass is done: the results are becoming final). */
  stop(): void {
    this.stopped = true;
    for (const s of this.latest.values()) freeSnapshot(s);
    this.latest.clear();
  }

  private merged(): PartialResults {
    const snapshots = [...this.latest.values()];
    const results = this.plans.map((plan, i): PartialPlanResult | undefined => {
      const mine = snapshots.map((s) => s.plans[i]);
      if (mine.some((m) => m === undefined)) return undefined;
      const columns = [...plan.columns];
      const tops = mine.filter((m): m is Extract<PlanSnapshot, { kind: 'top' }> => m!.kind === 'top');
      if (tops.length === mine.length) {
        return { columns, rows: mergeTop(plan, tops.map((t) => t.candidates)), provisional: true, estimated: tops.some((t) => t.estimated) };
      }
      if (tops.length > 0) return undefined;
      const rows = mergeGroups(plan, mine as GroupsSnapshot[]);
      return rows && { columns, rows, provisional: false, estimated: false };
    });
    return { results, records: snapshots.reduce((n, s) => n + s.records, 0), bytesDone: this.bytesDone, bytesTotal: this.bytesTotal };
  }
}

/**
 * The threads' best groups of a top-N merged by key (counts and sums add; other aggregates, or one not known on
 * some thread, are null), ranked by the plan's ORDER BY, LIMIT applied.
 */
export function mergeTop(plan: QueryPlan, lists: TopCandidate[][]): Value[][] {
  const byKey = new Map<string, TopCandidate>();
  const additive = plan.aggs.map((a) => !a.distinct && (a.fn === 'count' || a.fn === 'sum'));
  for (const list of lists) {
    for (const c of list) {
      const key = JSON.stringify(c.keys);
      const had = byKey.get(key);
      if (!had) {
        byKey.set(key, { keys: c.keys, aggs: c.aggs.map((v, i) => (additive[i] ? v : null)), seq: c.seq });
        continue;
      }
      had.seq = Math.min(had.seq, c.seq);
      const more = c.aggs;
      had.aggs = had.aggs.map((v, i) => (typeof v === 'number' && typeof more[i] === 'number' ? v + (more[i] as number) : null));
    }
  }
  return finishViews(plan, [...byKey.values()].map((c) => ({ view: { keys: c.keys, aggs: c.aggs }, seq: c.seq })));
}


/**
 * The threads' groups of a small aggregation merged by key (each aggregate by its own merge), DISTINCT values
 * counted; undefined when there is nothing to show yet, or a DISTINCT aggregate other than a count.
 */
export function mergeGroups(plan: QueryPlan, snapshots: readonly GroupsSnapshot[]): Value[][] | undefined {
  const kinds = planAggKinds(plan);
  const width = kinds.length;
  const total = snapshots.reduce((n, s) => n + s.seqs.length, 0);
  if (total === 0) return plan.groupBy.length === 0 ? undefined : [];
  const distinctAggs = plan.aggs.flatMap((a, i) => (a.distinct ? [i] : []));
  if (distinctAggs.some((i) => plan.aggs[i].fn !== 'count')) return undefined;
  const count = plan.groupBy.length;
  const display = keyDisplays(plan.groupBy);
  const states = new AggregateStates(kinds, total);
  const index = new Map<string, number>();
  const groups: { keys: Value[]; seq: number }[] = [];
  for (const s of snapshots) {
    const text = keyBuffer(s.keys);
    for (let g = 0; g < s.seqs.length; g++) {
      const key = keyText(text, s.keys.starts, g);
      let id = index.get(key);
      if (id === undefined) {
        id = groups.length;
        index.set(key, id);
        const keys = new Array<Value>(count).fill(null);
        decodeKeys(s.keys.bytes, s.keys.starts[g], count, display, keys);
        groups.push({ keys, seq: s.seqs[g] });
      } else groups[id].seq = Math.min(groups[id].seq, s.seqs[g]);
      states.mergeAt(id, s.acc, g * width * 2, s.values, g * width);
    }
  }
  // Each DISTINCT aggregate's values per group (by the group's key bytes), once each.
  const distinctSets = distinctAggs.map((_, j) => {
    const sets = new Map<string, Set<string>>();
    for (const s of snapshots) {
      const d = s.distinct[j];
      if (!d) continue;
      const text = keyBuffer(d.entries);
      const starts = d.entries.starts;
      for (let e = 0; e < d.groupLength.length; e++) {
        const from = starts[e];
        const group = keyText(text, starts, e, from, from + d.groupLength[e]);
        let set = sets.get(group);
        if (!set) sets.set(group, (set = new Set()));
        set.add(keyText(text, starts, e, from + d.groupLength[e]));
      }
    }
    return sets;
  });
  const keyOf = [...index.keys()];
  const views = groups.map((g, id) => {
    const aggs = Array.from({ length: width }, (_, i) => states.finish(id, i));
    distinctAggs.forEach((i, j) => (aggs[i] = distinctSets[j].get(keyOf[id])?.size ?? 0));
    return { view: { keys: g.keys, aggs }, seq: g.seq };
  });
  states.release();
  return finishViews(plan, views);
}

/** Groups to result rows: HAVING, ORDER BY (ties in the order groups first occurred), LIMIT, the SELECT list. */
function finishViews(plan: QueryPlan, groups: { view: GroupView; seq: number }[]): Value[][] {
  const ranked: { keys: Value[]; seq: number; view: GroupView }[] = [];
  for (const { view, seq } of groups) {
    if (plan.groupHaving) {
      const h = plan.groupHaving(view);
      if (h === null || h === 0 || h === '') continue;
    }
    ranked.push({ keys: plan.groupOrder.map((f) => f(view)), seq, view });
  }
  ranked.sort(rowOrder(plan));
  return ranked.slice(0, plan.limit ?? ranked.length).map((r) => plan.groupSelect.map((f) => f(r.view)));
}
