// The capture coverage of a diagnosis as the Diagnose section gets it: the interfaces worth seeing first, each with its
// exact figures and its timeline cut to what a bar can show (segments no finer than a column of the section's axis),
// and, kept apart in typed arrays, the exact NODATA, SKIPDATA and gap spans that the section asks for when the user
// opens one interface's list. A long capture has hundreds of thousands of spans: as objects on the wire they were
// megabytes of JSON that held the server's main thread (and the client's) for a tenth of a second and more.
import type { CoverageState, InterfaceCoverage } from '../core/diagnose/coverage';
import { DIAGNOSE_COVERAGE_COLUMNS, DIAGNOSE_MAX_INTERFACES, DIAGNOSE_MAX_SPANS, DiagnoseSpansResult, InterfaceCoverageWire } from '../protocol';

/** The listed interfaces' NODATA, SKIPDATA and gap spans (structured-cloneable: it comes from the job host thread). */
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
}

export interface CoverageOnWire {
  coverage: InterfaceCoverageWire[];
  axis: { from: number; to: number; columns: number };
  spans: CoverageSpans;
}

const STATE_INDEX: Record<CoverageState, number> = { traffic: 0, nodata: 1, skipdata: 2, gap: 3 };

const notableSpans = (c: InterfaceCoverage) => c.gaps.length + c.skipdata.length + c.nodata.length;

/**
 * Interfaces with something to see first (the most gaps, then SKIPDATA, then NODATA spans), as `flowlog diagnose`
 * lists them, at most DIAGNOSE_MAX_INTERFACES.
 */
export function listedInterfaces(all: readonly InterfaceCoverage[]): InterfaceCoverage[] {
  const notable = all.filter((c) => notableSpans(c) > 0);
  notable.sort((a, b) => b.gaps.length - a.gaps.length || b.skipdata.length - a.skipdata.length || b.nodata.length - a.nodata.length);
  const out = notable.slice(0, DIAGNOSE_MAX_INTERFACES);
  for (const c of all) {
    if (out.length >= DIAGNOSE_MAX_INTERFACES) break;
    if (notableSpans(c) === 0) out.push(c);
  }
  return out;
}

export function toCoverageWire(all: readonly InterfaceCoverage[], columns = DIAGNOSE_COVERAGE_COLUMNS): CoverageOnWire {
  const listed = listedInterfaces(all);
  let from = Infinity;
  let to = -Infinity;
  for (const c of listed) {
    if (c.first < from) from = c.first;
    if (c.last > to) to = c.last;
  }
  if (listed.length === 0) from = to = 0;
  const column = (to - from) / columns;
  const coverage = listed.map((c): InterfaceCoverageWire => ({
    interfaceId: c.interfaceId, first: c.first, last: c.last, records: c.records, nodataRecords: c.nodataRecords,
    skipdataRecords: c.skipdataRecords, coveredSeconds: c.coveredSeconds,
    spans: { traffic: c.timeline.length - notableSpans(c), nodata: c.nodata.length, skipdata: c.skipdata.length, gap: c.gaps.length },
    segments: segmentsOf(c, from, column),
  }));
  return { coverage, axis: { from, to, columns }, spans: spansOf(listed) };
}

/**
 * The timeline as bar segments: a span at least a column long is a segment of its own (exact); consecutive spans
 * shorter than that which start in the same column are one segment from the first one's start to the furthest end,
 * in the most notable of their states. Spans of one state are disjoint, so at most 4 × (columns + 1) are long, and
 * the merged segments are at most one per column between them: the segments are bounded by the columns, not by the
 * spans.
 */
export function segmentsOf(c: InterfaceCoverage, axisFrom: number, column: number): number[] {
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
  for (const s of c.timeline) {
    const state = STATE_INDEX[s.state];
    if (!(s.to - s.from < column)) {
      flush();
      emit(s.from, s.to, state, 1);
      continue;
    }
    const at = Math.floor((s.from - axisFrom) / column);
    if (open && at === col) {
      if (s.to > segTo) segTo = s.to;
      if (state > segState) segState = state;
      merged++;
      continue;
    }
    flush();
    open = true;
    col = at;
    segFrom = s.from;
    segTo = s.to;
    segState = state;
    merged = 1;
  }
  flush();
  return out;
}

function spansOf(listed: readonly InterfaceCoverage[]): CoverageSpans {
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
    for (const s of c.timeline) {
      if (at >= end) break;
      if (s.state === 'traffic') continue;
      times[at * 2] = s.from;
      times[at * 2 + 1] = s.to;
      states[at] = STATE_INDEX[s.state];
      at++;
    }
  });
  return { interfaces: listed.map((c) => c.interfaceId), offsets, times, states, leftOut };
}

/** One interface's kept spans, as DiagnoseSpansRequest answers; null when the interface is not listed. */
export function interfaceSpans(kept: CoverageSpans, interfaceId: string): DiagnoseSpansResult | null {
  const k = kept.interfaces.indexOf(interfaceId);
  if (k < 0) return null;
  const spans: number[] = [];
  for (let i = kept.offsets[k]; i < kept.offsets[k + 1]; i++) spans.push(kept.times[i * 2], kept.times[i * 2 + 1], kept.states[i]);
  return { interfaceId, spans, leftOut: kept.leftOut[k] };
}
