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
import { bytesOf, describe, recordsOf, verdictOf } from './closing';
import { ClosedConversation } from './conversation';
import {
  F_BYTES, F_END, F_PACKETS, F_START, META_ACCEPT, META_BPA, META_DIR, META_EGRESS, META_FLAGS_SHIFT, META_HAS_FLAGS,
  META_INGRESS, META_SINGLE_SHIFT, META_TRAFFIC, META_V6, RECORD_F64, RECORD_WORDS, RecordBatch, W_DST, W_FILE, W_IFACE, W_KEY_HASH, W_LINE,
  W_META, W_PORTS, W_SRC, keyHash,
} from './packed';
import { Spill } from './spill';
import { ConversationStore } from './store';
import { BIT_BPA, BIT_EGRESS, BIT_HAS_FLAGS, BIT_INGRESS, KW, STATE_BYTES, hashKey } from './storeRow';

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
  /** Bytes of input, when known: the open conversations' arrays start at a size for it (no growing and copying). */
  inputBytes?: number;
}

/**
 * Rows the open conversations start with: one per 8 KB of input (about 70 records), as a power of two from 1,024 to
 * 32,768 (5.5 MB), and not past --max-open. A busy log keeps a few tens of thousands open; they grow if it needs more.
 */
function initialRows(inputBytes = 0, maxOpen = Infinity): number {
  let rows = 1024;
  while (rows < 32768 && rows < maxOpen && rows * 8192 < inputBytes) rows *= 2;
  return rows;
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
/**
 * Told every closed conversation's verdict (VERDICTS index), records and bytes (both directions) first; the sink gets
 * the conversation in full only when this returns true.
 */
export type ConversationTally = (verdict: number, records: number, bytes: number) => boolean;

/** Records prepared at a time (addBatch). */
const AHEAD = 32;

/** Spill levels at most (a partition that spills again is one level deeper). */
const MAX_SPILL_DEPTH = 6;

export class ConversationJoin {
  private readonly store: ConversationStore;
  private watermarks: Float64Array;
  private wmAtSpill: Float64Array | undefined;
  /** The prepared records' keys, directions and hashes (addBatch), and what reading their slots gave (unused). */
  private readonly keys = new Int32Array(AHEAD * KW);
  private readonly dirs = new Int8Array(AHEAD);
  private readonly hashes = new Int32Array(AHEAD);
  touched = 0;
  private sinceSweep = 0;
  /** The conversations a sweep closes, in row order. */
  private closing = new Int32Array(1024);
  private relieveAt: number;
  private sweepEvery = 8192;
  private spill: Spill | undefined;
  private readonly view = new ClosedConversation();
  private readonly slack: number;
  private readonly lateness: number;
  readonly stats: JoinStats = { conversations: 0, peakOpen: 0, lateRecords: 0, spills: 0, spilledRecords: 0 };

  constructor(
    private readonly options: JoinOptions, private readonly sink: ConversationSink, private readonly tally?: ConversationTally,
    private readonly depth = 0, watermarks?: Float64Array,
  ) {
    this.slack = options.slack;
    this.lateness = options.lateness;
    this.relieveAt = options.maxOpen;
    this.watermarks = watermarks ?? new Float64Array(64).fill(-Infinity);
    this.store = new ConversationStore(options.maxOpen, initialRows(options.inputBytes, options.maxOpen));
  }

  /**
   * Joins a batch, AHEAD records at a time: first their keys and hashes, reading the key table's slot of each (the
   * loads are independent, so the processor can overlap their cache misses: the table is bigger than a core's cache;
   * worth a few percent of the join), then the records one after another.
   */
  addBatch(batch: RecordBatch): void {
    this.addRange(batch, 0, batch.count);
  }

  /** Joins records from .. to - 1 of a batch (see addBatch). */
  addRange(batch: RecordBatch, from: number, to: number): void {
    for (let i0 = from; i0 < to; i0 += AHEAD) {
      const n = Math.min(AHEAD, to - i0);
      this.prepare(batch, i0, n);
      for (let k = 0; k < n; k++) this.add(batch, i0 + k, k);
    }
  }

  /** The keys, directions and hashes of records i0 .. i0 + n - 1 (non-traffic records are skipped later). */
  private prepare(batch: RecordBatch, i0: number, n: number): void {
    const w = batch.words;
    const keys = this.keys;
    const slots = this.store.keys.slots;
    const mask = this.store.keys.mask;
    let touched = 0;
    for (let k = 0; k < n; k++) {
      const o = (i0 + k) * RECORD_WORDS;
      const meta = w[o + W_META];
      if ((meta & META_TRAFFIC) === 0) continue;
      // The key: endpoints in a fixed order, and which of them sent this record (the reader said: META_DIR).
      const ports = w[o + W_PORTS];
      const sport = ports & 0xffff;
      const dport = ports >>> 16;
      const dir = (meta & META_DIR) === 0 ? 0 : 1;
      const lo = dir === 0 ? o + W_SRC : o + W_DST;
      const hi = dir === 0 ? o + W_DST : o + W_SRC;
      const at = k * KW;
      keys[at] = w[o + W_IFACE];
      keys[at + 1] = meta & (0xff | META_V6);
      keys[at + 2] = w[lo];
      keys[at + 3] = w[lo + 1];
      keys[at + 4] = w[lo + 2];
      keys[at + 5] = w[lo + 3];
      keys[at + 6] = w[hi];
      keys[at + 7] = w[hi + 1];
      keys[at + 8] = w[hi + 2];
      keys[at + 9] = w[hi + 3];
      keys[at + 10] = dir === 0 ? sport | (dport << 16) : dport | (sport << 16);
      this.dirs[k] = dir;
      const h = keyHash(w[o + W_KEY_HASH], keys[at], this.depth);
      this.hashes[k] = h;
      touched ^= slots[h & mask];
    }
    this.touched = touched;
  }

  /** Record i of the batch, its key at `k` of the prepared ones. */
  private add(batch: RecordBatch, i: number, k: number): void {
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

    const keys = this.keys;
    const at = k * KW;
    const dir = this.dirs[k];
    if (this.spill) {
      this.spill.writeRecord(this.partitionOf(keys, at), batch, i);
      this.stats.spilledRecords++;
      return;
    }
    const h = this.hashes[k];

    // The open conversations of this key, newest first; the ones this record's window reaches.
    const st = this.store;
    let target = -1;
    let prev = -1;
    const table = st.keys;
    const head = table.find(keys, at, h);
    // Where the key is in the key table: the walk below leaves it as it is (a merge unlinks only later conversations).
    let slot = table.lastSlot;
    for (let c = head; c >= 0; ) {
      const nextC = table.nexts[c];
      if (st.reaches(c, start, end, slack)) {
        if (target < 0) {
          target = c;
          prev = c;
        } else {
          // This record bridges two conversations: one now.
          st.mergeInto(target, c);
          table.nexts[prev] = nextC;
          st.release(c);
        }
      } else prev = c;
      c = nextC;
    }
    if (target < 0) {
      if (st.live >= this.relieveAt && !this.options.keepRecords) {
        // The sweep only closes conversations (none of which this record reaches), so the walk above stands.
        const spill = this.relieve();
        slot = -1; // the sweep moved keys in the key table
        if (spill) {
          spill.writeRecord(this.partitionOf(keys, at), batch, i);
          this.stats.spilledRecords++;
          return;
        }
      }
    }

    // Add the record to its conversation (a new one, made of it).
    const file = w[o + W_FILE];
    const line = w[o + W_LINE];
    let b = 0;
    if (meta & META_HAS_FLAGS) b |= BIT_HAS_FLAGS | ((meta >>> META_FLAGS_SHIFT) & 255);
    if (meta & META_INGRESS) b |= BIT_INGRESS;
    if (meta & META_EGRESS) b |= BIT_EGRESS;
    if (meta & META_BPA) b |= BIT_BPA;
    const accepted = (meta & META_ACCEPT) !== 0;
    if (target >= 0) st.addRecord(target, dir, start, end, accepted, batch.f64[f + F_PACKETS], batch.f64[f + F_BYTES], file, line, b);
    else {
      // Its verdict (the reader's, else from its row while that is in the cache): if no other record joins it, it
      // closes without its row read.
      const told = (meta >>> META_SINGLE_SHIFT) & 7;
      target = st.openSingle(keys, at, h, slot, dir, start, end, accepted, batch.f64[f + F_PACKETS], batch.f64[f + F_BYTES], file, line, b, told !== 0 ? told - 1 : 0);
      if (told === 0) {
        st.expand(target);
        st.setSingle(target, verdictOf(st, target) & 7);
      }
      if (st.live > this.stats.peakOpen) this.stats.peakOpen = st.live;
    }
    if (this.options.keepRecords) (st.recs[target] ??= []).push(file, line, dir);

    if (++this.sinceSweep >= this.sweepEvery) this.sweep();
  }

  /** Closes every conversation (the input has ended), then joins the spilled partitions. */
  finish(): void {
    const st = this.store;
    for (let c = 0; c < st.high; c++) if (st.isOpen(c)) this.close(c);
    if (!this.spill) return;
    const spill = this.spill;
    this.spill = undefined;
    spill.seal();
    try {
      for (let p = 0; p < spill.partitions; p++) {
        // The partitions are joined one after another, on the arrays this join used before it spilled.
        const child = new ConversationJoin(this.options, this.sink, this.tally, this.depth + 1, this.wmAtSpill!.slice());
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
   * Closes the conversations no record can join any more (see the header), taking each out of the key table (a
   * rebuild of the table from the ones left cost more: each conversation was inserted again about twice in its life).
   * They are closed in row order, then taken out of the key table in the order of their places there (store.ts
   * removeAll), then freed in row order again.
   */
  private sweep(): void {
    this.sinceSweep = 0;
    const st = this.store;
    const limit = this.slack + this.lateness;
    const wms = this.watermarks;
    if (this.closing.length < st.high) this.closing = new Int32Array(Math.max(st.high, this.closing.length * 2));
    const closing = this.closing;
    let closed = 0;
    for (let c = 0; c < st.high; c++) {
      const iface = st.ifaceOf(c);
      if (iface === -1) continue;
      if (wms[iface] > st.lastEnd(c) + limit) {
        this.close(c, false);
        closing[closed++] = c;
      }
    }
    if (closed > 0) {
      st.removeAll(closing, closed);
      st.trim();
    }
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
      if (!st.isOpen(c)) continue;
      const { bytes, offset } = st.saved(c);
      this.spill.writeState(this.partitionOf(st.w, st.keyAt(c)), bytes, offset);
    }
    st.clear();
    return this.spill;
  }

  /**
   * Closes conversation `c`: counted, handed on, and freed (`free` false: the caller frees it, and takes it out of the
   * key table; `finish` and a spill drop the key table whole).
   */
  private close(c: number, free = true): void {
    const st = this.store;
    this.stats.conversations++;
    // Most conversations are only counted: their verdict, records and bytes are enough to tell (no full description);
    // a conversation of one record has them apart from its row (store.ts singles), which is read only to describe it.
    const single = st.singles[c];
    let verdict: number;
    let wanted: boolean;
    if (single >= 0) {
      wanted = this.tally === undefined || this.tally(single & 7, 1, st.singleBytes[c]);
      if (wanted) st.expand(c);
      verdict = wanted ? verdictOf(st, c) : single & 7;
    } else {
      verdict = verdictOf(st, c);
      wanted = this.tally === undefined || this.tally(verdict & 7, recordsOf(st, c), bytesOf(st, c));
    }
    if (wanted) describe(st, c, this.view, verdict);
    if (free) st.release(c);

    if (wanted) this.sink(this.view);
  }
}
