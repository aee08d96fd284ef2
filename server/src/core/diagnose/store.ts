// The open conversations of the join: one fixed-size row per conversation in a single buffer (Int32 words and
// Float64 fields over the same bytes, 168 bytes a row, no object per conversation; a conversation of one record
// writes only the row's first 64 bytes: storeRow.ts), with the table from a key to the newest open conversation of
// that key (keyTable.ts). What a conversation is made of, how two merge, how one is saved to a spill file and read
// back (closing.ts reads the facts it is closed with; the row's layout is storeRow.ts).
//
// Why rows: nearly every record of a busy log opens a conversation that closes thousands of records later, out of
// the caches by then, so the join waits on memory more than it computes: a row is three cache lines to open and to
// close where eight arrays (keys, times, counts, …) were eight, and a compact one (one record) one or two to open.
// What a sweep reads of every open conversation (its interface and last end) is kept apart, densely, so that a sweep
// does not read a line of every row; so is what closing a conversation of one record needs (its verdict, bytes and
// packets, decided when it opened; its hash and chain are the key table's): most conversations of a busy log have one
// record, and they close without their row being read again (the sweep walks the dense arrays in order, where the
// rows would be a miss each).
import { conversationHash, keyHash } from './packed';
import { ConversationKeys } from './keyTable';
import { KW, ROW, ROW_F, F_LAST, R_KEY, R_BITS, R_COUNTS, R_EV, F_START, F_VOL, STATE_BYTES, S_FILE, S_LINE, S_FLAGS, F_SINGLE_START } from './storeRow';

/** Added to a conversation's `singles` verdict while its row is compact (storeRow.ts). */
const COMPACT = 8;

export class ConversationStore {
  cap = 0;
  /** The rows: Int32 words, and the same bytes as Float64 (index = word / 2) and as bytes (for spill files). */
  w!: Int32Array;
  f!: Float64Array;
  private bytes!: Uint8Array;
  /**
   * What a sweep reads of every open conversation, apart from the rows (a dense scan, not a cache line a row): its
   * interface (-1 marks a free row) and its last end over both directions.
   */
  ifaces!: Int32Array;
  lastEnds!: Float64Array;
  /**
   * A conversation of one record: its verdict (the VERDICTS index, as closing.ts verdictOf tells it; set by the join
   * when it opens one), plus COMPACT while its row is compact, and its bytes and packets; -1 for any other (its row is
   * read when it closes).
   */
  singles!: Int32Array;
  singleBytes!: Float64Array;
  singlePackets!: Float64Array;
  /** keepRecords: file, line, direction triples per conversation. */
  recs: (number[] | undefined)[] = [];
  private freeList!: Int32Array;
  private freeTop = 0;
  /** Conversation ids in use are below this. */
  high = 0;
  live = 0;
  /** Key → the newest open conversation of that key, and the chains of the older ones (keyTable.ts). */
  readonly keys: ConversationKeys;

  /** `initial`: rows to make room for at first (a power of two: the key table is sized from it). */
  constructor(private readonly maxOpen: number, initial = 1024) {
    this.keys = new ConversationKeys(initial * 2);
    this.allocate(initial);
  }

  private allocate(cap: number): void {
    const buffer = new ArrayBuffer(cap * ROW * 4);
    const w = new Int32Array(buffer);
    if (this.cap > 0) w.set(this.w.subarray(0, this.high * ROW));
    this.w = w;
    this.f = new Float64Array(buffer);
    this.bytes = new Uint8Array(buffer);
    const ifaces = new Int32Array(cap).fill(-1);
    const lastEnds = new Float64Array(cap);
    const singles = new Int32Array(cap);
    const singleBytes = new Float64Array(cap);
    const singlePackets = new Float64Array(cap);
    if (this.cap > 0) {
      ifaces.set(this.ifaces.subarray(0, this.high));
      lastEnds.set(this.lastEnds.subarray(0, this.high));
      singles.set(this.singles.subarray(0, this.high));
      singleBytes.set(this.singleBytes.subarray(0, this.high));
      singlePackets.set(this.singlePackets.subarray(0, this.high));
    }
    this.ifaces = ifaces;
    this.lastEnds = lastEnds;
    this.singles = singles;
    this.singleBytes = singleBytes;
    this.singlePackets = singlePackets;
    const free = new Int32Array(cap);
    if (this.cap > 0) free.set(this.freeList.subarray(0, this.freeTop));
    this.freeList = free;
    this.keys.resize(cap, this.high, w);
    this.cap = cap;
  }

