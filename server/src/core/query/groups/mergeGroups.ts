// Merging the groups of several threads (or spill runs) into one table: a group's states combine by its
// aggregates' merge; DISTINCT entries are deduplicated, then folded into their groups. A partition (by the top
// bits of the key hash) can be merged alone: the groups of different partitions never meet.
import type { QueryPlan } from '../plan';
import { GroupTable, GroupTableData } from './groupTable';
import { AggregateStates, aggKind } from './aggregates';
import { foldDistinct } from './finishGroups';
import type { GroupsState } from '../threadScan';
import { isNumericField } from '../values';
import { lookupField } from '../../schema';

/** The aggregate kinds of a plan (the same on every thread). */
export function planAggKinds(plan: QueryPlan): Uint8Array {
  return Uint8Array.from(plan.aggs, (a) => aggKind(a, a.arg?.kind === 'column' && isNumericField(lookupField(a.arg.name))));
}

/** The partition of a hash among 2^bits (its top bits; the table's slots use the low ones). */
export function partitionOf(hash: number, bits: number): number {
  return bits === 0 ? 0 : hash >>> (32 - bits);
}

/** A merged table of groups with their states, DISTINCT values folded in. */
export interface MergedGroups {
  table: GroupTable;
  states: AggregateStates;
}

/**
 * The groups of `parts` (one state per thread or run) in partition `p` of 2^bits, merged. With one part and no
 * partitioning, that part's own table is used as it is.
 */
export function mergeGroups(plan: QueryPlan, parts: GroupsState[], p = 0, bits = 0): MergedGroups {
  const kinds = planAggKinds(plan);
  const distinct = plan.aggs.flatMap((a, i) => (a.distinct ? [i] : []));
  const inPartition = bits === 0 ? undefined : (hash: number) => partitionOf(hash, bits) === p;
  let table: GroupTable;
  let states: AggregateStates;
  if (parts.length === 1 && bits === 0 && parts[0].table instanceof GroupTable) {
    table = parts[0].table;
    states = AggregateStates.of(kinds, parts[0].acc, parts[0].values);
  } else {
    table = new GroupTable();
    states = new AggregateStates(kinds, table.capacity);
    table.onGrow = (cap) => states.grow(cap);
    for (const part of parts) {
      const from = { acc: part.acc, values: part.values };
      const t = part.table;
      for (let g = 0; g < t.size; g++) {
        const hash = t.hashes[g];
        if (inPartition && !inPartition(hash)) continue;
        const len = t.keyLength[g];
        const id = table.findOrAddWords(t.keyWords, t.keyStart[g], (len + 3) >>> 2, len, hash, t.firstSeq[g]);
        states.merge(id, from, g);
      }
    }
  }
  distinct.forEach((agg, j) => {
    const entries = parts.length === 1 ? parts[0].distinct[j] : dedupe(parts.map((part) => part.distinct[j]), inPartition);
    foldDistinct(table, states, agg, entries, parts.length === 1 ? inPartition : undefined);
  });
  return { table, states };
}

/** One table of the distinct entries of several (each entry once), those of the partition when given. */
function dedupe(tables: GroupTableData[], inPartition?: (groupHash: number) => boolean): GroupTableData {
  const out = new GroupTable();
  for (const t of tables) {
    for (let e = 0; e < t.size; e++) {
      const groupHash = t.auxHash![e];
      if (inPartition && !inPartition(groupHash)) continue;
      const len = t.keyLength[e];
      const id = out.findOrAddWords(t.keyWords, t.keyStart[e], (len + 3) >>> 2, len, t.hashes[e], t.firstSeq[e]);
      if (out.isNew) out.setAux(id, groupHash, t.auxLength![e]);
    }
  }
  return out.data();
}
