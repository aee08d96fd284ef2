// The order of a query's result rows: ORDER BY keys (NULLs last in both directions, as DuckDB), ties in the order
// the rows were first seen; and the bounded heap an ORDER BY ... LIMIT keeps its best rows in.
import { QueryPlan } from './plan';
import { BoundedHeap } from './heap';
import { Value, compareValues } from './values';

/** Ordering of rows by ORDER BY keys: NULLs last in both directions (as DuckDB), then the record's sequence. */
export function compareKeys(a: Value[], b: Value[], order: readonly { descending: boolean }[]): number {
  for (let i = 0; i < order.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) {
      if (a[i] === null || b[i] === null) return c;
      return order[i].descending ? -c : c;
    }
  }
  return 0;
}

export interface OrderedRow {
  keys: Value[];
  row: Value[];
  seq: number;
}

/** The order of a plan's result rows: its ORDER BY keys, ties in the order the rows were first seen. */
export function rowOrder(plan: QueryPlan): (a: { keys: Value[]; seq: number }, b: { keys: Value[]; seq: number }) => number {
  return (a, b) => compareKeys(a.keys, b.keys, plan.orderBy) || a.seq - b.seq;
}

export function orderedRowHeap(plan: QueryPlan, capacity: number): BoundedHeap<OrderedRow> {
  return new BoundedHeap<OrderedRow>(capacity, rowOrder(plan));
}
