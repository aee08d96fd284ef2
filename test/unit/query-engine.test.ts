// The query engine on small inputs: search semantics, SQL semantics, sources (text, files, gzip), headers,
// malformed lines, limits, cancellation and progress.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { QueryCancelledError, QueryError, QuerySource, Value, runQuery } from '../../server/src/core/query';
import { generateLines } from '../support/generate';

const LINES = [
  '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  '2 1251762227 eni-lq6mkcis 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
  'V1 1251762227 eni-lq6mkcis - - - - - - - 1431280876 1431280934 - NODATA',
  'V1 1251762227 eni-lq6mkcis - - - - - - - 1431280876 1431280934 - SKIPDATA',
  'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
  'V1 1251762227 eni-lq6mkcis 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
  '2 1 eni-abc 2001:db8::1 2001:db8:1::2 443 55000 17 3 900 1418530100 1418530160 ACCEPT OK',
];
const TEXT = LINES.join('\n') + '\n';

async function q(query: string, text = TEXT, limit?: number) {
  return runQuery({ kind: 'text', text, name: 'mem' }, query, { limit });
}

async function lines(query: string, text = TEXT): Promise<number[]> {
  const r = await q(query, text);
  return r.rows.map((row) => row[row.length - 1] as number);
}

describe('search', () => {
  it('returns the records with their fields, file and line', async () => {
    const r = await q('action:REJECT');
    assert.equal(r.kind, 'search');
    assert.deepEqual(r.columns.slice(-3), ['log-status', 'file', 'line']);
    assert.deepEqual(r.rows.map((x) => x[x.length - 1]), [2, 6]);
    assert.deepEqual(r.rows[0].slice(0, 6), ['2', '1251762227', 'eni-lq6mkcis', '172.31.9.69', '172.31.9.12', 49761]);
    assert.equal(r.rows[0][14], 'mem');
    assert.deepEqual(r.stats, { ...r.stats, records: 7, matched: 2, malformed: 0 });
  });

  it('all records for * and empty', async () => {
    assert.equal((await q('*')).stats.matched, 7);
    assert.equal((await q('')).stats.matched, 7);
  });

  it('full-text terms match whole field values of any field, case-insensitively', async () => {
    assert.deepEqual(await lines('3389'), [2]);
    assert.deepEqual(await lines('172.31.16.139'), [1, 5, 6]);
    assert.deepEqual(await lines('reject'), [2, 6]);
    assert.deepEqual(await lines('172.31'), []); // whole values only
    assert.deepEqual(await lines('REJECT 172.31.16.139'), [6]);
  });

  it('field:value, wildcards, comparisons, ranges, presence', async () => {
    assert.deepEqual(await lines('dstport:22'), [1]);
    assert.deepEqual(await lines('srcaddr:172.31.*'), [1, 2, 6]);
    assert.deepEqual(await lines('bytes:>1000'), [1, 2]);
    assert.deepEqual(await lines('bytes:>=900'), [1, 2, 7]);
    assert.deepEqual(await lines('bytes:<900'), [5, 6]);
    assert.deepEqual(await lines('bytes:<=900'), [5, 6, 7]);
    assert.deepEqual(await lines('dstport:[1 TO 1024]'), [1]);
    assert.deepEqual(await lines('start:[1431280876 TO *]'), [3, 4, 5, 6]);
    assert.deepEqual(await lines('srcaddr:*'), [1, 2, 5, 6, 7]);
    assert.deepEqual(await lines('NOT srcaddr:*'), [3, 4]);
    assert.deepEqual(await lines('log-status:nodata'), [3]);
    assert.deepEqual(await lines('logStatus:SKIPDATA OR log_status:NODATA'), [3, 4]);
  });

  it('addresses match CIDR blocks, IPv4 and IPv6', async () => {
    assert.deepEqual(await lines('srcaddr:172.16.0.0/12'), [1, 2, 6]);
    assert.deepEqual(await lines('dstaddr:203.0.113.0/24'), [6]);
    assert.deepEqual(await lines('srcaddr:2001:db8::/32'), [7]);
    assert.deepEqual(await lines('dstaddr:2001:db8:1::/48'), [7]);
    assert.deepEqual(await lines('srcaddr:172.31.16.139'), [1, 6]);
  });

  it('protocol by number or name', async () => {
    assert.deepEqual(await lines('protocol:tcp'), [1, 2]);
    assert.deepEqual(await lines('protocol:ICMP'), [5, 6]);
    assert.deepEqual(await lines('protocol:17'), [7]);
  });

  it('AND, OR, NOT, parentheses', async () => {
    assert.deepEqual(await lines('action:REJECT AND (dstport:3389 OR protocol:icmp)'), [2, 6]);
    assert.deepEqual(await lines('NOT action:ACCEPT AND srcaddr:*'), [2, 6]);
    assert.deepEqual(await lines('action:ACCEPT or action:REJECT not protocol:tcp'), [1, 5, 6, 7]);
  });

  it('caps returned rows but keeps the exact match count', async () => {
    const r = await q('*', TEXT, 2);
    assert.equal(r.rows.length, 2);
    assert.equal(r.stats.matched, 7);
  });
});

