// Pairing records into conversations is a join, not a scan: a time-bounded hash of open conversations.
//
// The key is (interface, protocol, the two endpoints address:port in a fixed order), so a record and its reverse
// direction find the same entry. Under one key, records whose windows [start, end + slack] overlap chain into one
// conversation (a long-lived flow over many windows stays one conversation; a record split over two windows, or a
// reply whose window starts a little before or after the request's, joins it). A record that bridges two open
// conversations of one key merges them, so the result does not depend on the order records arrive in: it is the
// connected components of the overlap graph (the SQL peer computes the same thing; test/support/diagnoseSql.ts).
//
// Memory: a conversation is closed (handed to the sink, its slot freed) once no record can join it any more. The
// assumption that makes this safe: the records of one interface come roughly in time order, every record starting
// no more than `lateness` seconds before the latest start already seen on its interface (AWS and Tencent Cloud
// deliver files per capture period, and records within a file lag by at most a capture window). Then a conversation
// whose last end + slack is before that watermark − lateness is complete. Records that break the assumption are
// counted (`lateRecords`): one may start a new conversation where, had it come in order, it would have joined one
// already closed. The watermark is per interface, so files of different interfaces or accounts may interleave.
//
// When more than `maxOpen` conversations are open at once (a dense file, a long lateness, interfaces whose last
// conversations stay open until the end), the join spills: the open conversations and every later record go to
// partition files by a hash of their key (spill.ts), and each partition is then joined on its own, spilling again
// if it must. Memory stays bounded by `maxOpen` whatever the number of conversations; the result is the same.
import { ClosedConversation, DirectionFacts } from './conversation';
import {
  F_BYTES, F_END, F_PACKETS, F_START, META_ACCEPT, META_BPA, META_EGRESS, META_FLAGS_SHIFT, META_HAS_FLAGS, META_INGRESS,
  META_TRAFFIC, META_V6, RECORD_F64, RECORD_WORDS, RecordBatch, W_DST, W_FILE, W_IFACE, W_LINE, W_META, W_PORTS, W_SRC,
  compareAddressWords, mix32,
} from './packed';
import { decideRequest } from './roles';
import { Spill } from './spill';
import { verdictIndex } from './verdict';

export interface JoinOptions {
  /** Seconds: records of one key whose windows overlap or are at most this far apart are one conversation. */
  slack: number;
  /** Seconds a record may start before the latest start already seen on its interface (see above). */
  lateness: number;
  /** Open conversations kept in memory at most (about 170 bytes each); past it the join spills to disk. */
  maxOpen: number;
  /** Keep every record's line in its conversation (for an editor's document; no spilling then). */
  keepRecords: boolean;
  /** Partitions of a spill. */
  partitions: number;
  /** Where spill files go (a temporary folder inside it); default the OS temporary folder. */
  spillDir?: string;
}

export interface JoinStats {
  conversations: number;
  /** Most conversations open at once (in one partition, after a spill). */
  peakOpen: number;
  /** Records that came more than `lateness` before their interface's watermark (see above). */
  lateRecords: number;
  /** Spills (a partition that spilled again counts again), and records written to spill files. */
  spills: number;
  spilledRecords: number;
}

export type ConversationSink = (c: ClosedConversation) => void;

const KW = 11; // key words: iface, protocol | family, lo address (4), hi address (4), loPort | hiPort << 16
// A conversation's state as one row (open conversations moved to a spill file): Int32 words, then Float64.
const S_INTS = 26; // key 11, counts 4, evidence 8, bits 2, hash 1
const S_F64 = 7; // times 3, volume 4
const STATE_BYTES = S_INTS * 4 + S_F64 * 8;

