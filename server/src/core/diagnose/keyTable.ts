// The join's key table: from a conversation key to the newest open conversation of that key (the store's rows,
// store.ts), the older conversations of the same key chained from it. Linear probing over 32-bit slots: the
// conversation's id + 1 in the low bits, the key hash's high bits as a tag above them, so a probe compares tags
// without touching the rows. Every record probes the table at a place of its own, so it is read from memory more
// than from a cache: 4 bytes a slot (where a pair of row and hash took 8) keep twice as much of it in a cache. A key
// whose last conversation closes leaves the table by backward-shift deletion (no tombstones build up).
import { KW, ROW, R_KEY } from './storeRow';

export class ConversationKeys {
  /**
   * Per slot (id + 1) | the hash's high bits (its tag: the bits from `rowBits` up); 0 is an empty slot. `rowBits`
   * holds every id + 1 (ids are below the store's capacity).
   */
  slots: Int32Array;
  mask: number;
  rowBits = 0;
  /** The low `rowBits` bits (id + 1 = slot & rowMask), and the tag's (~rowMask). */
  rowMask = 0;
  /** Where the last find() found its key, or where the key would go. */
  lastSlot = 0;
  /** Per conversation: the key's hash (with the join's seed), and the next open conversation of the same key (-1: none). */
  hashes = new Int32Array(0);
  nexts = new Int32Array(0);
  /** The store's rows, whose keys a matching tag is checked against. */
  private rows: Int32Array = new Int32Array(0);
  private bucketStarts = new Int32Array(0);
  private ordered = new Int32Array(0);

