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
// The open conversations themselves live in store.ts.
import { ClosedConversation } from './conversation';
import {
  F_BYTES, F_END, F_PACKETS, F_START, META_ACCEPT, META_BPA, META_EGRESS, META_FLAGS_SHIFT, META_HAS_FLAGS, META_INGRESS,
  META_TRAFFIC, META_V6, RECORD_F64, RECORD_WORDS, RecordBatch, W_DST, W_FILE, W_IFACE, W_LINE, W_META, W_PORTS, W_SRC,
  compareAddressWords,
} from './packed';
import { Spill } from './spill';
import { BIT_BPA, BIT_EGRESS, BIT_HAS_FLAGS, BIT_INGRESS, ConversationStore, KW, STATE_BYTES, hashKey } from './store';

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

/** Spill levels at most (a partition that spills again is one level deeper). */
const MAX_SPILL_DEPTH = 6;

export class ConversationJoin {
  private readonly store: ConversationStore;
  private watermarks: Float64Array;
  private wmAtSpill: Float64Array | undefined;
  private readonly key = new Int32Array(KW);
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
    this.store = new ConversationStore(options.maxOpen);
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
    // The interface's watermark (the latest start seen) and the late-record count, at the top level only.
    if (iface >= this.watermarks.length) {
      const grown = new Float64Array(Math.max(iface + 1, this.watermarks.length * 2)).fill(-Infinity);
      grown.set(this.watermarks);
      this.watermarks = grown;
    }
    const wm = this.watermarks[iface];
    if (start > wm) this.watermarks[iface] = start;
    else if (this.depth === 0 && start < wm - this.lateness) this.stats.lateRecords++;

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
    const st = this.store;
    let times = st.times;
    let target = -1;
    let prev = -1;
    const head = st.find(key, h);
    // Where the key is in the key table: the walk below leaves it as it is (a merge unlinks only later conversations).
    let slot = st.lastSlot;
    for (let c = head; c >= 0; ) {
      const nextC = st.next[c];
      const t = c * 3;
      if (start <= times[t + 2] + slack && Math.min(times[t], times[t + 1]) <= end + slack) {
        if (target < 0) {
          target = c;
          prev = c;
        } else {
          // This record bridges two conversations: one now.
          st.mergeInto(target, c);
          st.next[prev] = nextC;
          st.release(c);
        }
      } else prev = c;
      c = nextC;
    }
    if (target < 0) {
      if (st.live >= this.relieveAt && !this.options.keepRecords) {
        // The sweep only closes conversations (none of which this record reaches), so the walk above stands.
        const spill = this.relieve();
        slot = -1; // the sweep rebuilt the key table
        if (spill) {
          spill.writeRecord(this.partitionOf(key, 0), batch, i);
          this.stats.spilledRecords++;
          return;
        }
      }
      target = st.open(key, h, slot);
      if (st.live > this.stats.peakOpen) this.stats.peakOpen = st.live;
      times = st.times; // `open` may have grown the arrays
    }

    // Add the record to its conversation.
    const t = target * 3;
    if (start < times[t + dir]) times[t + dir] = start;
    if (end > times[t + 2]) times[t + 2] = end;
    const accepted = (meta & META_ACCEPT) !== 0;
    st.counts[target * 4 + dir * 2 + (accepted ? 0 : 1)]++;
    const packets = batch.f64[f + F_PACKETS];
    const bytes = batch.f64[f + F_BYTES];
    if (packets === packets) st.vol[target * 4 + dir * 2] += packets;
    if (bytes === bytes) st.vol[target * 4 + dir * 2 + 1] += bytes;
    const file = w[o + W_FILE];
    const line = w[o + W_LINE];
    const e = target * 8 + dir * 4 + (accepted ? 0 : 2);
    const ev = st.ev;
    if (ev[e] < 0 || file < ev[e] || (file === ev[e] && line < ev[e + 1])) {
      ev[e] = file;
      ev[e + 1] = line;
    }
    let b = 0;
    if (meta & META_HAS_FLAGS) b |= BIT_HAS_FLAGS | ((meta >>> META_FLAGS_SHIFT) & 255);
    if (meta & META_INGRESS) b |= BIT_INGRESS;
    if (meta & META_EGRESS) b |= BIT_EGRESS;
    if (meta & META_BPA) b |= BIT_BPA;
    st.bits[target * 2 + dir] |= b;
    if (this.options.keepRecords) (st.recs[target] ??= []).push(file, line, dir);