  /**
   * Doubling up to 64 K conversations, then straight to `maxOpen` (a big file needs it soon, and growing step by step
   * would hold the old and the new arrays at once, three times the live ones), doubling again past it (only when
   * the join may not spill: keepRecords, or the spill depth is reached).
   */
  private nextCapacity(): number {
    const max = this.maxOpen;
    if (this.cap < 65536) return this.cap * 2;
    if (this.cap < max && Number.isFinite(max)) return Math.max(this.cap + 1024, Math.ceil(max / 1024) * 1024 + 1024);
    return this.cap * 2;
  }

  /** Forgets every open conversation, keeping the arrays (a spill's partitions reuse them one after another). */
  clear(): void {
    this.ifaces.fill(-1, 0, this.high);
    this.keys.clear();
    this.recs = [];
    this.freeTop = 0;
    this.high = 0;
    this.live = 0;
  }

  /** Whether conversation `c` is open (its row is in use). */
  isOpen(c: number): boolean {
    return this.ifaces[c] !== -1;
  }

  /** The interface of conversation `c` (-1 when its row is free). */
  ifaceOf(c: number): number {
    return this.ifaces[c];
  }

  /** The last end over both directions of conversation `c`. */
  lastEnd(c: number): number {
    return this.lastEnds[c];
  }

  /**
   * A new open conversation with the key, at the head of its key's chain, empty (spilled states are loaded into it).
   * `slot`: where the key table's find() left the key (its lastSlot), when the table has not changed since; otherwise
   * the key is looked up again.
   */
  open(key: Int32Array, at: number, h: number, slot = -1): number {
    const c = this.take(key, at, h, slot);
    const w = this.w;
    const f = this.f;
    const r = c * ROW;
    const rf = c * ROW_F;
    this.lastEnds[c] = -Infinity;
    this.singles[c] = -1;
    w[r + R_BITS] = 0;
    w[r + R_BITS + 1] = 0;
    w[r + R_COUNTS] = 0;
    w[r + R_COUNTS + 1] = 0;
    w[r + R_COUNTS + 2] = 0;
    w[r + R_COUNTS + 3] = 0;
    for (let j = R_EV; j < R_EV + 8; j++) w[r + j] = -1;
    f[rf + F_START] = Infinity;
    f[rf + F_START + 1] = Infinity;
    f[rf + F_VOL] = 0;
    f[rf + F_VOL + 1] = 0;
    f[rf + F_VOL + 2] = 0;
    f[rf + F_VOL + 3] = 0;
    return c;
  }

  /**
   * A new open conversation made of one record (the arguments of addRecord), of this verdict (the VERDICTS index):
   * compact, only the row's first 64 bytes written (most conversations of a busy log have one record, and close
   * without their row read again).
   */
  openSingle(key: Int32Array, at: number, h: number, slot: number, dir: number, start: number, end: number, accepted: boolean, packets: number, bytes: number, file: number, line: number, bits: number, verdict: number): number {
    const c = this.take(key, at, h, slot);
    const w = this.w;
    const r = c * ROW;
    this.lastEnds[c] = end;
    this.singles[c] = verdict | COMPACT;
    this.singleBytes[c] = bytes === bytes ? bytes : 0;
    this.singlePackets[c] = packets === packets ? packets : 0;
    w[r + S_FILE] = file;
    w[r + S_LINE] = line;
    w[r + S_FLAGS] = dir | (accepted ? 2 : 0) | (bits << 2);
    this.f[c * ROW_F + F_SINGLE_START] = start;
    return c;
  }

  /** Whether conversation `c`'s row is compact (openSingle): only its key and record are written. */
  isCompact(c: number): boolean {
    return this.singles[c] >= COMPACT;
  }

