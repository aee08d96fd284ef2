// Merging the groups that several threads (and spill runs) found, one partition at a time: the biggest thread's
// table of the partition takes the others' groups in place (their states combine by each aggregate's merge); the
// DISTINCT entries of the partition are deduplicated and folded into their groups; then the partition's groups
// become sorted result rows. Partitions never share a group, so they merge alone, on any thread, in any order.
import type { QueryPlan } from '../plan';
import type { GroupsState } from '../passState';
import { GroupTable, GroupTableData } from './groupTable';
import { AggregateStates, aggKind } from './aggregates';
import { foldDistinct, groupRows } from './finishGroups';
import { SpillRun, closeRunFiles, forEachRunGroup } from './spill';
import { PARTITIONS, Partition, PartitionData, livePartition } from './partitions';
import { keyDisplays } from './groupKeys';
import type { KeyDisplay } from './keyCodec';
import { BoundedHeap } from '../heap';
import { OrderedRow, rowOrder } from '../rowOrder';
import { isNumericField } from '../values';
import { lookupField } from '../../schema';
import { packedGroupCount } from './packedState';
import { arrayPool } from './arrayPool';

/** The aggregate kinds of a plan (the same on every thread). */
export function planAggKinds(plan: QueryPlan): Uint8Array {
  return Uint8Array.from(plan.aggs, (a) => aggKind(a, a.arg?.kind === 'column' && isNumericField(lookupField(a.arg.name))));
}

/** Whether any thread found any group (a query without GROUP BY over no records gives its one empty row). */
export function anyGroups(states: GroupsState[]): boolean {
  return states.some((s) => s.runs.length > 0 || (s.packed !== undefined && packedGroupCount(s.packed) > 0) || s.parts.some((p) => p !== undefined && p.table.size > 0));
}

/** The groups of partition p of every thread's state and spill runs, merged; undefined when it has none. */
export function mergePartition(plan: QueryPlan, states: GroupsState[], p: number, kinds = planAggKinds(plan)): Partition | undefined {
  const sources = states.map((s) => s.parts[p]).filter((x): x is PartitionData | Partition => x !== undefined && x.table.size > 0);
  const runs = states.flatMap((s) => s.runs);
  if (sources.length === 0 && !runs.some((r) => r.offsets[p + 1] > r.offsets[p])) return undefined;
  // The biggest table takes the others in place.
  sources.sort((a, b) => b.table.size - a.table.size);
  const base = sources.length > 0 ? livePartition(kinds, sources[0]) : emptyPartition(kinds, runGroupsAtMost(runs, p, kinds.length));
  const { table, states: agg } = base;
  for (const src of sources.slice(1)) {
    const t = src.table;
    const from = 'states' in src ? { acc: src.states.acc, values: src.states.values } : { acc: src.acc, values: src.values };
    for (let g = 0; g < t.size; g++) {
      const len = t.keyLength[g];
      const id = table.findOrAddWords(t.keyWords, t.keyStart[g], (len + 3) >>> 2, len, t.hashes[g], t.firstSeq[g]);
      agg.merge(id, from, g);
    }
  }
  for (const run of runs) {
    forEachRunGroup(run, p, (g) => {
      const id = table.findOrAddWords(g.keyWords, g.keyStart, (g.len + 3) >>> 2, g.len, g.hash, g.firstSeq);
      if (run.records) agg.addRecordAt(id, g.acc, g.accStart, g.firstSeq);
      else agg.mergeAt(id, g.acc, g.accStart, g.values, 0);
    });
  }
  plan.aggs.forEach((a, agg0) => {
    if (!a.distinct) return;
    const j = plan.aggs.slice(0, agg0).filter((x) => x.distinct).length;
    const entries = dedupe(states.map((s) => s.distinct[j]?.[p]), states.flatMap((s) => s.distinctRuns[j] ?? []), p);
    if (entries) foldDistinct(table, agg, agg0, entries);
  });
  return base;
}

