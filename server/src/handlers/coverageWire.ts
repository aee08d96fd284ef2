// The capture coverage of a diagnosis as the Diagnose section gets it: the interfaces worth seeing first, each with its
// exact figures and its timeline cut to what a bar can show (segments no finer than a column of the section's axis),
// the first COVERAGE_BARS_SENT of them with their bar; kept apart in typed arrays, the other bars (asked for when the
// section shows more interfaces) and the exact NODATA, SKIPDATA and gap spans (asked for when the user opens one
// interface's list). A long capture has hundreds of thousands of spans: as objects on the wire they were
// megabytes of JSON that held the server's main thread (and the client's) for a tenth of a second and more.
import type { CompactCoverage } from '../core/diagnose/coverage';
import { COVERAGE_BARS_SENT, DIAGNOSE_COVERAGE_COLUMNS, DIAGNOSE_MAX_INTERFACES, DIAGNOSE_MAX_SPANS, DiagnoseSpansResult, InterfaceCoverageWire } from '../protocol';

/** The listed interfaces' NODATA, SKIPDATA and gap spans and bars (structured-cloneable: made on the job host thread). */
export interface CoverageSpans {
  /** Listed interfaces, in the wire's order. */
  interfaces: string[];
  /** Interface k's spans are spans offsets[k] to offsets[k + 1] - 1. */
  offsets: Int32Array;
  /** from, to of each span (Unix seconds). */
  times: Float64Array;
  /** Each span's state: an index of COVERAGE_STATES. */
  states: Uint8Array;
  /** Spans of each interface past DIAGNOSE_MAX_SPANS. */
  leftOut: Int32Array;
  /** Interface k's bar segments (InterfaceCoverageWire.segments) are segments[segmentOffsets[k] .. segmentOffsets[k + 1]]. */
  segmentOffsets: Int32Array;
  segments: Float64Array;
}

export interface CoverageOnWire {
  coverage: InterfaceCoverageWire[];
  axis: { from: number; to: number; columns: number };
  spans: CoverageSpans;
}

const notableSpans = (c: CompactCoverage) => c.gaps + c.skipdata + c.nodata;

/**
 * Interfaces with something to see first (the most gaps, then SKIPDATA, then NODATA spans), as `flowlog diagnose`
 * lists them, at most DIAGNOSE_MAX_INTERFACES.
 */
export function listedInterfaces(all: readonly CompactCoverage[]): CompactCoverage[] {
  const notable = all.filter((c) => notableSpans(c) > 0);
  notable.sort((a, b) => b.gaps - a.gaps || b.skipdata - a.skipdata || b.nodata - a.nodata);
  const out = notable.slice(0, DIAGNOSE_MAX_INTERFACES);
  for (const c of all) {
    if (out.length >= DIAGNOSE_MAX_INTERFACES) break;
    if (notableSpans(c) === 0) out.push(c);
  }
  return out;
}

export function toCoverageWire(all: readonly CompactCoverage[], columns = DIAGNOSE_COVERAGE_COLUMNS): CoverageOnWire {
  const listed = listedInterfaces(all);
  let from = Infinity;
  let to = -Infinity;
  for (const c of listed) {
    if (c.first < from) from = c.first;
    if (c.last > to) to = c.last;
  }
  if (listed.length === 0) from = to = 0;
  const column = (to - from) / columns;
  const bars = listed.map((c) => segmentsOf(c, from, column));
  const coverage = listed.map((c, k): InterfaceCoverageWire => ({
    interfaceId: c.interfaceId, first: c.first, last: c.last, records: c.records, nodataRecords: c.nodataRecords,
    skipdataRecords: c.skipdataRecords, coveredSeconds: c.coveredSeconds,
    spans: { traffic: c.states.length - notableSpans(c), nodata: c.nodata, skipdata: c.skipdata, gap: c.gaps },
    // The bars the section draws at first; the others are kept (a result of 200 bars is several times bigger).
    segments: k < COVERAGE_BARS_SENT ? bars[k] : undefined,
  }));
  const spans = spansOf(listed);
  spans.segmentOffsets = new Int32Array(bars.length + 1);
  bars.forEach((b, k) => (spans.segmentOffsets[k + 1] = spans.segmentOffsets[k] + b.length));
  spans.segments = new Float64Array(spans.segmentOffsets[bars.length]);
  bars.forEach((b, k) => spans.segments.set(b, spans.segmentOffsets[k]));
  return { coverage, axis: { from, to, columns }, spans };
}

