// Conversations as rows (issue 12): the query language over the diagnosis's conversations. Rows against the
// diagnosis's own conversations (conversationRow over collectAll), counts against its verdict counts and against
// DuckDB running the same rule in SQL, search and SQL semantics, errors with their position, and the CLI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { CONVERSATION_COLUMNS, VERDICTS, conversationRow, diagnose } from '../../server/src/core/diagnose';
import { runConversationQuery } from '../../server/src/core/diagnose/conversationQuery';
import { QueryError } from '../../server/src/core/query';
import type { Value } from '../../server/src/core/query';
import { main } from '../../server/src/cli';
import { plantConversations } from '../support/plantConversations';
import { writeWideFile } from '../support/generateWideConversations';
import { readFlowsSql, verdictByInterfaceSql } from '../support/diagnoseSql';

const SEED = [
  'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
  'V1 1251762227 eni-lq6mkcis 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
];
const seed = { kind: 'text' as const, text: SEED.join('\n'), name: 'seed.flowlog' };
const col = (name: string) => CONVERSATION_COLUMNS.findIndex((c) => c.name === name);

let dir: string;
let wide: string;
let planted: string;
let instance: DuckDBInstance;
let duck: DuckDBConnection;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-diagnose-query-'));
  wide = join(dir, 'wide.flowlog');
  await writeWideFile(wide, { records: 30_000, seed: 11, rate: 20, interfaces: 40 });
  planted = join(dir, 'planted.flowlog');
  writeFileSync(planted, plantConversations({ seed: 5 }).text);
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
});

