// Capture coverage per interface: when the log has records (traffic), NODATA windows (capture on, no traffic),
// SKIPDATA windows (records were dropped: capacity limits or internal errors), and gaps with no record at all
// (capture off, delivery lost, or files missing). A timeline per interface, from its first start to its last end.
//
// Each kind is a sorted list of disjoint spans; a record's window [start, end] is merged into it, joining spans
// closer than `minGap` seconds, so a list has at most (time span / minGap) spans whatever the number of records.
import { F_END, F_START, META_NODATA, META_SKIPDATA, RECORD_F64, RECORD_WORDS, RecordBatch, W_IFACE, W_META } from './packed';

export interface Span {
  from: number;
  to: number;
}

export type CoverageState = 'traffic' | 'nodata' | 'skipdata' | 'gap';

/** The states by the index the language server's wire uses; a later state is the more notable (a merged segment shows it). */
export const COVERAGE_STATES = ['traffic', 'nodata', 'skipdata', 'gap'] as const satisfies readonly CoverageState[];

/** Numbers per segment of the wire's coverage segments (protocol.ts InterfaceCoverageWire). */
export const COVERAGE_SEGMENT_STRIDE = 4;

export interface InterfaceCoverage {
  interfaceId: string;
  /** First start and last end of the interface's records (Unix seconds). */
  first: number;
  last: number;
  /** Records of each kind (traffic: OK records, whether or not complete enough to join a conversation). */
  records: number;
  nodataRecords: number;
  skipdataRecords: number;
  /** Seconds of [first, last] covered by some record. */
  coveredSeconds: number;
  /** Spans with no record at all, of at least `minGap` seconds. */
  gaps: Span[];
  nodata: Span[];
  skipdata: Span[];
  /**
   * Everything in time order: traffic (record windows, holes shorter than the gap joined, NODATA windows cut out),
   * nodata, skipdata (which may overlap traffic) and gap spans.
   */
  timeline: (Span & { state: CoverageState })[];
}

/** Interfaces tracked at most (hostile input with millions of interface ids); the rest are counted. */
const MAX_INTERFACES = 100_000;

class SpanList {
  /** from, to pairs, sorted and disjoint (at least minGap apart). */
  readonly at: number[] = [];

  add(from: number, to: number, minGap: number): void {
    const a = this.at;
    const n = a.length;
    // Nearly always the record extends or follows the last span.
    if (n === 0 || from >= a[n - 2]) {
      if (n > 0 && from <= a[n - 1] + minGap) {
        if (to > a[n - 1]) a[n - 1] = to;
      } else a.push(from, to);
      return;
    }
    // Out of order: find the first span that ends at or after from - minGap, and merge what the new one reaches.
    let lo = 0;
    let hi = n / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid * 2 + 1] + minGap < from) lo = mid + 1;
      else hi = mid;
    }
    let first = lo;
    let last = lo;
    let f = from;
    let t = to;
    while (last < n / 2 && a[last * 2] <= t + minGap) {
      f = Math.min(f, a[last * 2]);
      t = Math.max(t, a[last * 2 + 1]);
      last++;
    }
    a.splice(first * 2, (last - first) * 2, f, t);
  }

  spans(): Span[] {
    const out: Span[] = [];
    for (let k = 0; k < this.at.length; k += 2) out.push({ from: this.at[k], to: this.at[k + 1] });
    return out;
  }
}

class InterfaceState {
  records = 0;
  nodataRecords = 0;
  skipdataRecords = 0;
  first = Infinity;
  last = -Infinity;
  readonly traffic = new SpanList();
  readonly nodata = new SpanList();
  readonly skipdata = new SpanList();
}

export class Coverage {
  private readonly states: (InterfaceState | undefined)[] = [];
  /** Records of interfaces past MAX_INTERFACES. */
  untrackedRecords = 0;

  constructor(private readonly minGap: number) {}

