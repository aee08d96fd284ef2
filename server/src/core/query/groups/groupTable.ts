// The group table: groups by their key bytes, in typed arrays (tens of bytes a group, no object per group).
// Open addressing over group ids; each group's key is kept as written by the KeyScratch, word-aligned in one
// arena, so a probe compares hashes first and then words. The arrays are plain ArrayBuffers (V8 counts them as
// external memory, so garbage collection frees grown-out arrays in time; SharedArrayBuffers it does not count): a
// worker hands a partition to the worker that merges it by transferring them, without a copy.
import { KeyScratch } from './keyCodec';
import { outgrown, pooledFloat64, pooledInt32, release } from './arrayPool';

/** A bigger copy of a (its tail zeroed); a goes back to the pool. */
function grownInt32(a: Int32Array, n: number): Int32Array {
  const b = pooledInt32(n, false);
  b.set(a);
  b.fill(0, a.length);
  outgrown(a);
  return b;
}

function grownFloat64(a: Float64Array, n: number): Float64Array {
  const b = pooledFloat64(n, false);
  b.set(a);
  b.fill(0, a.length);
  outgrown(a);
  return b;
}

/** The arrays of a table, as posted between threads (transferred, not copied). */
export interface GroupTableData {
  size: number;
  slots: Int32Array;
  usedWords: number;
  auxHash?: Int32Array;
  auxLength?: Int32Array;
  hashes: Int32Array;
  keyStart: Int32Array;
  keyLength: Int32Array;
  firstSeq: Float64Array;
  keyWords: Int32Array;
}

export class GroupTable implements GroupTableData {
  size = 0;
  /** Per group: the key's hash, its first word in keyWords, its length in bytes, and the first record's sequence. */
  hashes: Int32Array;
  keyStart: Int32Array;
  keyLength: Int32Array;
  firstSeq: Float64Array;
  /** All keys, word-aligned, one after another. */
  keyWords: Int32Array;
  private keyBytesView: Uint8Array;
  usedWords = 0;
  /** Slot i: group id + 1 at 2i (0: empty), the group's hash at 2i + 1 (a probe reads one cache line). */
  slots: Int32Array;
  private mask: number;
  /** Called with the new capacity when the per-group arrays grow (the aggregates grow theirs). */
  onGrow?: (capacity: number) => void;

  /**
   * A table of `capacity` groups to start with, or the table whose arrays another thread posted (`data`: the same
   * memory). Both ways go through here so that every table has one hidden class: a table made by Object.create had
   * another, and the code merging posted tables into local ones was deoptimized on each ("wrong map").
   */
  constructor(capacity = 16, data?: GroupTableData) {
    if (data) {
      this.size = data.size;
      this.hashes = data.hashes;
      this.keyStart = data.keyStart;
      this.keyLength = data.keyLength;
      this.firstSeq = data.firstSeq;
      this.keyWords = data.keyWords;
      this.keyBytesView = bytesOf(data.keyWords);
      this.usedWords = data.usedWords;
      this.slots = data.slots;
      this.mask = data.slots.length / 2 - 1;
      this.auxHash = data.auxHash;
      this.auxLength = data.auxLength;
      return;
    }
    const cap = Math.max(16, capacity);
    this.hashes = pooledInt32(cap, false);
    this.keyStart = pooledInt32(cap, false);
    this.keyLength = pooledInt32(cap, false);
    this.firstSeq = pooledFloat64(cap, false);
    this.keyWords = pooledInt32(cap * 4, false);
    this.keyBytesView = new Uint8Array(this.keyWords.buffer);
    let slots = 32;
    while (slots < cap * 2) slots *= 2;
    this.slots = pooledInt32(slots * 2);
    this.mask = slots - 1;
  }

  /** Gives the table's memory back to the pool (the table is not used after). */
  release(): void {
    release(this.hashes, this.keyStart, this.keyLength, this.firstSeq, this.keyWords, this.slots, this.auxHash, this.auxLength);
  }

  /** The table whose arrays another thread posted (the same memory: merging into it changes them). */
  static from(data: GroupTableData): GroupTable {
    return data instanceof GroupTable ? data : new GroupTable(0, data);
  }

  /** Groups the per-group arrays hold (pooled arrays may be longer; all of them hold at least this many). */
  get capacity(): number {
    return Math.min(this.hashes.length, this.keyStart.length, this.keyLength.length, this.firstSeq.length);
  }

  /** The key bytes of all groups (group g's at keyStart[g] * 4, keyLength[g] long). */
  get keyBytes(): Uint8Array {
    return this.keyBytesView;
  }

  /** Bytes held by the table's arrays (the aggregates' come on top). */
  byteSize(): number {
    return this.hashes.byteLength * 3 + this.firstSeq.byteLength + this.keyWords.byteLength + this.slots.byteLength
      + (this.auxHash ? this.auxHash.byteLength * 2 : 0);
  }

  /**
   * The id of the group whose key is the scratch's (sealed: `words` words, `hash` of them), added with
   * `seq` as its first record when new (findOrAddWords: one probe for both). `isNew` tells the caller which.
   */
  findOrAdd(scratch: KeyScratch, words: number, hash: number, seq: number): number {
    return this.findOrAddWords(scratch.words, 0, words, scratch.length, hash, seq);
  }

