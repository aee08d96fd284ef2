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

/** Interfaces whose coverage bar comes with the language server's diagnosis: the Diagnose section draws that many at first. */
export const COVERAGE_BARS_SENT = 30;

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

  /** The timeline of every interface, in interface id order, as objects (`flowlog diagnose --format json`). */
  finish(interfaces: readonly string[]): InterfaceCoverage[] {
    return this.finishCompact(interfaces).map(expandCoverage);
  }

  /**
   * The timeline of every interface, in interface id order, in typed arrays: 17 bytes a span where the objects take
   * about 250 (a long capture has hundreds of thousands of spans; the language server needs no objects of them).
   */
  finishCompact(interfaces: readonly string[]): CompactCoverage[] {
    const out: CompactCoverage[] = [];
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
      const gaps: number[] = [];
      let covered = 0;
      for (let k = 0; k < all.at.length; k += 2) {
        covered += all.at[k + 1] - all.at[k];
        if (k > 0 && all.at[k] - all.at[k - 1] >= this.minGap) gaps.push(all.at[k - 1], all.at[k]);
      }
      // Traffic spans join small holes; a NODATA window inside one says the hole had no traffic: cut it out.
      const pieces: number[] = [];
      subtract(traffic, nodata, (from, to) => pieces.push(from, to));
      // Every span in one list (traffic, nodata, skipdata, gap: the order a tie keeps), sorted by start, then end.
      const lists = [pieces, nodata, skipdata, gaps];
      const n = (pieces.length + nodata.length + skipdata.length + gaps.length) / 2;
      const unsorted = new Float64Array(n * 2);
      const unsortedStates = new Uint8Array(n);
      let at = 0;
      lists.forEach((list, state) => {
        for (let k = 0; k < list.length; k += 2, at++) {
          unsorted[at * 2] = list[k];
          unsorted[at * 2 + 1] = list[k + 1];
          unsortedStates[at] = state;
        }
      });
      const order = Array.from({ length: n }, (_, i) => i);
      order.sort((a, b) => unsorted[a * 2] - unsorted[b * 2] || unsorted[a * 2 + 1] - unsorted[b * 2 + 1]);
      const times = new Float64Array(n * 2);
      const states = new Uint8Array(n);
      order.forEach((i, k) => {
        times[k * 2] = unsorted[i * 2];
        times[k * 2 + 1] = unsorted[i * 2 + 1];
        states[k] = unsortedStates[i];
      });
      out.push({
        interfaceId: interfaces[id], first: s.first, last: s.last, records: s.records, nodataRecords: s.nodataRecords,
        skipdataRecords: s.skipdataRecords, coveredSeconds: covered, gaps: gaps.length / 2, nodata: nodata.length / 2,
        skipdata: skipdata.length / 2, times, states,
      });
    });
    return out;
  }
}

/**
 * One interface's coverage in typed arrays: its figures, how many spans of each list, and its timeline (what
 * InterfaceCoverage.timeline lists, in the same order).
 */
export interface CompactCoverage extends Omit<InterfaceCoverage, 'gaps' | 'nodata' | 'skipdata' | 'timeline'> {
  gaps: number;
  nodata: number;
  skipdata: number;
  /** from, to of each timeline span (Unix seconds). */
  times: Float64Array;
  /** Each timeline span's state: an index of COVERAGE_STATES. */
  states: Uint8Array;
}

/** The objects of a compact coverage. Spans are object literals of one shape, never spread (a spread one is 4× bigger). */
export function expandCoverage(c: CompactCoverage): InterfaceCoverage {
  const gaps: Span[] = [];
  const nodata: Span[] = [];
  const skipdata: Span[] = [];
  const timeline: InterfaceCoverage['timeline'] = [];
  for (let k = 0; k < c.states.length; k++) {
    const from = c.times[k * 2];
    const to = c.times[k * 2 + 1];
    const state = COVERAGE_STATES[c.states[k]];
    timeline.push({ from, to, state });
    if (state === 'gap') gaps.push({ from, to });
    else if (state === 'nodata') nodata.push({ from, to });
    else if (state === 'skipdata') skipdata.push({ from, to });
  }
  const { times: _times, states: _states, ...figures } = c;
  return { ...figures, gaps, nodata, skipdata, timeline };
}

/** The compact form of coverage objects (what finishCompact gives for the same records). */
export function compactCoverage(c: InterfaceCoverage): CompactCoverage {
  const times = new Float64Array(c.timeline.length * 2);
  const states = new Uint8Array(c.timeline.length);
  c.timeline.forEach((s, k) => {
    times[k * 2] = s.from;
    times[k * 2 + 1] = s.to;
    states[k] = COVERAGE_STATES.indexOf(s.state);
  });
  const { gaps, nodata, skipdata, timeline: _timeline, ...figures } = c;
  return { ...figures, gaps: gaps.length, nodata: nodata.length, skipdata: skipdata.length, times, states };
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