/**
 * The most groups partition p of the runs can hold (each takes 16 bytes, a key of at least 8 and a number per aggregate at least): a
 * table made that big does not grow while it takes them (growing it, with fresh arrays at every doubling, was the
 * biggest cost of merging the record runs of near-unique keys). Capped, for runs of a few big groups.
 */
function runGroupsAtMost(runs: SpillRun[], p: number, width: number): number {
  let bytes = 0;
  for (const run of runs) bytes += run.offsets[p + 1] - run.offsets[p];
  return Math.min(bytes / (24 + width * 8), 1 << 20);
}

function emptyPartition(kinds: Uint8Array, capacity = 16): Partition {
  const table = new GroupTable(capacity);
  const states = new AggregateStates(kinds, table.capacity);
  table.onGrow = (cap) => states.grow(cap);
  return { table, states };
}

/** The DISTINCT entries of partition p from every thread and run, each once (the only table as it is). */
function dedupe(tables: (GroupTableData | undefined)[], runs: SpillRun[], p: number): GroupTableData | undefined {
  const present = tables.filter((t): t is GroupTableData => t !== undefined && t.size > 0);
  const runsHere = runs.filter((r) => r.offsets[p + 1] > r.offsets[p]);
  if (present.length === 1 && runsHere.length === 0) return present[0];
  if (present.length === 0 && runsHere.length === 0) return undefined;
  const out = new GroupTable();
  for (const t of present) {
    for (let e = 0; e < t.size; e++) {
      const len = t.keyLength[e];
      const id = out.findOrAddWords(t.keyWords, t.keyStart[e], (len + 3) >>> 2, len, t.hashes[e], t.firstSeq[e]);
      if (out.isNew) out.setAux(id, t.auxHash![e], t.auxLength![e]);
    }
  }
  for (const run of runsHere) {
    forEachRunGroup(run, p, (g) => {
      const id = out.findOrAddWords(g.keyWords, g.keyStart, (g.len + 3) >>> 2, g.len, g.hash, g.firstSeq);
      if (out.isNew) out.setAux(id, g.auxHash, g.auxLength);
    });
  }
  return out.data();
}

/**
 * The result rows of partitions [from, to) of the groups (all of them, or the best LIMIT by ORDER BY), sorted.
 * Partitions are merged one at a time: memory for one partition's groups, whatever their number in all. It
 * consumes those partitions of `states` (they are merged once).
 */
export function partitionRows(plan: QueryPlan, states: GroupsState[], from = 0, to = PARTITIONS): OrderedRow[] {
  const kinds = planAggKinds(plan);
  const display = keyDisplays(plan.groupBy);
  const better = rowOrder(plan);
  const limit = plan.limit ?? Infinity;
  const heap = Number.isFinite(limit) ? new BoundedHeap<OrderedRow>(limit, better) : undefined;
  const all: OrderedRow[] = [];
  try {
    mergeRange(plan, states, from, to, kinds, display, heap, all);
  } finally {
    // The arrays kept for reuse are freed: a thread between queries keeps none (a language server's would hold them).
    arrayPool.clear();
    closeRunFiles();
  }
  return heap ? heap.sorted() : all.sort(better);
}

function mergeRange(plan: QueryPlan, states: GroupsState[], from: number, to: number, kinds: Uint8Array, display: KeyDisplay[], heap: BoundedHeap<OrderedRow> | undefined, all: OrderedRow[]): void {
  for (let p = from; p < to; p++) {
    const merged = mergePartition(plan, states, p, kinds);
    // The biggest table took the partition's groups in place: the states must not keep it (nor the others), or
    // every merged partition stays alive to the end (all the groups at once, as if nothing had spilled).
    for (const s of states) {
      s.parts[p] = undefined;
      for (const d of s.distinct) if (d) d[p] = undefined;
    }
    if (!merged) continue;
    for (const row of groupRows(plan, merged.table, merged.states, display)) {
      if (heap) heap.push(row);
      else all.push(row);
    }
    // The rows are made: the partition's arrays serve the next one (views into a packed block are not taken).
    merged.table.release();
    merged.states.release();
  }
}
