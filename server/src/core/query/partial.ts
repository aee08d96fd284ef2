// Results so far, while the scan goes on (the summary's provisional sections, as CloudWatch Logs Insights shows
// partial results). Each thread now and then takes a snapshot of its passes (here), cheap by construction: an
// aggregation with few groups is copied whole (its result so far is exact once the threads' copies are merged
// by each aggregate's own merge), a top-N gives only its best groups (its ranking value known for each), never
// its whole table. The thread that runs the query keeps each thread's latest snapshot and merges them into
// provisional results (partialMerge.ts): small aggregations exact as far as read, top lists provisional (a group's
// other threads' share may be missing, and past the turn to the sketch, groups not in the sample carry the
// sketch's estimate).
import type { QueryPlan } from './plan';
import { AggregatePass } from './aggregatePass';
import { ScanPass } from './passes';
import { Value } from './values';
import { Partition } from './groups/partitions';
import { GroupTableData, bytesOf } from './groups/groupTable';
import { KeyDisplay, decodeKeys } from './groups/keyCodec';
import { keyDisplays } from './groups/groupKeys';
import { sampled } from './groups/topN';

/**
 * An aggregation with at most this many groups (and DISTINCT entries) on a thread is copied whole; a bigger one
 * shows only when final. The summary's minute timeline of the wide 1 GB bench file (33,620 groups) merged every
 * 1.5 s on the thread that runs the query made the summary far slower and its peak 514 MB: the cap keeps such
 * tables out (a timeline over more than about 17 hours of minutes among them; see README). At 4,096 the first merges
 * (cold code) held a language server's main thread 40-130 ms each; at 1,024, 55-70 ms for the first two, then < 20.
 */
export const SMALL_GROUPS = 1024;
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

/**
 * How often threads take a snapshot and results are handed on, by default: each snapshot costs a thread a look at
 * its groups (the top-Ns' whole tables while they are exact), and the merge here is on the thread that answers
 * requests; at 1.5 s both came to about 1% of the scan. 3 s after the first: half the work, and the language
 * server's peak during a 1 GB summary, 309-312 MB in single runs at 1.5 s against 298 without partial results,
 * is then 286-309 MB (noisy to +-12 MB from run to run).
 */
export const PARTIAL_EVERY_MS = 3000;

/** The first snapshot comes sooner than the period: sections on screen within about a second. */
const FIRST_SNAPSHOT_MS = 900;

/** The period when the caller gives none: FLOWLOG_PARTIAL_MS (tests: 0, a snapshot after every chunk), else PARTIAL_EVERY_MS. */
export function defaultPartialMs(): number {
  const fromEnv = process.env.FLOWLOG_PARTIAL_MS;
  const ms = fromEnv ? Number(fromEnv) : NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : PARTIAL_EVERY_MS;
}

/** When a thread takes its first snapshot: a little before the period (results once every thread's is in). */
export function firstSnapshotAt(everyMs = defaultPartialMs()): number {
  return performance.now() + Math.min(everyMs * 0.6, FIRST_SNAPSHOT_MS);
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
