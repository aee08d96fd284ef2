// The flowlog/diagnose handler's mapping of the core's result (server/src/handlers/diagnose.ts toDiagnoseWire): the
// lists cut to what the Diagnose section shows, with totals; interfaces with something to see first, their timelines as
// bounded segments (handlers/coverageWire.ts) and their spans kept apart; evidence lines
// moved to the document's (a JSON document's engine text has a header line of its own).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../server/src/core/diagnose';
import { toDiagnoseWire, toDiagnosis } from '../../server/src/handlers/diagnose';
import { interfaceBars, interfaceSpans, segmentsOf } from '../../server/src/handlers/coverageWire';
import { compactCoverage, expandCoverage } from '../../server/src/core/diagnose/coverage';
import { coverageSegments, coverageSpans } from '../../client/webview/src/coverageSegments';
import { COVERAGE_BARS_SENT, DIAGNOSE_COVERAGE_COLUMNS, DIAGNOSE_MAX_FINDINGS, DIAGNOSE_MAX_INTERFACES, DIAGNOSE_MAX_SPANS } from '../../server/src/protocol';

const T = 1_700_000_000;
const rec = (iface: string, src: string, dst: string, sport: number, dport: number, start: number, action: string) =>
  `2 123456789010 ${iface} ${src} ${dst} ${sport} ${dport} 6 10 4000 ${start} ${start + 60} ${action} OK`;