  /**
   * Conversation `c`'s row in the full layout, from its compact one (nothing when it is full already): what open then
   * addRecord make of its record, each field written once. Its verdict stays known.
   */
  expand(c: number): void {
    const single = this.singles[c];
    if (single < COMPACT) return;
    const w = this.w;
    const f = this.f;
    const r = c * ROW;
    const rf = c * ROW_F;
    const flags = w[r + S_FLAGS];
    const dir = flags & 1;
    const accepted = (flags & 2) !== 0;
    const start = f[rf + F_SINGLE_START];
    const file = w[r + S_FILE];
    const line = w[r + S_LINE];
    this.singles[c] = single - COMPACT;
    w[r + R_BITS + dir] = flags >>> 2;
    w[r + R_BITS + 1 - dir] = 0;
    const n = r + R_COUNTS + dir * 2;
    const other = r + R_COUNTS + (1 - dir) * 2;
    w[n] = accepted ? 1 : 0;
    w[n + 1] = accepted ? 0 : 1;
    w[other] = 0;
    w[other + 1] = 0;
    for (let j = R_EV; j < R_EV + 8; j++) w[r + j] = -1;
    const e = r + R_EV + dir * 4 + (accepted ? 0 : 2);
    w[e] = file;
    w[e + 1] = line;
    f[rf + F_START + dir] = start;
    f[rf + F_START + 1 - dir] = Infinity;
    f[rf + F_VOL + dir * 2] = this.singlePackets[c];
    f[rf + F_VOL + dir * 2 + 1] = this.singleBytes[c];
    f[rf + F_VOL + (1 - dir) * 2] = 0;
    f[rf + F_VOL + (1 - dir) * 2 + 1] = 0;
  }

  /** A free row for a new conversation with the key, linked at the head of its key's chain (see `open`). */
  private take(key: Int32Array, at: number, h: number, slot: number): number {
    let c: number;
    if (this.freeTop > 0) c = this.freeList[--this.freeTop];
    else {
      if (this.high === this.cap) this.allocate(this.nextCapacity());
      c = this.high++;
    }
    const w = this.w;
    const r = c * ROW;
    this.ifaces[c] = key[at];
    for (let j = 0; j < KW; j++) w[r + R_KEY + j] = key[at + j];
    this.live++;
    this.keys.link(c, key, at, h, slot, this.live);
    return c;
  }

  /** Conversation `c` (full) has one record and this verdict (VERDICTS index: closing.ts verdictOf of its row, & 7). */
  setSingle(c: number, verdict: number): void {
    this.singles[c] = verdict;
  }

  /** Whether a record of [start, end] reaches conversation `c` (its windows, widened by `slack`). */
  reaches(c: number, start: number, end: number, slack: number): boolean {
    const f = this.f;
    const rf = c * ROW_F;
    const first = this.singles[c] >= COMPACT ? f[rf + F_SINGLE_START] : Math.min(f[rf + F_START], f[rf + F_START + 1]);
    return start <= this.lastEnds[c] + slack && first <= end + slack;
  }

  /**
   * Adds a record to conversation `c`: its direction (0 from the key's lo endpoint), window, action, volume (NaN when
   * not logged), place, and direction bits.
   */
  addRecord(c: number, dir: number, start: number, end: number, accepted: boolean, packets: number, bytes: number, file: number, line: number, bits: number): void {
    this.expand(c);
    const w = this.w;
    const f = this.f;
    const r = c * ROW;
    const rf = c * ROW_F;
    this.singles[c] = -1;
    if (start < f[rf + F_START + dir]) f[rf + F_START + dir] = start;
    if (end > this.lastEnds[c]) this.lastEnds[c] = end;
    w[r + R_COUNTS + dir * 2 + (accepted ? 0 : 1)]++;
    if (packets === packets) f[rf + F_VOL + dir * 2] += packets;
    if (bytes === bytes) f[rf + F_VOL + dir * 2 + 1] += bytes;
    const e = r + R_EV + dir * 4 + (accepted ? 0 : 2);
    if (w[e] < 0 || file < w[e] || (file === w[e] && line < w[e + 1])) {
      w[e] = file;
      w[e + 1] = line;
    }
    w[r + R_BITS + dir] |= bits;
  }

