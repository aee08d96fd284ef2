// Values of the SQL side: numbers, strings and NULL, with SQL's comparison and ordering rules.
import { FieldDef, FieldType } from '../schema';

export type Value = number | string | null;

const NUMERIC: ReadonlySet<FieldType> = new Set<FieldType>(['port', 'protocol', 'count', 'timestamp', 'tcpFlags', 'trafficPath', 'integer']);

/** Whether a field's values are numbers in SQL (`-` is NULL). */
export function isNumericField(f: FieldDef | undefined): boolean {
  return f !== undefined && NUMERIC.has(f.type);
}

/** Signed decimal integer in text[s, e), or NaN. Char walk: no substring on the hot path. */
export function intAt(text: string, s: number, e: number): number {
  if (e <= s) return NaN;
  let i = s;
  let sign = 1;
  if (text.charCodeAt(i) === 45) {
    sign = -1;
    i++;
    if (i === e) return NaN;
  }
  if (e - i > 15) return NaN;
  let v = 0;
  for (; i < e; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return sign * v;
}

/** SQL ordering: NULLs last (as DuckDB does, in both directions), numbers before strings. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SQL comparison for predicates: NULL when either side is NULL; a numeric string compares as a number. */
export function compareForPredicate(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function truthy(v: Value): boolean {
  return v !== null && v !== 0 && v !== '';
}

/**
 * A copy of a string value that does not pin the chunk it was cut from. V8 keeps substrings of 13+ characters as
 * views of their parent, so a value kept past its chunk (group key, result row) would keep the whole 1 MB chunk.
 */
export function detach(v: Value): Value {
  return typeof v === 'string' && v.length >= 13 ? (' ' + v).slice(1) : v;
}

/**
 * Distinct strings cut from chunks, kept once and numbered: `id` finds the number of the string equal to
 * text[s, e) without cutting it (a hash of the characters, then a character compare); `list[id]` is the string,
 * the same string object every time. Group maps then hash each value once (V8 caches a string's hash in the
 * string), or index arrays by its number. Stored strings are copies, so they never pin a chunk. Past `max` values
 * it stops numbering (id -1): memory stays bounded on a high-cardinality field.
 */
export class Interner {
  readonly list: string[] = [];
  /** Slot → id + 1 (0: empty), and the slot's hash. */
  private slots = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private mask = 1023;
  /**
   * The characters of each value packed four to a word in `pool` (from offs[id]), compared a word at a time;
   * lens[id] is -1 for a value with characters past U+00FF (packing is not exact then: compared by characters).
   */
  private offs = new Int32Array(256);
  private lens = new Int32Array(256);
  private pool = new Int32Array(1024);
  private used = 0;
  private words = new Int32Array(16);

  constructor(private readonly max = 1 << 17) {}

  id(t: string, s: number, e: number): number {
    const len = e - s;
    if (len + 3 > this.words.length * 4) this.words = new Int32Array(len);
    const words = this.words;
    // Four characters per word, hashed as they are packed, then a final mix.
    let h = 0x811c9dc5 ^ len;
    let wide = 0;
    let n = 0;
    let i = s;
    for (; i + 3 < e; i += 4) {
      const c0 = t.charCodeAt(i);
      const c1 = t.charCodeAt(i + 1);
      const c2 = t.charCodeAt(i + 2);
      const c3 = t.charCodeAt(i + 3);
      wide |= c0 | c1 | c2 | c3;
      const w = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
      words[n++] = w;
      h = Math.imul(h ^ w, 0x01000193);
    }
    if (i < e) {
      let w = 0;
      for (let shift = 0; i < e; i++, shift += 8) {
        const c = t.charCodeAt(i);
        wide |= c;
        w |= c << shift;
      }
      words[n++] = w;
      h = Math.imul(h ^ w, 0x01000193);
    }
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    const narrow = wide <= 0xff;
    const slots = this.slots;
    const list = this.list;
    let slot = h & this.mask;
    for (;;) {
      const id = slots[slot] - 1;
      if (id < 0) break;
      if (this.hashes[slot] === h) {
        if (narrow) {
          if (this.lens[id] === len) {
            const pool = this.pool;
            const off = this.offs[id];
            let q = 0;
            while (q < n && pool[off + q] === words[q]) q++;
            if (q === n) return id;
          }
        } else {
          const k = list[id];
          if (k.length === len) {
            let q = 0;
            while (q < len && k.charCodeAt(q) === t.charCodeAt(s + q)) q++;
            if (q === len) return id;
          }
        }
      }
      slot = (slot + 1) & this.mask;
    }
    if (list.length >= this.max) return -1;
    const id = list.length;
    // A flat copy (JSON's round trip keeps every code unit): no view of the chunk.
    list.push(len >= 13 ? (JSON.parse(JSON.stringify(t.slice(s, e))) as string) : t.slice(s, e));
    if (id >= this.offs.length) {
      const offs = new Int32Array(this.offs.length * 2);
      offs.set(this.offs);
      this.offs = offs;
      const lens = new Int32Array(this.lens.length * 2);
      lens.set(this.lens);
      this.lens = lens;
    }
    if (this.used + n > this.pool.length) {
      const pool = new Int32Array(Math.max(this.pool.length * 2, this.used + n));
      pool.set(this.pool);
      this.pool = pool;
    }
    this.offs[id] = this.used;
    this.lens[id] = narrow ? len : -1;
    for (let q = 0; q < n; q++) this.pool[this.used + q] = words[q];
    this.used += n;
    slots[slot] = id + 1;
    this.hashes[slot] = h;
    if (list.length * 2 > slots.length) this.grow();
    return id;
  }

  private grow(): void {
    const oldSlots = this.slots;
    const oldHashes = this.hashes;
    const cap = oldSlots.length * 2;
    this.slots = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
    this.mask = cap - 1;
    for (let j = 0; j < oldSlots.length; j++) {
      if (oldSlots[j] === 0) continue;
      let slot = oldHashes[j] & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = oldSlots[j];
      this.hashes[slot] = oldHashes[j];
    }
  }
}

/**
 * The text fields of the record under evaluation, read once per record and interned per field position: every
 * expression (of every query on the same scan) that reads the field gets the same string, and the executor can
 * get its number. `next()` starts a record.
 */
export class TextCache {
  private gen = 1;
  private stamps = new Float64Array(64);
  /** Per position: the value's id in the position's interner, -1 for `-` (NULL), -2 when not numbered. */
  private ids = new Int32Array(64);
  private values: (string | null)[] = new Array<string | null>(64).fill(null);
  readonly interners: Interner[] = [];

  next(): void {
    this.gen++;
  }

  /** The value of field k (text[starts[k], ends[k])) of the current record: NULL for `-`. */
  read(t: string, starts: Int32Array, ends: Int32Array, k: number): string | null {
    if (k >= this.stamps.length || this.stamps[k] !== this.gen) this.load(t, starts, ends, k);
    return this.values[k];
  }

  /** The number of field k's value in interners[k], -1 for NULL, -2 when it has none (see Interner). */
  id(t: string, starts: Int32Array, ends: Int32Array, k: number): number {
    if (k >= this.stamps.length || this.stamps[k] !== this.gen) this.load(t, starts, ends, k);
    return this.ids[k];
  }

  private load(t: string, starts: Int32Array, ends: Int32Array, k: number): void {
    if (k >= this.stamps.length) {
      const stamps = new Float64Array(k * 2);
      stamps.set(this.stamps);
      this.stamps = stamps;
      const ids = new Int32Array(k * 2);
      ids.set(this.ids);
      this.ids = ids;
    }
    const s = starts[k];
    const e = ends[k];
    this.stamps[k] = this.gen;
    if (e - s === 1 && t.charCodeAt(s) === 45) {
      this.ids[k] = -1;
      this.values[k] = null;
      return;
    }
    const interner = (this.interners[k] ??= new Interner());
    const id = interner.id(t, s, e);
    this.ids[k] = id < 0 ? -2 : id;
    this.values[k] = id < 0 ? t.slice(s, e) : interner.list[id];
  }
}
