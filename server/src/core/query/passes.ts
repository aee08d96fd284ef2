// A pass: what one query does with each record of a scan. A search keeps the matching records' fields; a plain
// SQL query their projected rows; an aggregation their groups. Several passes can share one scan (the summary's
// queries). Each pass compiles its plan once per record format, on the first record of that format.
// The aggregation's pass is in aggregatePass.ts; the order of result rows in rowOrder.ts.
import { RecordFormat } from '../scan';
import { QueryPlan } from './plan';
import { RecordCompiler, RecordExpr, RecordTest, RecordView } from './recordEval';
import { ColumnUnion } from './columns';
import { Value } from './values';
import { BoundedHeap } from './heap';
import { OrderedRow, orderedRowHeap } from './rowOrder';

/** A record's place: its file (index into the scan's file list) and line, and its sequence in the whole input. */
export interface RecordPlace {
  file: string;
  line: number;
  seq: number;
}

export interface ScanPass {
  readonly plan: QueryPlan;
  /** Records that passed the search and WHERE. */
  matched: number;
  record(r: RecordView, format: RecordFormat, place: RecordPlace): void;
  /** A new unit starts; rows passes keep at most `rowBudget` rows of it (the result needs no more). */
  beginUnit?(rowBudget: number): void;
  /** The result has all the rows it can take: keep no more (counting goes on). */
  stopKeepingRows?(): void;
}

/** Combines the search and WHERE of a plan for one format; undefined when every record passes. */
export function filterOf(plan: QueryPlan, rc: RecordCompiler): RecordTest | undefined {
  const search = rc.search(plan.search);
  const where = plan.where ? rc.condition(plan.where) : undefined;
  if (search && where) return (r) => search(r) && where(r);
  return search ?? where;
}

/** Per-format compiled state, cached by format. */
export class PerFormat<T> {
  private last?: RecordFormat;
  private lastValue?: T;
  private readonly all = new Map<RecordFormat, T>();

  constructor(private readonly make: (format: RecordFormat) => T) {}

  get(format: RecordFormat): T {
    if (format === this.last) return this.lastValue!;
    let v = this.all.get(format);
    if (v === undefined) {
      v = this.make(format);
      this.all.set(format, v);
    }
    this.last = format;
    this.lastValue = v;
    return v;
  }
}

/** Raw search: the fields of each matching record, then its file and line, up to `cap` rows. */
export class SearchPass implements ScanPass {
  matched = 0;
  readonly rows: Value[][] = [];
  /** Rows kept of the current unit, and how many it may keep. */
  private kept = 0;
  private budget: number;
  private readonly compiled: PerFormat<{ test?: RecordTest; rc: RecordCompiler; columns: Int32Array }>;

  constructor(readonly plan: QueryPlan, cap: number, readonly columns: ColumnUnion) {
    this.budget = cap;
    this.compiled = new PerFormat((format) => {
      const rc = new RecordCompiler(format);
      return { test: rc.search(plan.search), rc, columns: columns.positions(format) };
    });
  }

  beginUnit(rowBudget: number): void {
    this.kept = 0;
    this.budget = rowBudget;
  }

  stopKeepingRows(): void {
    this.budget = this.kept;
  }

  record(r: RecordView, format: RecordFormat, place: RecordPlace): void {
    const c = this.compiled.get(format);
    if (c.test && !c.test(r)) return;
    this.matched++;
    if (this.kept >= this.budget) return;
    this.kept++;
    const values = c.rc.values(r);
    const row: Value[] = new Array<Value>(this.columns.names.length + 2).fill(null);
    for (let k = 0; k < values.length; k++) row[c.columns[k]] = values[k];
    row[row.length - 2] = place.file;
    row[row.length - 1] = place.line;
    this.rows.push(row);
  }
}

/** Plain SQL (no aggregates): the projected rows of matching records, in file order or by ORDER BY. */
export class SelectPass implements ScanPass {
  matched = 0;
  readonly rows: Value[][] = [];
  readonly heap?: BoundedHeap<OrderedRow>;
  private readonly rowLimit: number;
  private kept = 0;
  private budget: number;
  private readonly compiled: PerFormat<{ filter?: RecordTest; project: (r: RecordView) => Value[]; order: RecordExpr[] }>;

  constructor(readonly plan: QueryPlan, cap: number, readonly columns: ColumnUnion) {
    this.rowLimit = plan.limit ?? cap;
    this.budget = this.rowLimit;
    if (plan.orderBy.length > 0) this.heap = orderedRowHeap(plan, this.rowLimit);
    this.compiled = new PerFormat((format) => {
      const rc = new RecordCompiler(format);
      const starPositions = columns.positions(format);
      const parts = plan.selectItems.map((s) => (s.expr.kind === 'star' ? undefined : rc.expr(s.expr)));
      const project = (r: RecordView): Value[] => {
        const out: Value[] = [];
        for (const p of parts) {
          if (p) out.push(p(r));
          else {
            // `*`: every column of the union, NULL where this format lacks one.
            const values = rc.values(r);
            const row: Value[] = new Array<Value>(columns.names.length).fill(null);
            for (let k = 0; k < values.length; k++) row[starPositions[k]] = values[k];
            for (const v of row) out.push(v);
          }
        }
        return out;
      };
      return { filter: filterOf(plan, rc), project, order: plan.orderBy.map((o) => rc.expr(o.expr)) };
    });
  }

  beginUnit(rowBudget: number): void {
    this.kept = 0;
    this.budget = Math.min(rowBudget, this.rowLimit);
  }

  stopKeepingRows(): void {
    // Rows in order (no ORDER BY) are the result's first ones: none is needed past the limit. A heap keeps going.
    if (!this.heap) this.budget = this.kept;
  }

  record(r: RecordView, format: RecordFormat, place: RecordPlace): void {
    const c = this.compiled.get(format);
    if (c.filter && !c.filter(r)) return;
    this.matched++;
    if (this.heap) {
      this.heap.push({ keys: c.order.map((o) => o(r)), row: c.project(r), seq: place.seq });
    } else if (this.kept < this.budget) {
      this.kept++;
      this.rows.push(c.project(r));
    }
  }
}
