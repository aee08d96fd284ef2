// The Trino/Athena translation executed: DuckDB runs the translated SQL over the same records, in a table typed
// as Athena's DDL types them, and must give the local engine's rows. Checked this way: SELECT lists with aliases,
// WHERE, GROUP BY (ordinals), HAVING, ORDER BY … NULLS LAST, LIMIT, count/sum/avg/min/max and DISTINCT, =, <>,
// <, <=, >, >=, IN, BETWEEN, LIKE, IS NULL, AND/OR/NOT with NULLs, arithmetic (/ as a double, % with NULLIF),
// CAST of a condition to an integer, lower/upper/length/abs/floor/ceil/round/coalesce, and the search's
// NOT coalesce(…, false) over field tests, ranges and prefixes (LIKE … ESCAPE). Not checked this way (DuckDB spells
// them otherwise; their text is checked by the golden tests): format_datetime/from_unixtime (histogram,
// from_unixtime), element_at(MAP…) (protocol_name, service_name), contains(IPPREFIX…) and ip_prefix (CIDR,
// subnet), TRY_CAST of text to numbers, and bare terms and queries on `version` (an int in AWS's DDL, text
// here; terms test every field). The ClickHouse differential runs all of them against the engine.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { runQuery, Value } from '../../server/src/core/query';
import { translateToTrino } from '../../server/src/core/translate/trino';
import { writeFlowLogFile } from '../support/generate';
import { HAND_WRITTEN, randomQueries } from '../support/differentialQueries';
import { FEATURE_QUERIES } from '../clickhouse/queries';

const COLUMNS = "{'version': 'VARCHAR', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'INTEGER', 'dstport': 'INTEGER', 'protocol': 'BIGINT', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'}";

let dir: string;
let file: string;
let duck: DuckDBConnection;
let instance: DuckDBInstance;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-trino-'));
  file = join(dir, 'flows.flowlog');
  await writeFlowLogFile(file, { records: 8_000, seed: 31, header: true, nodataShare: 0.04 });
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  await duck.run(`CREATE TABLE vpc_flow_logs AS SELECT TRY_CAST(version AS INTEGER) AS version, * EXCLUDE (version) FROM read_csv('${file}', delim=' ', header=true, nullstr='-', auto_detect=false, columns=${COLUMNS})`);
});

after(() => {
  duck?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const norm = (v: unknown): Value => (v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' || typeof v === 'string' ? v : String(v));

function same(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  return a === b;
}

const queries = [...HAND_WRITTEN.map(([q]) => q), ...randomQueries(25, 20261124).map(([q]) => q), ...FEATURE_QUERIES];
const runnable = queries.filter((q) => q.includes('|') && !/select \*/.test(q)).filter((q) => {
  try {
    return translateToTrino(q).features.size === 0;
  } catch {
    return false;
  }
});

describe('Trino SQL executed by DuckDB gives the local engine\'s rows', () => {
  it('covers most of the differential set', () => {
    assert.ok(runnable.length >= 80, `${runnable.length} of ${queries.length} queries run in DuckDB`);
  });
  for (const q of runnable) {
    it(q, async () => {
      const sql = translateToTrino(q).sql;
      const local = await runQuery({ kind: 'files', paths: [file] }, q, { limit: 1_000_000 });
      const theirs = (await duck.runAndReadAll(sql)).getRows().map((r) => r.map(norm));
      // Rows in order where the order decides which rows come (LIMIT); otherwise ties may come in any order.
      const ordered = /ORDER BY/.test(sql) && /LIMIT/.test(sql);
      const key = (r: Value[]) => JSON.stringify(r.map((v) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v)));
      const a = ordered ? local.rows : [...local.rows].sort((x, y) => key(x).localeCompare(key(y)));
      const b = ordered ? theirs : [...theirs].sort((x, y) => key(x).localeCompare(key(y)));
      assert.equal(b.length, a.length, `${sql}\nrow count`);
      a.forEach((row, i) => assert.ok(row.length === b[i].length && row.every((v, j) => same(v, b[i][j])), `${sql}\nrow ${i}: local ${JSON.stringify(row)}, DuckDB ${JSON.stringify(b[i])}`));
    });
  }
});