describe('SQL', () => {
  it('aggregates without GROUP BY give one row, even over no records', async () => {
    assert.deepEqual((await q('action:REJECT | select count(*)')).rows, [[2]]);
    assert.deepEqual((await q('action:NOPE | select count(*), sum(bytes), avg(bytes), min(start), max(end)')).rows, [[0, null, null, null, null]]);
  });

  it('GROUP BY names, aliases and ordinals; ORDER BY several keys; LIMIT; HAVING', async () => {
    const byName = await q('* | select action, count(*) as n, sum(bytes) as b group by action order by action');
    assert.deepEqual(byName.columns, ['action', 'n', 'b']);
    assert.deepEqual(byName.rows, [['ACCEPT', 3, 5485], ['REJECT', 2, 4585], [null, 2, null]]);
    const byOrdinal = await q('* | select action, count(*) from log group by 1 order by 2 desc, 1 asc limit 2');
    assert.deepEqual(byOrdinal.rows, [['ACCEPT', 3], ['REJECT', 2]]);
    const byAlias = await q('* | select protocol_name(protocol) as p, count(*) as n group by p having count(*) > 1 order by n desc, p');
    assert.deepEqual(byAlias.rows, [['ICMP', 2], ['TCP', 2], [null, 2]]);
  });

  it('count(x) skips NULL; count(distinct x); avg is a double', async () => {
    const r = await q('* | select count(srcaddr), count(distinct srcaddr), avg(packets), min(srcaddr), max(dstport)');
    assert.deepEqual(r.rows, [[5, 4, 51 / 5, '172.31.16.139', 55000]]);
  });

  it('histogram, from_unixtime, protocol_name, service_name, subnet', async () => {
    const h = await q('* | select histogram(start, interval 5 minute) as t, count(*) as n group by t order by t');
    assert.deepEqual(h.rows, [['2014-12-14T04:05:00Z', 3], ['2015-05-10T18:00:00Z', 2], ['2015-05-29T16:30:00Z', 2]]);
    const f = await q('dstport:22 | select from_unixtime(start), protocol_name(protocol), service_name(dstport), subnet(srcaddr, 24), subnet(dstaddr, 16)');
    assert.deepEqual(f.rows, [['2014-12-14T04:06:50Z', 'TCP', 'ssh', '172.31.16.0/24', '172.31.0.0/16']]);
    const v6 = await q('protocol:udp | select subnet(srcaddr, 32), service_name(srcport, protocol)');
    assert.deepEqual(v6.rows, [['2001:db8::/32', 'quic']]);
  });

  it('arithmetic, comparisons, IN, LIKE, BETWEEN, IS NULL, quoted and underscored names', async () => {
    assert.deepEqual((await q("* | select bytes / packets as avg_size, end - start as secs where dstport in (22, 3389) and srcaddr like '172.31.%' order by secs")).rows, [[212.45, 60], [212.45, 60]]);
    assert.deepEqual((await q('* | select count(*) where dstport between 1 and 1024')).rows, [[1]]);
    assert.deepEqual((await q('* | select count(*) where srcaddr is null')).rows, [[2]]);
    assert.deepEqual((await q('* | select count(*) where srcaddr is not null and not action = \'ACCEPT\'')).rows, [[2]]);
    assert.deepEqual((await q('* | select count(*) where log_status = \'NODATA\' or "log-status" = \'SKIPDATA\'')).rows, [[2]]);
    assert.deepEqual((await q('* | select count(*) where srcaddr not like \'172.%\'')).rows, [[2]]);
  });

  it('plain SQL without aggregates: projection, WHERE, ORDER BY, LIMIT', async () => {
    const r = await q('protocol:tcp OR protocol:icmp | select srcaddr, dstport, bytes * 2 as double_bytes order by bytes desc, srcaddr limit 3');
    assert.deepEqual(r.columns, ['srcaddr', 'dstport', 'double_bytes']);
    assert.deepEqual(r.rows, [['172.31.16.139', 22, 8498], ['172.31.9.69', 3389, 8498], ['172.31.16.139', 0, 672]]);
    const star = await q('dstport:22 | select *');
    assert.equal(star.columns.length, 14);
    assert.equal(star.rows[0][6], 22);
  });

  it('top talkers: order by an aggregate with a limit (bounded heap)', async () => {
    const r = await q('* | select srcaddr, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 2');
    assert.deepEqual(r.rows, [['172.31.16.139', 4585], ['172.31.9.69', 4249]]);
  });
});

