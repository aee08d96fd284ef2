// Which address is the interface's own. A flow log record of an interface has the interface's address on one side
// (its srcaddr when it sends, its dstaddr when it receives), so that address is in every record, and no peer is in
// all of them unless the interface only ever talks to that one peer. Counted with Misra–Gries (4 counters per
// interface: any address in more than 2/5 of the address slots is kept, so the own address always is), in fixed
// memory per interface. It decides "inbound" or "outbound" in a reading; records with flow-direction say it directly.
import { META_TRAFFIC, META_V6, RECORD_WORDS, RecordBatch, W_DST, W_IFACE, W_META, W_SRC } from './packed';

const K = 4;
const KW = 5; // address words and the family

export class LocalAddresses {
  private keys = new Int32Array(64 * K * KW);
  private counts = new Float64Array(64 * K);
  private records = new Float64Array(64);

  /** Counts the addresses of records from .. to - 1 of a batch. */
  addRange(batch: RecordBatch, from: number, to: number): void {
    const w = batch.words;
    for (let i = from; i < to; i++) {
      const o = i * RECORD_WORDS;
      const meta = w[o + W_META];
      if ((meta & META_TRAFFIC) === 0) continue;
      const iface = w[o + W_IFACE];
      if (iface >= this.records.length) this.grow(iface);
      this.records[iface]++;
      const family = meta & META_V6;
      this.count(iface, w, o + W_SRC, family);
      this.count(iface, w, o + W_DST, family);
    }
  }

  private grow(iface: number): void {
    const n = Math.max(iface + 1, this.records.length * 2);
    const keys = new Int32Array(n * K * KW);
    keys.set(this.keys);
    const counts = new Float64Array(n * K);
    counts.set(this.counts);
    const records = new Float64Array(n);
    records.set(this.records);
    this.keys = keys;
    this.counts = counts;
    this.records = records;
  }

  private count(iface: number, w: Int32Array, at: number, family: number): void {
    const keys = this.keys;
    const counts = this.counts;
    const base = iface * K;
    const a0 = w[at];
    let empty = -1;
    for (let j = 0; j < K; j++) {
      const c = counts[base + j];
      if (c === 0) {
        if (empty < 0) empty = j;
        continue;
      }
      const k = (base + j) * KW;
      // An IPv4 address's other three words are zero in the record and in a kept IPv4 key: its first word and the
      // family decide.
      if (keys[k] === a0 && keys[k + 4] === family && (family === 0 || (keys[k + 1] === w[at + 1] && keys[k + 2] === w[at + 2] && keys[k + 3] === w[at + 3]))) {
        counts[base + j] = c + 1;
        return;
      }
    }
    if (empty >= 0) {
      const k = (base + empty) * KW;
      keys[k] = a0;
      keys[k + 1] = w[at + 1];
      keys[k + 2] = w[at + 2];
      keys[k + 3] = w[at + 3];
      keys[k + 4] = family;
      counts[base + empty] = 1;
      return;
    }
    for (let j = 0; j < K; j++) counts[base + j]--;
  }

  /**
   * Whether `address` (four words, IPv4 in the first) is the interface's own address: true, false, or undefined when
   * the log does not tell (no address stands out: e.g. two records between the same two hosts).
   */
  isLocal(iface: number, address: Int32Array, v6: boolean): boolean | undefined {
    if (iface >= this.records.length) return undefined;
    const base = iface * K;
    let top = -1;
    let topCount = 0;
    let second = 0;
    for (let j = 0; j < K; j++) {
      const c = this.counts[base + j];
      if (c > topCount) {
        second = topCount;
        topCount = c;
        top = j;
      } else if (c > second) second = c;
    }
    if (top < 0 || topCount === second) return undefined;
    const k = (base + top) * KW;
    const keys = this.keys;
    return keys[k] === address[0] && keys[k + 1] === address[1] && keys[k + 2] === address[2] && keys[k + 3] === address[3] && keys[k + 4] === (v6 ? META_V6 : 0);
  }
}