    if (++this.sinceSweep >= this.sweepEvery) this.sweep();
  }

  /** Closes every conversation (the input has ended), then joins the spilled partitions. */
  finish(): void {
    const st = this.store;
    for (let c = 0; c < st.high; c++) if (st.keys[c * KW] !== -1) this.close(c);
    if (!this.spill) return;
    const spill = this.spill;
    this.spill = undefined;
    spill.seal();
    try {
      for (let p = 0; p < spill.partitions; p++) {
        // The partitions are joined one after another, on the arrays this join used before it spilled.
        const child = new ConversationJoin(this.options, this.sink, this.depth + 1, this.wmAtSpill!.slice());
        st.clear();
        child.store.adopt(st);
        for (const { buffer, rows } of spill.statesOf(p)) child.store.load(buffer, rows, child.depth);
        child.stats.peakOpen = child.store.live;
        for (const batch of spill.recordsOf(p)) child.addBatch(batch);
        child.finish();
        st.adopt(child.store); // it may have grown them
        this.stats.conversations += child.stats.conversations;
        this.stats.peakOpen = Math.max(this.stats.peakOpen, child.stats.peakOpen);
        this.stats.spills += child.stats.spills;
        this.stats.spilledRecords += child.stats.spilledRecords;
      }
      st.clear();
    } finally {
      spill.dispose();
    }
  }

  /** Removes the spill files of a join that is abandoned (an error, a cancellation) before finish(). */
  dispose(): void {
    const spill = this.spill;
    this.spill = undefined;
    if (!spill) return;
    try {
      spill.seal();
    } finally {
      spill.dispose();
    }
  }

  get openCount(): number {
    return this.store.live;
  }

  private partitionOf(key: Int32Array, at: number): number {
    return (hashKey(key, at, 1000 + this.depth) >>> 0) % this.options.partitions;
  }

  /**
   * Closes the conversations no record can join any more (see the header), then rebuilds the key table from the
   * ones left: cheaper than deleting each closed one from it, as most conversations close in a sweep.
   */
  private sweep(): void {
    this.sinceSweep = 0;
    const st = this.store;
    const limit = this.slack + this.lateness;
    const wms = this.watermarks;
    let closed = 0;
    for (let c = 0; c < st.high; c++) {
      const iface = st.keys[c * KW];
      if (iface === -1) continue;
      if (wms[iface] > st.times[c * 3 + 2] + limit) {
        this.close(c);
        closed++;
      }
    }
    if (closed > 0) st.compact();
    this.sweepEvery = Math.max(8192, st.live >> 1);
  }

  /** Too many open conversations: close what can be closed; if most are still open, spill (returned). */
  private relieve(): Spill | undefined {
    this.sweep();
    const st = this.store;
    if (st.live <= this.options.maxOpen * 0.75) return undefined;
    // Past a few levels the open conversations share keys (one key open many times over, with a lateness that keeps
    // them all open): splitting cannot help. Keep them in memory and try again when there are twice as many.
    if (this.depth >= MAX_SPILL_DEPTH) {
      this.relieveAt = st.live * 2;
      return undefined;
    }
    this.stats.spills++;
    this.spill = new Spill(this.options.partitions, STATE_BYTES, this.options.spillDir);
    this.wmAtSpill = this.watermarks.slice();
    for (let c = 0; c < st.high; c++) {
      if (st.keys[c * KW] === -1) continue;
      this.spill.writeState(this.partitionOf(st.keys, c * KW), st.save(c));
    }
    st.clear();
    return this.spill;
  }

  private close(c: number): void {
    this.store.describe(c, this.view);
    this.stats.conversations++;
    // Still in the key table: the sweep rebuilds it afterwards (and `finish` drops it).
    this.store.release(c);
    this.sink(this.view);
  }
}
