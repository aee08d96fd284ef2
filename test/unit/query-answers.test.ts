// Issue 10's query answers and hostile inputs, one test per item (each failed on the engine before the rebuild).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkQuery, runQuery, QueryError } from '../../server/src/core/query';

const R = (src: string, dst: string, sport: number | string, dport: number | string, bytes: number | string, action = 'ACCEPT', status = 'OK') =>
  `2 123456789010 eni-0a1b2c3d ${src} ${dst} ${sport} ${dport} 6 10 ${bytes} 1700000000 1700000060 ${action} ${status}`;
// tiny.log: ports 22, 80, 53 and one NODATA record.
const TINY = [
  R('10.0.0.1', '10.0.0.9', 40001, 22, 1000),
  R('10.0.0.2', '10.0.0.9', 40002, 80, 2000, 'REJECT'),
  R('10.0.0.3', '10.0.0.9', 40003, 53, 500),
  '2 123456789010 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA',
].join('\n');
const tiny = { kind: 'text' as const, text: TINY, name: 'tiny.log' };

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-answers-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function rows(q: string, source = tiny) {
  return (await runQuery(source, q, { limit: 1_000_000, threads: 1 })).rows;
}

function errorOf(q: string): QueryError {
  const e = checkQuery(q);
  assert.ok(e, `expected an error for ${q}`);
  return e;
}

