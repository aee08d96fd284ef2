// Putting one query's result together from what the threads found: rows of units in file order (line numbers of
// later ranges of a file shifted by the lines before them), handed on as they come; ordered rows and groups
// merged at the end.
import { QueryPlan } from './plan';
import { ColumnUnion } from './columns';
import { ScanUnit } from './input';
import { OrderedRow, rowOrder } from './rowOrder';
import { GroupsState, PassState } from './passState';
import { Value } from './values';
import { RowsJson, parseRowsJson } from './rowsJson';
import { dropText, takeText } from './rowsText';
import { anyGroups, partitionRows, planAggKinds } from './groups/mergeGroups';
import { AggregateStates } from './groups/aggregates';
import { emptyAggregateRow, mergeGroupRows } from './groups/finishGroups';

/**
 * Takes rows handed on in order: `rows`, then `texts` (only to a listener that takes text: QueryOptions.rowsAsText);
 * a promise asks for no more until it settles (the rows not parsed yet wait as text).
 */
export type RowsListener = (rows: Value[][], columns: string[], texts?: readonly RowsJson[]) => void | Promise<void>;

/** Rows of a unit waiting for the units before it: parsed, or as the worker's text (its bytes: off the heap). */
type Waiting = Value[][] | { bytes: Uint8Array; count: number };

export class ResultAssembler {
  matched = 0;
  /** Rows of search and plain SQL, in order, with their line numbers final (not those streamed, when not kept). */
  readonly rows: Value[][] = [];
  /** Rows taken in order (kept or only streamed). */
  private taken = 0;
  private readonly rowLimit: number;
  /** Per unit: rows waiting for the units before it, and its line count once done. */
  private readonly waiting = new Map<number, Waiting[]>();
  private readonly lines = new Map<number, number>();
  private current = 0;
  private lineOffset = 0;
  private readonly ordered: OrderedRow[][] = [];
  private readonly groups: GroupsState[] = [];
  /** Told the count of rows taken in order, each time it grows (workers stop making rows past the cap). */
  onTaken?: (rows: number) => void;

  constructor(
    readonly plan: QueryPlan,
    cap: number,
    readonly columns: ColumnUnion,
    private readonly units: readonly ScanUnit[],
    private readonly onRows?: RowsListener,
    /** Keep the rows handed to onRows in the result too (false: a caller that writes them out as they come). */
    private readonly keepStreamed = true,
    /** onRows takes rows as text (only when they are not kept). */
    rowsAsText = false,
  ) {
    this.rowLimit = plan.kind === 'search' ? cap : plan.limit ?? cap;
    this.takesText = rowsAsText && !keepStreamed && onRows !== undefined;
  }

  /** Rows can be handed to this result as the text they came in (textFound). */
  readonly takesText: boolean;

  /** Rows the result takes at most. */
  get rowLimitValue(): number {
    return this.rowLimit;
  }

  /** Rows taken in order so far. */
  get takenRows(): number {
    return this.taken;
  }

  /** The unit whose rows are taken next (the first one not done). */
  get currentUnit(): number | undefined {
    return this.units[this.current]?.index;
  }

  /** Rows the result can still take (for a unit that starts now, in order). */
  get rowBudget(): number {
    return Math.max(0, this.rowLimit - this.taken);
  }

  /**
   * Rows found in a unit, in the unit's order (several calls per unit as a scan goes on); the listener's promise
   * when it asks to wait.
   */
  rowsFound(unit: number, rows: Value[][] | undefined): void | Promise<void> {
    if (!rows || rows.length === 0) return;
    return this.wait(unit, rows);
  }

  /** Rows found in a unit as the JSON text of their array (its UTF-8 bytes; `count` rows), handed on unparsed while they fit. */
  textFound(unit: number, bytes: Uint8Array, count: number): void | Promise<void> {
    if (count === 0) return;
    return this.wait(unit, { bytes, count });
  }

  private wait(unit: number, piece: Waiting): void | Promise<void> {
    const list = this.waiting.get(unit);
    if (list) list.push(piece);
    else this.waiting.set(unit, [piece]);
    return this.pump();
  }

  /** A unit is done: its line count places the units after it (the listener's promise, as rowsFound). */
  unitDone(unit: number, lines: number, matched: number): void | Promise<void> {
    this.lines.set(unit, lines);
    this.matched += matched;
    return this.pump();
  }

  addState(state: PassState): void {
    if (state.kind === 'ordered') this.ordered.push(state.rows);
    else if (state.kind === 'groups') this.groups.push(state);
  }

