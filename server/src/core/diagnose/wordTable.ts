// A hash table of fixed-width keys (Int32 words) to fixed-width Int32 values, in typed arrays: no object per entry,
// so millions of entries cost tens of bytes each and nothing for the garbage collector. Linear probing over
// (entry + 1, hash) pairs, so a probe compares hashes without reading the entries; no deletion (a table is cleared
// whole when its window closes). Entries are numbered in insertion order.
import { hashWords, mix32 } from './packed';
import { doubledSlotPairs } from './slotPairs';

export class WordTable {
  keys: Int32Array;
  values: Int32Array;
  size = 0;
  private slots: Int32Array; // pairs: entry + 1 (0: empty), hash
  private mask: number;
  private capacity: number;

  constructor(readonly keyWords: number, readonly valueWords: number, capacity = 256) {
    this.capacity = capacity;
    this.keys = new Int32Array(capacity * keyWords);
    this.values = new Int32Array(capacity * valueWords);
    this.slots = new Int32Array(capacity * 4);
    this.mask = capacity * 2 - 1;
  }

  /**
   * The hash of the key at key[at..at+keyWords): each word multiplied by its own odd constant (independent products,
   * not a chain of them), then mixed. Only where keys go in the table depends on it: entries keep insertion order.
   */
  private hash(key: Int32Array, at: number): number {
    const n = this.keyWords;
    let h = Math.imul(key[at], 0x9e3779b1) ^ n;
    if (n > 1) h ^= Math.imul(key[at + 1], 0x85ebca77);
    if (n > 2) h ^= Math.imul(key[at + 2], 0xc2b2ae3d);
    if (n > 3) h ^= Math.imul(key[at + 3], 0x27d4eb2f);
    if (n > 4) h = Math.imul(h ^ (h >>> 15), 0x165667b1) ^ hashWords(key, at + 4, n - 4, 7);
    return mix32(h);
  }

  /** The entry of the key at key[at..at+keyWords), or -1. */
  find(key: Int32Array, at: number): number {
    const h = this.hash(key, at);
    const slots = this.slots;
    let slot = h & this.mask;
    for (;;) {
      const v = slots[slot * 2];
      if (v === 0) return -1;
      if (slots[slot * 2 + 1] === h && this.equals(v - 1, key, at)) return v - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * The entry of the key, added (values zero) when new; `-1 - entry` for a new one, so callers can initialise it.
   * Past `limit` entries a new key is not added: NaN.
   */
  upsert(key: Int32Array, at: number, limit = Infinity): number {
    const h = this.hash(key, at);
    const slots = this.slots;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const v = slots[slot * 2];
      if (v === 0) break;
      if (slots[slot * 2 + 1] === h && this.equals(v - 1, key, at)) return v - 1;
      slot = (slot + 1) & mask;
    }
    if (this.size >= limit) return NaN;
    const e = this.size++;
    if (e === this.capacity) this.growEntries();
    const kw = this.keyWords;
    const keys = this.keys;
    for (let j = 0; j < kw; j++) keys[e * kw + j] = key[at + j];
    slots[slot * 2] = e + 1;
    slots[slot * 2 + 1] = h;
    if (this.size * 4 > slots.length) this.growSlots();
    return -1 - e;
  }

  private equals(e: number, key: Int32Array, at: number): boolean {
    const k = this.keys;
    const kw = this.keyWords;
    const base = e * kw;
    for (let j = 0; j < kw; j++) if (k[base + j] !== key[at + j]) return false;
    return true;
  }

  private growEntries(): void {
    const n = this.capacity * 2;
    const keys = new Int32Array(n * this.keyWords);
    keys.set(this.keys);
    this.keys = keys;
    const values = new Int32Array(n * this.valueWords);
    values.set(this.values);
    this.values = values;
    this.capacity = n;
  }

  private growSlots(): void {
    this.slots = doubledSlotPairs(this.slots);
    this.mask = this.slots.length / 2 - 1;
  }

  /** Empties the table, keeping its memory (tables are reused from window to window: no churn of big arrays). */
  clear(): void {
    if (this.size === 0) return;
    this.slots.fill(0);
    this.values.fill(0, 0, this.size * this.valueWords);
    this.size = 0;
  }

  /** Bytes held (for the memory budget). */
  get bytes(): number {
    return this.keys.byteLength + this.values.byteLength + this.slots.byteLength;
  }
}
