// Differential tests: DuckDB runs the equivalent SQL over the same generated files, and the engine must agree
// exactly (floating averages to 1e-9). Hand-written queries plus seeded random ones.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { runQuery, Value } from '../../server/src/core/query';
import { writeFlowLogFile } from '../support/generate';
import { normalize, sameValue } from '../support/resultCompare';
import { HAND_WRITTEN, randomQueries } from '../support/differentialQueries';

const COLUMNS = "{'version': 'VARCHAR', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'BIGINT', 'dstport': 'BIGINT', 'protocol': 'BIGINT', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'}";

let dir: string;
let file: string;
let duck: DuckDBConnection;
let instance: DuckDBInstance;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-diff-'));
  file = join(dir, 'flows.flowlog');
  await writeFlowLogFile(file, { records: 20_000, seed: 42, header: true, nodataShare: 0.03 });
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  await duck.run(`CREATE TABLE flows AS SELECT * FROM read_csv('${file}', delim=' ', header=true, nullstr='-', auto_detect=false, columns=${COLUMNS})`);
  // The engine's functions, written in DuckDB.
  await duck.run("CREATE MACRO histogram(x, secs) AS strftime(make_timestamp((floor(x / secs) * secs)::BIGINT * 1000000), '%Y-%m-%dT%H:%M:%SZ')");
  await duck.run("CREATE MACRO from_unixtime_iso(x) AS strftime(make_timestamp(x::BIGINT * 1000000), '%Y-%m-%dT%H:%M:%SZ')");
});

after(() => {
  duck?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

async function duckRows(sql: string): Promise<Value[][]> {
  const reader = await duck.runAndReadAll(sql);
  return reader.getRows().map((r) => r.map(normalize));
}

function assertSameRows(ours: Value[][], theirs: Value[][], label: string) {
  assert.equal(ours.length, theirs.length, `${label}: row count`);
  for (let i = 0; i < ours.length; i++) {
    assert.equal(ours[i].length, theirs[i].length, `${label}: width of row ${i}`);
    for (let j = 0; j < ours[i].length; j++) {
      assert.ok(sameValue(ours[i][j], theirs[i][j]), `${label}: row ${i} col ${j}: ${ours[i][j]} vs ${theirs[i][j]}`);
    }
  }
}

async function agree(ours: string, theirs: string) {
  const result = await runQuery({ kind: 'files', paths: [file] }, ours, { limit: 1_000_000 });
  assertSameRows(result.rows, await duckRows(theirs), ours);
  return result;
}

describe('differential: the engine agrees with DuckDB', () => {
  for (const [ours, theirs] of HAND_WRITTEN) {
    it(ours, async () => {
      await agree(ours, theirs);
    });
  }
  for (const [ours, theirs] of randomQueries(25, 20261124)) {
    it(`random: ${ours}`, async () => {
      await agree(ours, theirs);
    });
  }
  it('a raw search returns the same records as the SQL filter', async () => {
    const r = await runQuery({ kind: 'files', paths: [file] }, 'action:REJECT AND dstport:22', { limit: 1_000_000 });
    const theirs = await duckRows("select count(*) from flows where action = 'REJECT' and dstport = 22");
    assert.equal(r.stats.matched, theirs[0][0]);
    assert.equal(r.rows.length, r.stats.matched);
    assert.ok(r.rows.every((row) => row[12] === 'REJECT' && row[6] === 22));
  });
});
