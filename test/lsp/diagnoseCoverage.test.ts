// The capture coverage of flowlog/diagnose over the protocol, held to `flowlog diagnose --format json` on the same
// file: a planted log (gaps, NODATA, SKIPDATA among noise) and an interface whose timeline has more spans than a bar
// can show (they merge into segments). Every figure equals the CLI's; the segments stand for the CLI's timeline, in
// order, each the most notable state of the spans it merges; flowlog/diagnoseSpans gives the exact NODATA, SKIPDATA
// and gap spans, and the response stays small whatever the number of spans.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  COVERAGE_BARS_SENT, COVERAGE_STATES, DIAGNOSE_COVERAGE_COLUMNS, DIAGNOSE_MAX_SPANS, DiagnoseBarsRequest, DiagnoseRequest,
  DiagnoseResultWire, DiagnoseSpansRequest, DiagnoseSpansResult,
} from '../../server/src/protocol';
import type { InterfaceCoverage } from '../../server/src/core/diagnose';
import { coverageSegments, coverageSpans } from '../../client/webview/src/coverageSegments';
import { plantConversations } from '../support/plantConversations';
import { TestClient, inMemoryServer } from './harness';

const cli = resolve(__dirname, '../../dist/cli.js');

let client: TestClient;
let dir: string;

before(async () => {
  client = inMemoryServer();
  await client.initialize();
  dir = mkdtempSync(join(tmpdir(), 'flowlog-lsp-coverage-'));
});

after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const T = 1_700_000_000;

/**
 * An interface with `hours` hours of: one traffic record at the hour, a NODATA window 20 minutes later, nothing else
 * (so a gap before and after the NODATA window): 4 timeline spans an hour, 3 of them notable.
 */
function denseInterface(hours: number): string[] {
  const lines: string[] = [];
  for (let h = 0; h < hours; h++) {
    const t = T + h * 3600;
    lines.push(`2 123456789010 eni-0dense 10.0.0.5 10.0.0.9 40000 443 6 10 4000 ${t} ${t + 60} ACCEPT OK`);
    lines.push(`2 123456789010 eni-0dense - - - - - - - ${t + 1200} ${t + 1260} - NODATA`);
  }
  return lines;
}

