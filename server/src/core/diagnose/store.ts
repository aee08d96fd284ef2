// The open conversations of the join, in typed arrays (struct of arrays, about 170 bytes a conversation, no object
// per conversation), with the table from a key to the newest open conversation of that key (linear probing; the
// older ones of the same key chain from it). What a conversation is made of, how two merge, how one is saved to a
// spill file and read back, and the facts it is closed with.
import { ClosedConversation, DirectionFacts } from './conversation';
import { META_V6, mix32 } from './packed';
import { decideRequest } from './roles';
import { verdictIndex } from './verdict';

/** Key words: iface, protocol | family, lo address (4), hi address (4), loPort | hiPort << 16. */
export const KW = 11;

// A conversation's state as one row (open conversations moved to a spill file): Int32 words, then Float64.
const S_INTS = 26; // key 11, counts 4, evidence 8, bits 2, hash 1
const S_F64 = 7; // times 3, volume 4
export const STATE_BYTES = S_INTS * 4 + S_F64 * 8;

// Per direction, in `bits`: the tcp-flags OR in the low byte, and these.
export const BIT_HAS_FLAGS = 256;
export const BIT_INGRESS = 512;
export const BIT_EGRESS = 1024;
export const BIT_BPA = 2048;

/** Hash of a key: IPv4 keys have zeros in three words of each address, so only five words count. */
export function hashKey(k: Int32Array, at: number, seed: number): number {
  let h = 0x9e3779b9 ^ Math.imul(seed + 1, 0x27d4eb2f);
  h = Math.imul(h ^ k[at], 0x01000193);
  h = Math.imul(h ^ k[at + 1], 0x01000193);
  h = Math.imul(h ^ k[at + 2], 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h ^ k[at + 6], 0x01000193);
  h = Math.imul(h ^ k[at + 10], 0x01000193);
  if (k[at + 1] & META_V6) {
    h = Math.imul(h ^ k[at + 3], 0x01000193);
    h = Math.imul(h ^ k[at + 4], 0x01000193);
    h = Math.imul(h ^ k[at + 5], 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h ^ k[at + 7], 0x01000193);
    h = Math.imul(h ^ k[at + 8], 0x01000193);
    h = Math.imul(h ^ k[at + 9], 0x01000193);
  }
  return mix32(h);
}

export class ConversationStore {
  cap = 0;
  keys!: Int32Array; // KW per conversation; keys[c * KW] === -1 marks a free one
  hashes!: Int32Array;
  next!: Int32Array; // the next open conversation of the same key, or -1
  times!: Float64Array; // first start of direction 0, of direction 1, last end of both
  counts!: Int32Array; // accepted 0, rejected 0, accepted 1, rejected 1
  vol!: Float64Array; // packets 0, bytes 0, packets 1, bytes 1
  ev!: Int32Array; // first (file, line): accepted 0, rejected 0, accepted 1, rejected 1
  bits!: Int32Array; // per direction
  /** keepRecords: file, line, direction triples per conversation. */
  recs: (number[] | undefined)[] = [];
  private freeList!: Int32Array;
  private freeTop = 0;
  /** Conversation ids in use are below this. */
  high = 0;
  live = 0;
  // Key → the newest open conversation of that key (slot value id + 1).
  slots!: Int32Array;
  mask = 0;
  private readonly stateInts = new Int32Array(S_INTS);
  private readonly stateF64 = new Float64Array(S_F64);
  private readonly stateBytes = new Uint8Array(STATE_BYTES);

  constructor(private readonly maxOpen: number) {
    this.allocate(1024);
  }

