// A thread's groups on their way to the threads that merge them, in a few buffers. Each partition's table has up
// to eight arrays and its aggregate states one more, and a DISTINCT aggregate adds a table per partition: the
// summary's ten aggregations in 256 partitions came to about 20,000 transferred buffers a worker. Every buffer is
// an object that the language server's main thread deserialized when the states arrived and serialized again when
// it handed the partitions to the merge jobs: 0.1–0.2 s each time, with the server answering nothing meanwhile.
//
// Packed, the arrays of PACK_PARTS neighbouring partitions are copied into one buffer (a block), and a directory of
// plain numbers says where each array is; arrays of PACK_OWN_BYTES or more keep their own buffer (copying big
// tables would cost time and memory; there are few of them). A merge job's range of partitions is a range of
// whole blocks, so every block still moves once, to the one job that merges its partitions, and the thread that
// merges makes typed-array views over the block (no copy).
import type { Value } from '../values';
import type { GroupTableData } from './groupTable';
import { PARTITIONS, Partition, PartitionData } from './partitions';
import { isWholeBuffer } from './arrayPool';
import { freeBuffers } from '../../threads/freeBuffers';

/** Partitions a block holds, and blocks in all. Merge jobs take whole blocks (see blockRanges). */
export const PACK_PARTS = 4;
export const PACK_BLOCKS = PARTITIONS / PACK_PARTS;
/** Arrays this big keep their own buffer. */
const PACK_OWN_BYTES = 256 << 10;

/** The arrays of a table, in this order in the directory (then the partition's aggregate states). */
const TABLE_ARRAYS = ['slots', 'hashes', 'keyStart', 'keyLength', 'firstSeq', 'keyWords', 'auxHash', 'auxLength'] as const;
type TableArray = (typeof TABLE_ARRAYS)[number];
const FLOAT_ARRAYS: ReadonlySet<TableArray> = new Set(['firstSeq']);
/** Per array: where (ABSENT, IN_BLOCK, OWN), byte offset in the block or index in the block's own buffers, length. */
const ARRAY_WORDS = 3;
const ABSENT = 0;
const IN_BLOCK = 1;
const OWN = 2;
/** Per table: PRESENT (or 0), size, usedWords, then its arrays. */
const TABLE_WORDS = 3 + TABLE_ARRAYS.length * ARRAY_WORDS;
const PRESENT = 1;

/** Where in a partition's directory words its DISTINCT aggregate j's table is (after its table and its states). */
function distinctAt(base: number, j: number): number {
  return base + TABLE_WORDS + ARRAY_WORDS + j * TABLE_WORDS;
}

export interface PackedBlock {
  bytes: ArrayBuffer;
  own: ArrayBuffer[];
}

/** A groups state's partitions and DISTINCT tables, packed (GroupsState.packed; its parts and distinct are empty). */
export interface PackedGroups {
  /** By block; undefined once handed to a job (or when the block's partitions have no groups). */
  blocks: (PackedBlock | undefined)[];
  /** Per partition `partitionWords` words: the table, the states' array, then each DISTINCT aggregate's table. */
  directory: Int32Array;
  partitionWords: number;
  distinctCount: number;
  /** Per partition, the states' values (strings and such) when there are any. */
  values: (Value[] | undefined)[];
}

type AnyArray = Int32Array | Float64Array;

/** A groups state's partitions (live, or as another thread got them) and its DISTINCT tables by partition. */
export interface UnpackedGroups {
  parts: (PartitionData | Partition | undefined)[];
  distinct: (GroupTableData | undefined)[][];
}

/**
 * Packs a state's partitions into blocks (the state must not be used after). The arrays copied are freed as each
 * block is filled (threads/freeBuffers.ts), not kept by this thread's pool nor left to a collection: the copy never
 * holds more than a block twice.
 */
export function packGroups(state: UnpackedGroups): PackedGroups {
  const distinctCount = state.distinct.length;
  const partitionWords = distinctAt(0, distinctCount);
  const directory = new Int32Array(PARTITIONS * partitionWords);
  const values: (Value[] | undefined)[] = new Array<Value[] | undefined>(PARTITIONS);
  const blocks: (PackedBlock | undefined)[] = new Array<PackedBlock | undefined>(PACK_BLOCKS);
  for (let b = 0; b < PACK_BLOCKS; b++) {
    // Where each array goes: the block's bytes are counted first, then allocated once and filled.
    const own: ArrayBuffer[] = [];
    const placed: { array: AnyArray; at: number }[] = [];
    let bytes = 0;
    const place = (array: AnyArray | undefined, d: number) => {
      if (!array) return;
      if (array.byteLength >= PACK_OWN_BYTES && isWholeBuffer(array)) {
        directory[d] = OWN;
        directory[d + 1] = own.length;
        own.push(array.buffer as ArrayBuffer);
      } else {
        directory[d] = IN_BLOCK;
        directory[d + 1] = bytes;
        placed.push({ array, at: bytes });
        bytes += (array.byteLength + 7) & ~7; // Float64 views need 8-byte alignment
      }
      directory[d + 2] = array.length;
    };
    const placeTable = (t: GroupTableData | undefined, d: number) => {
      if (!t) return;
      directory[d] = PRESENT;
      directory[d + 1] = t.size;
      directory[d + 2] = t.usedWords;
      TABLE_ARRAYS.forEach((name, k) => place(t[name], d + 3 + k * ARRAY_WORDS));
    };
    for (let p = b * PACK_PARTS; p < (b + 1) * PACK_PARTS; p++) {
      const base = p * partitionWords;
      const part = state.parts[p];
      if (part) {
        placeTable(part.table, base);
        const acc = 'states' in part ? part.states.acc : part.acc;
        place(acc, base + TABLE_WORDS);
        const v = 'states' in part ? part.states.values : part.values;
        if (v.length > 0) values[p] = v;
      }
      for (let j = 0; j < distinctCount; j++) placeTable(state.distinct[j][p], distinctAt(base, j));
    }
    if (placed.length === 0 && own.length === 0) continue;
    const block = new ArrayBuffer(bytes);
    const into = new Uint8Array(block);
    for (const { array, at } of placed) {
      into.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
    }
    freeBuffers(placed.filter(({ array }) => isWholeBuffer(array)).map(({ array }) => array.buffer));
    blocks[b] = { bytes: block, own };
  }
  return { blocks, directory, partitionWords, distinctCount, values };
}

