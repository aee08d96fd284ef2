// The `flowlog` command line: lint and query, their formats and exit codes, as a user runs them.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateLines, manyGroupLines } from '../support/generate';

const cli = resolve(__dirname, '../../dist/cli.js');
const GOOD = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const REJECT = '2 1251762227 eni-lq6mkcis 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const dir = mkdtempSync(join(tmpdir(), 'flowlog-cli-'));
const HEADER_WITH_VPC = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id';

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function run(...args: string[]) {
  return runWith({}, ...args);
}

function runWith(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('flowlog lint', () => {
  let clean: string, bad: string, warn: string;
  before(() => {
    clean = file('clean.flowlog', `${GOOD}\n${REJECT}\n`);
    bad = file('bad.flowlog', `${GOOD}\n${GOOD.replace(' 22 ', ' 65536 ')}\n${GOOD.replace('ACCEPT', 'accept')}\n`);
    warn = file('warn.flowlog', `${GOOD.replace(' 172.31.16.21', '  172.31.16.21')}\n`);
  });

  it('exit 0 and no output for a clean file', () => {
    assert.deepEqual(run('lint', clean), { code: 0, out: '', err: '' });
  });

  it('exit 1 with file:line:col: severity code message lines', () => {
    const r = run('lint', bad);
    assert.equal(r.code, 1);
    assert.deepEqual(r.out.trim().split('\n'), [
      `${bad}:2:${GOOD.indexOf(' 22 ') + 2}: error port-range dstport 65536 is out of range 0–65535`,
      `${bad}:3:${GOOD.indexOf('ACCEPT') + 1}: error action action accept must be written ACCEPT (case matters)`,
    ]);
  });

  it('exit 0 when there are only warnings', () => {
    const r = run('lint', warn);
    assert.equal(r.code, 0);
    assert.match(r.out, /:1:40: warning multiple-spaces /);
  });

  it('--format json prints one array with 1-based positions', () => {
    const r = run('lint', '--format', 'json', bad, clean);
    assert.equal(r.code, 1);
    const problems = JSON.parse(r.out);
    const col = GOOD.indexOf(' 22 ') + 2;
    assert.deepEqual(problems[0], { file: bad, line: 2, column: col, endLine: 2, endColumn: col + 5, severity: 'error', code: 'port-range', message: 'dstport 65536 is out of range 0–65535' });
    assert.equal(problems.length, 2);
    assert.deepEqual(JSON.parse(run('lint', '--format=json', clean).out), []);
  });

  it('CRLF, a BOM, no final newline, a header and a non-ASCII character', () => {
    assert.equal(run('lint', file('crlf.flowlog', `\ufeff${GOOD}\r\n${REJECT}`)).code, 0);
    const header = 'version vpc-id srcaddr dstaddr action log-status';
    assert.equal(run('lint', file('hdr.flowlog', `${header}\n3 vpc-1 10.0.0.1 10.0.0.2 ACCEPT OK\n`)).code, 0);
    const r = run('lint', '--format', 'json', file('utf8.flowlog', `${header}\n3 vpc-б 10.0.0.1 10.0.0.300 ACCEPT OK\n`));
    const [p] = JSON.parse(r.out);
    assert.equal(p.column, '3 vpc-б 10.0.0.1 '.length + 1); // UTF-16 columns, as editors count
    assert.equal(p.code, 'address');
  });

  it('exit 2 for usage errors and unreadable files, with a clear message', () => {
    const none = run('lint');
    assert.equal(none.code, 2);
    assert.match(none.err, /no files given/);
    const opt = run('lint', '--bogus', clean);
    assert.equal(opt.code, 2);
    assert.match(opt.err, /unknown option --bogus/);
    const missing = run('lint', join(dir, 'nope.flowlog'));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^flowlog: .*nope\.flowlog: no such file or folder\n$/);
    assert.equal(run('frobnicate').code, 2);
  });
});