function cliCoverage(file: string): InterfaceCoverage[] {
  const r = spawnSync(process.execPath, [cli, 'diagnose', file, '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).coverage;
}

const rank = (state: string) => COVERAGE_STATES.indexOf(state as (typeof COVERAGE_STATES)[number]);

/** Every figure of the wire's coverage against the CLI's, the segments against its timeline, the spans fetched. */
async function assertSameCoverage(wire: DiagnoseResultWire, expected: InterfaceCoverage[]): Promise<void> {
  assert.equal(wire.totals.interfaces, expected.length);
  assert.ok(wire.spansKey, 'the server keeps the spans');
  // The first COVERAGE_BARS_SENT bars come with the result, the others when asked (the section's "Show more").
  assert.ok(wire.coverage.every((c, k) => (k < COVERAGE_BARS_SENT) === (c.segments !== undefined)));
  const missing = wire.coverage.filter((c) => !c.segments).map((c) => c.interfaceId);
  if (missing.length > 0) {
    const bars = await client.connection.sendRequest(DiagnoseBarsRequest, { spansKey: wire.spansKey!, interfaceIds: [...missing, 'eni-not-listed'] });
    assert.deepEqual(bars?.map((b) => b.interfaceId), missing);
    for (const b of bars!) wire.coverage.find((c) => c.interfaceId === b.interfaceId)!.segments = b.segments;
  }
  for (const c of wire.coverage) {
    const e = expected.find((x) => x.interfaceId === c.interfaceId);
    assert.ok(e, c.interfaceId);
    assert.deepEqual(
      [c.first, c.last, c.records, c.nodataRecords, c.skipdataRecords, c.coveredSeconds],
      [e.first, e.last, e.records, e.nodataRecords, e.skipdataRecords, e.coveredSeconds], c.interfaceId);
    const notable = e.timeline.filter((s) => s.state !== 'traffic');
    assert.deepEqual(c.spans, { traffic: e.timeline.length - notable.length, nodata: e.nodata.length, skipdata: e.skipdata.length, gap: e.gaps.length });
    // Segment by segment, the CLI's timeline spans it stands for, in order.
    let at = 0;
    for (const s of coverageSegments(c)) {
      const merged = e.timeline.slice(at, at + s.merged);
      assert.equal(merged.length, s.merged, `${c.interfaceId}: segments stand for more spans than the timeline has`);
      assert.equal(s.from, merged[0].from);
      assert.equal(s.to, Math.max(...merged.map((m) => m.to)));
      assert.equal(s.state, merged.map((m) => m.state).sort((a, b) => rank(b) - rank(a))[0]);
      if (s.merged === 1) assert.deepEqual({ from: s.from, to: s.to, state: s.state }, merged[0]);
      at += s.merged;
    }
    assert.equal(at, e.timeline.length, `${c.interfaceId}: the segments stand for the whole timeline`);
    assert.ok(c.segments!.length / 4 <= 9 * DIAGNOSE_COVERAGE_COLUMNS + 1);
    // The exact spans, on demand: the CLI's NODATA, SKIPDATA and gap spans in time order, up to the bound.
    const spans: DiagnoseSpansResult | null = await client.connection.sendRequest(DiagnoseSpansRequest, { spansKey: wire.spansKey!, interfaceId: c.interfaceId });
    assert.ok(spans);
    assert.deepEqual(coverageSpans(spans), notable.slice(0, DIAGNOSE_MAX_SPANS));
    assert.equal(spans.leftOut, Math.max(0, notable.length - DIAGNOSE_MAX_SPANS));
  }
  // Interfaces with something to see first; the axis spans the listed ones.
  const notable = (c: DiagnoseResultWire['coverage'][number]) => c.spans.gap + c.spans.nodata + c.spans.skipdata > 0;
  const firstQuiet = wire.coverage.findIndex((c) => !notable(c));
  assert.ok(firstQuiet === -1 || wire.coverage.slice(firstQuiet).every((c) => !notable(c)));
  assert.deepEqual([wire.coverageAxis.from, wire.coverageAxis.to], [Math.min(...wire.coverage.map((c) => c.first)), Math.max(...wire.coverage.map((c) => c.last))]);
}

describe('flowlog/diagnose coverage on the wire', () => {
  it('a planted log read from disk: gaps, NODATA and SKIPDATA equal `flowlog diagnose --format json`', async () => {
    const log = plantConversations({ seed: 12, noise: 400 });
    const file = join(dir, 'planted.flowlog');
    writeFileSync(file, log.text);
    const expected = cliCoverage(file);
    assert.ok(expected.some((c) => c.gaps.length > 0) && expected.some((c) => c.nodata.length > 0) && expected.some((c) => c.skipdata.length > 0));
    const wire = await client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(file).toString() });
    await assertSameCoverage(wire, expected);
    // Here every span is a segment of its own (exact: a gap segment opens the two records that bound it).
    const gaps = wire.coverage.flatMap((c) => coverageSegments(c).filter((s) => s.state === 'gap').map((s) => ({ interfaceId: c.interfaceId, from: s.from, to: s.to, merged: s.merged })));
    assert.deepEqual(gaps.map(({ merged }) => merged), gaps.map(() => 1));
    const order = (a: { interfaceId: string; from: number }, b: { interfaceId: string; from: number }) => a.interfaceId.localeCompare(b.interfaceId) || a.from - b.from;
    assert.deepEqual(gaps.map(({ interfaceId, from, to }) => ({ interfaceId, from, to })).sort(order), [...log.gaps].sort(order));
  });

  it('an interface with more spans than a bar can show: merged segments, the exact spans on demand, a small response', async () => {
    // 400 hours: 1,599 timeline spans, 1,199 of them notable (past DIAGNOSE_MAX_SPANS), and 40 quiet interfaces
    // (whose bars past the first COVERAGE_BARS_SENT interfaces are asked for).
    const quiet = Array.from({ length: 40 }, (_, k) => `2 123456789010 eni-0quiet${String(k).padStart(2, '0')} 10.0.0.5 10.0.0.9 40001 443 6 10 4000 ${T + k * 60} ${T + k * 60 + 60} ACCEPT OK`);
    const lines = [...denseInterface(400), ...quiet];
    const file = join(dir, 'dense.flowlog');
    writeFileSync(file, lines.join('\n') + '\n');
    const expected = cliCoverage(file);
    const dense = expected.find((c) => c.interfaceId === 'eni-0dense')!;
    assert.equal(dense.timeline.length, 1599, 'four spans an hour, no gap after the last NODATA window');
    const wire = await client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(file).toString() });
    await assertSameCoverage(wire, expected);
    const c = wire.coverage[0];
    assert.equal(c.interfaceId, 'eni-0dense');
    const segments = coverageSegments(c);
    assert.ok(segments.length <= 2 * DIAGNOSE_COVERAGE_COLUMNS && segments.some((s) => s.merged > 1), `${segments.length} segments`);
    // A column's merged hours show their gaps: the most notable state.
    assert.ok(segments.filter((s) => s.merged > 1).every((s) => s.state === 'gap'));
    assert.ok(JSON.stringify(wire.coverage).length < 30_000, `${JSON.stringify(wire.coverage).length} characters of coverage`);
    assert.deepEqual(wire.coverage.map((x) => x.interfaceId).slice(0, 2), ['eni-0dense', 'eni-0quiet00']);
    assert.equal(wire.coverage.length, 41);
  });

  it('spans of a diagnosis no longer kept, or of an interface not listed, answer null', async () => {
    const file = join(dir, 'one.flowlog');
    writeFileSync(file, denseInterface(3).join('\n') + '\n');
    const first = await client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(file).toString() });
    assert.equal(await client.connection.sendRequest(DiagnoseSpansRequest, { spansKey: first.spansKey!, interfaceId: 'eni-other' }), null);
    assert.ok(await client.connection.sendRequest(DiagnoseSpansRequest, { spansKey: first.spansKey!, interfaceId: 'eni-0dense' }));
    // The server keeps the last few diagnoses: after four more, the first is gone.
    for (let k = 0; k < 4; k++) await client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(file).toString() });
    assert.equal(await client.connection.sendRequest(DiagnoseSpansRequest, { spansKey: first.spansKey!, interfaceId: 'eni-0dense' }), null);
    assert.equal(await client.connection.sendRequest(DiagnoseSpansRequest, { spansKey: 'no-such-key', interfaceId: 'eni-0dense' }), null);
  });
});