describe('sources, headers and malformed lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-query-'));

  it('reads plain and gzip files, keeps file and line numbers', async () => {
    const a = join(dir, 'a.flowlog');
    const b = join(dir, 'b.flowlog.gz');
    writeFileSync(a, TEXT);
    writeFileSync(b, gzipSync(TEXT));
    const r = await runQuery({ kind: 'files', paths: [a, b] }, 'action:REJECT');
    assert.deepEqual(r.rows.map((x) => [x[14], x[15]]), [[a, 2], [a, 6], [b, 2], [b, 6]]);
    assert.equal(r.stats.bytes > 0, true);
  });

  it('honours header lines, comments, blank lines, CRLF and a BOM; skips malformed lines and counts them', async () => {
    const text = '\ufeffsrcaddr dstaddr dstport action\r\n# comment\r\n\r\n10.0.0.1 10.0.0.2 22 ACCEPT\r\n10.0.0.1 10.0.0.2 REJECT\r\n10.0.0.3 10.0.0.2 x REJECT\r\n10.0.0.3 10.0.0.2 3389 REJECT\r\n';
    const r = await q('* | select srcaddr, dstport, action', text);
    assert.deepEqual(r.rows, [['10.0.0.1', 22, 'ACCEPT'], ['10.0.0.3', 3389, 'REJECT']]);
    assert.equal(r.stats.malformed, 2);
    assert.equal(r.stats.records, 2);
    const s = await q('action:REJECT', text);
    assert.deepEqual(s.columns, ['srcaddr', 'dstaddr', 'dstport', 'action', 'file', 'line']);
    assert.deepEqual(s.rows.map((x) => x[5]), [7]);
  });

  it('a header mid-file rebinds the records after it', async () => {
    const text = `${LINES[0]}\nsrcaddr dstaddr action\n10.0.0.1 10.0.0.2 REJECT\n`;
    assert.deepEqual((await q('* | select srcaddr, action', text)).rows, [['172.31.16.139', 'ACCEPT'], ['10.0.0.1', 'REJECT']]);
  });

  it('reports progress and can be cancelled', async () => {
    const big = Array(60_000).fill(LINES[0]).join('\n');
    const seen: number[] = [];
    await runQuery({ kind: 'text', text: big, name: 'big' }, 'action:REJECT', { onProgress: (d) => seen.push(d) });
    assert.ok(seen.length > 1 && seen[seen.length - 1] === big.length, 'progress reaches the end');
    const abort = new AbortController();
    const running = runQuery({ kind: 'text', text: big, name: 'big' }, '* | select count(*)', { signal: abort.signal, onProgress: () => abort.abort() });
    await assert.rejects(running, QueryCancelledError);
  });

  it('groups found before a header line mid-file are found again after it', async () => {
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    const plain = LINES.join('\n');
    const twice = `${header}\n${plain}\n${header}\n${plain}\n`;
    for (const query of [
      '* | select srcaddr, dstaddr, count(*), sum(bytes) group by srcaddr, dstaddr order by 1, 2',
      '* | select histogram(start, interval 1 hour) as t, action, count(*) group by t, action order by 1, 2',
      '* | select srcaddr, count(*) group by srcaddr order by 1',
      '* | select dstport, count(*) group by dstport order by 1',
    ]) {
      const once = await q(query, plain);
      const doubled = once.rows.map((r) => r.map((v, i) => (i === r.length - 1 || (query.includes('sum(bytes)') && i === r.length - 2)) && typeof v === 'number' ? v * 2 : v));
      assert.deepEqual((await q(query, twice)).rows, doubled, query);
    }
  });

  it('groups by expression keys, in runs and alternating, in first-occurrence order', async () => {
    // Protocols 6 6 - - 1 1 17: runs of equal keys (the last key's number is reused), then new ones.
    assert.deepEqual((await q('* | select protocol_name(protocol) as p, count(*) group by p')).rows, [['TCP', 2], [null, 2], ['ICMP', 2], ['UDP', 1]]);
    assert.deepEqual((await q('* | select protocol_name(protocol) as p, action, count(*) group by p, action')).rows, [
      ['TCP', 'ACCEPT', 1], ['TCP', 'REJECT', 1], [null, null, 2], ['ICMP', 'ACCEPT', 1], ['ICMP', 'REJECT', 1], ['UDP', 'ACCEPT', 1],
    ]);
    // Alternating keys: A B A B … each record's own group.
    const alternating = [LINES[0], LINES[4], LINES[0], LINES[4], LINES[0]].join('\n');
    assert.deepEqual((await q('* | select protocol_name(protocol) as p, sum(bytes) group by p', alternating)).rows, [['TCP', 3 * 4249], ['ICMP', 2 * 336]]);
  });

  it('a text field = or != a string: NULL for `-`, either side, in aggregates, WHERE and plain rows', async () => {
    // Actions: ACCEPT REJECT - - ACCEPT REJECT ACCEPT.
    assert.deepEqual((await q("* | select sum(action = 'REJECT'), sum(action != 'REJECT'), sum('ACCEPT' = action), count(action = 'REJECT'), count(*)")).rows, [[2, 3, 3, 5, 7]]);
    assert.deepEqual((await q("* | select count(*) where log_status = 'NODATA'")).rows, [[1]]);
    assert.deepEqual((await q("* | select count(*) where log_status != 'OK'")).rows, [[2]]);
    assert.deepEqual((await q("* | select count(*) where action = '-' or action != '-'")).rows, [[5]]);
    assert.deepEqual((await q("* | select srcaddr where 'REJECT' = action")).rows, [['172.31.9.69'], ['172.31.16.139']]);
    assert.deepEqual((await q("* | select count(*) where action = 'reject'")).rows, [[0]]);
  });

  it('count(distinct) with and without groups, also across a header line mid-file', async () => {
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    const plain = LINES.join('\n');
    for (const text of [plain, `${header}\n${plain}\n${header}\n${plain}\n`]) {
      assert.deepEqual((await q('* | select count(distinct srcaddr), count(distinct dstport), count(distinct action)', text)).rows, [[4, 4, 2]]);
      assert.deepEqual((await q('* | select action, count(distinct srcaddr) group by action', text)).rows, [['ACCEPT', 3], ['REJECT', 2], [null, 0]]);
    }
  });

  it('groups NULL keys (text, numeric, pairs) once, in first-occurrence order', async () => {
    assert.deepEqual((await q('* | select srcaddr, count(*) group by srcaddr')).rows, [
      ['172.31.16.139', 2], ['172.31.9.69', 1], [null, 2], ['203.0.113.12', 1], ['2001:db8::1', 1],
    ]);
    assert.deepEqual((await q('* | select dstport, count(*) group by dstport')).rows, [[22, 1], [3389, 1], [null, 2], [0, 2], [55000, 1]]);
    assert.deepEqual((await q('* | select srcaddr, dstport, count(*) group by srcaddr, dstport')).rows, [
      ['172.31.16.139', 22, 1], ['172.31.9.69', 3389, 1], [null, null, 2], ['203.0.113.12', 0, 1], ['172.31.16.139', 0, 1], ['2001:db8::1', 55000, 1],
    ]);
  });

  it('a query error rejects with QueryError', async () => {
    await assert.rejects(q('nosuchfield:1'), QueryError);
  });
});