  /** Adds the windows of records from .. to - 1 of a batch. */
  addRange(batch: RecordBatch, from: number, to: number): void {
    const w = batch.words;
    const d = batch.f64;
    const minGap = this.minGap;
    for (let i = from; i < to; i++) {
      const o = i * RECORD_WORDS;
      const iface = w[o + W_IFACE];
      let s = this.states[iface];
      if (!s) {
        if (iface >= MAX_INTERFACES) {
          this.untrackedRecords++;
          continue;
        }
        s = this.states[iface] = new InterfaceState();
      }
      const meta = w[o + W_META];
      const from = d[i * RECORD_F64 + F_START];
      const to = d[i * RECORD_F64 + F_END];
      if (from < s.first) s.first = from;
      if (to > s.last) s.last = to;
      if (meta & META_NODATA) {
        s.nodataRecords++;
        s.nodata.add(from, to, minGap);
      } else if (meta & META_SKIPDATA) {
        s.skipdataRecords++;
        s.skipdata.add(from, to, minGap);
      } else {
        s.records++;
        s.traffic.add(from, to, minGap);
      }
    }
  }

  /**
   * The timeline of every interface, in interface id order. Spans are made as object literals of one shape, never
   * spread (`{ ...span, state }` makes objects about four times bigger): a long capture has many thousand spans.
   */
  finish(interfaces: readonly string[]): InterfaceCoverage[] {
    const out: InterfaceCoverage[] = [];
    this.states.forEach((s, id) => {
      if (!s) return;
      const traffic = s.traffic.at;
      const nodata = s.nodata.at;
      const skipdata = s.skipdata.at;
      // Everything covered: the three lists merged, taking the earliest next span of the three each time.
      const all = new SpanList();
      for (let t = 0, n = 0, k = 0; t < traffic.length || n < nodata.length || k < skipdata.length; ) {
        const ft = t < traffic.length ? traffic[t] : Infinity;
        const fn = n < nodata.length ? nodata[n] : Infinity;
        const fk = k < skipdata.length ? skipdata[k] : Infinity;
        if (ft <= fn && ft <= fk) {
          all.add(ft, traffic[t + 1], 0);
          t += 2;
        } else if (fn <= fk) {
          all.add(fn, nodata[n + 1], 0);
          n += 2;
        } else {
          all.add(fk, skipdata[k + 1], 0);
          k += 2;
        }
      }
      const gaps: Span[] = [];
      let covered = 0;
      for (let k = 0; k < all.at.length; k += 2) {
        covered += all.at[k + 1] - all.at[k];
        if (k > 0 && all.at[k] - all.at[k - 1] >= this.minGap) gaps.push({ from: all.at[k - 1], to: all.at[k] });
      }
      // Traffic spans join small holes; a NODATA window inside one says the hole had no traffic: cut it out.
      const timeline: InterfaceCoverage['timeline'] = [];
      subtract(traffic, nodata, (from, to) => timeline.push({ from, to, state: 'traffic' }));
      for (let k = 0; k < nodata.length; k += 2) timeline.push({ from: nodata[k], to: nodata[k + 1], state: 'nodata' });
      for (let k = 0; k < skipdata.length; k += 2) timeline.push({ from: skipdata[k], to: skipdata[k + 1], state: 'skipdata' });
      for (const g of gaps) timeline.push({ from: g.from, to: g.to, state: 'gap' });
      timeline.sort((a, b) => a.from - b.from || a.to - b.to);
      out.push({
        interfaceId: interfaces[id], first: s.first, last: s.last, records: s.records, nodataRecords: s.nodataRecords,
        skipdataRecords: s.skipdataRecords, coveredSeconds: covered, gaps, nodata: s.nodata.spans(), skipdata: s.skipdata.spans(), timeline,
      });
    });
    return out;
  }
}

/** `spans` minus `cut` (both from, to pairs, sorted and disjoint), each piece left handed to `emit`. */
function subtract(spans: readonly number[], cut: readonly number[], emit: (from: number, to: number) => void): void {
  let k = 0;
  for (let i = 0; i < spans.length; i += 2) {
    let from = spans[i];
    const to = spans[i + 1];
    while (k < cut.length && cut[k + 1] <= from) k += 2;
    let j = k;
    while (j < cut.length && cut[j] < to) {
      if (cut[j] > from) emit(from, cut[j]);
      from = Math.max(from, cut[j + 1]);
      j += 2;
    }
    if (from < to) emit(from, to);
  }
}
