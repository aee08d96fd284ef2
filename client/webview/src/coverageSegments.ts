// The Diagnose section's coverage as the language server sends it (protocol.ts InterfaceCoverageWire, flowlog/
// diagnoseSpans), read back into spans with their times. Pure (no DOM): unit tested in test/unit/diagnoseWire.test.ts.
import type { DiagnoseSpansResult, InterfaceCoverageWire } from '../../../server/src/protocol';
import { COVERAGE_SEGMENT_STRIDE, COVERAGE_STATES, type CoverageState, type Span } from '../../../server/src/core/diagnose/coverage';

export interface CoverageSegment extends Span {
  state: CoverageState;
  /** Timeline spans it stands for: 1 is the span itself (exact), more were merged (shown in the most notable state). */
  merged: number;
}

/** An interface's bar segments (none when they did not come with it), in time order; an unknown state is skipped. */
export function coverageSegments(c: InterfaceCoverageWire): CoverageSegment[] {
  const out: CoverageSegment[] = [];
  const s = c.segments ?? [];
  let end = c.first;
  for (let k = 0; k + COVERAGE_SEGMENT_STRIDE <= s.length; k += COVERAGE_SEGMENT_STRIDE) {
    const from = end + s[k];
    end = from + s[k + 1];
    const state = COVERAGE_STATES[s[k + 2]];
    if (state) out.push({ from, to: end, state, merged: s[k + 3] });
  }
  return out;
}

/** The exact NODATA, SKIPDATA and gap spans of flowlog/diagnoseSpans, in time order. */
export function coverageSpans(r: DiagnoseSpansResult): (Span & { state: CoverageState })[] {
  const out: (Span & { state: CoverageState })[] = [];
  for (let k = 0; k + 3 <= r.spans.length; k += 3) {
    const state = COVERAGE_STATES[r.spans[k + 2]];
    if (state) out.push({ from: r.spans[k], to: r.spans[k + 1], state });
  }
  return out;
}
