// From groups to result rows: DISTINCT values folded into their groups, then HAVING, ORDER BY (ties and the
// no-ORDER-BY case in the order groups first occurred), LIMIT and the SELECT list, over one table of groups.
import type { QueryPlan, GroupView } from '../plan';
import { OrderedRow, rowOrder } from '../rowOrder';
import { BoundedHeap } from '../heap';
import { Value } from '../values';
import { GroupTable, GroupTableData, bytesOf } from './groupTable';
import { AggregateStates } from './aggregates';
import { KeyDisplay, KeyScratch, decodeKeys } from './keyCodec';

/**
 * Adds the values of a table of DISTINCT (group key, value) entries to aggregate `agg` of their groups in
 * `table`: each distinct value once.
 */
export function foldDistinct(table: GroupTable, states: AggregateStates, agg: number, entries: GroupTableData): void {
  const scratch = new KeyScratch();
  const bytes = bytesOf(entries.keyWords);
  const value: Value[] = [null];
  for (let e = 0; e < entries.size; e++) {
    const groupHash = entries.auxHash![e];
    const start = entries.keyStart[e] * 4;
    const groupLength = entries.auxLength![e];
    scratch.reset();
    scratch.length = groupLength;
    for (let q = 0; q < groupLength; q++) scratch.bytes[q] = bytes[start + q];
    const words = scratch.seal();
    const g = table.find(scratch.words, 0, words, groupLength, groupHash);
    if (g < 0) continue; // cannot happen: every record adds its group first
    decodeKeys(bytes, start + groupLength, 1, [KeyDisplay.Plain], value);
    states.add(g, agg, value[0], entries.firstSeq[e]);
  }
}

/**
 * The result rows of one table's groups (all of them, or the best `limit` by ORDER BY), sorted, before merging
 * tables. Groups are filtered and ranked first (keys decoded only when HAVING or ORDER BY read them); SELECT
 * rows are made for the groups kept.
 */
export function groupRows(plan: QueryPlan, table: GroupTableData, states: AggregateStates, display: readonly KeyDisplay[]): OrderedRow[] {
  const keyCount = plan.groupBy.length;
  const bytes = bytesOf(table.keyWords);
  const fill = (g: number, into: GroupView, keys: boolean): GroupView => {
    if (keys) decodeKeys(bytes, table.keyStart[g] * 4, keyCount, display, into.keys);
    for (let i = 0; i < states.width; i++) into.aggs[i] = states.finish(g, i);
    return into;
  };
  const scratch: GroupView = { keys: new Array<Value>(keyCount).fill(null), aggs: new Array<Value>(states.width) };
  const limit = plan.limit ?? Infinity;
  type Ranked = { g: number; keys: Value[]; seq: number };
  const better = rowOrder(plan);
  const heap = limit < table.size ? new BoundedHeap<Ranked>(limit, better) : undefined;
  const kept: Ranked[] = [];
  const readKeys = plan.rankingReadsKeys;
  // A top-N by an aggregate (ORDER BY it DESC first, no HAVING): once the heap is full, a group whose value ranks
  // below the worst kept one's is not kept, whatever its keys; it is passed over before its keys are decoded and
  // its ranking made (on a million groups that was most of the merge, and its garbage).
  const rank = heap ? plan.rankAggregate : undefined;
  for (let g = 0; g < table.size; g++) {
    if (rank !== undefined) {
      const worst = heap!.worstIfFull();
      if (worst) {
        const bar = worst.keys[0];
        const v = states.finish(g, rank);
        if (typeof bar === 'number' && (v === null || (typeof v === 'number' && v < bar))) continue;
      }
    }
    fill(g, scratch, readKeys);
    if (plan.groupHaving) {
      const h = plan.groupHaving(scratch);
      if (h === null || h === 0 || h === '') continue;
    }
    const item: Ranked = { g, keys: plan.groupOrder.map((f) => f(scratch)), seq: table.firstSeq[g] };
    if (heap) heap.push(item);
    else kept.push(item);
  }
  const ranked = heap ? heap.sorted() : kept.sort(better);
  return ranked.map((r) => {
    const view = fill(r.g, { keys: new Array<Value>(keyCount), aggs: new Array<Value>(states.width) }, true);
    return { keys: r.keys, row: plan.groupSelect.map((f) => f(view)), seq: r.seq };
  });
}

/** Merges sorted lists of rows (one per table) into the result's rows, LIMIT applied. */
export function mergeGroupRows(plan: QueryPlan, lists: OrderedRow[][]): Value[][] {
  return bestRows(plan, lists).map((o) => o.row);
}

/** Sorted lists of rows (one per table or range) merged into the plan's order, LIMIT applied. */
export function bestRows(plan: QueryPlan, lists: OrderedRow[][]): OrderedRow[] {
  const all = lists.length === 1 ? lists[0] : lists.flat().sort(rowOrder(plan));
  const limit = plan.limit ?? Infinity;
  return limit < all.length ? all.slice(0, limit) : all;
}

/** The one row of an aggregation without GROUP BY over no records: count 0, other aggregates NULL (HAVING applies). */
export function emptyAggregateRow(plan: QueryPlan, states: AggregateStates): Value[][] {
  const view: GroupView = { keys: [], aggs: [] };
  for (let i = 0; i < states.width; i++) view.aggs[i] = states.kinds[i] <= 1 ? 0 : null;
  if (plan.groupHaving) {
    const h = plan.groupHaving(view);
    if (h === null || h === 0 || h === '') return [];
  }
  if (plan.limit === 0) return [];
  return [plan.groupSelect.map((f) => f(view))];
}