  /** Hands on the rows of the units in order, as far as they are known. */
  private pump(): void | Promise<void> {
    // Handed on in order: parsed rows, then texts; a parsed row after a text starts the next handing.
    const handings: { rows: Value[][]; texts: RowsJson[] }[] = [];
    let fresh: { rows: Value[][]; texts: RowsJson[] } = { rows: [], texts: [] };
    const before = this.taken;
    const isSearch = this.plan.kind === 'search';
    const keep = this.keepStreamed || !this.onRows;
    const takeRow = (row: Value[]) => {
      if (isSearch && this.lineOffset > 0) row[row.length - 1] = (row[row.length - 1] as number) + this.lineOffset;
      this.taken++;
      if (keep) this.rows.push(row);
      if (fresh.texts.length > 0) {
        handings.push(fresh);
        fresh = { rows: [], texts: [] };
      }
      fresh.rows.push(row);
    };
    while (this.current < this.units.length) {
      const unit = this.units[this.current];
      const pending = this.waiting.get(unit.index);
      if (pending) {
        this.waiting.delete(unit.index);
        for (const piece of pending) {
          if (this.taken >= this.rowLimit) {
            if (!Array.isArray(piece)) dropText(piece.bytes);
            continue;
          }
          if (Array.isArray(piece)) {
            for (const row of piece) {
              if (this.taken >= this.rowLimit) break;
              takeRow(row);
            }
          } else if (this.takesText && piece.count <= this.rowLimit - this.taken) {
            this.taken += piece.count;
            fresh.texts.push({ json: takeText(piece.bytes), count: piece.count, lineShift: isSearch ? this.lineOffset : 0 });
          } else {
            // Only some of its rows fit (or the listener takes no text): parsed, taken one by one.
            for (const row of parseRowsJson({ json: takeText(piece.bytes), lineShift: 0 })) {
              if (this.taken >= this.rowLimit) break;
              takeRow(row);
            }
          }
        }
      }
      const lines = this.lines.get(unit.index);
      if (lines === undefined) break;
      this.current++;
      const next = this.units[this.current];
      this.lineOffset = next && !next.startsFile && next.file === unit.file ? this.lineOffset + lines : 0;
    }
    if (fresh.rows.length > 0 || fresh.texts.length > 0) handings.push(fresh);
    if (this.taken === before) return;
    this.onTaken?.(this.taken);
    if (!this.onRows) return;
    const columns = this.resultColumns();
    let wait: Promise<void> | undefined;
    for (const h of handings) {
      const w = this.onRows(this.pad(h.rows), columns, h.texts.length > 0 ? h.texts : undefined);
      if (w) wait = wait ? wait.then(() => w) : w;
    }
    return wait;
  }

  /** The result's column names. */
  resultColumns(): string[] {
    const names = this.columns.names;
    if (this.plan.kind === 'search') return [...names, 'file', 'line'];
    if (!this.plan.aggregate) return this.plan.columns.flatMap((c) => (c === '*' ? names : [c]));
    return [...this.plan.columns];
  }

  /** Rows made before the union of columns grew, padded with NULLs where the new columns are. */
  private pad(rows: Value[][]): Value[][] {
    const width = this.columns.names.length;
    if (this.plan.kind === 'search') {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (row.length < width + 2) rows[i] = [...row.slice(0, -2), ...new Array<Value>(width + 2 - row.length).fill(null), ...row.slice(-2)];
      }
    } else if (!this.plan.aggregate && this.plan.columns.includes('*') && this.plan.columns.length === 1) {
      for (let i = 0; i < rows.length; i++) if (rows[i].length < width) rows[i] = [...rows[i], ...new Array<Value>(width - rows[i].length).fill(null)];
    }
    return rows;
  }

  /**
   * The result rows, after every unit and state is in. An aggregation's groups are merged here, or were merged
   * elsewhere already (`mergedRows`: sorted rows of each partition).
   */
  finish(mergedRows?: OrderedRow[][]): Value[][] {
    const plan = this.plan;
    if (!plan.aggregate) {
      if (plan.orderBy.length === 0) return this.pad(this.rows);
      const all = this.ordered.length === 1 ? this.ordered[0] : this.ordered.flat().sort(rowOrder(plan));
      return this.pad(all.slice(0, this.rowLimit).map((o) => o.row));
    }
    if (!anyGroups(this.groups)) return plan.groupBy.length === 0 ? emptyAggregateRow(plan, new AggregateStates(planAggKinds(plan), 0)) : [];
    return mergeGroupRows(plan, mergedRows ?? [partitionRows(plan, this.groups)]);
  }
}