  private allocate(cap: number): void {
    const grow = <T extends Int32Array | Float64Array>(old: T | undefined, per: number, make: (n: number) => T, fill?: number): T => {
      const a = make(cap * per);
      if (fill !== undefined) a.fill(fill);
      if (old) a.set(old.subarray(0, Math.min(old.length, a.length)));
      return a;
    };
    const had = this.cap > 0;
    this.keys = grow(had ? this.keys : undefined, KW, (n) => new Int32Array(n), -1);
    this.hashes = grow(had ? this.hashes : undefined, 1, (n) => new Int32Array(n));
    this.next = grow(had ? this.next : undefined, 1, (n) => new Int32Array(n));
    this.times = grow(had ? this.times : undefined, 3, (n) => new Float64Array(n));
    this.counts = grow(had ? this.counts : undefined, 4, (n) => new Int32Array(n));
    this.vol = grow(had ? this.vol : undefined, 4, (n) => new Float64Array(n));
    this.ev = grow(had ? this.ev : undefined, 8, (n) => new Int32Array(n));
    this.bits = grow(had ? this.bits : undefined, 2, (n) => new Int32Array(n));
    this.freeList = grow(had ? this.freeList : undefined, 1, (n) => new Int32Array(n));
    if (!this.slots) {
      this.slots = new Int32Array(cap * 2);
      this.mask = cap * 2 - 1;
    }
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
    this.keys.fill(-1, 0, this.high * KW);
    this.slots.fill(0);
    this.recs = [];
    this.freeTop = 0;
    this.high = 0;
    this.live = 0;
  }

  /** Whether conversation `c` has the key at `key[at..]`. */
  hasKey(c: number, key: Int32Array, at: number): boolean {
    const keys = this.keys;
    const base = c * KW;
    for (let k = 0; k < KW; k++) if (keys[base + k] !== key[at + k]) return false;
    return true;
  }

