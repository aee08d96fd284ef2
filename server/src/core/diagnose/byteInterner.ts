// Interface ids read straight from a chunk's bytes to small integers: open addressing over the ids, the bytes of
// each id kept once in a pool, no string made but for a new id. A small cache of recent ids is tried first, found by
// the id's length and last four bytes (the random part of an id: `eni-…3c83e`), a hit checked byte for byte like
// any other; only a miss hashes the whole id. Records of one interface often come together in a delivered file, and
// records of a few dozen interfaces interleave in others: both hit the cache.
import { textOf } from '../records/byteText';
import { mix32 } from './packed';

const RECENT_SHIFT = 22; // 1,024 entries: the top ten bits of the multiplied key
const RECENT = 1 << (32 - RECENT_SHIFT);

export class ByteInterner {
  /** The ids' text by number. */
  readonly list: string[] = [];
  private slots = new Int32Array(256); // id + 1, 0 empty
  private hashes = new Int32Array(128);
  private offs = new Int32Array(128);
  private lens = new Int32Array(128);
  private pool = new Uint8Array(4096);
  private used = 0;
  private last = -1;
  /** Recent ids (id + 1, 0 empty) by their length and last four bytes. */
  private readonly recent = new Int32Array(RECENT);

  /** At most `max` ids: past it, id() answers -1 for a new one. */
  constructor(private readonly max = 1 << 17) {}

  /** The number of the id in buf[s, e), added when new (-1 past the maximum). */
  id(buf: Uint8Array, s: number, e: number): number {
    const len = e - s;
    let r = -1;
    if (len >= 4) {
      // The cache holds the previous record's id too (the last one found lands there).
      r = Math.imul((buf[e - 4] | (buf[e - 3] << 8) | (buf[e - 2] << 16) | (buf[e - 1] << 24)) ^ len, 0x9e3779b1) >>> RECENT_SHIFT;
      const v = this.recent[r] - 1;
      if (v >= 0 && this.lens[v] === len && this.same(v, buf, s, len)) return v;
    } else {
      const last = this.last;
      if (last >= 0 && this.lens[last] === len && this.same(last, buf, s, len)) return last;
    }
    // Four bytes a step (ids are ASCII of 12–21 bytes), every byte counted, then mixed.
    let h = 0x811c9dc5 ^ len;
    let i = s;
    for (; i + 4 <= e; i += 4) h = Math.imul(h ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)), 0x9e3779b1);
    for (; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    h = mix32(h);
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const v = this.slots[slot];
      if (v === 0) break;
      const id = v - 1;
      if (this.hashes[id] === h && this.lens[id] === len && this.same(id, buf, s, len)) {
        this.last = id;
        if (r >= 0) this.recent[r] = id + 1;
        return id;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.list.length;
    if (id >= this.max) return -1;
    if (id === this.hashes.length) {
      this.hashes = grow(this.hashes);
      this.offs = grow(this.offs);
      this.lens = grow(this.lens);
    }
    if (this.used + len > this.pool.length) {
      const pool = new Uint8Array(Math.max(this.pool.length * 2, this.used + len));
      pool.set(this.pool.subarray(0, this.used));
      this.pool = pool;
    }
    this.pool.set(buf.subarray(s, e), this.used);
    this.offs[id] = this.used;
    this.lens[id] = len;
    this.hashes[id] = h;
    this.used += len;
    this.list.push(textOf(buf, s, e));
    this.slots[slot] = id + 1;
    if ((id + 1) * 2 > this.slots.length) this.rehash();
    this.last = id;
    if (r >= 0) this.recent[r] = id + 1;
    return id;
  }

  private same(id: number, buf: Uint8Array, s: number, len: number): boolean {
    const pool = this.pool;
    const o = this.offs[id];
    for (let k = 0; k < len; k++) if (pool[o + k] !== buf[s + k]) return false;
    return true;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.list.length; id++) {
      let slot = this.hashes[id] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
