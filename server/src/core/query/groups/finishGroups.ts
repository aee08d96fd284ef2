// From groups to result rows: DISTINCT values folded into their groups, then HAVING, ORDER BY (ties and the
// no-ORDER-BY case in the order groups first occurred), LIMIT and the SELECT list, over one table of groups.
import type { QueryPlan, GroupView } from '../plan';
import { OrderedRow, compareKeys } from '../passes';
import { BoundedHeap } from '../heap';
import { Value } from '../values';
import { GroupTable, GroupTableData } from './groupTable';
import { AggregateStates } from './aggregates';
import { KeyDisplay, KeyScratch, decodeKeys } from './keyCodec';

/**
 * Adds the values of a table of DISTINCT (group key, value) entries to aggregate `agg` of their groups in
 * `table`: each distinct value once. `inPartition` picks the entries (by their group's hash) to take.
 */
export function foldDistinct(table: GroupTable, states: AggregateStates, agg: number, entries: GroupTableData, inPartition?: (groupHash: number) => boolean): void {
  const scratch = new KeyScratch();
  const bytes = new Uint8Array(entries.keyWords.buffer);
  const value: Value[] = [null];
  for (let e = 0; e < entries.size; e++) {
    const groupHash = entries.auxHash![e];
    if (inPartition && !inPartition(groupHash)) continue;
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

/** The result rows of one table's groups (all of them, or the best `limit` by ORDER BY), before merging tables. */
export function groupRows(plan: QueryPlan, table: GroupTableData, states: AggregateStates, display: readonly KeyDisplay[]): OrderedRow[] {
  const keyCount = plan.groupBy.length;
  const bytes = new Uint8Array(table.keyWords.buffer);
  const view = (g: number, into: GroupView): GroupView => {
    decodeKeys(bytes, table.keyStart[g] * 4, keyCount, display, into.keys);
    for (let i = 0; i < states.width; i++) into.aggs[i] = states.finish(g, i);
    return into;
  };
  const scratch: GroupView = { keys: new Array<Value>(keyCount), aggs: new Array<Value>(states.width) };
  const limit = plan.limit ?? Infinity;
  const better = (a: OrderedRow, b: OrderedRow) => compareKeys(a.keys, b.keys, plan.orderBy) || a.seq - b.seq;
  const heap = limit < table.size ? new BoundedHeap<OrderedRow>(limit, better) : undefined;
  const kept: OrderedRow[] = [];
  for (let g = 0; g < table.size; g++) {
    view(g, scratch);
    if (plan.groupHaving) {
      const h = plan.groupHaving(scratch);
      if (h === null || h === 0 || h === '') continue;
    }
    // The SELECT row is made now (views are reused); rows of groups a heap drops are garbage at once.
    const row = plan.groupSelect.map((f) => f(scratch));
    const item: OrderedRow = { keys: plan.groupOrder.map((f) => f(scratch)), row, seq: table.firstSeq[g] };
    if (heap) heap.push(item);
    else kept.push(item);
  }
  return heap ? heap.sorted() : kept.sort(better);
}

/** Merges sorted lists of rows (one per table) into the result's rows, LIMIT applied. */
export function mergeGroupRows(plan: QueryPlan, lists: OrderedRow[][]): Value[][] {
  const better = (a: OrderedRow, b: OrderedRow) => compareKeys(a.keys, b.keys, plan.orderBy) || a.seq - b.seq;
  const all = lists.length === 1 ? lists[0] : lists.flat().sort(better);
  const limit = plan.limit ?? Infinity;
  return (limit < all.length ? all.slice(0, limit) : all).map((o) => o.row);
}

/** The one row of an aggregation without GROUP BY over no records: count 0, other aggregates NULL (HAVING applies). */
export function emptyAggregateRow(plan: QueryPlan, states: AggregateStates): Value[][] {
  const view: GroupView = { keys: [], aggs: [] };
  for (let i = 0; i < states.width; i++) view.aggs[i] = states.kinds[i] <= 1 ? 0 : null;
  if (plan.groupHaving) {
    const h = plan.groupHaving(view);
    if (h === null || h === 0 || h === '') return [];
  }
  return [plan.groupSelect.map((f) => f(view))];
}
