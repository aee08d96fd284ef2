// Issue 10, what a user sees in the panels (items 23–25): a sparse histogram's buckets stay visible, each series
// keeps its unit, and NULL is not a talker in the summary.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartFor, isolatedPoints, unitOf } from '../../client/webview/src/chartData';
import { EXAMPLE_QUERIES } from '../../client/webview/src/examples';
import { SUMMARY_QUERIES, computeSummary } from '../../server/src/core/summary';
import { WITHOUT_ADDRESSES_SEARCH } from '../../server/src/core/summaryTypes';
import { runQuery } from '../../server/src/core/query';
import { HOSTILE_TEXT } from '../support/hostile';

const GOOD_TEXT = readFileSync(join(__dirname, '../fixtures/workspace/good.flowlog'), 'utf8');
const good = { kind: 'text' as const, text: GOOD_TEXT, name: 'good.flowlog' };
const perFiveMinutes = EXAMPLE_QUERIES.find((q) => q.label === 'Traffic per 5 minutes')!.query;

describe('item 23: sparse histograms', () => {
  it('item 23: buckets months apart are drawn as points, not joined by a line, and none is lost', async () => {
    // good.flowlog: records in December 2014, May 2015 (NODATA/SKIPDATA only: bytes NULL) and late May 2015.
    const r = await runQuery(good, perFiveMinutes);
    const c = chartFor(r.columns, r.rows);
    assert.ok(c && c.kind === 'time');
    assert.equal(c.step, 300);
    const real = r.rows.map((row) => Date.parse(String(row[0])) / 1000);
    assert.deepEqual(c.xs.filter((x) => real.includes(x)), real, 'every bucket is an x');
    for (const s of c.series) {
      // Between two buckets more than a step apart, a null ends the line: no line spans the empty months.
      for (let k = 0; k + 1 < real.length; k++) {
        const [a, b] = [c.xs.indexOf(real[k]), c.xs.indexOf(real[k + 1])];
        if (real[k + 1] - real[k] > c.step) assert.ok(s.values.slice(a + 1, b).includes(null), `${s.name} between ${real[k]} and ${real[k + 1]}`);
      }
      // Every non-null bucket is isolated here, so each one is drawn as a point.
      const drawn = s.values.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
      assert.deepEqual(isolatedPoints(s.values), drawn, s.name);
    }
    const bytes = c.series.find((s) => s.name === 'bytes')!;
    assert.deepEqual(bytes.values.filter((v) => v !== null), [8498, 672]);
  });

  it('item 23: adjacent buckets stay one line; a lone bucket between gaps is a point', () => {
    const t = (m: number) => new Date(Date.UTC(2024, 0, 1, 0, m)).toISOString().replace('.000Z', 'Z');
    const rows = [[t(0), 1], [t(5), 2], [t(10), 3], [t(30), 4], [t(60), 5], [t(65), 6]];
    const c = chartFor(['t', 'records'], rows);
    assert.ok(c && c.kind === 'time');
    assert.equal(c.step, 300);
    assert.deepEqual(c.series[0].values, [1, 2, 3, null, 4, null, 5, 6]);
    assert.deepEqual(isolatedPoints(c.series[0].values), [4]);
    assert.deepEqual(isolatedPoints([7]), [0], 'a single bucket is a point');
  });
});

describe('item 24: units per series', () => {
  it('item 24: records is a count and bytes is bytes, on two axes', async () => {
    const r = await runQuery(good, perFiveMinutes);
    const c = chartFor(r.columns, r.rows);
    assert.ok(c && c.kind === 'time');
    assert.deepEqual(c.series.map((s) => [s.name, s.unit]), [['bytes', 'bytes'], ['records', 'count']]);
  });

  it('item 24: units come from the column names', () => {
    assert.equal(unitOf('bytes'), 'bytes');
    assert.equal(unitOf('sum(bytes)'), 'bytes');
    assert.equal(unitOf('avg_bytes'), 'bytes');
    for (const n of ['records', 'count(*)', 'packets', 'attempts', 'n']) assert.equal(unitOf(n), 'count', n);
    const pivot = chartFor(['t', 'action', 'records'], [['2024-01-01T00:00:00Z', 'ACCEPT', 5]]);
    assert.ok(pivot && pivot.kind === 'time');
    assert.equal(pivot.series[0].unit, 'count');
  });
});

describe('chart labels from hostile values', () => {
  it('bar labels and series names show control and bidi characters as escapes', () => {
    const bars = chartFor(['vpc_id', 'n'], [['vpc-\u202egnp.exe', 3], ['\x1b[31mRED', 2]]);
    assert.ok(bars && bars.kind === 'bars');
    assert.deepEqual(bars.labels, ['vpc-\\u202egnp.exe', '\\x1b[31mRED']);
    const pivot = chartFor(['t', 'vpc_id', 'n'], [['2024-01-01T00:00:00Z', 'a\u202eb', 1]]);
    assert.ok(pivot && pivot.kind === 'time');
    assert.equal(pivot.series[0].name, 'a\\u202eb n');
  });
});

describe('item 25: NULL is not a talker', () => {
  it('item 25: the summary leaves NULL out of the top lists and counts it apart', async () => {
    const s = await computeSummary(good);
    for (const section of ['topSources', 'topDestinations', 'topRejectedSources', 'protocols'] as const) {
      assert.ok(s.sections[section].rows.length > 0, section);
      for (const row of s.sections[section].rows) assert.notEqual(row[0], null, `${section}: ${JSON.stringify(row)}`);
    }
    for (const row of s.sections.topPairs.rows) assert.ok(row[0] !== null && row[1] !== null, JSON.stringify(row));
    assert.equal(s.withoutAddresses, 2);
    const [[n]] = (await runQuery(good, `${WITHOUT_ADDRESSES_SEARCH} | select count(*)`)).rows;
    assert.equal(s.withoutAddresses, n);
  });

  it('item 25: each section query, run alone (the drill-down), gives the section', async () => {
    for (const source of [good, { kind: 'text' as const, text: HOSTILE_TEXT, name: 'hostile.flowlog' }]) {
      const s = await computeSummary(source);
      for (const [section, query] of Object.entries(SUMMARY_QUERIES)) {
        const alone = await runQuery(source, query, { limit: 1_000_000 });
        assert.deepEqual(alone.rows, s.sections[section as keyof typeof SUMMARY_QUERIES].rows, section);
      }
      const [[records, withoutAddresses]] = (await runQuery(source, '* | select count(*), sum(srcaddr is null or dstaddr is null)')).rows;
      assert.equal(s.records, records);
      assert.equal(s.withoutAddresses, withoutAddresses);
    }
  });
});
