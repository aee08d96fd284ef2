// A hash table of fixed-width keys (Int32 words) to fixed-width Int32 values, in typed arrays: no object per entry,
// so millions of entries cost tens of bytes each and nothing for the garbage collector. Linear probing; no deletion
// (a table is cleared whole when its window closes).
import { hashWords } from './packed';

export class WordTable {
  keys: Int32Array;
  values: Int32Array;
  size = 0;
  private slots: Int32Array; // entry + 1
  private hashes: Int32Array;
  private mask: number;

  constructor(readonly keyWords: number, readonly valueWords: number, capacity = 256) {
    this.keys = new Int32Array(capacity * keyWords);
    this.values = new Int32Array(capacity * valueWords);
    this.hashes = new Int32Array(capacity);
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
  }

  /** The entry of the key at key[at..at+keyWords), or -1. */
  find(key: Int32Array, at: number): number {
    const h = hashWords(key, at, this.keyWords, 7);
    let slot = h & this.mask;
    for (;;) {
      const v = this.slots[slot];
      if (v === 0) return -1;
      if (this.hashes[v - 1] === h && this.equals(v - 1, key, at)) return v - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * The entry of the key, added (values zero) when new; `-1 - entry` for a new one, so callers can initialise it.
   * Past `limit` entries a new key is not added: NaN.
   */
  upsert(key: Int32Array, at: number, limit = Infinity): number {
    const h = hashWords(key, at, this.keyWords, 7);
    let slot = h & this.mask;
    for (;;) {
      const v = this.slots[slot];
      if (v === 0) break;
      if (this.hashes[v - 1] === h && this.equals(v - 1, key, at)) return v - 1;
      slot = (slot + 1) & this.mask;
    }
    if (this.size >= limit) return NaN;
    const e = this.size++;
    if (e === this.hashes.length) this.growEntries();
    this.keys.set(key.subarray(at, at + this.keyWords), e * this.keyWords);
    this.hashes[e] = h;
    this.slots[slot] = e + 1;
    if (this.size * 2 > this.slots.length) this.growSlots();
    return -1 - e;
  }

  private equals(e: number, key: Int32Array, at: number): boolean {
    const k = this.keys;
    const base = e * this.keyWords;
    for (let j = 0; j < this.keyWords; j++) if (k[base + j] !== key[at + j]) return false;
    return true;
  }

  private growEntries(): void {
    const n = this.hashes.length * 2;
    const keys = new Int32Array(n * this.keyWords);
    keys.set(this.keys);
    this.keys = keys;
    const values = new Int32Array(n * this.valueWords);
    values.set(this.values);
    this.values = values;
    const hashes = new Int32Array(n);
    hashes.set(this.hashes);
    this.hashes = hashes;
  }

  private growSlots(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = this.hashes[e] & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = e + 1;
    }
  }

  /** Empties the table, keeping its memory (tables are reused from window to window: no churn of big arrays). */
  clear(): void {
    if (this.size === 0) return;
    this.size = 0;
    this.slots.fill(0);
    this.values.fill(0);
  }

  /** Bytes held (for the memory budget). */
  get bytes(): number {
    return this.keys.byteLength + this.values.byteLength + this.hashes.byteLength + this.slots.byteLength;
  }
}