/**
 * The timeline as bar segments: a span at least a column long is a segment of its own (exact); consecutive spans
 * shorter than that which start in the same column are one segment from the first one's start to the furthest end,
 * in the most notable of their states. Spans of one state are disjoint, so at most 4 × (columns + 1) are long, and
 * the merged segments are at most one per column between them: the segments are bounded by the columns, not by the
 * spans.
 */
export function segmentsOf(c: CompactCoverage, axisFrom: number, column: number): number[] {
  const out: number[] = [];
  // Starts as deltas from the previous segment's end (the first's from `first`): mostly 0, as segments mostly abut.
  let end = c.first;
  const emit = (from: number, to: number, state: number, merged: number) => {
    out.push(from - end, to - from, state, merged);
    end = to;
  };
  let open = false;
  let col = 0;
  let segFrom = 0;
  let segTo = 0;
  let segState = 0;
  let merged = 0;
  const flush = () => {
    if (open) emit(segFrom, segTo, segState, merged);
    open = false;
  };
  const { times, states } = c;
  for (let k = 0; k < states.length; k++) {
    const state = states[k];
    const from = times[k * 2];
    const to = times[k * 2 + 1];
    if (!(to - from < column)) {
      flush();
      emit(from, to, state, 1);
      continue;
    }
    const at = Math.floor((from - axisFrom) / column);
    if (open && at === col) {
      if (to > segTo) segTo = to;
      if (state > segState) segState = state;
      merged++;
      continue;
    }
    flush();
    open = true;
    col = at;
    segFrom = from;
    segTo = to;
    segState = state;
    merged = 1;
  }
  flush();
  return out;
}

function spansOf(listed: readonly CompactCoverage[]): CoverageSpans {
  const offsets = new Int32Array(listed.length + 1);
  const leftOut = new Int32Array(listed.length);
  let n = 0;
  listed.forEach((c, k) => {
    const notable = notableSpans(c);
    const kept = Math.min(notable, DIAGNOSE_MAX_SPANS);
    leftOut[k] = notable - kept;
    n += kept;
    offsets[k + 1] = n;
  });
  const times = new Float64Array(n * 2);
  const states = new Uint8Array(n);
  listed.forEach((c, k) => {
    let at = offsets[k];
    const end = offsets[k + 1];
    for (let i = 0; i < c.states.length && at < end; i++) {
      if (c.states[i] === 0) continue;
      times[at * 2] = c.times[i * 2];
      times[at * 2 + 1] = c.times[i * 2 + 1];
      states[at] = c.states[i];
      at++;
    }
  });
  return { interfaces: listed.map((c) => c.interfaceId), offsets, times, states, leftOut, segmentOffsets: new Int32Array(1), segments: new Float64Array(0) };
}

/** The bars of listed interfaces, as DiagnoseBarsRequest answers (interfaces not listed are left out). */
export function interfaceBars(kept: CoverageSpans, interfaceIds: readonly string[]): { interfaceId: string; segments: number[] }[] {
  const out: { interfaceId: string; segments: number[] }[] = [];
  for (const interfaceId of interfaceIds.slice(0, DIAGNOSE_MAX_INTERFACES)) {
    const k = kept.interfaces.indexOf(interfaceId);
    if (k >= 0) out.push({ interfaceId, segments: Array.from(kept.segments.subarray(kept.segmentOffsets[k], kept.segmentOffsets[k + 1])) });
  }
  return out;
}

/** One interface's kept spans, as DiagnoseSpansRequest answers; null when the interface is not listed. */
export function interfaceSpans(kept: CoverageSpans, interfaceId: string): DiagnoseSpansResult | null {
  const k = kept.interfaces.indexOf(interfaceId);
  if (k < 0) return null;
  const spans: number[] = [];
  for (let i = kept.offsets[k]; i < kept.offsets[k + 1]; i++) spans.push(kept.times[i * 2], kept.times[i * 2 + 1], kept.states[i]);
  return { interfaceId, spans, leftOut: kept.leftOut[k] };
}