  /** The head of the chain of the key (hash `h`), or -1; `this.lastSlot` is where it is, or where it would go. */
  lastSlot = 0;
  find(key: Int32Array, h: number): number {
    let slot = h & this.mask;
    for (;;) {
      const v = this.slots[slot];
      if (v === 0) {
        this.lastSlot = slot;
        return -1;
      }
      if (this.hashes[v - 1] === h && this.hasKey(v - 1, key, 0)) {
        this.lastSlot = slot;
        return v - 1;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * A new open conversation with the key, at the head of its key's chain. `slot`: where find() left the key (its
   * lastSlot), when the key table has not changed since; otherwise the key is looked up again.
   */
  open(key: Int32Array, h: number, slot = -1): number {
    let c: number;
    if (this.freeTop > 0) c = this.freeList[--this.freeTop];
    else {
      if (this.high === this.cap) this.allocate(this.nextCapacity());
      c = this.high++;
    }
    const keys = this.keys;
    const k = c * KW;
    for (let j = 0; j < KW; j++) keys[k + j] = key[j];
    this.hashes[c] = h;
    const times = this.times;
    times[c * 3] = Infinity;
    times[c * 3 + 1] = Infinity;
    times[c * 3 + 2] = -Infinity;
    const counts = this.counts;
    const vol = this.vol;
    const ev = this.ev;
    for (let j = c * 4; j < c * 4 + 4; j++) {
      counts[j] = 0;
      vol[j] = 0;
    }
    for (let j = c * 8; j < c * 8 + 8; j++) ev[j] = -1;
    this.bits[c * 2] = 0;
    this.bits[c * 2 + 1] = 0;
    this.live++;
    if (this.live * 2 > this.slots.length) {
      this.growSlots();
      slot = -1;
    }
    if (slot < 0) {
      this.find(key, h);
      slot = this.lastSlot;
    }
    this.next[c] = this.slots[slot] - 1;
    this.slots[slot] = c + 1;
    return c;
  }

  private growSlots(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length - 1;
    for (let s = 0; s < old.length; s++) {
      const v = old[s];
      if (v === 0) continue;
      let slot = this.hashes[v - 1] & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = v;
    }
  }

  /** Adds conversation `c` to `a` (a record bridged them); `c` is then released by the caller. */
  mergeInto(a: number, c: number): void {
    const t = this.times;
    t[a * 3] = Math.min(t[a * 3], t[c * 3]);
    t[a * 3 + 1] = Math.min(t[a * 3 + 1], t[c * 3 + 1]);
    t[a * 3 + 2] = Math.max(t[a * 3 + 2], t[c * 3 + 2]);
    for (let k = 0; k < 4; k++) {
      this.counts[a * 4 + k] += this.counts[c * 4 + k];
      this.vol[a * 4 + k] += this.vol[c * 4 + k];
    }
    const ev = this.ev;
    for (let k = 0; k < 8; k += 2) {
      const fa = ev[a * 8 + k];
      const fc = ev[c * 8 + k];
      if (fc >= 0 && (fa < 0 || fc < fa || (fc === fa && ev[c * 8 + k + 1] < ev[a * 8 + k + 1]))) {
        ev[a * 8 + k] = fc;
        ev[a * 8 + k + 1] = ev[c * 8 + k + 1];
      }
    }
    this.bits[a * 2] |= this.bits[c * 2];
    this.bits[a * 2 + 1] |= this.bits[c * 2 + 1];
    const rc = this.recs[c];
    if (rc) {
      const ra = (this.recs[a] ??= []);
      for (let k = 0; k < rc.length; k++) ra.push(rc[k]);
    }
  }

  /** Frees a conversation (merged away and unlinked, or closed before the key table is rebuilt). */
  release(c: number): void {
    this.keys[c * KW] = -1;
    this.recs[c] = undefined;
    this.freeList[this.freeTop++] = c;
    this.live--;
  }

  /** After closing some: trims the ids in use and rebuilds the key table from the open ones (chains in id order). */
  compact(): void {
    while (this.high > 0 && this.keys[(this.high - 1) * KW] === -1) this.high--;
    let kept = 0;
    for (let k = 0; k < this.freeTop; k++) if (this.freeList[k] < this.high) this.freeList[kept++] = this.freeList[k];
    this.freeTop = kept;
    const slots = this.slots;
    slots.fill(0);
    const mask = this.mask;
    for (let c = this.high - 1; c >= 0; c--) {
      if (this.keys[c * KW] === -1) continue;
      const h = this.hashes[c];
      let slot = h & mask;
      for (;;) {
        const v = slots[slot];
        if (v === 0 || (this.hashes[v - 1] === h && this.hasKey(v - 1, this.keys, c * KW))) break;
        slot = (slot + 1) & mask;
      }
      this.next[c] = slots[slot] - 1;
      slots[slot] = c + 1;
    }
  }

  /** Takes over the arrays of another store (empty), so a spill's partitions reuse one allocation. */
  adopt(from: ConversationStore): void {
    this.cap = from.cap;
    this.keys = from.keys;
    this.hashes = from.hashes;
    this.next = from.next;
    this.times = from.times;
    this.counts = from.counts;
    this.vol = from.vol;
    this.ev = from.ev;
    this.bits = from.bits;
    this.freeList = from.freeList;
    this.slots = from.slots;
    this.mask = from.mask;
  }

  /** Conversation `c` as one row of STATE_BYTES (the buffer is reused). */
  save(c: number): Uint8Array {
    const ints = this.stateInts;
    ints.set(this.keys.subarray(c * KW, c * KW + KW), 0);
    ints.set(this.counts.subarray(c * 4, c * 4 + 4), 11);
    ints.set(this.ev.subarray(c * 8, c * 8 + 8), 15);
    ints[23] = this.bits[c * 2];
    ints[24] = this.bits[c * 2 + 1];
    ints[25] = this.hashes[c];
    const f = this.stateF64;
    f.set(this.times.subarray(c * 3, c * 3 + 3), 0);
    f.set(this.vol.subarray(c * 4, c * 4 + 4), 3);
    this.stateBytes.set(new Uint8Array(ints.buffer), 0);
    this.stateBytes.set(new Uint8Array(f.buffer), S_INTS * 4);
    return this.stateBytes;
  }

  /** Opens the conversations of saved rows (hashed with `seed`, the reading join's). */
  load(buffer: ArrayBuffer, rows: number, seed: number): void {
    for (let r = 0; r < rows; r++) {
      const ints = new Int32Array(buffer, r * STATE_BYTES, S_INTS);
      const f = new Float64Array(buffer, r * STATE_BYTES + S_INTS * 4, S_F64);
      const key = ints.subarray(0, KW);
      const c = this.open(key, hashKey(key, 0, seed));
      this.counts.set(ints.subarray(11, 15), c * 4);
      this.ev.set(ints.subarray(15, 23), c * 8);
      this.bits[c * 2] = ints[23];
      this.bits[c * 2 + 1] = ints[24];
      this.times.set(f.subarray(0, 3), c * 3);
      this.vol.set(f.subarray(3, 7), c * 4);
    }
  }

  /** Fills `v` with what conversation `c` shows: roles, verdict, both directions (and its records' roles). */
  describe(c: number, v: ClosedConversation): void {
    const at = c * KW;
    const keys = this.keys;
    const protocol = keys[at + 1] & 0xff;
    const loPort = keys[at + 10] & 0xffff;
    const hiPort = keys[at + 10] >>> 16;
    const counts = this.counts;
    const times = this.times;
    const bits = this.bits;
    const flags0 = bits[c * 2] & BIT_HAS_FLAGS ? bits[c * 2] & 255 : -1;
    const flags1 = bits[c * 2 + 1] & BIT_HAS_FLAGS ? bits[c * 2 + 1] & 255 : -1;
    const rb = decideRequest(protocol, loPort, hiPort, counts[c * 4], counts[c * 4 + 1], times[c * 3], flags0, counts[c * 4 + 2], counts[c * 4 + 3], times[c * 3 + 1], flags1);
    const reqDir = rb & 1;
    v.iface = keys[at];
    v.protocol = protocol;
    v.v6 = (keys[at + 1] & META_V6) !== 0;
    v.requestDir = reqDir;
    v.basis = rb >> 1;
    const clientAt = reqDir === 0 ? at + 2 : at + 6;
    const serverAt = reqDir === 0 ? at + 6 : at + 2;
    for (let k = 0; k < 4; k++) {
      v.client[k] = keys[clientAt + k];
      v.server[k] = keys[serverAt + k];
    }
    v.clientPort = reqDir === 0 ? loPort : hiPort;
    v.serverPort = reqDir === 0 ? hiPort : loPort;
    this.direction(v.request, c, reqDir);
    this.direction(v.reply, c, 1 - reqDir);
    v.verdict = verdictIndex(protocol, v.request.accepted, v.request.rejected, v.reply.accepted, v.reply.rejected);
    v.start = Math.min(times[c * 3], times[c * 3 + 1]);
    v.end = times[c * 3 + 2];
    const recs = this.recs[c];
    if (recs) {
      // Roles for the records, in file then line order.
      const order: number[] = [];
      for (let k = 0; k < recs.length; k += 3) order.push(k);
      order.sort((x, y) => recs[x] - recs[y] || recs[x + 1] - recs[y + 1]);
      const out: number[] = [];
      for (const k of order) out.push(recs[k], recs[k + 1], recs[k + 2] === reqDir ? 0 : 1);
      v.records = out;
    } else v.records = undefined;
  }

  private direction(d: DirectionFacts, c: number, dir: number): void {
    const b = this.bits[c * 2 + dir];
    d.accepted = this.counts[c * 4 + dir * 2];
    d.rejected = this.counts[c * 4 + dir * 2 + 1];
    d.packets = this.vol[c * 4 + dir * 2];
    d.bytes = this.vol[c * 4 + dir * 2 + 1];
    d.firstStart = this.times[c * 3 + dir];
    d.flags = b & BIT_HAS_FLAGS ? b & 255 : -1;
    d.ingress = (b & BIT_INGRESS) !== 0;
    d.egress = (b & BIT_EGRESS) !== 0;
    d.bpa = (b & BIT_BPA) !== 0;
    const e = c * 8 + dir * 4;
    d.acceptFile = this.ev[e];
    d.acceptLine = this.ev[e + 1];
    d.rejectFile = this.ev[e + 2];
    d.rejectLine = this.ev[e + 3];
  }
}