describe('issue 10: query answers as SQL and Lucene give them', () => {
  it('item 1: records of two formats map to one column list (the union of fields, NULL where a format lacks one)', async () => {
    const a = join(dir, 'a.flowlog');
    const b = join(dir, 'b.flowlog');
    writeFileSync(a, TINY + '\n');
    writeFileSync(b, 'srcport dstport srcaddr dstaddr action vpc-id\n40009 22 10.1.1.1 10.0.0.9 REJECT vpc-1\n');
    const r = await runQuery({ kind: 'files', paths: [a, b] }, 'srcport:>=40002', { threads: 1 });
    assert.deepEqual(r.columns.slice(0, 14), ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status']);
    assert.deepEqual(r.columns.slice(14), ['vpc-id', 'file', 'line']);
    const col = (name: string) => r.columns.indexOf(name);
    const last = r.rows[r.rows.length - 1];
    assert.deepEqual([last[col('srcaddr')], last[col('srcport')], last[col('dstport')], last[col('action')], last[col('vpc-id')], last[col('version')]], ['10.1.1.1', 40009, 22, 'REJECT', 'vpc-1', null]);
    assert.ok(r.rows.every((row) => row.length === r.columns.length));
    assert.equal(r.rows[0][col('vpc-id')], null);
    const star = await runQuery({ kind: 'files', paths: [a, b] }, '* | select * where srcport >= 40002', { threads: 1 });
    assert.deepEqual(star.columns, r.columns.slice(0, -2));
    assert.deepEqual(star.rows, r.rows.map((row) => row.slice(0, -2)));
  });

  it('item 2: {a TO b} is exclusive, and [a TO b} / {a TO b] mix', async () => {
    const ports = async (q: string) => (await rows(`${q} | select dstport order by dstport`)).map((r) => r[0]);
    assert.deepEqual(await ports('dstport:{22 TO 80}'), [53]);
    assert.deepEqual(await ports('dstport:[22 TO 80]'), [22, 53, 80]);
    assert.deepEqual(await ports('dstport:[22 TO 80}'), [22, 53]);
    assert.deepEqual(await ports('dstport:{22 TO 80]'), [53, 80]);
    assert.deepEqual(await ports('dstport:{53 TO *]'), [80]);
    assert.deepEqual(await ports('srcaddr:{10.0.0.1 TO 10.0.0.3}'), [80]);
  });

  it('item 3: NOT BETWEEN with a NULL bound is x < a OR x > b (TRUE for 53 in NOT BETWEEN NULL AND 50)', async () => {
    assert.deepEqual(await rows('* | select dstport, dstport not between null and 50, dstport between null and 50 where dstport is not null order by dstport'), [[22, null, null], [53, 1, 0], [80, 1, 0]]);
    assert.deepEqual(await rows('* | select dstport where dstport not between null and 50 order by dstport'), [[53], [80]]);
  });

  it('item 4: HAVING reads a name that is both an alias and a field as the alias', async () => {
    assert.deepEqual(await rows('* | select action, sum(bytes) as bytes group by action having bytes > 1500 order by action'), [['REJECT', 2000]]);
    // Inside an aggregate the name is the field.
    assert.deepEqual(await rows('* | select action, sum(bytes) as bytes group by action having sum(bytes) > 1400 order by action'), [['ACCEPT', 1500], ['REJECT', 2000]]);
  });

  it('item 5: a selected field neither grouped nor aggregated is refused at its position; any_value(x) takes the first', async () => {
    for (const [q, name] of [['* | select action, srcaddr, count(*) group by action', 'srcaddr'], ['* | select srcaddr, count(*)', 'srcaddr'], ['* | select action, count(*) group by action order by bytes', 'bytes'], ['* | select action group by action having dstport > 1', 'dstport']] as const) {
      const e = errorOf(q);
      assert.match(e.message, new RegExp(`${name} is neither in GROUP BY nor inside an aggregate`), q);
      assert.equal(e.offset, q.lastIndexOf(name), q);
    }
    assert.deepEqual(await rows('* | select action, any_value(srcaddr), arbitrary(dstport) group by action order by action'), [['ACCEPT', '10.0.0.1', 22], ['REJECT', '10.0.0.2', 80], [null, null, null]]);
  });

  it('item 6: an explicit SQL LIMIT above the row cap returns its rows; the cap bounds searches only', async () => {
    const big = Array.from({ length: 12_500 }, (_, i) => R('10.0.0.1', '10.0.0.2', 1024 + (i % 60000), 443, i)).join('\n');
    const source = { kind: 'text' as const, text: big, name: 'big' };
    assert.equal((await runQuery(source, '* | select bytes order by bytes limit 12000')).rows.length, 12_000);
    assert.equal((await runQuery(source, '* | select bytes limit 12000')).rows.length, 12_000);
    const search = await runQuery(source, '*');
    assert.equal(search.rows.length, 10_000);
    assert.equal(search.stats.matched, 12_500);
  });

  it('item 7: a string literal with doubled quotes names its column in full', async () => {
    const r = await runQuery(tiny, "* | select 'it''s', count(*) as n");
    assert.deepEqual(r.columns, ["'it''s'", 'n']);
    assert.deepEqual(r.rows, [["it's", 4]]);
  });

  it("item 8: numbers in a search are decimal integers; interval '1.5 minute' is 90 seconds", async () => {
    for (const q of ['dstport:0x16', 'bytes:>1e3', 'bytes:>=2.5', 'srcport:{22.5 TO 100}', 'start:0b101', 'dstport:+22']) {
      const e = errorOf(q);
      assert.match(e.message, /is a number|decimal/, q);
      assert.ok(e.offset > 0, q);
    }
    assert.deepEqual(await rows('dstport:22 | select count(*)'), [[1]]);
    const a = await rows("* | select histogram(start, interval '1.5 minute') as t, count(*) group by t");
    const b = await rows('* | select histogram(start, interval 90 second) as t, count(*) group by t');
    assert.deepEqual(a, b);
  });

  it('item 9: one file has one record count, whatever the query reads', async () => {
    const text = [TINY, R('10.0.0.300', '10.0.0.9', 1, 2, 3), R('10.0.0.4', '10.0.0.9', 1, 2, 'lots'), R('10.0.0.4', '10.0.0.9', 1, 65536, 3), 'two fields', R('010.1.2.3', '10.0.0.9', 1, 2, 3)].join('\n');
    const source = { kind: 'text' as const, text, name: 'm' };
    const counts = new Set<string>();
    for (const q of ['* | select count(*)', '* | select sum(bytes)', '* | select max(protocol)', '*', 'srcaddr:*', '* | select srcaddr, count(*) group by srcaddr']) {
      const r = await runQuery(source, q);
      counts.add(`${r.stats.records}/${r.stats.malformed}`);
    }
    assert.deepEqual([...counts], ['4/5']);
  });
});

describe('the file column', () => {
  it('groups, filters and searches records by the file they come from', async () => {
    const a = join(dir, 'fa.flowlog');
    const b = join(dir, 'fb.flowlog');
    writeFileSync(a, TINY + '\n');
    writeFileSync(b, TINY.split('\n').slice(0, 2).join('\n') + '\n');
    const source = { kind: 'files' as const, paths: [a, b] };
    // On worker threads too (the built bundle's pool; a file a unit).
    const saved = process.env.FLOWLOG_WORKER_SCRIPT;
    process.env.FLOWLOG_WORKER_SCRIPT = resolve(__dirname, '../../dist/cli.js');
    try {
      for (const threads of [1, 2]) {
        const r = await runQuery(source, '* | select file, count(*) as n, sum(bytes) as b group by file order by file', { threads });
        assert.deepEqual(r.rows, [[a, 4, 3500], [b, 2, 3000]]);
        assert.equal(r.stats.threads, threads);
      }
    } finally {
      if (saved === undefined) delete process.env.FLOWLOG_WORKER_SCRIPT;
      else process.env.FLOWLOG_WORKER_SCRIPT = saved;
    }
    assert.deepEqual((await runQuery(source, `file:${b} | select count(*)`)).rows, [[2]]);
    assert.deepEqual((await runQuery(source, `file:${dir.toUpperCase()}/FA* | select count(*)`)).rows, [[4]]);
    assert.deepEqual((await runQuery(source, `* | select count(*) where file like '%fb.flowlog'`)).rows, [[2]]);
  });
});

describe('issue 10: hostile input stays linear and cancellable', () => {
  it('item 12: a 50 MB line is skipped with a warning, in one pass (no re-joining per chunk), and the lines after it count', async () => {
    const f = join(dir, 'long.flowlog');
    writeFileSync(f, TINY.split('\n')[0] + '\n');
    appendFileSync(f, Buffer.alloc(50 << 20, 'x'));
    appendFileSync(f, '\n' + TINY.split('\n')[1] + '\n');
    const r = await runQuery({ kind: 'files', paths: [f] }, '* | select count(*)', { threads: 1 });
    assert.deepEqual(r.rows, [[2]]);
    assert.equal(r.stats.malformed, 1);
    assert.match(r.stats.warnings?.join(' ') ?? '', /longer than 1 MiB/);
  });

  it('item 12: 40 MB of zeros in a .gz is one malformed line, streamed', async () => {
    const f = join(dir, 'zeros.flowlog.gz');
    writeFileSync(f, gzipSync(Buffer.concat([Buffer.from(TINY + '\n'), Buffer.alloc(40 << 20)])));
    const r = await runQuery({ kind: 'files', paths: [f] }, '* | select count(*)', { threads: 1 });
    assert.deepEqual(r.rows, [[4]]);
    assert.equal(r.stats.malformed, 1);
  });

  it("item 13: LIKE '%a%a%a%a%a%a%b' over long values answers (no backtracking blow-up)", async () => {
    const id = 'a'.repeat(5000);
    const text = `version account-id interface-id srcaddr dstaddr action log-status vpc-id\n2 1 eni-1 10.0.0.1 10.0.0.2 ACCEPT OK ${id}\n`;
    const r = await runQuery({ kind: 'text', text, name: 'l' }, "* | select count(*) where vpc_id like '%a%a%a%a%a%a%a%a%a%a%b'");
    assert.deepEqual(r.rows, [[0]]);
    const yes = await runQuery({ kind: 'text', text, name: 'l' }, "* | select count(*) where vpc_id like '%a_a%a%'");
    assert.deepEqual(yes.rows, [[1]]);
  });

  it('item 22: subnet() with a literal prefix out of 0–128 is a positioned error', () => {
    const q = '* | select subnet(srcaddr, 200)';
    const e = errorOf(q);
    assert.match(e.message, /prefix length/);
    assert.equal(e.offset, q.indexOf('200'));
  });

  it('item 22: lone CR line ends are line ends', async () => {
    const r = await runQuery({ kind: 'text', text: TINY.replace(/\n/g, '\r'), name: 'cr' }, '* | select count(*)');
    assert.deepEqual(r.rows, [[4]]);
    assert.equal(r.stats.malformed, 0);
  });

  it('item 22: an unreadable file and a corrupt .gz are reported with their reason; the other files are read', async () => {
    const good = join(dir, 'good.flowlog');
    writeFileSync(good, TINY + '\n');
    const corrupt = join(dir, 'corrupt.flowlog.gz');
    const gz = gzipSync(Buffer.from(TINY.repeat(50)));
    writeFileSync(corrupt, gz.subarray(0, gz.length >> 1));
    const r = await runQuery({ kind: 'files', paths: [good, corrupt] }, '* | select count(*)', { threads: 1 });
    assert.equal(r.stats.fileErrors?.length, 1);
    assert.equal(r.stats.fileErrors?.[0].file, corrupt);
    assert.match(r.stats.fileErrors?.[0].message ?? '', /unexpected end|gzip/i);
    assert.ok((r.rows[0][0] as number) >= 4);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.flowlog');
      writeFileSync(locked, TINY);
      chmodSync(locked, 0);
      const l = await runQuery({ kind: 'files', paths: [good, locked] }, '*', { threads: 1 });
      assert.match(l.stats.fileErrors?.[0].message ?? '', /permission denied/);
    }
  });

  it('item 21: a file that grows while it is read gets a warning', async () => {
    const f = join(dir, 'grow.flowlog');
    writeFileSync(f, (TINY + '\n').repeat(300_000));
    let grown = false;
    const r = await runQuery({ kind: 'files', paths: [f] }, '* | select count(*)', {
      threads: 1,
      onProgress: () => {
        if (!grown) {
          grown = true;
          appendFileSync(f, TINY + '\n');
        }
      },
    });
    assert.match(r.stats.warnings?.join(' ') ?? '', /changed while it was read/);
  });
});