  /** Adds conversation `c` to `a` (a record bridged them); `c` is then released by the caller. */
  mergeInto(a: number, c: number): void {
    this.expand(a);
    this.expand(c);
    const w = this.w;
    const f = this.f;
    const ra = a * ROW;
    const rc = c * ROW;
    const fa = a * ROW_F;
    const fc = c * ROW_F;
    this.singles[a] = -1;
    f[fa + F_START] = Math.min(f[fa + F_START], f[fc + F_START]);
    f[fa + F_START + 1] = Math.min(f[fa + F_START + 1], f[fc + F_START + 1]);
    this.lastEnds[a] = Math.max(this.lastEnds[a], this.lastEnds[c]);
    for (let k = 0; k < 4; k++) {
      w[ra + R_COUNTS + k] += w[rc + R_COUNTS + k];
      f[fa + F_VOL + k] += f[fc + F_VOL + k];
    }
    for (let k = R_EV; k < R_EV + 8; k += 2) {
      const fileA = w[ra + k];
      const fileC = w[rc + k];
      if (fileC >= 0 && (fileA < 0 || fileC < fileA || (fileC === fileA && w[rc + k + 1] < w[ra + k + 1]))) {
        w[ra + k] = fileC;
        w[ra + k + 1] = w[rc + k + 1];
      }
    }
    w[ra + R_BITS] |= w[rc + R_BITS];
    w[ra + R_BITS + 1] |= w[rc + R_BITS + 1];
    const recsC = this.recs[c];
    if (recsC) {
      const recsA = (this.recs[a] ??= []);
      for (let k = 0; k < recsC.length; k++) recsA.push(recsC[k]);
    }
  }

  /** Frees a conversation (merged away and unlinked, or closed before the key table is rebuilt). */
  release(c: number): void {
    this.ifaces[c] = -1;
    if (this.recs[c] !== undefined) this.recs[c] = undefined;
    this.freeList[this.freeTop++] = c;
    this.live--;
  }

  /**
   * Closes conversation `c` for good: takes it out of the key table (from its key's chain, or the key out of the table
   * when it was the only one: backward-shift deletion, so no tombstones build up) and releases it.
   */
  remove(c: number): void {
    this.keys.unlink(c);
    this.release(c);
  }

  /**
   * Removes conversations `list[0 .. n - 1]` (as `remove` does each): out of the key table in the order of their home
   * slots (bucketed: a sweep's thousands of removals then walk the table from one end to the other, where in row order
   * each was a cache miss of its own), then released in the order given (the free list, and so the rows later
   * conversations take, stay what one `remove` after another made them).
   */
  removeAll(list: Int32Array, n: number): void {
    this.keys.unlinkAll(list, n);
    for (let k = 0; k < n; k++) this.release(list[k]);
  }

  /** After removing some: trims the ids in use (the highest free ones) from the end. */
  trim(): void {
    while (this.high > 0 && this.ifaces[this.high - 1] === -1) this.high--;
    let kept = 0;
    for (let k = 0; k < this.freeTop; k++) if (this.freeList[k] < this.high) this.freeList[kept++] = this.freeList[k];
    this.freeTop = kept;
  }

  /** Takes over the arrays of another store (empty), so a spill's partitions reuse one allocation. */
  adopt(from: ConversationStore): void {
    this.cap = from.cap;
    this.w = from.w;
    this.f = from.f;
    this.bytes = from.bytes;
    this.ifaces = from.ifaces;
    this.lastEnds = from.lastEnds;
    this.singles = from.singles;
    this.singleBytes = from.singleBytes;
    this.singlePackets = from.singlePackets;
    this.freeList = from.freeList;
    this.keys.adopt(from.keys);
  }

  /** Conversation `c`'s key (KW words at R_KEY of its row in `w`), for a spill's partition. */
  keyAt(c: number): number {
    return c * ROW + R_KEY;
  }

  /** Conversation `c` as one row of STATE_BYTES: the bytes and the offset of its row (a view; copy before changing). */
  saved(c: number): { bytes: Uint8Array; offset: number } {
    this.expand(c);
    this.f[c * ROW_F + F_LAST] = this.lastEnds[c];
    return { bytes: this.bytes, offset: c * ROW * 4 };
  }

  /** Opens the conversations of saved rows (hashed as the reading join hashes its records: keyHash with `seed`). */
  load(buffer: ArrayBuffer, rows: number, seed: number): void {
    const saved = new Int32Array(buffer, 0, rows * ROW);
    for (let s = 0; s < rows; s++) {
      const at = s * ROW + R_KEY;
      const c = this.open(saved, at, keyHash(conversationHash(saved[at + 1], saved, at + 2, at + 6, saved[at + 10]), saved[at], seed));
      // The row as it was saved (`open` set the hash with this seed and the chain apart, in the key table).
      this.w.set(saved.subarray(s * ROW, s * ROW + ROW), c * ROW);
      this.lastEnds[c] = this.f[c * ROW_F + F_LAST];
    }
  }
}
