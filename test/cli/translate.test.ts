// `flowlog translate` as a user runs it: each dialect on stdout, notes on stderr, refusals with their position
// (exit 2), Athena's DDL with --ddl.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const cli = resolve(__dirname, '../../dist/cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const Q = 'action:REJECT AND dstport:3389 | select srcaddr, count(*) as attempts group by srcaddr order by attempts desc limit 10';

describe('flowlog translate', () => {
  it('--to cwli: filter | stats | sort | limit, exit 0', () => {
    const r = run('translate', '--to', 'cwli', Q);
    assert.deepEqual(r, { code: 0, err: '', out: 'filter (action = "REJECT" and dstPort = 3389)\n| stats count(*) as attempts by srcAddr\n| sort attempts desc\n| limit 10\n' });
  });

  it('--to athena and trino: the same SQL, ended with a semicolon; --table names the table', () => {
    const a = run('translate', '--to', 'athena', '--table', 'flows', Q);
    assert.equal(a.code, 0);
    assert.match(a.out, /^SELECT srcaddr, count\(\*\) AS "attempts"\nFROM flows\n[\s\S]*LIMIT 10;\n$/);
    assert.equal(run('translate', '--to', 'trino', '--table', 'flows', Q).out, a.out);
  });

  it('notes go to stderr; refusals exit 2 with the position', () => {
    const noted = run('translate', '--to', 'cwli', '* | select count(distinct srcaddr)');
    assert.equal(noted.code, 0);
    assert.match(noted.err, /^note: count_distinct\(\) in Logs Insights is an approximation/);
    const refused = run('translate', '--to', 'cls', '* | select subnet(srcaddr, 24) as n, count(*) group by n');
    assert.equal(refused.code, 2);
    assert.equal(refused.err, 'flowlog: cannot translate: 1:12: subnet() has no CLS equivalent\n  * | select subnet(srcaddr, 24) as n, count(*) group by n\n             ^\n');
    const bad = run('translate', '--to', 'cls', 'dstport:');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /1:9: expected a value after dstport:/);
  });

  it('--to athena --ddl prints the table for a layout, then the query', () => {
    const r = run('translate', '--to', 'athena', '--ddl', '--layout', 'hive', '--location', 's3://my-logs/flows/', '--regions', 'ap-guangzhou,us-east-1', Q);
    assert.equal(r.code, 0);
    assert.match(r.out, /^CREATE EXTERNAL TABLE IF NOT EXISTS vpc_flow_logs \(/);
    assert.match(r.out, /"projection\.aws_region\.values" = "ap-guangzhou,us-east-1"/);
    assert.match(r.out, /s3:\/\/my-logs\/flows\/AWSLogs\/aws-account-id=/);
    assert.match(r.out, /\);\n\nSELECT srcaddr/);
  });

  it('usage errors exit 2', () => {
    assert.equal(run('translate', Q).code, 2);
    assert.match(run('translate', '--to', 'splunk', Q).err, /--to must be one of athena, trino, clickhouse, cls, cwli, not splunk/);
    assert.match(run('translate', '--to', 'cls', '--ddl').err, /--ddl is for --to athena/);
    assert.match(run('translate', '--to', 'athena', '--ddl', '--location', 'http://x').err, /--location takes s3:\/\/BUCKET\/PREFIX\//);
  });
});
