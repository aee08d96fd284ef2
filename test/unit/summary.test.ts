// The summary (issue 5 groundwork): one scan, and every figure equal to what its own query gives alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SUMMARY_QUERIES, SummarySection, chooseBucketSeconds, computeSummary, shapeTimeline } from '../../server/src/core/summary';
import { runQuery } from '../../server/src/core/query';
import { partialSummary } from '../../server/src/core/summaryShape';
import type { SummaryTable } from '../../server/src/core/summaryTypes';
import { generateLines } from '../support/generate';

const text = [...generateLines({ records: 20_000, seed: 21, header: true, badShare: 0.01, nodataShare: 0.05 })].join('\n');
const source = { kind: 'text' as const, text, name: 'gen' };

describe('summary', () => {
  it('every section equals its query run alone', async () => {
    const summary = await computeSummary(source);
    for (const section of Object.keys(SUMMARY_QUERIES) as SummarySection[]) {
      const alone = await runQuery(source, SUMMARY_QUERIES[section], { limit: 1_000_000 });
      assert.deepEqual(summary.sections[section].columns, alone.columns, section);
      assert.deepEqual(summary.sections[section].rows, alone.rows, section);
    }
    const totals = (await runQuery(source, '* | select count(*), sum(bytes)')).rows[0];
    assert.deepEqual([summary.records, summary.bytes], totals);
    assert.equal(summary.malformed, (await runQuery(source, '*')).stats.malformed);
    assert.ok(summary.malformed > 0);
  });

  it('sections come as they are final, and the partial summary of those that came has their figures (the rest pending)', async () => {
    const arrived: Partial<Record<SummarySection, SummaryTable>> = {};
    const order: SummarySection[] = [];
    const summary = await computeSummary(source, { onSection: (section, table) => {
      order.push(section);
      arrived[section] = table;
      if (section !== 'totals' && !arrived.totals) assert.equal(partialSummary(arrived), undefined, 'nothing to draw before the totals');
    } });
    assert.deepEqual([...order].sort(), (Object.keys(SUMMARY_QUERIES) as SummarySection[]).sort(), 'every section once');
    const whole = partialSummary(arrived)!;
    assert.deepEqual(whole.pending, []);
    assert.deepEqual(whole.summary.sections, summary.sections);
    assert.deepEqual([whole.summary.records, whole.summary.bytes, whole.summary.timeline], [summary.records, summary.bytes, summary.timeline]);
    const some = partialSummary({ totals: arrived.totals, topSources: arrived.topSources })!;
    assert.deepEqual(some.pending, (Object.keys(SUMMARY_QUERIES) as SummarySection[]).filter((s) => s !== 'totals' && s !== 'topSources'));
    assert.equal(some.summary.records, summary.records);
    assert.deepEqual(some.summary.sections.topSources, summary.sections.topSources);
    assert.deepEqual(some.summary.sections.actions, { query: SUMMARY_QUERIES.actions, columns: [], rows: [] });
  });

  it('the timeline covers the span in buckets chosen from it, empty ones as zero', async () => {
    const summary = await computeSummary(source);
    const { bucketSeconds, timeline } = summary;
    assert.equal(bucketSeconds, chooseBucketSeconds(summary.lastEnd! - summary.firstStart!));
    for (let i = 1; i < timeline.length; i++) assert.equal(Date.parse(timeline[i].t) - Date.parse(timeline[i - 1].t), bucketSeconds * 1000);
    const rejectBytes = timeline.reduce((n, b) => n + b.rejectBytes, 0);
    // (SQL = is exact; the search action:REJECT would also take the invalid lower-case 'reject' lines.)
    assert.equal(rejectBytes, (await runQuery(source, "* | select sum(bytes) where action = 'REJECT'")).rows[0][0]);
    // A bucket's query selects exactly its records (reading bytes too, so the same malformed lines are skipped).
    const b = timeline[Math.floor(timeline.length / 2)];
    const inBucket = await runQuery(source, `${b.query} | select count(*), sum(bytes)`);
    assert.equal(inBucket.rows[0][0], b.acceptRecords + b.rejectRecords + b.otherRecords);
  });

  it('shapes minute rows into larger buckets and fills gaps', () => {
    const rows = [['2024-01-01T00:00:00Z', 'ACCEPT', 2, 100], ['2024-01-01T00:04:00Z', 'REJECT', 1, 40], ['2024-01-01T00:16:00Z', null, 3, null]];
    const shaped = shapeTimeline(rows, 300);
    assert.deepEqual(shaped.map((b) => [b.t, b.acceptRecords, b.acceptBytes, b.rejectRecords, b.rejectBytes, b.otherRecords]), [
      ['2024-01-01T00:00:00Z', 2, 100, 1, 40, 0],
      ['2024-01-01T00:05:00Z', 0, 0, 0, 0, 0],
      ['2024-01-01T00:10:00Z', 0, 0, 0, 0, 0],
      ['2024-01-01T00:15:00Z', 0, 0, 0, 0, 3],
    ]);
    assert.equal(chooseBucketSeconds(3600), 60);
    assert.equal(chooseBucketSeconds(86400), 900);
    assert.equal(chooseBucketSeconds(30 * 86400), 6 * 3600);
  });
});
