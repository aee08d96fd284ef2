// Issue 11: every reader feeds the same engine. One generated record set, delivered in every shape
// (test/fixtures/deliveries), read from its files by the engine, the summary and lint as a user's folder would be:
// every query, every summary section and lint's counts equal those of the same records as one plain text file.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandInputs } from '../../server/src/core/readers';
import { runQuery } from '../../server/src/core/query';
import { computeSummary } from '../../server/src/core/summary';
import { lintFile } from '../../server/src/core/lint/lintFile';
import { canonical, deliveryRecords, DELIVERY_QUERIES } from '../support/deliveries';

const FIXTURES = join(__dirname, '..', 'fixtures', 'deliveries');
const RECORDS = deliveryRecords(240, 7);
const dir = mkdtempSync(join(tmpdir(), 'flowlog-deliveries-engine-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const reference = join(dir, 'reference.flowlog');
writeFileSync(reference, canonical(RECORDS, true));

const DELIVERIES = ['s3', 's3-hive', 's3-parquet', 'cloudwatch-export', 'cls-json', 'cls-csv', 'snappy-containers/framed.json.snappy', 'snappy-containers/hadoop.json.snappy', 'snappy-containers/raw.json.snappy'];

const QUERIES = [
  ...DELIVERY_QUERIES,
  '* | select srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, end, action order by start, srcaddr, dstaddr, srcport, dstport, bytes',
];

/** Lint's counts over every file of a delivery (what `flowlog lint FOLDER` adds up). */
async function lintCounts(paths: string[]) {
  const total = { errors: 0, warnings: 0, infos: 0, records: 0, rejects: 0 };
  for (const p of paths) {
    const r = await lintFile(p, { write: () => undefined });
    assert.equal(r.error, undefined, `${p}: ${r.error?.message}`);
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
  }
  return total;
}

describe('the engine, the summary and lint on every delivery shape, read from the files', () => {
  it('give the answers they give on the same records as plain text', async () => {
    const one = { kind: 'files' as const, paths: [reference] };
    const expected = await Promise.all(QUERIES.map((q) => runQuery(one, q, { limit: 100_000 })));
    assert.equal(expected[0].rows[0][0], RECORDS.length);
    const summary = await computeSummary(one);
    const lint = await lintCounts([reference]);
    assert.equal(lint.records, RECORDS.length);
    for (const d of DELIVERIES) {
      const source = { kind: 'files' as const, paths: [join(FIXTURES, d)] };
      for (let k = 0; k < QUERIES.length; k++) {
        const r = await runQuery(source, QUERIES[k], { limit: 100_000 });
        assert.equal(r.stats.malformed, 0, `${d}: ${QUERIES[k]}`);
        assert.equal(r.stats.skipped, undefined, `${d}: nothing skipped`);
        assert.deepEqual(r.rows, expected[k].rows, `${d}: ${QUERIES[k]}`);
      }
      const s = await computeSummary(source);
      assert.equal(s.records, summary.records, d);
      assert.equal(s.bytes, summary.bytes, d);
      for (const section of Object.keys(summary.sections) as (keyof typeof summary.sections)[]) {
        assert.deepEqual(s.sections[section].rows, summary.sections[section].rows, `${d}: summary section ${section}`);
      }
      const files = (await expandInputs([join(FIXTURES, d)])).files.map((f) => f.path);
      assert.deepEqual(await lintCounts(files), lint, `${d}: lint`);
    }
  });
});