describe('flowlog/diagnose result mapping', () => {
  it('cuts interfaces to the bound, gaps first, draws timelines in bounded segments, and says how many there were', async () => {
    const lines: string[] = [];
    // 230 quiet interfaces, then 5 with a gap; one of them has 1,200 notable spans (past the bound of those kept).
    for (let i = 0; i < 230; i++) lines.push(rec(`eni-quiet${i}`, '10.0.0.1', '10.0.0.2', 40000, 443, T, 'ACCEPT'));
    for (let i = 0; i < 5; i++) {
      lines.push(rec(`eni-gap${i}`, '10.0.0.1', '10.0.0.2', 40000, 443, T, 'ACCEPT'));
      lines.push(rec(`eni-gap${i}`, '10.0.0.1', '10.0.0.2', 40001, 443, T + 7200, 'ACCEPT'));
    }
    for (let k = 0; k < 1200; k++) lines.push(rec('eni-gap0', '10.0.0.1', '10.0.0.2', 41000 + (k % 20000), 443, T + 10_000 + k * 1200, 'ACCEPT'));
    const result = await diagnose({ kind: 'text', text: lines.join('\n'), name: 'x.flowlog' });
    assert.equal(result.coverage.length, 235);
    const { wire, spans } = toDiagnosis(result);
    assert.equal(wire.coverage.length, DIAGNOSE_MAX_INTERFACES);
    assert.equal(wire.totals.interfaces, 235);
    assert.deepEqual(wire.coverage.slice(0, 5).map((c) => c.interfaceId).sort(), ['eni-gap0', 'eni-gap1', 'eni-gap2', 'eni-gap3', 'eni-gap4']);
    const busy = wire.coverage.find((c) => c.interfaceId === 'eni-gap0')!;
    const full = result.coverage.find((c) => c.interfaceId === 'eni-gap0')!;
    assert.ok(full.gaps.length > DIAGNOSE_MAX_SPANS);
    assert.equal(busy.spans.gap, full.gaps.length);
    // The bar: bounded by the axis's columns, standing for every span of the timeline.
    const segments = coverageSegments(busy);
    assert.ok(segments.length <= 2 * DIAGNOSE_COVERAGE_COLUMNS + 2, `${segments.length} segments`);
    assert.equal(segments.reduce((n, s) => n + s.merged, 0), full.timeline.length);
    // The spans kept for flowlog/diagnoseSpans: the first DIAGNOSE_MAX_SPANS, the rest counted.
    const kept = interfaceSpans(spans, 'eni-gap0')!;
    assert.deepEqual(coverageSpans(kept), full.timeline.filter((x) => x.state !== 'traffic').slice(0, DIAGNOSE_MAX_SPANS));
    assert.equal(kept.leftOut, full.gaps.length - DIAGNOSE_MAX_SPANS);
    assert.equal(interfaceSpans(spans, 'eni-not-listed'), null);
    assert.ok(wire.coverage.slice(5).every((c) => c.spans.gap === 0));
    // The first COVERAGE_BARS_SENT bars come with the result; the others are kept for flowlog/diagnoseBars.
    assert.ok(wire.coverage.every((c, k) => (k < COVERAGE_BARS_SENT) === (c.segments !== undefined)));
    const later = wire.coverage.slice(COVERAGE_BARS_SENT).map((c) => c.interfaceId);
    const bars = interfaceBars(spans, [...later, 'eni-not-listed']);
    assert.deepEqual(bars.map((b) => b.interfaceId), later);
    assert.ok(bars.every((b) => b.segments.length === 4 && b.segments[3] === 1), 'a quiet interface: one exact traffic segment');
    assert.deepEqual(interfaceBars(spans, [busy.interfaceId])[0].segments, busy.segments);
    assert.ok(spans.times instanceof Float64Array && spans.times.length === 2 * spans.states.length);
    assert.equal(wire.totals.conversations, Object.values(result.verdicts).reduce((a, b) => a + b, 0));
  });

  it('the coverage in typed arrays is the same as the objects `flowlog diagnose` prints, both ways', async () => {
    const { plantConversations } = await import('../support/plantConversations');
    const text = plantConversations({ seed: 5, noise: 300 }).text;
    const objects = (await diagnose({ kind: 'text', text, name: 'p.flowlog' })).coverage;
    const compact = (await diagnose({ kind: 'text', text, name: 'p.flowlog' }, { compactCoverage: true })).compactCoverage!;
    assert.ok(objects.some((c) => c.gaps.length > 0) && objects.some((c) => c.nodata.length > 0) && objects.some((c) => c.skipdata.length > 0));
    assert.deepEqual(compact.map(expandCoverage), objects);
    assert.deepEqual(objects.map(compactCoverage), compact);
  });

  it('segments: a span at least a column long is its own, shorter ones in one column merge into the most notable state', () => {
    const c = compactCoverage({
      interfaceId: 'eni-a', first: 0, last: 1000, records: 3, nodataRecords: 1, skipdataRecords: 1, coveredSeconds: 0,
      gaps: [], nodata: [], skipdata: [],
      timeline: [
        { from: 0, to: 100, state: 'traffic' as const }, // long: its own
        { from: 100, to: 102, state: 'traffic' as const }, // column 10: with the next two
        { from: 103, to: 104, state: 'skipdata' as const },
        { from: 104, to: 105, state: 'nodata' as const },
        { from: 120, to: 125, state: 'traffic' as const }, // column 12: alone
        { from: 125, to: 900, state: 'gap' as const }, // long
        { from: 900, to: 1000, state: 'traffic' as const },
      ],
    });
    assert.deepEqual(segmentsOf(c, 0, 10), [0, 100, 0, 1, 0, 5, 2, 3, 15, 5, 0, 1, 0, 775, 3, 1, 0, 100, 0, 1]);
    // With a column of 0 s (every record in one second) every span is its own.
    assert.equal(segmentsOf(c, 0, 0).length, 4 * c.states.length);
  });

  it('cuts scans to the bound, with their total', async () => {
    const lines: string[] = [];
    // 120 sources, each reaching 20 rejected ports of one host within a minute: 120 port scans.
    for (let s = 0; s < 120; s++) for (let p = 1; p <= 20; p++) lines.push(rec('eni-a', `198.51.${s >> 8}.${s & 255}`, '10.0.0.5', 50000 + p, p, T + s, 'REJECT'));
    const result = await diagnose({ kind: 'text', text: lines.join('\n'), name: 'x.flowlog' });
    assert.equal(result.scans.length, 120);
    const wire = toDiagnoseWire(result);
    assert.equal(wire.scans.length, DIAGNOSE_MAX_FINDINGS);
    assert.equal(wire.totals.scans, 120);
    assert.deepEqual(wire.scans, result.scans.slice(0, DIAGNOSE_MAX_FINDINGS));
  });

  it("moves evidence lines, and the reading's, to the document's lines", async () => {
    const text = [rec('eni-a', '198.51.100.8', '10.0.0.5', 51000, 22, T, 'ACCEPT'), rec('eni-a', '10.0.0.5', '198.51.100.8', 22, 51000, T + 1, 'REJECT')].join('\n');
    const result = await diagnose({ kind: 'text', text, name: '/logs/x.json' });
    const wire = toDiagnoseWire(result, (line) => line * 10);
    const c = wire.conversations[0];
    assert.equal(c.verdict, 'response-rejected');
    assert.deepEqual(c.evidence, { request: { file: '/logs/x.json', line: 10 }, reply: { file: '/logs/x.json', line: 20 } });
    assert.deepEqual([c.request.firstAccepted?.line, c.reply.firstRejected?.line, c.reply.firstAccepted], [10, 20, null]);
    assert.equal(c.reading.evidence, 'request /logs/x.json:10 (ACCEPT) · reply /logs/x.json:20 (REJECT)');
    assert.ok(c.readingText.endsWith('Evidence: request /logs/x.json:10 (ACCEPT) · reply /logs/x.json:20 (REJECT).'));
    assert.equal(c.reading.summary, result.conversations[0].reading.summary);
    assert.equal('records' in c, false);
  });
});
