// The built CLI reads Parquet pages of every codec: Snappy, ZSTD, LZ4 and Brotli pages are decoded by
// hyparquet-compressors, which the bundles load from a file beside them (esbuild.mjs), on the main thread and on the
// worker threads alike.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { canonical, deliveryRecords } from '../support/deliveries';

const cli = resolve(__dirname, '../../dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'flowlog-parquet-codecs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const CODECS = ['snappy', 'zstd', 'lz4', 'brotli'];
const QUERY = '* | select action, count(*) as n, sum(bytes) as b group by action order by action';

function query(env: Record<string, string>, ...paths: string[]) {
  const r = spawnSync(process.execPath, [cli, 'query', ...paths, QUERY, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  const { rows, stats } = JSON.parse(r.stdout);
  return { rows, malformed: stats.malformed, records: stats.records };
}

describe('flowlog query on Parquet pages of every codec', () => {
  const textPath = join(dir, 'records.log');
  const folder = join(dir, 'parquet');
  before(async () => {
    writeFileSync(textPath, canonical(deliveryRecords(3000, 21), true));
    mkdirSync(folder);
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    for (const codec of CODECS) {
      await db.run(`COPY (FROM read_csv('${textPath}', delim=' ', header=true, nullstr='-', auto_detect=false, columns={'version': 'INTEGER', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'INTEGER', 'dstport': 'INTEGER', 'protocol': 'BIGINT', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'}))
        TO '${join(folder, `${codec}.log.parquet`)}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 1024)`);
    }
    db.closeSync();
  });

  it('gives the text file\'s answer for each codec, on one thread and on the worker threads', () => {
    const expected = query({ FLOWLOG_QUERY_WORKERS: '1' }, textPath);
    assert.equal(expected.records, 3000);
    assert.ok(expected.rows.length >= 2, JSON.stringify(expected.rows));
    for (const codec of CODECS) {
      assert.deepEqual(query({ FLOWLOG_QUERY_WORKERS: '1' }, join(folder, `${codec}.log.parquet`)), expected, codec);
    }
    // The folder's four files on two worker threads: each row counted four times (NODATA rows: no action, no bytes).
    const all = query({ FLOWLOG_QUERY_WORKERS: '2' }, folder);
    assert.deepEqual(all, { rows: expected.rows.map(([a, n, b]: [string | null, number, number | null]) => [a, 4 * n, b === null ? null : 4 * b]), malformed: 0, records: 12000 });
  });
});