/** Hash of a key: IPv4 keys have zeros in three words of each address, so only five words count. */
function hashKey(k: Int32Array, at: number, seed: number): number {
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

/** Spill levels at most (a partition that spills again is one level deeper). */
const MAX_SPILL_DEPTH = 6;

const BIT_HAS_FLAGS = 256;
const BIT_INGRESS = 512;
const BIT_EGRESS = 1024;
const BIT_BPA = 2048;

export class ConversationJoin {
  // Conversation slots (struct of arrays).
  private cap = 0;
  private keys!: Int32Array; // KW per slot; keys[c * KW] === -1 marks a free slot
  private hashes!: Int32Array;
  private next!: Int32Array; // the next open conversation of the same key, or -1
  private times!: Float64Array; // first start of direction 0, of direction 1, last end of both
  private counts!: Int32Array; // accepted 0, rejected 0, accepted 1, rejected 1
  private vol!: Float64Array; // packets 0, bytes 0, packets 1, bytes 1
  private ev!: Int32Array; // first (file, line): accepted 0, rejected 0, accepted 1, rejected 1
  private bits!: Int32Array; // per direction: tcp-flags OR | BIT_*
  private recs: (number[] | undefined)[] = [];
  private freeList!: Int32Array;
  private freeTop = 0;
  private high = 0;
  private live = 0;
  // Key → the newest open conversation of that key (slot value id + 1; linear probing).
  private slots!: Int32Array;
  private mask = 0;
  private watermarks: Float64Array;
  private wmAtSpill: Float64Array | undefined;
  private readonly key = new Int32Array(KW);
  private readonly stateInts = new Int32Array(S_INTS);
  private readonly stateF64 = new Float64Array(S_F64);
  private readonly stateBytes = new Uint8Array(STATE_BYTES);
  private sinceSweep = 0;
  private relieveAt: number;
  private sweepEvery = 8192;
  private spill: Spill | undefined;
  private readonly view = new ClosedConversation();
  private readonly slack: number;
  private readonly lateness: number;
  readonly stats: JoinStats = { conversations: 0, peakOpen: 0, lateRecords: 0, spills: 0, spilledRecords: 0 };

  constructor(private readonly options: JoinOptions, private readonly sink: ConversationSink, private readonly depth = 0, watermarks?: Float64Array) {
    this.slack = options.slack;
    this.lateness = options.lateness;
    this.relieveAt = options.maxOpen;
    this.watermarks = watermarks ?? new Float64Array(64).fill(-Infinity);
    this.allocate(1024);
  }

  private allocate(cap: number): void {
    const grow = <T extends Int32Array | Float64Array>(old: T | undefined, per: number, make: (n: number) => T, fill?: number): T => {
      const a = make(cap * per);
      if (fill !== undefined) a.fill(fill);
      if (old) a.set(old.subarray(0, Math.min(old.length, a.length)));
      return a;
    };
    this.keys = grow(this.cap ? this.keys : undefined, KW, (n) => new Int32Array(n), -1);
    this.hashes = grow(this.cap ? this.hashes : undefined, 1, (n) => new Int32Array(n));
    this.next = grow(this.cap ? this.next : undefined, 1, (n) => new Int32Array(n));
    this.times = grow(this.cap ? this.times : undefined, 3, (n) => new Float64Array(n));
    this.counts = grow(this.cap ? this.counts : undefined, 4, (n) => new Int32Array(n));
    this.vol = grow(this.cap ? this.vol : undefined, 4, (n) => new Float64Array(n));
    this.ev = grow(this.cap ? this.ev : undefined, 8, (n) => new Int32Array(n));
    this.bits = grow(this.cap ? this.bits : undefined, 2, (n) => new Int32Array(n));
    this.freeList = grow(this.cap ? this.freeList : undefined, 1, (n) => new Int32Array(n));
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
    const max = this.options.maxOpen;
    if (this.cap < 65536) return this.cap * 2;
    if (this.cap < max && Number.isFinite(max)) return Math.max(this.cap + 1024, Math.ceil(max / 1024) * 1024 + 1024);
    return this.cap * 2;
  }

  /** Forgets every open conversation and gives the memory back (after they were moved to a spill). */
  private reset(): void {
    // The arrays stay: the partitions' joins take them over (one at a time), so a spill frees nothing to the
    // garbage collector and allocates nothing new.
    this.keys.fill(-1, 0, this.high * KW);
    this.slots.fill(0);
    this.recs = [];
    this.freeTop = 0;
    this.high = 0;
    this.live = 0;
  }

  /** Uses the (empty) arrays of a join that spilled, instead of its own. */
  private adopt(from: ConversationJoin): void {
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

  addBatch(batch: RecordBatch): void {
    for (let i = 0; i < batch.count; i++) this.add(batch, i);
  }

  add(batch: RecordBatch, i: number): void {
    const w = batch.words;
    const o = i * RECORD_WORDS;
    const meta = w[o + W_META];
    if ((meta & META_TRAFFIC) === 0) return;
    const f = i * RECORD_F64;
    const start = batch.f64[f + F_START];
    const end = batch.f64[f + F_END];
    const iface = w[o + W_IFACE];
    const slack = this.slack;
    const lateness = this.lateness;
    // The interface's watermark (the latest start seen) and the late-record count, at the top level only.
    if (iface >= this.watermarks.length) {
      const grown = new Float64Array(Math.max(iface + 1, this.watermarks.length * 2)).fill(-Infinity);
      grown.set(this.watermarks);
      this.watermarks = grown;
    }
    const wm = this.watermarks[iface];
    if (start > wm) this.watermarks[iface] = start;
    else if (this.depth === 0 && start < wm - lateness) this.stats.lateRecords++;

    // The key: endpoints in a fixed order, and which of them sent this record.
    const ports = w[o + W_PORTS];
    const sport = ports & 0xffff;
    const dport = ports >>> 16;
    let cmp = compareAddressWords(w, o + W_SRC, o + W_DST);
    if (cmp === 0) cmp = sport - dport;
    const dir = cmp <= 0 ? 0 : 1;
    const lo = dir === 0 ? o + W_SRC : o + W_DST;
    const hi = dir === 0 ? o + W_DST : o + W_SRC;
    const key = this.key;
    key[0] = iface;
    key[1] = meta & (0xff | META_V6);
    key[2] = w[lo];
    key[3] = w[lo + 1];
    key[4] = w[lo + 2];
    key[5] = w[lo + 3];
    key[6] = w[hi];
    key[7] = w[hi + 1];
    key[8] = w[hi + 2];
    key[9] = w[hi + 3];
    key[10] = dir === 0 ? sport | (dport << 16) : dport | (sport << 16);
    if (this.spill) {
      this.spill.writeRecord(this.partitionOf(key, 0), batch, i);
      this.stats.spilledRecords++;
      return;
    }
    const h = hashKey(key, 0, this.depth);

    // The open conversations of this key, newest first; the ones this record's window reaches.
    let slot = h & this.mask;
    let head = -1;
    for (;;) {
      const v = this.slots[slot];
      if (v === 0) break;
      if (this.hashes[v - 1] === h && this.sameKey(v - 1)) {
        head = v - 1;
        break;
      }
      slot = (slot + 1) & this.mask;
    }
    let times = this.times;
    let target = -1;
    let prev = -1;
    for (let c = head; c >= 0; ) {
      const nextC = this.next[c];
      const t = c * 3;
      if (start <= times[t + 2] + slack && Math.min(times[t], times[t + 1]) <= end + slack) {
        if (target < 0) {
          target = c;
          prev = c;
        } else {
          // This record bridges two conversations: one now.
          this.mergeInto(target, c);
          this.next[prev] = nextC;
          this.release(c);
        }
      } else prev = c;
      c = nextC;
    }
    if (target < 0) {
      if (this.live >= this.relieveAt && !this.options.keepRecords) {
        // The sweep only closes conversations (none of which this record reaches), so the walk above stands.
        const spill = this.relieve();
        if (spill) {
          spill.writeRecord(this.partitionOf(key, 0), batch, i);
          this.stats.spilledRecords++;
          return;
        }
      }
      target = this.open(h);
      // Newest first in the chain (the table may have moved: find the key's slot again).
      slot = h & this.mask;
      for (;;) {
        const v = this.slots[slot];
        if (v === 0 || (this.hashes[v - 1] === h && this.sameKey(v - 1))) break;
        slot = (slot + 1) & this.mask;
      }
      this.next[target] = this.slots[slot] - 1;
      this.slots[slot] = target + 1;
    }

    // Add the record to its conversation (`open` may have grown the arrays: read them again).
    times = this.times;
    const t = target * 3;
    if (start < times[t + dir]) times[t + dir] = start;
    if (end > times[t + 2]) times[t + 2] = end;
    const accepted = (meta & META_ACCEPT) !== 0;
    this.counts[target * 4 + dir * 2 + (accepted ? 0 : 1)]++;
    const packets = batch.f64[f + F_PACKETS];
    const bytes = batch.f64[f + F_BYTES];
    if (packets === packets) this.vol[target * 4 + dir * 2] += packets;
    if (bytes === bytes) this.vol[target * 4 + dir * 2 + 1] += bytes;
    const file = w[o + W_FILE];
    const line = w[o + W_LINE];
    const e = target * 8 + dir * 4 + (accepted ? 0 : 2);
    const ev = this.ev;
    if (ev[e] < 0 || file < ev[e] || (file === ev[e] && line < ev[e + 1])) {
      ev[e] = file;
      ev[e + 1] = line;
    }
    let b = 0;
    if (meta & META_HAS_FLAGS) b |= BIT_HAS_FLAGS | ((meta >>> META_FLAGS_SHIFT) & 255);
    if (meta & META_INGRESS) b |= BIT_INGRESS;
    if (meta & META_EGRESS) b |= BIT_EGRESS;
    if (meta & META_BPA) b |= BIT_BPA;
    this.bits[target * 2 + dir] |= b;
    if (this.options.keepRecords) (this.recs[target] ??= []).push(file, line, dir);

    if (++this.sinceSweep >= this.sweepEvery) this.sweep();
  }

  /** Closes every conversation (the input has ended), then joins the spilled partitions. */
  finish(): void {
    for (let c = 0; c < this.high; c++) if (this.keys[c * KW] !== -1) this.close(c);
    if (!this.spill) return;
    const spill = this.spill;
    this.spill = undefined;
    spill.seal();
    try {
      for (let p = 0; p < spill.partitions; p++) {
        const child = new ConversationJoin(this.options, this.sink, this.depth + 1, this.wmAtSpill!.slice());
        child.adopt(this);
        for (const { buffer, rows } of spill.statesOf(p)) child.loadStates(buffer, rows);
        for (const batch of spill.recordsOf(p)) child.addBatch(batch);
        child.finish();
        // The child may have grown the arrays (or spilled and left them empty): take them back for the next one.
        child.reset();
        this.adopt(child);
        this.stats.conversations += child.stats.conversations;
        this.stats.peakOpen = Math.max(this.stats.peakOpen, child.stats.peakOpen);
        this.stats.spills += child.stats.spills;
        this.stats.spilledRecords += child.stats.spilledRecords;
      }
    } finally {
      spill.dispose();
    }
  }

  get openCount(): number {
    return this.live;
  }

  // ---- slots ----

  private sameKey(c: number): boolean {
    const keys = this.keys;
    const at = c * KW;
    const key = this.key;
    for (let k = 0; k < KW; k++) if (keys[at + k] !== key[k]) return false;
    return true;
  }

  private partitionOf(key: Int32Array, at: number): number {
    return (hashKey(key, at, 1000 + this.depth) >>> 0) % this.options.partitions;
  }

  /** A fresh conversation slot for the key in `this.key`. */
  private open(h: number): number {
    let c: number;
    if (this.freeTop > 0) c = this.freeList[--this.freeTop];
    else {
      if (this.high === this.cap) this.allocate(this.nextCapacity());
      c = this.high++;
    }
    this.keys.set(this.key, c * KW);
    this.hashes[c] = h;
    this.next[c] = -1;
    this.times[c * 3] = Infinity;
    this.times[c * 3 + 1] = Infinity;
    this.times[c * 3 + 2] = -Infinity;
    this.counts.fill(0, c * 4, c * 4 + 4);
    this.vol.fill(0, c * 4, c * 4 + 4);
    this.ev.fill(-1, c * 8, c * 8 + 8);
    this.bits[c * 2] = 0;
    this.bits[c * 2 + 1] = 0;
    this.live++;
    if (this.live > this.stats.peakOpen) this.stats.peakOpen = this.live;
    if (this.live * 2 > this.slots.length) this.growSlots();
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

  private mergeInto(a: number, c: number): void {
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

  /** Frees a conversation's slot (merged away and unlinked, or closed before the table is rebuilt). */
  private release(c: number): void {
    this.keys[c * KW] = -1;
    this.recs[c] = undefined;
    this.freeList[this.freeTop++] = c;
    this.live--;
  }

  private sameKeyAs(a: number, b: number): boolean {
    const keys = this.keys;
    for (let k = 0; k < KW; k++) if (keys[a * KW + k] !== keys[b * KW + k]) return false;
    return true;
  }

  // ---- closing ----

  /**
   * Closes the conversations no record can join any more (see the header), then rebuilds the key table from the
   * ones left: cheaper than deleting each closed one from it, as most conversations close in a sweep.
   */
  private sweep(): void {
    this.sinceSweep = 0;
    const slack = this.slack;
    const lateness = this.lateness;
    const wms = this.watermarks;
    let closed = 0;
    for (let c = 0; c < this.high; c++) {
      const iface = this.keys[c * KW];
      if (iface === -1) continue;
      if (wms[iface] - lateness > this.times[c * 3 + 2] + slack) {
        this.close(c);
        closed++;
      }
    }
    // Trim the high-water mark so sweeps do not walk freed slots at the end.
    while (this.high > 0 && this.keys[(this.high - 1) * KW] === -1) this.high--;
    let kept = 0;
    for (let k = 0; k < this.freeTop; k++) if (this.freeList[k] < this.high) this.freeList[kept++] = this.freeList[k];
    this.freeTop = kept;
    if (closed > 0) this.rebuild();
    this.sweepEvery = Math.max(8192, this.live >> 1);
  }

  /** The key table anew from the open conversations (chains in id order). */
  private rebuild(): void {
    const slots = this.slots;
    slots.fill(0);
    const mask = this.mask;
    for (let c = this.high - 1; c >= 0; c--) {
      if (this.keys[c * KW] === -1) continue;
      const h = this.hashes[c];
      let slot = h & mask;
      for (;;) {
        const v = slots[slot];
        if (v === 0 || (this.hashes[v - 1] === h && this.sameKeyAs(v - 1, c))) break;
        slot = (slot + 1) & mask;
      }
      this.next[c] = slots[slot] - 1;
      slots[slot] = c + 1;
    }
  }

  /** Too many open conversations: close what can be closed; if most are still open, spill (returned). */
  private relieve(): Spill | undefined {
    this.sweep();
    if (this.live <= this.options.maxOpen * 0.75) return undefined;
    // Past a few levels the open conversations share keys (one key open many times over, with a lateness that keeps
    // them all open): splitting cannot help. Keep them in memory and try again when there are twice as many.
    if (this.depth >= MAX_SPILL_DEPTH) {
      this.relieveAt = this.live * 2;
      return undefined;
    }
    this.stats.spills++;
    this.spill = new Spill(this.options.partitions, STATE_BYTES, this.options.spillDir);
    this.wmAtSpill = this.watermarks.slice();
    for (let c = 0; c < this.high; c++) {
      if (this.keys[c * KW] === -1) continue;
      this.spill.writeState(this.partitionOf(this.keys, c * KW), this.saveState(c));
    }
    this.reset();
    return this.spill;
  }

  private saveState(c: number): Uint8Array {
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

  private loadStates(buffer: ArrayBuffer, rows: number): void {
    for (let r = 0; r < rows; r++) {
      const ints = new Int32Array(buffer, r * STATE_BYTES, S_INTS);
      const f = new Float64Array(buffer, r * STATE_BYTES + S_INTS * 4, S_F64);
      this.key.set(ints.subarray(0, KW));
      const h = hashKey(this.key, 0, this.depth);
      const c = this.open(h);
      this.counts.set(ints.subarray(11, 15), c * 4);
      this.ev.set(ints.subarray(15, 23), c * 8);
      this.bits[c * 2] = ints[23];
      this.bits[c * 2 + 1] = ints[24];
      this.times.set(f.subarray(0, 3), c * 3);
      this.vol.set(f.subarray(3, 7), c * 4);
      let slot = h & this.mask;
      for (;;) {
        const v = this.slots[slot];
        if (v === 0 || (this.hashes[v - 1] === h && this.sameKey(v - 1))) break;
        slot = (slot + 1) & this.mask;
      }
      this.next[c] = this.slots[slot] - 1;
      this.slots[slot] = c + 1;
    }
  }

  private close(c: number): void {
    const v = this.view;
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
    this.fillDirection(v.request, c, reqDir);
    this.fillDirection(v.reply, c, 1 - reqDir);
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
    this.stats.conversations++;
    // Still in the key table: the sweep rebuilds it afterwards (and `finish` drops it).
    this.release(c);
    this.sink(v);
  }

  private fillDirection(d: DirectionFacts, c: number, dir: number): void {
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
