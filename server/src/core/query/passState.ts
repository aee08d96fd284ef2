// What a thread hands on at the end of a scan, per pass: the rows it kept (ordered), or its groups by partition; and
// how groups travel between threads (packed, their buffers transferred, a merge job's partitions only).
import { OrderedRow } from './rowOrder';
import { GroupTable, GroupTableData, tableBuffers } from './groups/groupTable';
import { SpillRun } from './groups/spill';
import { Partition, PartitionData } from './groups/partitions';
import { PackedGroups, packGroups, packedBuffers, packedForJob, unpackGroups } from './groups/packedState';

/**
 * The groups of an aggregation pass, by partition: live tables on the thread that made them, or their arrays as
 * another thread gets them (their buffers transferred, not copied: see stateBuffers).
 */
export interface GroupsState {
  kind: 'groups';
  parts: (PartitionData | Partition | undefined)[];
  /** Per DISTINCT aggregate, its entries by partition. */
  distinct: (GroupTableData | undefined)[][];
  /** Bytes of the tables and states, for the memory budget. */
  bytes: number;
  /** Groups spilled to disk before these, and the DISTINCT entries spilled (per DISTINCT aggregate). */
  runs: SpillRun[];
  distinctRuns: SpillRun[][];
  /** The first pass of a two-pass top-N turned to its sketch here: its cells (the groups are the sampled keys'). */
  sketch?: Float32Array;
  /** The sketch was here and has been added to the plan's sum (twoPass.ts SketchSums): the groups are a sample. */
  sketched?: boolean;
  /** Records this thread wrote straight to runs, each a group of one (groups/recordRuns.ts): its table was near-unique. */
  recordRuns?: number;
  /** The partitions and DISTINCT tables packed for another thread (groups/packedState.ts); parts and distinct are empty. */
  packed?: PackedGroups;
}

export type PassState = { kind: 'rows' } | { kind: 'ordered'; rows: OrderedRow[] } | GroupsState;

/** A worker's groups state as it leaves for the thread that runs the query: packed, and the buffers to transfer. */
export function stateForTransfer(state: GroupsState): { state: GroupsState; buffers: ArrayBuffer[] } {
  const packed = state.packed ?? packGroups(state);
  return { state: { ...state, parts: [], distinct: [], packed }, buffers: [...packedBuffers(packed), ...(state.sketch ? [state.sketch.buffer as ArrayBuffer] : [])] };
}

/** The buffers a groups state holds in memory (its packed blocks, or its partitions' and DISTINCT tables' arrays). */
export function stateBuffers(state: GroupsState): ArrayBuffer[] {
  if (state.packed) return packedBuffers(state.packed);
  const buffers: ArrayBuffer[] = [];
  for (const part of state.parts) {
    if (!part) continue;
    buffers.push(...tableBuffers(part.table));
    buffers.push(('states' in part ? part.states.acc : part.acc).buffer as ArrayBuffer);
  }
  for (const perAgg of state.distinct) for (const t of perAgg) if (t) buffers.push(...tableBuffers(t));
  return buffers;
}

/** The state with its partitions readable (views over its packed blocks, when it came packed). */
export function unpackedState(state: GroupsState): GroupsState {
  return state.packed ? { ...state, ...unpackGroups(state.packed), packed: undefined } : state;
}

/**
 * The buffers of the partitions [from, to) of a groups state, and the state with only those partitions: what a
 * merge job of those partitions is handed (each partition goes to one job, so each buffer moves once). A packed
 * state's range must be whole blocks (packedState.ts blockRanges).
 */
export function partitionsForJob(state: GroupsState, from: number, to: number): { state: GroupsState; buffers: ArrayBuffer[] } {
  if (state.packed) {
    const handed = packedForJob(state.packed, from, to);
    return { state: { ...state, sketch: undefined, packed: handed.packed }, buffers: handed.buffers };
  }
  const buffers: ArrayBuffer[] = [];
  const keep = <T, D>(list: (T | undefined)[], f: (x: T) => D) => list.map((x, p) => (p < from || p >= to || x === undefined ? undefined : f(x)));
  // Live tables (a thread that stayed exact, folded in on this thread: twoPass.ts foldExact) go as their arrays: a
  // live table holds its growth callback, which cannot be posted (the merge job failed with "could not be cloned").
  const parts = keep(state.parts, (x): PartitionData => {
    const data = 'states' in x ? { table: x.table instanceof GroupTable ? x.table.data() : x.table, acc: x.states.acc, values: x.states.values } : x;
    buffers.push(...tableBuffers(data.table));
    buffers.push(data.acc.buffer as ArrayBuffer);
    return data;
  });
  const distinct = state.distinct.map((perAgg) => keep(perAgg, (t): GroupTableData => {
    const data = t instanceof GroupTable ? t.data() : t;
    buffers.push(...tableBuffers(data));
    return data;
  }));
  return { state: { ...state, parts, distinct }, buffers: [...new Set(buffers)] };
}