after(() => {
  duck?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const sorted = (rows: Value[][]) => rows.map((r) => JSON.stringify(r)).sort();

describe('conversations as rows', () => {
  it("the issue's query on the seed: one response-rejected conversation on eni-lq6mkcis", async () => {
    const r = await runConversationQuery(seed, 'verdict:response-rejected | select interface_id, count(*) group by interface_id');
    assert.deepEqual(r.columns, ['interface_id', 'count(*)']);
    assert.deepEqual(r.rows, [['eni-lq6mkcis', 1]]);
    assert.deepEqual([r.stats.records, r.stats.matched, r.stats.inputRecords], [1, 1, 2]);
    const all = await runConversationQuery(seed, '*');
    assert.deepEqual(all.columns, CONVERSATION_COLUMNS.map((c) => c.name));
    const row = all.rows[0];
    assert.deepEqual([row[col('request_line')], row[col('reply_line')], row[col('certainty')]], [1, 2, 'most-likely']);
    assert.match(String(row[col('reading')]), /Fix: allow outbound ICMP to 203\.0\.113\.12 in the network ACL/);
  });

  it("every row is the diagnosis's own conversation (conversationRow over collectAll), on the planted log", async () => {
    const source = { kind: 'files' as const, paths: [planted] };
    const d = await diagnose(source, { collectAll: true });
    const expected = d.all!.map((c) => conversationRow(c, c.reading, c.readingText));
    const r = await runConversationQuery(source, '*', { limit: 1_000_000 });
    assert.equal(r.rows.length, expected.length);
    assert.ok(expected.length > 100);
    assert.deepEqual(sorted(r.rows), sorted(expected));
  });

  it('verdict counts by GROUP BY equal the diagnosis\'s, and per interface equal DuckDB\'s self-join', async () => {
    const source = { kind: 'files' as const, paths: [wide] };
    const d = await diagnose(source);
    const byVerdict = await runConversationQuery(source, '* | select verdict, count(*) as n group by verdict order by verdict');
    assert.deepEqual(Object.fromEntries(byVerdict.rows), Object.fromEntries(VERDICTS.filter((v) => d.verdicts[v] > 0).map((v) => [v, d.verdicts[v]])));
    for (const verdict of ['response-rejected', 'no-response']) {
      const ours = await runConversationQuery(source, `verdict:${verdict} | select interface_id, count(*) group by interface_id order by interface_id`);
      const theirs = (await duck.runAndReadAll(verdictByInterfaceSql(readFlowsSql(wide), 600, 'selfJoin', verdict))).getRows().map(([i, n]) => [String(i), Number(n)]);
      assert.ok(theirs.length > 10, `${verdict} on many interfaces`);
      assert.deepEqual(ours.rows, theirs, verdict);
    }
  });

  it('search: verdicts, CIDR blocks, numeric ranges, protocol names, prefixes, NOT, bare terms', async () => {
    const source = { kind: 'files' as const, paths: [planted] };
    const all = (await runConversationQuery(source, '*', { limit: 1_000_000 })).rows;
    const count = async (q: string) => (await runConversationQuery(source, `${q} | select count(*)`)).rows[0][0];
    const where = (f: (r: Value[]) => boolean) => all.filter(f).length;
    const v = (r: Value[], name: string) => r[col(name)];
    assert.equal(await count('verdict:ok'), where((r) => v(r, 'verdict') === 'ok'));
    assert.equal(await count('VERDICT:OK'), where((r) => v(r, 'verdict') === 'ok'), 'names and text values are case-insensitive');
    assert.equal(await count('NOT verdict:ok AND protocol:tcp'), where((r) => v(r, 'verdict') !== 'ok' && v(r, 'protocol') === 6));
    assert.equal(await count('server_port:[1 TO 1023]'), where((r) => (v(r, 'server_port') as number) >= 1 && (v(r, 'server_port') as number) <= 1023));
    assert.equal(await count('bytes:>100000'), where((r) => (v(r, 'bytes') as number) > 100_000));
    assert.equal(await count('client_addr:10.0.0.0/8'), where((r) => String(v(r, 'client_addr')).startsWith('10.')));
    assert.equal(await count('service:ssh OR service:rdp'), where((r) => v(r, 'service') === 'ssh' || v(r, 'service') === 'rdp'));
    assert.equal(await count('verdict:response*'), where((r) => v(r, 'verdict') === 'response-rejected'));
    assert.equal(await count('no-response'), where((r) => v(r, 'verdict') === 'no-response'), 'a bare term matches a whole value');
    assert.ok((await count('verdict:ok')) as number > 0 && (await count('no-response')) as number > 0);
  });

  it('SQL: WHERE, ORDER BY with LIMIT, HAVING, aliases and ordinals, distinct, avg/min/max, an empty aggregate', async () => {
    const source = { kind: 'files' as const, paths: [wide] };
    const all = (await runConversationQuery(source, '*', { limit: 1_000_000 })).rows;
    const v = (r: Value[], name: string) => r[col(name)];
    const top = await runConversationQuery(source, '* | select client_addr, server_addr, bytes where verdict = \'ok\' order by bytes desc, client_addr limit 5');
    const okRows = all.filter((r) => v(r, 'verdict') === 'ok').sort((a, b) => (v(b, 'bytes') as number) - (v(a, 'bytes') as number) || String(v(a, 'client_addr')).localeCompare(String(v(b, 'client_addr'))));
    assert.deepEqual(top.rows, okRows.slice(0, 5).map((r) => [v(r, 'client_addr'), v(r, 'server_addr'), v(r, 'bytes')]));
    const busy = await runConversationQuery(source, '* | select server_addr as s, count(*) as n, count(distinct client_addr) as clients, min(start), max(end), avg(packets) group by s having n >= 20 order by 2 desc, 1 limit 3');
    const groups = new Map<string, Value[][]>();
    for (const r of all) groups.set(String(v(r, 'server_addr')), [...(groups.get(String(v(r, 'server_addr'))) ?? []), r]);
    const expected = [...groups].filter(([, rs]) => rs.length >= 20).sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1)).slice(0, 3)
      .map(([s, rs]) => [s, rs.length, new Set(rs.map((r) => v(r, 'client_addr'))).size, Math.min(...rs.map((r) => v(r, 'start') as number)), Math.max(...rs.map((r) => v(r, 'end') as number)), rs.reduce((n, r) => n + (v(r, 'packets') as number), 0) / rs.length]);
    assert.equal(busy.rows.length, 3);
    assert.deepEqual(busy.rows, expected);
    assert.deepEqual((await runConversationQuery(source, 'verdict:nothing | select count(*), sum(bytes)')).rows, [[0, null]]);
    assert.deepEqual((await runConversationQuery(source, 'verdict:nothing | select verdict, count(*) group by verdict')).rows, []);
  });

  it('errors carry their position, before any input is read', async () => {
    const missing = { kind: 'files' as const, paths: [join(dir, 'not-there.flowlog')] };
    const err = async (q: string) => {
      try {
        await runConversationQuery(missing, q);
      } catch (e) {
        assert.ok(e instanceof QueryError, String(e));
        return `${e.column}: ${e.message}`;
      }
      assert.fail(`${q} ran`);
    };
    assert.match(await err('verdikt:ok'), /^1: conversations have no column verdikt; did you mean verdict\?/);
    assert.match(await err('* | select srcaddr'), /^12: conversations have no column srcaddr/);
    assert.match(await err('* | select verdict where count(*) > 1'), /^26: count\(\) is an aggregate: not allowed in WHERE/);
    assert.match(await err('* | select verdict, count(*) group by interface_id'), /^12: verdict is neither in GROUP BY nor inside an aggregate/);
    assert.match(await err('bytes:many'), /^1: bytes is a number: many is not one/);
    assert.match(await err('client_addr:nowhere'), /^1: client_addr is an address/);
  });

  it('flowlog diagnose --query on a folder: table, json and csv; hostile values escaped on a terminal', async () => {
    const folder = join(dir, 'folder');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'a.flowlog'), SEED[0] + '\n');
    writeFileSync(join(folder, 'b.flowlog'), SEED[1].replace('eni-lq6mkcis', 'eni-lq6mkcis') + '\n');
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await main(['diagnose', ...argv], { stdout: (s) => (out += s), stderr: (s) => (err += s), stdoutIsTerminal: true });
      return { code, out, err };
    };
    const table = await run(folder, '--query', 'verdict:response-rejected | select interface_id, request_file, request_line, reply_file, reply_line');
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /eni-lq6mkcis +\S*a\.flowlog +1 +\S*b\.flowlog +1/);
    assert.match(table.out, /1 rows · 1 of 1 conversations matched · 2 records read, 0 malformed skipped/);
    const json = JSON.parse((await run(folder, '--query', '* | select verdict, count(*) as n group by verdict', '--format', 'json')).out);
    assert.deepEqual(json.rows, [['response-rejected', 1]]);
    const csv = await run(join(dir, 'planted.flowlog'), '--query', 'verdict:ok', '--format', 'csv', '--limit', '3');
    assert.equal(csv.out.trimEnd().split('\n').length, 4);
    assert.equal(csv.out.split('\n')[0], CONVERSATION_COLUMNS.map((c) => c.name).join(','));
    const bad = await run(folder, '--query', 'verdikt:ok');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /query error at 1:1: conversations have no column verdikt/);
    writeFileSync(join(dir, 'hostile.flowlog'), SEED.join('\n').replaceAll('eni-lq6mkcis', 'eni-x\u001b]0;pwned\u0007'));
    const hostile = await run(join(dir, 'hostile.flowlog'), '--query', '* | select interface_id');
    assert.ok(!hostile.out.includes('\u001b'), hostile.out);
    assert.match(hostile.out, /eni-x\\x1b\]0;pwned\\x07/);
  });
  it('a GROUP BY past its groups bound spills to partitions (and again within one) and gives the same answer, then removes its files', async () => {
    const source = { kind: 'files' as const, paths: [wide] };
    const spillDir = mkdtempSync(join(dir, 'spill-'));
    const queries = [
      '* | select client_addr, server_addr, server_port, count(*) as n, sum(bytes) as b, min(start), max(end) group by 1, 2, 3 order by b desc, 1, 2, 3 limit 25',
      'NOT verdict:ok | select client_addr, count(distinct server_port) as ports, avg(packets), any_value(verdict) group by client_addr having ports >= 2 order by ports desc, client_addr',
      '* | select client_addr, count(*) as n group by client_addr order by n desc, client_addr limit 10000',
    ];
    for (const q of queries) {
      const inMemory = await runConversationQuery(source, q);
      assert.deepEqual(inMemory.stats.warnings.filter((w) => /spilled/.test(w)), [], 'the default bound holds these groups');
      for (const maxGroups of [200, 25]) {
        const spilled = await runConversationQuery(source, q, { maxGroups, diagnose: { spillDir } });
        assert.deepEqual(spilled.rows, inMemory.rows, `${q} with ${maxGroups} groups in memory`);
        assert.match(spilled.stats.warnings.join('\n'), /GROUP BY spilled [\d,]+ conversations to disk .*: the answer is exact/);
      }
      assert.ok(inMemory.rows.length > 5, q);
    }
    const { readdirSync } = await import('node:fs');
    assert.deepEqual(readdirSync(spillDir).filter((f) => f.startsWith('flowlog-groups-')), [], 'spill folders removed');
    // Without ORDER BY, every group comes out (in no set order): the same set.
    const all = '* | select interface_id, verdict, count(*) as n group by 1, 2 limit 100000';
    assert.deepEqual(sorted((await runConversationQuery(source, all, { maxGroups: 7, diagnose: { spillDir } })).rows), sorted((await runConversationQuery(source, all)).rows));
  });

  it('FROM conversations names the table; `flowlog query` answers a query over conversations as `flowlog diagnose --query`', async () => {
    const fromTable = await runConversationQuery(seed, '* | select verdict, request_line, reply_line from conversations');
    assert.deepEqual(fromTable.rows, [['response-rejected', 1, 2]]);
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), stdoutIsTerminal: false });
      return { code, out, err };
    };
    const q = 'verdict:response-rejected OR verdict:no-response | select interface_id, verdict, count(*) as n group by 1, 2 order by n desc, 1, 2 limit 20';
    const viaQuery = await run('query', wide, q, '--format', 'json');
    const viaDiagnose = await run('diagnose', wide, '--query', q, '--format', 'json');
    assert.equal(viaQuery.code, 0, viaQuery.err);
    assert.ok(JSON.parse(viaQuery.out).rows.length > 5);
    assert.deepEqual(JSON.parse(viaQuery.out).rows, JSON.parse(viaDiagnose.out).rows);
    const records = await run('query', wide, '* | select count(*) as n from log', '--format', 'json');
    assert.deepEqual(JSON.parse(records.out).rows, [[30_000]], 'FROM log: the records');
    const wrong = await run('query', wide, '* | select count(*) from conversations where srcaddr is null');
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /conversations have no column srcaddr/);
  });
});
