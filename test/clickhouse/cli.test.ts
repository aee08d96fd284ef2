// `flowlog load` and `flowlog query --clickhouse` as a user runs them (dist/cli.js), on a real two-shard cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFlowLogFile } from '../support/generate';
import { Cluster, TEST_USER, startCluster } from './cluster';

const cli = resolve(__dirname, '../../dist/cli.js');
let cluster: Cluster;
let dir: string;
let file: string;

function run(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, FLOWLOG_CLICKHOUSE_PASSWORD: '', ...env }, input, maxBuffer: 256 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'flowlog-ch-cli-'));
  file = join(dir, 'flows.flowlog');
  await writeFlowLogFile(file, { records: 4_000, seed: 21, header: true, nodataShare: 0.02 });
});

after(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('flowlog load and query --clickhouse', () => {
  it('load --print-schema prints the documented CREATE TABLE (no server needed)', () => {
    const r = run(['load', '--print-schema', '--table', 'logs.flows_local']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^CREATE TABLE `logs`\.`flows_local`\n\(\n {4}`version` Nullable\(String\),/);
    assert.match(r.out, /`dstport` Nullable\(UInt16\),/);
    assert.match(r.out, /ENGINE = MergeTree ORDER BY \(`_start`, `_file`, `_line`\);/);
    assert.match(r.out, /CREATE TABLE IF NOT EXISTS `logs`\.`flows_local_loads`/);
  });

  it('loads a file into the Distributed table; exit 0 and a summary', () => {
    const r = run(['load', file, '--clickhouse', cluster.url, '--table', 'flows']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 4,000 records loaded\\n`));
    assert.match(r.out, /flows: 4,000 records loaded from 1 of 1 files, 0 malformed lines skipped/);
    const again = run(['load', file, '--clickhouse', cluster.url, '--table', 'flows']);
    assert.match(again.out, /already loaded, skipped/);
  });

  it('query --clickhouse gives the same JSON as the query of the file', () => {
    for (const q of ['action:REJECT | select srcaddr, count(*) as n group by srcaddr order by n desc, srcaddr limit 5',
      '* | select histogram(start, interval 5 minute) as t, sum(bytes) group by t order by t', 'dstport:3389']) {
      const local = JSON.parse(run(['query', file, q, '--format', 'json']).out);
      const ch = run(['query', '--clickhouse', cluster.url, '--table', 'flows', q, '--format', 'json']);
      assert.equal(ch.code, 0, ch.err);
      const remote = JSON.parse(ch.out);
      assert.deepEqual(remote.columns, local.columns, q);
      assert.deepEqual(remote.rows, local.rows, q);
      assert.equal(remote.stats.matched, local.stats.matched, q);
    }
  });

  it('malformed lines: listed on stderr with file and line, skipped, exit 1', async () => {
    const bad = join(dir, 'bad.flowlog');
    writeFileSync(bad, '2 123456789010 eni-abc123 10.0.0.1 10.0.0.2 443 49152 6 10 840 1700000000 1700000060 ACCEPT OK\n'
      + '2 123456789010 eni-abc123 10.0.0.1 10.0.0.2 443 65536 6 10 840 1700000000 1700000060 ACCEPT OK\n'
      + '2 123456789010 eni-abc123 10.0.0.1 10.0.0.2 443 49152 6 10 840 1700000000 1700000060 ACCEPT\n');
    const r = run(['load', bad, '--clickhouse', cluster.url, '--table', 'bad_cli']);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`bad\\.flowlog:2: skipped \\(malformed\\): dstport 65536 is out of range 0–65535\\n.*bad\\.flowlog:3: skipped \\(malformed\\): expected 14 fields`, 's'));
    assert.match(r.out, /1 records loaded, 2 malformed lines skipped/);
  });

  it('a malformed line\'s values reach the terminal with their control characters escaped', async () => {
    const hostile = join(dir, 'hostile-load.flowlog');
    // A terminal escape in an address makes the record malformed; the validator's message quotes the value.
    writeFileSync(hostile, '2 123456789010 eni-abc123 10.0.0.1\u001b]0;pwned\u0007 10.0.0.2 443 49152 6 10 840 1700000000 1700000060 ACCEPT OK\n');
    const r = run(['load', hostile, '--clickhouse', cluster.url, '--table', 'hostile_cli']);
    assert.equal(r.code, 1);
    assert.match(r.err, /hostile-load\.flowlog:1: skipped \(malformed\): srcaddr 10\.0\.0\.1\\x1b\]0;pwned\\x07 /);
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(r.err), 'no raw control character on stderr');
  });

  it('a password from FLOWLOG_CLICKHOUSE_PASSWORD or standard input, never from the command line', () => {
    const ok = run(['query', '--clickhouse', cluster.url, '--table', 'flows', '--user', TEST_USER.user, '* | select count(*)', '--format', 'csv'], { FLOWLOG_CLICKHOUSE_PASSWORD: TEST_USER.password });
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /4000/);
    const piped = run(['query', '--clickhouse', cluster.url, '--table', 'flows', '--user', TEST_USER.user, '--password-stdin', '* | select count(*)', '--format', 'csv'], {}, `${TEST_USER.password}\n`);
    assert.equal(piped.code, 0, piped.err);
    const wrong = run(['query', '--clickhouse', cluster.url, '--table', 'flows', '--user', TEST_USER.user, '* | select count(*)'], { FLOWLOG_CLICKHOUSE_PASSWORD: 'wrong-Zt9' });
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /refused the credentials/);
    assert.ok(!wrong.err.includes('wrong-Zt9') && !wrong.out.includes('wrong-Zt9'));
    const onLine = run(['query', '--clickhouse', cluster.url, '--table', 'flows', '--password', 'x', '* | select count(*)']);
    assert.equal(onLine.code, 2);
    assert.match(onLine.err, /no --password: put the password in FLOWLOG_CLICKHOUSE_PASSWORD/);
  });

  it('errors: a refused connection, a query error with its position, a table name that is not one', () => {
    const refused = run(['query', '--clickhouse', 'http://127.0.0.1:9', '--table', 'flows', '* | select count(*)']);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /^flowlog: ClickHouse at http:\/\/127\.0\.0\.1:9 refused the connection/);
    const bad = run(['query', '--clickhouse', cluster.url, '--table', 'flows', '* | select coalesce(srcaddr, bytes) group by 1']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /query error at 1:12: coalesce\(\) of text and numbers cannot be translated to ClickHouse/);
    const name = run(['load', file, '--clickhouse', cluster.url, '--table', 'flows; drop table x']);
    assert.equal(name.code, 2);
    assert.match(name.err, /is not a table name/);
  });
});