  /** Whether the last findOrAdd added its group. */
  isNew = false;

  /**
   * Tables of DISTINCT values: per entry, the hash and byte length of its group's key (the entry's key is the
   * group key followed by the value), so that entries go where their group goes.
   */
  auxHash?: Int32Array;
  auxLength?: Int32Array;

  setAux(id: number, groupHash: number, groupKeyLength: number): void {
    if (!this.auxHash || this.auxHash.length <= id || this.auxLength!.length <= id) {
      this.auxHash = grownInt32(this.auxHash ?? new Int32Array(0), this.capacity);
      this.auxLength = grownInt32(this.auxLength ?? new Int32Array(0), this.capacity);
    }
    this.auxHash[id] = groupHash;
    this.auxLength![id] = groupKeyLength;
  }

  /** Finds the group with the key words src[from, from + words) (byte length `len`), or -1. */
  find(src: Int32Array, from: number, words: number, len: number, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const id = slots[2 * i] - 1;
      if (id < 0) return -1;
      if (slots[2 * i + 1] === hash && this.keyLength[id] === len) {
        const at = this.keyStart[id];
        let q = 0;
        while (q < words && this.keyWords[at + q] === src[from + q]) q++;
        if (q === words) return id;
      }
      i = (i + 1) & mask;
    }
  }

  /** Adds a group with the key words src[from, from + words) unless present; returns its id (isNew says which). */
  findOrAddWords(src: Int32Array, from: number, words: number, len: number, hash: number, seq: number): number {
    // One probe: a new key takes the empty slot its search ended at (merging near-unique keys adds nearly all).
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const found = slots[2 * i] - 1;
      if (found < 0) break;
      if (slots[2 * i + 1] === hash && this.keyLength[found] === len) {
        const at = this.keyStart[found];
        const kw = this.keyWords;
        let q = 0;
        while (q < words && kw[at + q] === src[from + q]) q++;
        if (q === words) {
          this.isNew = false;
          if (seq < this.firstSeq[found]) this.firstSeq[found] = seq;
          return found;
        }
      }
      i = (i + 1) & mask;
    }
    const id = this.append(src, from, words, len, hash, seq);
    slots[2 * i] = id + 1;
    slots[2 * i + 1] = hash;
    if (this.size * 4 > (mask + 1) * 3) this.rehash();
    this.isNew = true;
    return id;
  }

  private append(src: Int32Array, from: number, words: number, len: number, hash: number, seq: number): number {
    const id = this.size;
    if (id === this.capacity) this.growGroups(id * 2);
    if (this.usedWords + words > this.keyWords.length) {
      let cap = this.keyWords.length * 2;
      while (cap < this.usedWords + words) cap *= 2;
      this.keyWords = grownInt32(this.keyWords, cap);
      this.keyBytesView = new Uint8Array(this.keyWords.buffer);
    }
    const kw = this.keyWords;
    const at = this.usedWords;
    for (let q = 0; q < words; q++) kw[at + q] = src[from + q];
    this.usedWords += words;
    this.hashes[id] = hash;
    this.keyStart[id] = at;
    this.keyLength[id] = len;
    this.firstSeq[id] = seq;
    this.size = id + 1;
    return id;
  }

  private insertSlot(id: number, hash: number): void {
    const slots = this.slots;
    let i = hash & this.mask;
    while (slots[2 * i] !== 0) i = (i + 1) & this.mask;
    slots[2 * i] = id + 1;
    slots[2 * i + 1] = hash;
  }

  private growGroups(cap: number): void {
    this.hashes = grownInt32(this.hashes, cap);
    this.keyStart = grownInt32(this.keyStart, cap);
    this.keyLength = grownInt32(this.keyLength, cap);
    this.firstSeq = grownFloat64(this.firstSeq, cap);
    this.onGrow?.(cap);
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    outgrown(this.slots);
    this.slots = pooledInt32(cap * 2);
    this.mask = cap - 1;
    for (let id = 0; id < this.size; id++) this.insertSlot(id, this.hashes[id]);
  }

  /** The table's arrays, for another thread. */
  data(): GroupTableData {
    return { size: this.size, slots: this.slots, usedWords: this.usedWords, auxHash: this.auxHash, auxLength: this.auxLength, hashes: this.hashes, keyStart: this.keyStart, keyLength: this.keyLength, firstSeq: this.firstSeq, keyWords: this.keyWords };
  }
}

/** The bytes of an array (which may be a view into a bigger buffer: a packed block). */
export function bytesOf(a: Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The buffers of a table's arrays (to transfer them to another thread). */
export function tableBuffers(t: GroupTableData): ArrayBuffer[] {
  const arrays = [t.slots, t.hashes, t.keyStart, t.keyLength, t.firstSeq, t.keyWords, t.auxHash, t.auxLength];
  return arrays.filter((a): a is Int32Array | Float64Array => a !== undefined).map((a) => a.buffer as ArrayBuffer);
}