/** The buffers of a packed state's blocks (to transfer them). */
export function packedBuffers(packed: PackedGroups): ArrayBuffer[] {
  return packed.blocks.flatMap((b) => (b ? [b.bytes, ...b.own] : []));
}

/**
 * Blocks [from, to) of partitions (both multiples of PACK_PARTS) of a packed state, and their buffers: the rest of
 * the state moves to the job that merges those partitions, and the blocks are no longer the state's.
 */
export function packedForJob(packed: PackedGroups, from: number, to: number): { packed: PackedGroups; buffers: ArrayBuffer[] } {
  if (from % PACK_PARTS !== 0 || to % PACK_PARTS !== 0) throw new Error(`partitions ${from}–${to} do not start and end on a block`);
  const blocks: (PackedBlock | undefined)[] = new Array<PackedBlock | undefined>(PACK_BLOCKS);
  for (let b = from / PACK_PARTS; b < to / PACK_PARTS; b++) {
    blocks[b] = packed.blocks[b];
    packed.blocks[b] = undefined;
  }
  const handed = { ...packed, blocks };
  return { packed: handed, buffers: packedBuffers(handed) };
}

/** Groups in a packed state's partitions (from the directory: the blocks may be elsewhere). */
export function packedGroupCount(packed: PackedGroups): number {
  let n = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const d = p * packed.partitionWords;
    if (packed.directory[d] === PRESENT) n += packed.directory[d + 1];
  }
  return n;
}

/** The partitions of the blocks a packed state has, as views over the blocks (as merging reads them). */
export function unpackGroups(packed: PackedGroups): UnpackedGroups {
  const { directory, partitionWords, distinctCount } = packed;
  const parts: (PartitionData | Partition | undefined)[] = new Array<PartitionData | undefined>(PARTITIONS);
  const distinct: (GroupTableData | undefined)[][] = Array.from({ length: distinctCount }, () => new Array<GroupTableData | undefined>(PARTITIONS));
  for (let b = 0; b < PACK_BLOCKS; b++) {
    const block = packed.blocks[b];
    if (!block) continue;
    const array = (d: number, float: boolean): AnyArray | undefined => {
      const where = directory[d];
      if (where === ABSENT) return undefined;
      const length = directory[d + 2];
      const buffer = where === OWN ? block.own[directory[d + 1]] : block.bytes;
      const offset = where === OWN ? 0 : directory[d + 1];
      return float ? new Float64Array(buffer, offset, length) : new Int32Array(buffer, offset, length);
    };
    const table = (d: number): GroupTableData | undefined => {
      if (directory[d] !== PRESENT) return undefined;
      const arrays = {} as Record<TableArray, AnyArray | undefined>;
      TABLE_ARRAYS.forEach((name, k) => (arrays[name] = array(d + 3 + k * ARRAY_WORDS, FLOAT_ARRAYS.has(name))));
      return { size: directory[d + 1], usedWords: directory[d + 2], ...arrays } as GroupTableData;
    };
    for (let p = b * PACK_PARTS; p < (b + 1) * PACK_PARTS; p++) {
      const base = p * partitionWords;
      const t = table(base);
      if (t) parts[p] = { table: t, acc: array(base + TABLE_WORDS, true) as Float64Array, values: packed.values[p] ?? [] };
      for (let j = 0; j < distinctCount; j++) distinct[j][p] = table(distinctAt(base, j));
    }
  }
  return { parts, distinct };
}

/** PARTITIONS cut into at most `count` ranges of whole blocks (merge and ranking jobs). */
export function blockRanges(count: number): { from: number; to: number }[] {
  const ranges = Math.max(1, Math.min(PACK_BLOCKS, count));
  return Array.from({ length: ranges }, (_, r) => ({
    from: Math.floor((r * PACK_BLOCKS) / ranges) * PACK_PARTS,
    to: Math.floor(((r + 1) * PACK_BLOCKS) / ranges) * PACK_PARTS,
  }));
}

