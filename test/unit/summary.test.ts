// The summary (issue 5 groundwork): one scan, and every figure equal to what its own query gives alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SUMMARY_QUERIES, SummarySection, chooseBucketSeconds, computeSummary, shapeTimeline } from '../../server/src/core/summary';
import { runQuery } from '../../server/src/core/query';
import { QueryPass, finishResult, packKeys, rollupOf, unpackKeys } from '../../server/src/core/query/execute';
import { QueryPlan } from '../../server/src/core/query/plan';
import { parseQuery } from '../../server/src/core/query/parser';
import { Chunk, readChunks } from '../../server/src/core/query/sources';
import { mergeRanges, scanRange } from '../../server/src/core/query/workers';
import { DEFAULT_FORMAT, FieldSpans, headerNames, makeFormat, scanFields } from '../../server/src/core/scan';
import { generateLines } from '../support/generate';

/** The chunks of `text` as a range that does not start its file (as a worker reads a later range). */
async function* laterRange(text: string): AsyncGenerator<Chunk> {
  for await (const c of readChunks({ kind: 'text', text, name: 'gen' })) yield { ...c, fileStart: false };
}

/** Runs `queries` on one scan per range of `text` (cut at line starts) and merges them, as the workers do. */
async function scanInRanges(text: string, queries: string[], cuts: number[]) {
  const plans = queries.map((q) => new QueryPlan(parseQuery(q), q));
  const firstLine = text.slice(0, text.indexOf('\n'));
  const spans = new FieldSpans();
  scanFields(firstLine, 0, firstLine.length, spans);
  const header = firstLine.startsWith('version') ? makeFormat(headerNames(firstLine, spans), 0) : DEFAULT_FORMAT;
  const bounds = [0, ...cuts.map((c) => text.indexOf('\n', c) + 1), text.length];
  const results = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const part = text.slice(bounds[i], bounds[i + 1]);
    const chunks = i === 0 ? readChunks({ kind: 'text', text: part, name: 'gen' }) : laterRange(part);
    const parts = await scanRange(plans, 1_000_000, chunks, i === 0 ? DEFAULT_FORMAT : header, i === 0);
    // As posted by a worker: key values as numbers into the list of distinct ones.
    for (const p of parts) p.groups = unpackKeys(packKeys(p.groups));
    results.push(parts);
  }
  const merged = mergeRanges(plans, bounds.slice(1).map(() => ({ path: 'gen' })), results, 1_000_000);
  return plans.map((plan, i) => ({ ...finishResult(plan, merged[i]), pass: merged[i] }));
}

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

  it('scanned in ranges and merged (the worker path), every section equals the one-scan summary', async () => {
    const summary = await computeSummary(source);
    const sections = Object.keys(SUMMARY_QUERIES) as SummarySection[];
    for (const cuts of [[text.length >> 1], [1000, text.length / 3, (2 * text.length) / 3]]) {
      const parts = await scanInRanges(text, sections.map((s) => SUMMARY_QUERIES[s]), cuts);
      sections.forEach((s, i) => {
        assert.deepEqual(parts[i].columns, summary.sections[s].columns, s);
        assert.deepEqual(parts[i].rows, summary.sections[s].rows, s);
      });
      assert.equal(parts[0].pass.malformed, summary.malformed);
      assert.equal(parts[0].pass.lateHeader, false);
    }
  });

  it('merges groups of every aggregate kind and key count over ranges as one scan finds them', async () => {
    const queries = [
      '* | select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b, min(start) as lo, max(end) as hi, avg(packets) as p, count(distinct protocol) as k, min(action) as a group by srcaddr, dstaddr, dstport order by n desc, srcaddr, dstaddr, dstport limit 50',
      '* | select action, log_status, count(*), max(srcaddr), sum(distinct dstport) group by action, log_status order by 1, 2',
      '* | select histogram(start, interval 5 minute) as t, protocol, count(*) group by t, protocol order by t, protocol',
      "* | select count(*), min(srcaddr), count(distinct srcaddr) where action = 'REJECT'",
      '* | select protocol_name(protocol) as p, sum(bytes) group by p order by p',
      'action:REJECT dstport:22',
    ];
    const parts = await scanInRanges(text, queries, [text.length / 4, text.length / 2]);
    for (const [i, q] of queries.entries()) {
      const alone = await runQuery(source, q, { limit: 1_000_000 });
      assert.deepEqual(parts[i].rows, alone.rows, q);
      assert.deepEqual(parts[i].columns, alone.columns, q);
    }
  });

  it('followers rolled up from a pass with more keys equal their queries alone', async () => {
    const fine = '* | select srcaddr, dstaddr, dstport, count(*), sum(bytes), min(start), max(end), avg(packets), count(srcaddr), min(action) group by srcaddr, dstaddr, dstport';
    const fineWithProtocol = '* | select srcaddr, dstaddr, dstport, protocol, sum(bytes), min(start), max(end), avg(packets) group by srcaddr, dstaddr, dstport';
    const coarse = [
      '* | select srcaddr, dstport, count(*) as n, sum(bytes), min(start), max(end), avg(packets), count(srcaddr), min(action) group by srcaddr, dstport order by n desc, srcaddr, dstport limit 40',
      '* | select dstport, sum(bytes), min(start), max(end), avg(packets) group by dstport having count(*) > 5 order by 1',
      // protocol: the first record's (a column neither grouped nor aggregated), from the finer pass's first rows.
      '* | select srcaddr, dstport, protocol, min(start), max(end), sum(bytes), avg(packets) group by srcaddr, dstport order by 1, 2',
      '* | select min(start), max(end), sum(bytes), avg(packets), count(*) where dstport > 0 or dstport <= 0 or dstport is null',
      // Fewer numeric fields read: the records the finer pass skips as malformed (unreadable bytes) it takes
      // itself, its groups in the order they first occur (no ORDER BY here).
      '* | select srcaddr, count(*), min(start), min(action) group by srcaddr',
      '* | select count(*) as n, max(end)',
    ];
    const queries = [fine, fineWithProtocol, ...coarse];
    const plans = queries.map((q) => new QueryPlan(parseQuery(q), q));
    const leader = new QueryPass(plans[0], 10);
    const [withProtocol, ...followers] = plans.slice(1).map((p) => leader.follow(p, 10));
    assert.deepEqual(followers.map((f) => rollupOf(leader, f) !== undefined), [true, true, false, false, true, true]);
    assert.deepEqual(followers.map((f) => rollupOf(withProtocol, f) !== undefined), [false, false, true, false, false, false]);
    for (const cuts of [[], [text.length / 2]]) {
      const parts = await scanInRanges(text, queries, cuts);
      for (const [i, q] of queries.entries()) {
        const alone = await runQuery(source, q, { limit: 1_000_000 });
        assert.deepEqual(parts[i].rows, alone.rows, q);
        assert.equal(parts[i].pass.malformed, alone.stats.malformed, q);
      }
    }
    // Not rolled up: other records (search, a numeric field the finer pass does not read), DISTINCT, sums of expressions.
    for (const q of ['action:REJECT | select srcaddr, count(*) group by srcaddr', '* | select srcaddr, count(*), sum(srcport) group by srcaddr', '* | select srcaddr, count(distinct dstaddr) group by srcaddr', '* | select srcaddr, sum(bytes * 2) group by srcaddr']) {
      const other = new QueryPass(new QueryPlan(parseQuery(fine), fine), 10);
      assert.equal(rollupOf(other, other.follow(new QueryPlan(parseQuery(q), q), 10)), undefined, q);
    }
  });

  it('a rolled-up pass that reads fewer numbers takes the records its source skips, in first-occurrence order', async () => {
    const line = (src: string, bytes: string) => `2 123456789010 eni-0a1b2c3d ${src} 10.0.0.9 443 49152 6 10 ${bytes} 1700000000 1700000060 ACCEPT OK`;
    // 10.0.0.1 first occurs on a line whose bytes do not parse: malformed for the pairs, not for the sources.
    const small = [line('10.0.0.1', 'lots'), line('10.0.0.2', '100'), line('10.0.0.1', '200'), line('10.0.0.3', 'lots')].join('\n');
    const queries = ['* | select srcaddr, dstaddr, sum(bytes), count(*) group by srcaddr, dstaddr', '* | select srcaddr, count(*) group by srcaddr'];
    const plans = queries.map((q) => new QueryPlan(parseQuery(q), q));
    const leader = new QueryPass(plans[0], 10);
    const follower = leader.follow(plans[1], 10);
    assert.ok(rollupOf(leader, follower));
    for await (const chunk of readChunks({ kind: 'text', text: small, name: 'small' })) leader.process(chunk);
    leader.finish();
    const alone = await runQuery({ kind: 'text', text: small, name: 'small' }, queries[1]);
    assert.deepEqual(alone.rows, [['10.0.0.1', 2], ['10.0.0.2', 1], ['10.0.0.3', 1]]);
    assert.deepEqual(finishResult(plans[1], follower.result).rows, alone.rows);
    assert.equal(follower.result.records, 4);
    assert.equal(follower.result.malformed, 0);
    assert.equal(leader.result.malformed, 2);
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
