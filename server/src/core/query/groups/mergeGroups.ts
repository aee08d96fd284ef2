// Merging the groups of several threads (or spill runs) into one table: a group's states combine by its
// aggregates' merge; DISTINCT entries are deduplicated, then folded into their groups. A partition (by the top
// bits of the key hash) can be merged alone: the groups of different partitions never meet.
import type { QueryPlan } from '../plan';
import { GroupTable, GroupTableData, PartitionIndex } from './groupTable';
import { AggregateStates, aggKind } from './aggregates';
import { foldDistinct } from './finishGroups';
import { PARTITION_BITS, SpillRun, forEachRunGroup } from './spill';
import type { GroupsState } from '../threadScan';
import { isNumericField } from '../values';
import { lookupField } from '../../schema';

/** The aggregate kinds of a plan (the same on every thread). */
export function planAggKinds(plan: QueryPlan): Uint8Array {
  return Uint8Array.from(plan.aggs, (a) => aggKind(a, a.arg?.kind === 'column' && isNumericField(lookupField(a.arg.name))));
}

/** A merged table of groups with their states, DISTINCT values folded in. */
export interface MergedGroups {
  table: GroupTable;
  states: AggregateStates;
}

/**
 * The groups of `parts` (one state per thread, with the runs it spilled) in partition `p` of 2^bits (each part
 * indexed by partition when bits > 0), merged. With one part, no runs and no partitioning, that part's own table
 * is used as it is.
 */
export function mergeGroups(plan: QueryPlan, parts: GroupsState[], p = 0, bits = 0): MergedGroups {
  const kinds = planAggKinds(plan);
  const distinct = plan.aggs.flatMap((a, i) => (a.distinct ? [i] : []));
  if (parts.length === 1 && bits === 0 && parts[0].runs.length === 0 && parts[0].table instanceof GroupTable) {
    const table = parts[0].table;
    const states = AggregateStates.of(kinds, parts[0].acc, parts[0].values);
    distinct.forEach((agg, j) => foldDistinct(table, states, agg, parts[0].distinct[j]));
    return { table, states };
  }
  if (bits !== PARTITION_BITS && parts.some((part) => part.runs.length > 0)) throw new Error('spilled groups are merged a partition at a time');
  const table = new GroupTable();
  const states = new AggregateStates(kinds, table.capacity);
  table.onGrow = (cap) => states.grow(cap);
  for (const part of parts) {
    for (const run of part.runs) {
      forEachRunGroup(run, p, (g) => {
        const id = table.findOrAddWords(g.keyWords, g.keyStart, (g.len + 3) >>> 2, g.len, g.hash, g.firstSeq);
        states.mergeAt(id, g.acc, g.accStart, g.values, 0);
      });
    }
    const from = { acc: part.acc, values: part.values };
    const t = part.table;
    eachInPartition(t.size, part.index, p, bits, (g) => {
      const len = t.keyLength[g];
      const id = table.findOrAddWords(t.keyWords, t.keyStart[g], (len + 3) >>> 2, len, t.hashes[g], t.firstSeq[g]);
      states.merge(id, from, g);
    });
  }
  distinct.forEach((agg, j) => {
    const entries = dedupe(parts.map((part) => ({ table: part.distinct[j], index: part.distinctIndex?.[j], runs: part.distinctRuns[j] })), p, bits);
    foldDistinct(table, states, agg, entries);
  });
  return { table, states };
}

/** Calls f with each group id of partition p (all groups when bits is 0). */
function eachInPartition(size: number, index: PartitionIndex | undefined, p: number, bits: number, f: (g: number) => void): void {
  if (bits === 0 || !index) {
    for (let g = 0; g < size; g++) f(g);
    return;
  }
  const { offsets, ids } = index;
  for (let k = offsets[p], end = offsets[p + 1]; k < end; k++) f(ids[k]);
}

/** One table of the distinct entries of several (each entry once), those of partition p. */
function dedupe(tables: { table: GroupTableData; index?: PartitionIndex; runs: SpillRun[] }[], p: number, bits: number): GroupTableData {
  const out = new GroupTable();
  for (const { table: t, index, runs } of tables) {
    for (const run of runs) {
      forEachRunGroup(run, p, (g) => {
        const id = out.findOrAddWords(g.keyWords, g.keyStart, (g.len + 3) >>> 2, g.len, g.hash, g.firstSeq);
        if (out.isNew) out.setAux(id, g.auxHash, g.auxLength);
      });
    }
    eachInPartition(t.size, index, p, bits, (e) => {
      const len = t.keyLength[e];
      const id = out.findOrAddWords(t.keyWords, t.keyStart[e], (len + 3) >>> 2, len, t.hashes[e], t.firstSeq[e]);
      if (out.isNew) out.setAux(id, t.auxHash![e], t.auxLength![e]);
    });
  }
  return out.data();
}
