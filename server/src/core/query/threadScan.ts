// What one thread does for a query: the passes of its plans (one query, or the summary's on one scan) over the
// units it is given, and what it hands back: per unit, the counts and the rows found (in the unit's order);
// at the end, each pass's state (the ordered rows it kept, or its groups).
import { QueryPlan } from './plan';
import { AggregatePass, OrderedRow, ScanPass, SearchPass, SelectPass } from './passes';
import { ColumnUnion } from './columns';
import { ScanUnit } from './input';
import { ScanControl, UnitCounts, scanUnit } from './unitScan';
import { Value } from './values';
import { GroupTable, GroupTableData, PartitionIndex, partitionIndex } from './groups/groupTable';
import { PARTITION_BITS, SpillFolder, SpillRun } from './groups/spill';

/** A unit's results: its counts, and per plan the records matched and rows found in it (search, plain SQL). */
export interface UnitOutput {
  counts: UnitCounts;
  matched: number[];
  rows: (Value[][] | undefined)[];
}

/** The groups of an aggregation pass, as handed between threads (the arrays are shared, not copied). */
export interface GroupsState {
  kind: 'groups';
  table: GroupTableData;
  acc: Float64Array;
  values: Value[];
  distinct: GroupTableData[];
  /** Bytes of the table and states, for the memory budget. */
  bytes: number;
  /** The groups by partition (by the distinct entries' groups for `distinctIndex`), when merged by partitions. */
  index?: PartitionIndex;
  distinctIndex?: PartitionIndex[];
  /** Groups spilled to disk before these, and the DISTINCT entries spilled (per DISTINCT aggregate). */
  runs: SpillRun[];
  distinctRuns: SpillRun[][];
}

export type PassState = { kind: 'rows' } | { kind: 'ordered'; rows: OrderedRow[] } | GroupsState;

export function makePass(plan: QueryPlan, cap: number, columns: ColumnUnion): ScanPass {
  if (plan.kind === 'search') return new SearchPass(plan, cap, columns);
  return plan.aggregate ? new AggregatePass(plan) : new SelectPass(plan, cap, columns);
}

/** The memory a thread's groups may take before they spill to disk, and where they spill. */
export interface ThreadBudget {
  bytes: number;
  folder: SpillFolder;
}

export class ThreadScan {
  readonly passes: ScanPass[];
  private readonly matchedBefore: number[];
  /** Run files written because the groups passed the budget. */
  spills = 0;

  constructor(readonly plans: readonly QueryPlan[], cap: number, readonly columns: ColumnUnion, private readonly budget?: ThreadBudget) {
    this.passes = plans.map((p) => makePass(p, cap, columns));
    this.matchedBefore = plans.map(() => 0);
  }

  /** Bytes the groups of every pass hold now. */
  groupBytes(): number {
    let n = 0;
    for (const p of this.passes) if (p instanceof AggregatePass) n += p.byteSize();
    return n;
  }

  /** While the groups are over the budget, writes the biggest pass's to disk (spill.ts). */
  private keepInBudget(): void {
    const budget = this.budget;
    if (!budget) return;
    let total = this.groupBytes();
    while (total > budget.bytes) {
      let biggest: AggregatePass | undefined;
      for (const p of this.passes) if (p instanceof AggregatePass && (!biggest || p.byteSize() > biggest.byteSize())) biggest = p;
      if (!biggest || biggest.table.size === 0) return;
      biggest.spill(budget.folder);
      this.spills++;
      total = this.groupBytes();
    }
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
   * Each pass's state after the last unit. `partitioned` (another thread merges it, or groups were spilled): the
   * arrays to share, with the groups indexed by partition; else the live tables, to finish on this thread.
   */
  finish(partitioned = false): PassState[] {
    const partitionBits = partitioned || this.spills > 0 ? PARTITION_BITS : 0;
    return this.passes.map((p): PassState => {
      if (p instanceof AggregatePass) {
        const state: GroupsState = {
          kind: 'groups', table: partitionBits > 0 ? p.table.data() : p.table, acc: p.states.acc, values: p.states.values,
          distinct: p.distinctTables.map((t) => (partitionBits > 0 ? t.data() : t)), bytes: p.byteSize(),
          runs: p.runs, distinctRuns: p.distinctRuns,
        };
        if (partitionBits > 0) {
          state.index = partitionIndex(p.table.hashes, p.table.size, partitionBits);
          state.distinctIndex = p.distinctTables.map((t) => partitionIndex(t.auxHash ?? new Int32Array(0), t.size, partitionBits));
        }
        return state;
      }
      if (p instanceof SelectPass && p.heap) return { kind: 'ordered', rows: p.heap.sorted() };
      return { kind: 'rows' };
    });
  }
}

export { GroupTable };