describe('flowlog query', () => {
  let flows: string, gz: string;
  before(() => {
    flows = file('q.flowlog', `${GOOD}\n${REJECT}\n${REJECT.replace('172.31.9.69', '172.31.9.70')}\nnot a record\n`);
    gz = file('q.flowlog.gz', gzipSync(`${GOOD}\n${REJECT}\n`));
  });

  it('--format json: columns, rows, stats; numbers as numbers, NULL as null', () => {
    const r = run('query', flows, 'action:REJECT | select srcaddr, count(*) as n, sum(bytes) as b, min(vpc_id) group by srcaddr order by srcaddr', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(j.columns, ['srcaddr', 'n', 'b', 'min(vpc_id)']);
    assert.deepEqual(j.rows, [['172.31.9.69', 1, 4249, null], ['172.31.9.70', 1, 4249, null]]);
    assert.deepEqual(Object.keys(j.stats), ['records', 'matched', 'malformed', 'bytes', 'elapsedMs', 'threads', 'files']);
    assert.equal(j.stats.files, 1);
    assert.equal(j.stats.records, 3);
    assert.equal(j.stats.malformed, 1);
    assert.equal(j.stats.matched, 2);
  });

  it('a search without SQL returns the fields plus file and line; several files; gzip', () => {
    const j = JSON.parse(run('query', flows, gz, 'dstport:3389', '--format', 'json').out);
    assert.deepEqual(j.columns.slice(-2), ['file', 'line']);
    assert.deepEqual(j.rows.map((r: unknown[]) => [r[14], r[15]]), [[flows, 2], [flows, 3], [gz, 2]]);
  });

  it('--format csv and table, --limit', () => {
    const csv = run('query', flows, '* | select action, count(*) as n group by action order by action', '--format', 'csv');
    assert.equal(csv.out, 'action,n\nACCEPT,1\nREJECT,2\n');
    const table = run('query', flows, '* | select action, count(*) as n group by action order by action');
    assert.match(table.out, /^action {2}n\n-{6} {2}-\nACCEPT {2}1\nREJECT {2}2\n/);
    assert.match(table.out, /3 of 3 records matched · 1 malformed skipped/);
    const limited = JSON.parse(run('query', flows, '*', '--limit', '1', '--format', 'json').out);
    assert.equal(limited.rows.length, 1);
    assert.equal(limited.stats.matched, 3);
  });

  it('exit 2 with the positioned message on a syntax error', () => {
    const r = run('query', flows, 'action:REJECT | select srcaddr, count(*) group srcaddr');
    assert.equal(r.code, 2);
    assert.match(r.err, /query error at 1:48: unexpected srcaddr: expected BY/);
    assert.match(r.err, /\n {2}action:REJECT \| select srcaddr, count\(\*\) group srcaddr\n {49}\^/);
    assert.equal(run('query', flows).code, 2);
    assert.equal(run('query', join(dir, 'nope'), '*').code, 2);
    assert.equal(run('query', flows, '*', '--format', 'xml').code, 2);
  });
});

describe('flowlog query on worker threads', () => {
  const parallel = { FLOWLOG_PARALLEL_MIN_BYTES: '0', FLOWLOG_QUERY_WORKERS: '3' };
  const single = { FLOWLOG_QUERY_WORKERS: '1' };
  const queries = [
    'action:REJECT | select count(*)',
    'action:REJECT | select srcaddr, count(*) as n, sum(bytes) as b, count(distinct dstport) as d, min(start), max(end), avg(packets) group by srcaddr order by b desc, srcaddr limit 10',
    '* | select histogram(start, interval 5 minute) as t, sum(bytes) group by t order by t',
    'dstport:3389 | select srcaddr, start order by start desc, srcaddr limit 7',
    'dstport:3389',
    '* | select action, count(*) group by action',
  ];

  it('gives the results of one thread, line numbers included', () => {
    const f = file('par.flowlog', [...generateLines({ records: 30_000, seed: 9, header: true, badShare: 0.01 })].join('\n') + '\n');
    for (const q of queries) {
      const a = JSON.parse(runWith(parallel, 'query', f, q, '--format', 'json', '--limit', '100000').out);
      const b = JSON.parse(runWith(single, 'query', f, q, '--format', 'json', '--limit', '100000').out);
      assert.deepEqual(a.rows, b.rows, q);
      // Where the work ran (threads, merge jobs on the CLI's thread) is the only difference.
      const counts = (s: Record<string, unknown>) => ({ ...s, elapsedMs: 0, threads: 0, mergedHere: 0 });
      assert.deepEqual(counts(a.stats), counts(b.stats), q);
      // The worker path really ran (3 threads), and one thread really was one.
      assert.deepEqual([a.stats.threads, b.stats.threads], [3, 1], q);
    }
  });

  it('CSV and JSON rows are written as they are found: the same rows as a whole result, and a format that adds columns later is told', () => {
    const f = file('stream.flowlog', [...generateLines({ records: 30_000, seed: 21, header: true })].join('\n') + '\n');
    const json = JSON.parse(runWith(parallel, 'query', f, 'action:REJECT', '--format', 'json', '--limit', '100000').out);
    assert.ok(json.rows.length > 1000);
    // An aggregation's rows are not streamed: written at the end, with no warning.
    const grouped = runWith(parallel, 'query', f, '* | select action, count(*) as n group by action order by action', '--format', 'csv');
    assert.equal(grouped.out.split('\n')[0], 'action,n');
    assert.equal(grouped.err, '');
    const csv = runWith(parallel, 'query', f, 'action:REJECT', '--format', 'csv', '--limit', '100000').out.trimEnd().split('\n');
    assert.equal(csv[0], json.columns.join(','));
    assert.equal(csv.length, json.rows.length + 1);
    assert.equal(csv[csv.length - 1], json.rows[json.rows.length - 1].map((v: unknown) => (v === null ? '' : String(v))).join(','));
    // A second file whose format has one more field: on one thread the columns grow after rows were written.
    const folder = join(dir, 'widening');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'a.flowlog'), `${REJECT}\n${REJECT}\n`);
    writeFileSync(join(folder, 'b.flowlog'), `${HEADER_WITH_VPC}\n${REJECT} vpc-1\n`);
    const wide = runWith(single, 'query', folder, 'action:REJECT', '--format', 'json');
    const w = JSON.parse(wide.out);
    assert.ok(w.columns.includes('vpc-id'), w.columns.join(' '));
    assert.equal(w.rows.length, 3);
    for (const row of w.rows) assert.equal(row.length, w.columns.length, 'every row has every column: the files\' first formats are read first');
    assert.equal(w.rows[0][w.columns.indexOf('vpc-id')], null);
    assert.equal(w.rows[2][w.columns.indexOf('vpc-id')], 'vpc-1');
    assert.doesNotMatch(wide.err, /added columns/);
    const csvWide = runWith(single, 'query', folder, 'action:REJECT', '--format', 'csv').out.trimEnd().split('\n');
    assert.equal(csvWide[0], w.columns.join(','));
    // A header line well inside a file (after rows were written) that adds a field: what was written cannot have
    // it, and stderr says so.
    const late = file('late-header.flowlog', [...generateLines({ records: 60_000, seed: 4 })].join('\n') + `\n${HEADER_WITH_VPC}\n${REJECT} vpc-1\n`);
    const lateRun = runWith(single, 'query', late, 'action:REJECT', '--format', 'json', '--limit', '100000');
    const l = JSON.parse(lateRun.out);
    assert.equal(l.rows[l.rows.length - 1][l.columns.indexOf('vpc-id')], 'vpc-1');
    assert.ok(l.rows[0].length < l.columns.length);
    assert.match(lateRun.err, /format added columns .*vpc-id.*the rows written before it lack them/);
  });

  it('lint on worker threads prints the same problems, in order, with the same line numbers', () => {
    const f = file('lintpar.flowlog', [...generateLines({ records: 20_000, seed: 11, header: true, badShare: 0.02 })].join('\n') + '\n');
    const a = runWith(parallel, 'lint', '--format', 'json', f);
    const b = runWith(single, 'lint', '--format', 'json', f);
    assert.equal(a.code, 1);
    assert.equal(a.code, b.code);
    assert.ok(JSON.parse(a.out).length > 100);
    assert.equal(a.out, b.out);
  });

  it('falls back to one thread when a header appears mid-file (not when no later range needs it)', () => {
    for (const [at, threads] of [[3_000, 1], [19_950, 3]]) {
      const lines = [...generateLines({ records: 20_000, seed: 5 })];
      lines.splice(at, 0, 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status');
      lines.splice(at + 1, 0, 'srcaddr dstaddr action', '10.9.9.9 10.0.0.1 REJECT');
      const f = file(`mid${at}.flowlog`, lines.join('\n') + '\n');
      const q = '* | select srcaddr, count(*) as n group by srcaddr order by n desc, srcaddr limit 5';
      const a = JSON.parse(runWith(parallel, 'query', f, q, '--format', 'json').out);
      const b = JSON.parse(runWith(single, 'query', f, q, '--format', 'json').out);
      assert.deepEqual(a.rows, b.rows);
      assert.equal(a.stats.records, b.stats.records);
      // A header in an early range binds the later ones, which started without it: the query runs again on one
      // thread. In the last range (the ranges shrink toward the end: its last 50 lines are in it), nothing comes after it.
      assert.equal(a.stats.threads, threads, `header at line ${at}`);
      assert.equal(runWith(parallel, 'lint', f).out, runWith(single, 'lint', f).out);
    }
  });
});

describe('flowlog query --memory-budget', () => {
  it('spills the groups past a small budget and gives the answer of the default one; a bad value is a usage error', () => {
    const f = file('budget.flowlog', manyGroupLines(150_000).join('\n') + '\n');
    const q = '* | select srcaddr, dstport, count(*) as n group by srcaddr, dstport order by srcaddr desc, dstport limit 3';
    const roomy = JSON.parse(run('query', f, q, '--format', 'json').out);
    const tight = JSON.parse(run('query', f, q, '--format', 'json', '--memory-budget', '16').out);
    assert.equal(roomy.stats.spilled, undefined);
    assert.ok(tight.stats.spilled.runs > 0, JSON.stringify(tight.stats));
    assert.deepEqual(tight.rows, roomy.rows);
    assert.equal(tight.rows.length, 3);
    for (const bad of ['8', 'lots']) {
      const r = run('query', f, q, '--memory-budget', bad);
      assert.equal(r.code, 2);
      assert.match(r.err, /--memory-budget takes a whole number of MB from 16/);
    }
  });
});
