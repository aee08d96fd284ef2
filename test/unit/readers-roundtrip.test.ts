// One generated set of records, delivered in every shape (test/fixtures/deliveries, written by
// scripts/make-delivery-samples.ts): every delivery decodes to the same canonical records, and the query engine
// gives the same answers on each.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeFile, expandInputs } from '../../server/src/core/readers';
import { runQuery } from '../../server/src/core/query';
import { canonical, deliveryRecords, DELIVERY_QUERIES, HEADER } from '../support/deliveries';

const FIXTURES = join(__dirname, '..', 'fixtures', 'deliveries');
const RECORDS = deliveryRecords(240, 7);

const DELIVERIES: { folder: string; files: number; headers: boolean }[] = [
  { folder: 's3', files: 2, headers: true },
  { folder: 's3-hive', files: 2, headers: true },
  { folder: 's3-parquet', files: 1, headers: true },
  { folder: 'cloudwatch-export', files: 6, headers: false },
  { folder: 'cls-json', files: 4, headers: true },
  { folder: 'cls-csv', files: 3, headers: true },
  { folder: 'snappy-containers/framed.json.snappy', files: 1, headers: true },
  { folder: 'snappy-containers/hadoop.json.snappy', files: 1, headers: true },
  { folder: 'snappy-containers/raw.json.snappy', files: 1, headers: true },
];

/** The canonical text of every file of a delivery, in path order, and its problems. */
async function decodeDelivery(folder: string): Promise<{ texts: string[]; problems: number; files: number }> {
  const { files, skipped } = await expandInputs([join(FIXTURES, folder)]);
  assert.deepEqual(skipped, []);
  const texts: string[] = [];
  let problems = 0;
  for (const f of files) {
    let text = '';
    for await (const c of decodeFile(f.path)) {
      text += Buffer.from(c.bytes).toString();
      problems += c.problems?.length ?? 0;
    }
    texts.push(text);
  }
  return { texts, problems, files: files.length };
}

const header = HEADER.join(' ');
const sorted = (lines: string[]) => [...lines].sort();

describe('readers: one record set in every delivery shape', () => {
  for (const d of DELIVERIES) {
    it(`${d.folder}: the same canonical records`, async () => {
      const { texts, problems, files } = await decodeDelivery(d.folder);
      assert.equal(files, d.files);
      assert.equal(problems, 0);
      const lines = texts.flatMap((t) => t.split('\n').slice(0, -1));
      const records = lines.filter((l) => l !== header);
      // Header lines: one at the top of each file where the source names its fields, none elsewhere.
      assert.equal(lines.length - records.length, d.headers ? d.files - (d.folder === 'cls-csv' ? 1 : 0) : 0);
      if (d.headers) for (const t of texts) if (!t.startsWith(`${header}\n`)) assert.equal(d.folder, 'cls-csv', 'only the CSV without a header row');
      assert.deepEqual(sorted(records), sorted(RECORDS.map((r) => r.join(' '))));
    });
  }

  it('single-file deliveries keep the records in order (exact canonical text)', async () => {
    for (const f of ['snappy-containers/framed.json.snappy', 'snappy-containers/raw.json.snappy', 'snappy-containers/hadoop.json.snappy', 's3-parquet']) {
      const { texts } = await decodeDelivery(f);
      assert.equal(texts[0], canonical(RECORDS, true), f);
    }
  });

  it('the query engine gives the same answers on every delivery', async () => {
    const queries = DELIVERY_QUERIES;
    const expected: unknown[] = [];
    for (const q of queries) {
      const r = await runQuery({ kind: 'text', text: canonical(RECORDS, true), name: 'reference' }, q);
      expected.push(r.rows);
    }
    assert.equal((expected[0] as unknown[][])[0][0], RECORDS.length);
    for (const d of DELIVERIES) {
      const { texts } = await decodeDelivery(d.folder);
      for (let k = 0; k < queries.length; k++) {
        const r = await runQuery({ kind: 'text', text: texts.join(''), name: d.folder }, queries[k]);
        assert.equal(r.stats.malformed, 0, `${d.folder}: ${queries[k]}`);
        assert.deepEqual(r.rows, expected[k], `${d.folder}: ${queries[k]}`);
      }
    }
  });
});