  /** `slots`: a power of two. */
  constructor(slots: number) {
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** Room for conversations below `cap` (those below `high` kept as they are), whose rows are now `rows`. */
  resize(cap: number, high: number, rows: Int32Array): void {
    const hashes = new Int32Array(cap);
    const nexts = new Int32Array(cap);
    hashes.set(this.hashes.subarray(0, high));
    nexts.set(this.nexts.subarray(0, high));
    this.hashes = hashes;
    this.nexts = nexts;
    this.rows = rows;
    // Ids + 1 up to `cap` must fit below the tag: a wider id takes a bit of every tag (the slots stay where they are).
    if (cap >= 2 ** this.rowBits) this.retag(Math.max(1, Math.ceil(Math.log2(cap + 1))));
  }

  /** Rewrites every slot's tag for ids of `rowBits` bits (the slots stay in place: where a key goes is its hash & mask). */
  private retag(rowBits: number): void {
    const oldMask = this.rowMask;
    const rowMask = rowBits >= 31 ? 0x7fffffff : 2 ** rowBits - 1;
    const slots = this.slots;
    const hashes = this.hashes;
    for (let s = 0; s < slots.length; s++) {
      const v = slots[s];
      if (v === 0) continue;
      const id1 = v & oldMask;
      slots[s] = id1 | (hashes[id1 - 1] & ~rowMask);
    }
    this.rowBits = rowBits;
    this.rowMask = rowMask;
  }

  /** Whether conversation `c` has the key at `key[at..]`. */
  hasKey(c: number, key: Int32Array, at: number): boolean {
    const w = this.rows;
    const base = c * ROW + R_KEY;
    for (let k = 0; k < KW; k++) if (w[base + k] !== key[at + k]) return false;
    return true;
  }

  /** The head of the chain of the key (hash `h`), or -1; `this.lastSlot` is where it is, or where it would go. */
  find(key: Int32Array, at: number, h: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const rowMask = this.rowMask;
    const tag = h & ~rowMask;
    let slot = h & mask;
    for (;;) {
      const v = slots[slot];
      if (v === 0) {
        this.lastSlot = slot;
        return -1;
      }
      // A tag that matches is the key's, but for one key in 2^(32 - rowBits): the row tells.
      if ((v & ~rowMask) === tag && this.hasKey((v & rowMask) - 1, key, at)) {
        this.lastSlot = slot;
        return (v & rowMask) - 1;
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Puts conversation `c` (key `key[at..]`, hash `h`) at the head of its key's chain. `slot`: where find() left the key,
   * when the table has not changed since (-1: look it up again); `live`: open conversations, `c` included.
   */
  link(c: number, key: Int32Array, at: number, h: number, slot: number, live: number): void {
    this.hashes[c] = h;
    if (live * 2 > this.slots.length) {
      this.growSlots();
      slot = -1;
    }
    if (slot < 0) {
      this.find(key, at, h);
      slot = this.lastSlot;
    }
    const rowMask = this.rowMask;
    // The slot is empty (-1: no chain yet) or holds the key's head, which the new conversation goes before.
    this.nexts[c] = (this.slots[slot] & rowMask) - 1;
    this.slots[slot] = (c + 1) | (h & ~rowMask);
  }

  /** The key table rehashed into twice as many slots (a slot's place comes from its conversation's hash). */
  private growSlots(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length - 1;
    const rowMask = this.rowMask;
    const hashes = this.hashes;
    for (let s = 0; s < old.length; s++) {
      const v = old[s];
      if (v === 0) continue;
      let slot = hashes[(v & rowMask) - 1] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = v;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /**
   * Takes conversations `list[0 .. n - 1]` out of the table (as `unlink` does each) in the order of their home slots
   * (bucketed: a sweep's thousands of removals then walk the table from one end to the other, where in row order each
   * was a cache miss of its own).
   */
  unlinkAll(list: Int32Array, n: number): void {
    const mask = this.mask;
    // Buckets of 64 slots (256 bytes of the table) at most, and not many more than removals.
    let shift = 6;
    while ((mask + 1) >>> shift > Math.max(64, n)) shift++;
    const buckets = ((mask + 1) >>> shift) + 1;
    if (this.bucketStarts.length < buckets + 1) this.bucketStarts = new Int32Array(buckets + 1);
    if (this.ordered.length < n) this.ordered = new Int32Array(Math.max(n, this.ordered.length * 2));
    const starts = this.bucketStarts;
    const ordered = this.ordered;
    const hashes = this.hashes;
    starts.fill(0, 0, buckets + 1);
    for (let k = 0; k < n; k++) starts[((hashes[list[k]] & mask) >>> shift) + 1]++;
    for (let b = 0; b < buckets; b++) starts[b + 1] += starts[b];
    for (let k = 0; k < n; k++) {
      const c = list[k];
      ordered[starts[(hashes[c] & mask) >>> shift]++] = c;
    }
    for (let k = 0; k < n; k++) this.unlink(ordered[k]);
  }

  /** Takes conversation `c` out of the table (its row stays in use until the store releases it). */
  unlink(c: number): void {
    const slots = this.slots;
    const mask = this.mask;
    const rowMask = this.rowMask;
    const nexts = this.nexts;
    const hashes = this.hashes;
    const h = hashes[c];
    const tag = h & ~rowMask;
    let slot = h & mask;
    for (;;) {
      const v = slots[slot];
      if (v === 0) throw new Error(`conversation ${c} is not in the key table`);
      if ((v & ~rowMask) === tag && ((v & rowMask) - 1 === c || this.hasKey((v & rowMask) - 1, this.rows, c * ROW + R_KEY))) break;
      slot = (slot + 1) & mask;
    }
    const head = (slots[slot] & rowMask) - 1;
    const next = nexts[c];
    if (head !== c) {
      let prev = head;
      while (nexts[prev] !== c) prev = nexts[prev];
      nexts[prev] = next;
    } else if (next >= 0) slots[slot] = (next + 1) | tag;
    else {
      // The key's last conversation: empty its slot, moving back the entries after it that may live there (an
      // entry's home comes from its head's hash, in the dense `hashes`).
      let i = slot;
      let j = slot;
      for (;;) {
        j = (j + 1) & mask;
        const v = slots[j];
        if (v === 0) break;
        const home = hashes[(v & rowMask) - 1] & mask;
        // It moves back to i unless its home is in (i, j] going round the table: as far from j as i is, or farther.
        // (One comparison: the two-way test of wrapped and unwrapped ranges deoptimized on its rare side.)
        if (((j - home) & mask) >= ((j - i) & mask)) {
          slots[i] = v;
          i = j;
        }
      }
      slots[i] = 0;
    }
  }

  /** Empties the table, keeping its memory. */
  clear(): void {
    this.slots.fill(0);
  }

  /** Takes over the arrays of another store's table (empty), so a spill's partitions reuse one allocation. */
  adopt(from: ConversationKeys): void {
    this.slots = from.slots;
    this.mask = from.mask;
    this.rowBits = from.rowBits;
    this.rowMask = from.rowMask;
    this.hashes = from.hashes;
    this.nexts = from.nexts;
    this.rows = from.rows;
  }
}
