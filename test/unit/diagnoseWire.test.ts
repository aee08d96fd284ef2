// The flowlog/diagnose handler's mapping of the core's result (server/src/handlers/diagnose.ts toDiagnoseWire): the
// lists cut to what the Diagnose section shows, with totals; interfaces with something to see first; evidence lines
// moved to the document's (a JSON document's engine text has a header line of its own).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../server/src/core/diagnose';
import { toDiagnoseWire } from '../../server/src/handlers/diagnose';
import { DIAGNOSE_MAX_FINDINGS, DIAGNOSE_MAX_INTERFACES, DIAGNOSE_MAX_SPANS } from '../../server/src/protocol';

const T = 1_700_000_000;
const rec = (iface: string, src: string, dst: string, sport: number, dport: number, start: number, action: string) =>
  `2 123456789010 ${iface} ${src} ${dst} ${sport} ${dport} 6 10 4000 ${start} ${start + 60} ${action} OK`;

describe('flowlog/diagnose result mapping', () => {
  it('cuts interfaces and timelines to the bounds, gaps first, and says how many there were', async () => {
    const lines: string[] = [];
    // 230 quiet interfaces, then 5 with a gap; one of them has more timeline spans than the bound.
    for (let i = 0; i < 230; i++) lines.push(rec(`eni-quiet${i}`, '10.0.0.1', '10.0.0.2', 40000, 443, T, 'ACCEPT'));
    for (let i = 0; i < 5; i++) {
      lines.push(rec(`eni-gap${i}`, '10.0.0.1', '10.0.0.2', 40000, 443, T, 'ACCEPT'));
      lines.push(rec(`eni-gap${i}`, '10.0.0.1', '10.0.0.2', 40001, 443, T + 7200, 'ACCEPT'));
    }
    for (let k = 0; k < 400; k++) lines.push(rec('eni-gap0', '10.0.0.1', '10.0.0.2', 41000 + k, 443, T + 10_000 + k * 1200, 'ACCEPT'));
    const result = await diagnose({ kind: 'text', text: lines.join('\n'), name: 'x.flowlog' });
    assert.equal(result.coverage.length, 235);
    const wire = toDiagnoseWire(result);
    assert.equal(wire.coverage.length, DIAGNOSE_MAX_INTERFACES);
    assert.equal(wire.totals.interfaces, 235);
    assert.deepEqual(wire.coverage.slice(0, 5).map((c) => c.interfaceId).sort(), ['eni-gap0', 'eni-gap1', 'eni-gap2', 'eni-gap3', 'eni-gap4']);
    const busy = wire.coverage.find((c) => c.interfaceId === 'eni-gap0')!;
    const full = result.coverage.find((c) => c.interfaceId === 'eni-gap0')!;
    assert.ok(full.timeline.length > DIAGNOSE_MAX_SPANS);
    assert.equal(busy.timeline.length, DIAGNOSE_MAX_SPANS);
    assert.equal(busy.spansLeftOut, full.timeline.length - DIAGNOSE_MAX_SPANS);
    assert.ok(wire.coverage.slice(5).every((c) => c.gaps.length === 0 && c.spansLeftOut === 0));
    assert.equal(wire.totals.conversations, Object.values(result.verdicts).reduce((a, b) => a + b, 0));
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