describe('first rows while scanning (onRows)', () => {
  const big = [...generateLines({ records: 40_000, seed: 7, header: true, badShare: 0.01 })].join('\n') + '\n';
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-rows-'));
  const file = join(dir, 'big.flowlog');
  writeFileSync(file, big);

  async function streamed(source: QuerySource, query: string, limit?: number) {
    const got: Value[][] = [];
    const columns: string[][] = [];
    let calls = 0;
    const result = await runQuery(source, query, { limit, onRows: (rows, cols) => { calls++; got.push(...rows); columns.push(cols); } });
    return { got, columns, calls, result };
  }

  const sources: [string, QuerySource][] = [['text', { kind: 'text', text: big, name: 'big' }], ['file', { kind: 'files', paths: [file] }]];
  for (const [name, source] of sources) {
    it(`the batches, joined, are the result's rows in order (${name})`, async () => {
      for (const [query, limit] of [['action:REJECT', undefined], ['*', 25_000], ['dstport:22', 3], ['srcaddr:10.0.0.0/8 protocol:udp', undefined]] as const) {
        const { got, columns, calls, result } = await streamed(source, query, limit);
        assert.ok(result.rows.length > 0, query);
        assert.deepEqual(got, result.rows, query);
        assert.ok(columns.every((c) => JSON.stringify(c) === JSON.stringify(result.columns)), query);
        if (result.rows.length > 1000) assert.ok(calls > 1, `${query}: rows come in several batches as chunks are scanned`);
      }
    });
  }

  it('the first batch comes before the scan ends', async () => {
    let progressAtFirstRows = -1;
    let done = 0;
    await runQuery({ kind: 'text', text: big, name: 'big' }, 'action:REJECT', {
      onProgress: (d) => (done = d),
      onRows: () => {
        if (progressAtFirstRows < 0) progressAtFirstRows = done;
      },
    });
    assert.ok(progressAtFirstRows >= 0 && progressAtFirstRows < big.length / 2);
  });

  it('plain SQL rows stream too (without ORDER BY); aggregations and ordered rows do not call onRows', async () => {
    const streamed: Value[][] = [];
    const plain = await runQuery({ kind: 'text', text: big, name: 'big' }, '* | select srcaddr, bytes where bytes > 1000 limit 5', { onRows: (rows) => void streamed.push(...rows) });
    assert.equal(plain.rows.length, 5);
    assert.deepEqual(streamed, plain.rows);
    let calls = 0;
    await runQuery({ kind: 'text', text: big, name: 'big' }, '* | select srcaddr, count(*) group by srcaddr', { onRows: () => void calls++ });
    await runQuery({ kind: 'text', text: big, name: 'big' }, '* | select srcaddr order by bytes desc limit 5', { onRows: () => void calls++ });
    assert.equal(calls, 0);
  });
});
