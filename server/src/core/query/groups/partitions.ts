// Groups in partitions from the start: a key's hash picks one of 256 partitions (its top 8 bits), each a group
// table of its own with its aggregate states. A partition is the unit of everything after the scan: spilled as a
// whole, merged as a whole (the biggest thread's table takes the others' groups in place, no copy of it), and
// finished into rows. Small tables also keep a thread's probes in fewer cache lines.
import { Value } from '../values';
import { GroupTable, GroupTableData } from './groupTable';
import { AggregateStates } from './aggregates';

export const PARTITION_BITS = 8;
export const PARTITIONS = 1 << PARTITION_BITS;
const SHIFT = 32 - PARTITION_BITS;

/** The partition of a key hash. */
export function partitionOf(hash: number): number {
  return hash >>> SHIFT;
}

/** A partition's groups as another thread sees them (shared arrays). */
export interface PartitionData {
  table: GroupTableData;
  acc: Float64Array;
  values: Value[];
}

/** A partition on this thread: its table and the states of its groups. */
export interface Partition {
  table: GroupTable;
  states: AggregateStates;
}

/** A partition's table and states, made live from what another thread posted (or already live). */
export function livePartition(kinds: Uint8Array, data: PartitionData | Partition): Partition {
  if (data.table instanceof GroupTable && 'states' in data) return data as Partition;
  const d = data as PartitionData;
  const table = GroupTable.from(d.table);
  const states = AggregateStates.of(kinds, d.acc, d.values);
  table.onGrow = (cap) => states.grow(cap);
  return { table, states };
}

/** The groups of one aggregation on one thread, in partitions made as keys come. */
export class PartitionedGroups {
  readonly parts: (Partition | undefined)[] = new Array<Partition | undefined>(PARTITIONS);
  /** The partition of the last key found. */
  current!: Partition;
  private bytes = 0;

  constructor(private readonly kinds: Uint8Array) {}

  private make(p: number): Partition {
    const table = new GroupTable();
    const states = new AggregateStates(this.kinds, table.capacity);
    table.onGrow = (cap) => states.grow(cap);
    const part = { table, states };
    this.parts[p] = part;
    return part;
  }

  /** The group of the (sealed) key in the scratch, added when new; `current` is its partition. */
  find(scratch: import('./keyCodec').KeyScratch, words: number, hash: number, seq: number): number {
    const p = hash >>> SHIFT;
    const part = this.parts[p] ?? this.make(p);
    this.current = part;
    return part.table.findOrAdd(scratch, words, hash, seq);
  }

  /** The group with group g's key of another table (added when new, first record kept); `current` is its partition. */
  findWords(from: GroupTableData, g: number): number {
    const hash = from.hashes[g];
    const p = hash >>> SHIFT;
    const part = this.parts[p] ?? this.make(p);
    this.current = part;
    const len = from.keyLength[g];
    return part.table.findOrAddWords(from.keyWords, from.keyStart[g], (len + 3) >>> 2, len, hash, from.firstSeq[g]);
  }

  /** The group with the key words src[from, from + words) (added when new, `seq` its first record); `current` is its partition. */
  findKey(src: Int32Array, from: number, words: number, len: number, hash: number, seq: number): number {
    const p = hash >>> SHIFT;
    const part = this.parts[p] ?? this.make(p);
    this.current = part;
    return part.table.findOrAddWords(src, from, words, len, hash, seq);
  }

  /** Groups in all partitions. */
  size(): number {
    let n = 0;
    for (const part of this.parts) if (part) n += part.table.size;
    return n;
  }

  byteSize(): number {
    let n = 0;
    for (const part of this.parts) if (part) n += part.table.byteSize() + part.states.byteSize();
    this.bytes = n;
    return n;
  }

  /** Gives every partition's memory back to the pool (after a spill: the groups are on disk). */
  release(): void {
    for (const part of this.parts) {
      part?.table.release();
      part?.states.release();
    }
  }

  /** What another thread needs to merge these groups. */
  data(): (PartitionData | undefined)[] {
    return this.parts.map((part) => part && { table: part.table.data(), acc: part.states.acc, values: part.states.values });
  }
}

/**
 * The DISTINCT values of one aggregate on one thread: entries (group key, value) in partitions chosen by their
 * GROUP's hash, so that a group and its values meet in the same partition.
 */
export class PartitionedEntries {
  readonly parts: (GroupTable | undefined)[] = new Array<GroupTable | undefined>(PARTITIONS);

  /** Adds an entry (its key sealed in the scratch) unless present. */
  add(scratch: import('./keyCodec').KeyScratch, words: number, hash: number, groupHash: number, groupKeyLength: number, seq: number): void {
    const p = groupHash >>> SHIFT;
    const t = (this.parts[p] ??= new GroupTable());
    const id = t.findOrAdd(scratch, words, hash, seq);
    if (t.isNew) t.setAux(id, groupHash, groupKeyLength);
  }

  byteSize(): number {
    let n = 0;
    for (const t of this.parts) if (t) n += t.byteSize();
    return n;
  }

  size(): number {
    let n = 0;
    for (const t of this.parts) if (t) n += t.size;
    return n;
  }

  data(): (GroupTableData | undefined)[] {
    return this.parts.map((t) => t?.data());
  }

  release(): void {
    for (const t of this.parts) t?.release();
  }
}
