// Loading into ClickHouse, and the client's failures, on a real two-shard cluster: the schema, inserts into a
// DBA's Distributed table, idempotence and resuming, malformed lines, credentials, refusals, timeouts, answers
// cut short, cancellation and progress.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runQuery } from '../../server/src/core/query';
import { QueryCancelledError } from '../../server/src/core/query/errors';
import { ClickHouseClient, ClickHouseError, newQueryId } from '../../server/src/core/clickhouse/http';
import { loadFiles } from '../../server/src/core/clickhouse/load';
import { readJsonCompact, runClickHouseQuery, watchProgress } from '../../server/src/core/clickhouse/query';
import { FIELD_COLUMNS, columnDefinitions, quoteIdent } from '../../server/src/core/clickhouse/schema';
import { generateLines, writeFlowLogFile } from '../support/generate';
import { Cluster, TEST_USER, createDistributedTable, startCluster } from './cluster';
import { CUSTOM_HEADER, writeCustomFile } from './data';

let cluster: Cluster;
let dir: string;
let client: ClickHouseClient;
const count = async (table: string, where = '1') => Number((await client.text(`SELECT count() FROM ${table} WHERE ${where}`)).trim());

before(async () => {
  cluster = await startCluster();
  client = new ClickHouseClient({ url: cluster.url });
  dir = mkdtempSync(join(tmpdir(), 'flowlog-ch-load-'));
});

after(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('flowlog load into ClickHouse', () => {
  it('creates a missing table from the documented schema (typed, Nullable, sorted by time)', async () => {
    const file = join(dir, 'small.flowlog');
    await writeFlowLogFile(file, { records: 1_000, seed: 5, header: true, nodataShare: 0.05 });
    const solo = new ClickHouseClient({ url: cluster.shards[1].url });
    const report = await loadFiles(solo, [file], { table: 'solo' });
    assert.equal(report.created, true);
    assert.equal(report.records, 1_000);
    const described = (await solo.text('DESCRIBE TABLE solo FORMAT TabSeparated')).trim().split('\n').map((l) => l.split('\t').slice(0, 2).join(' '));
    assert.deepEqual(described.slice(0, 16), [
      'version Nullable(String)', 'account_id Nullable(String)', 'interface_id Nullable(String)', 'srcaddr Nullable(String)',
      'dstaddr Nullable(String)', 'srcport Nullable(UInt16)', 'dstport Nullable(UInt16)', 'protocol Nullable(UInt8)',
      'packets Nullable(Int64)', 'bytes Nullable(Int64)', 'start Nullable(UInt64)', 'end Nullable(UInt64)',
      'action Nullable(String)', 'log_status Nullable(String)', 'vpc_id Nullable(String)', 'subnet_id Nullable(String)',
    ]);
    assert.equal(described.length, columnDefinitions().length);
    assert.match(await solo.text("SELECT engine_full FROM system.tables WHERE name = 'solo'"), /MergeTree ORDER BY \(_start, _file, _line\)/);
    // NODATA records' `-` are NULL; _start is start (the sorting key).
    const local = await runQuery({ kind: 'files', paths: [file] }, '* | select count(srcaddr), sum(bytes), count(*) where log_status = \'NODATA\' or log_status = \'SKIPDATA\'');
    assert.deepEqual((await solo.text("SELECT count(srcaddr), sum(bytes), count() FROM solo WHERE log_status IN ('NODATA', 'SKIPDATA') FORMAT JSONCompact", { params: { output_format_json_quote_64bit_integers: 0 } })).includes(JSON.stringify(local.rows[0]).slice(1, -1).replace(/,/g, ', ')), true);
    assert.equal(await solo.text('SELECT countIf(_start != ifNull(start, 0)) FROM solo'), '0\n');
  });

  it('loading an empty file creates the table and nothing else', async () => {
    const file = join(dir, 'empty.flowlog');
    writeFileSync(file, '');
    const report = await loadFiles(client, [file], { table: 'empty_table' });
    assert.equal(report.created, true);
    assert.equal(report.records, 0);
    assert.equal(report.files[0].status, 'loaded');
    assert.equal(await count('empty_table'), 0);
  });

  it('into a DBA\'s Distributed table it only inserts, and the records spread over both shards', async () => {
    await createDistributedTable(cluster.shards, 'dba');
    const before = await client.text("SELECT name, engine_full FROM system.tables WHERE name LIKE 'dba%' ORDER BY name FORMAT TabSeparated");
    const file = join(dir, 'dba.flowlog');
    await writeFlowLogFile(file, { records: 10_000, seed: 11, header: true });
    const report = await loadFiles(client, [file], { table: 'dba', batchRows: 3_000 });
    assert.equal(report.created, false);
    assert.equal(report.records, 10_000);
    assert.equal(await client.text("SELECT name, engine_full FROM system.tables WHERE name LIKE 'dba%' AND name != 'dba_loads' ORDER BY name FORMAT TabSeparated"), before);
    const perShard = await Promise.all(cluster.shards.map((s) => new ClickHouseClient({ url: s.url }).text('SELECT count() FROM dba_local').then(Number)));
    assert.equal(perShard[0] + perShard[1], 10_000);
    assert.ok(perShard.every((n) => n > 3_000), `rows per shard: ${perShard}`);
  });

  it('is idempotent per file: a second load of the same file inserts nothing', async () => {
    const file = join(dir, 'twice.flowlog');
    await writeFlowLogFile(file, { records: 3_000, seed: 12 });
    await loadFiles(client, [file], { table: 'twice' });
    const again = await loadFiles(client, [file], { table: 'twice' });
    assert.equal(again.files[0].status, 'already loaded');
    assert.equal(again.records, 0);
    assert.equal(await count('twice'), 3_000);
  });

  it('resumes a load that was cut off, without duplicating the records of the cut batch that landed', async () => {
    await createDistributedTable(cluster.shards, 'cut');
    const file = join(dir, 'cut.flowlog');
    await writeFlowLogFile(file, { records: 12_000, seed: 13, header: true });
    const stop = new AbortController();
    await assert.rejects(loadFiles(client, [file], {
      table: 'cut', batchRows: 1_000, signal: stop.signal,
      onProgress: (p) => { if (p.records >= 8_000) stop.abort(); },
    }), QueryCancelledError);
    const committed = Number((await client.text(`SELECT max(line) FROM cut_loads WHERE file = '${file}'`)).trim());
    assert.ok(committed > 0 && committed < 12_000, `committed up to line ${committed}`);
    // Part of the next batch landed (as when one shard took it and the other failed): lines after the journal's.
    const lines = readFileSync(file, 'utf8').split('\n');
    const partial = [committed + 1, committed + 2, committed + 7].map((n) => `${lines[n - 1].split(' ').map((v) => (v === '-' ? '\\N' : v)).join('\t')}\t${file}\t${n}\n`).join('');
    const cols = FIELD_COLUMNS.slice(0, 14).map((c) => quoteIdent(c.name)).join(', ');
    await client.insert(`INSERT INTO cut (${cols}, _file, _line) FORMAT TabSeparated`, partial, { params: { insert_distributed_sync: 1 } });
    const resumed = await loadFiles(client, [file], { table: 'cut' });
    assert.equal(resumed.files[0].status, 'resumed');
    assert.equal(resumed.files[0].resumedAfter, committed);
    assert.equal(resumed.files[0].alreadyPresent, 3);
    assert.equal(await count('cut'), 12_000);
    assert.equal(await client.text('SELECT uniqExact(_line) FROM cut'), '12000\n');
    const local = await runQuery({ kind: 'files', paths: [file] }, '* | select sum(bytes), count(distinct srcaddr)');
    assert.equal(await client.text('SELECT sum(bytes), uniqExact(srcaddr) FROM cut FORMAT TabSeparated'), `${local.rows[0].join('\t')}\n`);
  });

  it('loads only the new lines of a file that grew', async () => {
    const file = join(dir, 'grows.flowlog');
    await writeFlowLogFile(file, { records: 2_000, seed: 14 });
    await loadFiles(client, [file], { table: 'grows' });
    appendFileSync(file, [...generateLines({ records: 500, seed: 15 })].join('\n') + '\n');
    const again = await loadFiles(client, [file], { table: 'grows' });
    assert.equal(again.files[0].status, 'resumed');
    assert.equal(again.records, 500);
    assert.equal(await count('grows'), 2_500);
  });

  it('refuses a file whose content changed since it was loaded', async () => {
    const file = join(dir, 'changes.flowlog');
    await writeFlowLogFile(file, { records: 1_000, seed: 16 });
    await loadFiles(client, [file], { table: 'changes' });
    await writeFlowLogFile(file, { records: 1_500, seed: 17 });
    const again = await loadFiles(client, [file], { table: 'changes' });
    assert.equal(again.files[0].status, 'failed');
    assert.match(again.files[0].error!, /loaded into changes before with other content/);
    assert.equal(await count('changes'), 1_000);
  });

  it('never loads a malformed line: each is counted, listed with its line, and skipped', async () => {
    const file = join(dir, 'bad.flowlog');
    await writeFlowLogFile(file, { records: 5_000, seed: 18, badShare: 0.05, header: true });
    const listed: number[] = [];
    const report = await loadFiles(client, [file], { table: 'bad', onMalformed: (_f, line) => listed.push(line) });
    const f = report.files[0];
    assert.ok(f.malformed > 150, `${f.malformed} malformed`);
    assert.equal(f.records + f.malformed, 5_000);
    // Malformed as the query engine says: the table holds the records a query of the file reads, no more, no fewer
    // (lint errors that are not malformed, an `accept` action say, are loaded as the engine reads them).
    const local = await runQuery({ kind: 'files', paths: [file] }, '* | select count(*), sum(bytes), count(distinct action)');
    assert.equal(local.stats.malformed, f.malformed);
    assert.equal(await client.text('SELECT count(), sum(bytes), uniqExact(action) FROM bad FORMAT TabSeparated'), `${local.rows[0].join('\t')}\n`);
    assert.equal(listed.length, f.malformed);
    assert.deepEqual(f.malformedLines.map((m) => m.line), listed.slice(0, 100));
    assert.equal(await count('bad', `_line IN (${listed.join(',')})`), 0);
    assert.equal(await count('bad'), f.records);
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.match(f.malformedLines[0].message, /out of range|not|missing|must be written|fields/);
    assert.ok(lines[f.malformedLines[0].line - 1].length > 0);
  });

  it('a header naming an unknown field: a warning, and the known fields load', async () => {
    const file = join(dir, 'unknown-field.flowlog');
    writeFileSync(file, 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status colour\n'
      + '2 123456789010 eni-abc123 10.0.0.1 10.0.0.2 443 49152 6 10 840 1700000000 1700000060 ACCEPT OK blue\n');
    const warnings: string[] = [];
    const report = await loadFiles(client, [file], { table: 'unknown_field', onWarning: (_f, line, m) => warnings.push(`${line}: ${m}`) });
    assert.equal(report.records, 1);
    assert.match(warnings.join('\n'), /^1: unknown field name colour in the header.*its values are not loaded/);
    assert.equal(await client.text('SELECT srcaddr, bytes FROM unknown_field FORMAT TabSeparated'), '10.0.0.1\t840\n');
  });

  it('a header line mid-file: the records after it load into their own columns (one INSERT per format)', async () => {
    const file = join(dir, 'two-headers.flowlog');
    const custom = join(dir, 'custom-part.flowlog');
    writeCustomFile(custom, 50);
    writeFileSync(file, `${[...generateLines({ records: 40, seed: 22, header: true })].join('\n')}\n${readFileSync(custom, 'utf8')}`);
    const report = await loadFiles(client, [file], { table: 'two_headers', batchRows: 30 });
    assert.equal(report.records, 90);
    assert.equal(await count('two_headers', '_line <= 41 AND vpc_id IS NULL AND srcaddr IS NOT NULL OR _line <= 41 AND log_status != \'OK\''), 40);
    assert.equal(await count('two_headers', '_line > 42 AND vpc_id IS NOT NULL'), 50);
    const local = await runQuery({ kind: 'files', paths: [file] }, '* | select count(*), sum(bytes), count(vpc_id), count(distinct flow_direction)');
    assert.equal(await client.text('SELECT count(), sum(bytes), count(vpc_id), uniqExact(flow_direction) FROM two_headers FORMAT TabSeparated'), `${local.rows[0].join('\t')}\n`);
  });

  it('reads what the engine reads: a .gz file', async () => {
    const file = join(dir, 'zipped.flowlog.gz');
    await writeFlowLogFile(file, { records: 2_500, seed: 23, header: true, gzip: true });
    const report = await loadFiles(client, [file], { table: 'zipped' });
    assert.equal(report.records, 2_500);
    const local = await runQuery({ kind: 'files', paths: [file] }, '* | select sum(bytes)');
    assert.equal(await client.text('SELECT sum(bytes) FROM zipped'), `${local.rows[0][0]}\n`);
  });

  it('a table without a column a file needs: that file is refused, by name', async () => {
    const cols = columnDefinitions().filter((d) => /^`(version|account_id|interface_id|srcaddr|dstaddr|srcport|dstport|protocol|packets|bytes|start|end|action|log_status|_file|_line)`/.test(d));
    await client.exec(`CREATE TABLE narrow (${cols.join(', ')}) ENGINE = MergeTree ORDER BY (_file, _line)`);
    const file = join(dir, 'custom.flowlog');
    writeCustomFile(file, 100);
    const report = await loadFiles(client, [file], { table: 'narrow' });
    assert.equal(report.files[0].status, 'failed');
    assert.match(report.files[0].error!, /table narrow has no column vpc_id for field vpc-id of .*custom\.flowlog \(line 1\)/);
    assert.equal(await count('narrow'), 0);
    assert.ok(CUSTOM_HEADER.includes('vpc-id'));
  });
});

describe('the ClickHouse client: credentials and failures', () => {
  it('a user with a password: loads and queries', async () => {
    const file = join(dir, 'auth.flowlog');
    await writeFlowLogFile(file, { records: 500, seed: 19 });
    const authed = new ClickHouseClient({ url: cluster.url, credentials: TEST_USER });
    assert.equal((await loadFiles(authed, [file], { table: 'authed' })).records, 500);
    const r = await runClickHouseQuery({ kind: 'clickhouse', url: cluster.url, table: 'authed' }, '* | select count(*)', { credentials: TEST_USER });
    assert.deepEqual(r.rows, [[500]]);
  });

  it('a wrong password: one clear message that does not contain the password', async () => {
    const secret = 'not-the-password-Xq7';
    const e = await runClickHouseQuery({ kind: 'clickhouse', url: cluster.url, table: 'flows' }, '* | select count(*)', { credentials: { user: TEST_USER.user, password: secret } }).then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof ClickHouseError, String(e));
    assert.equal(e.kind, 'auth');
    assert.match(e.message, /refused the credentials/);
    assert.ok(!e.message.includes(secret) && !e.message.includes(Buffer.from(`${TEST_USER.user}:${secret}`).toString('base64')));
  });

  it('credentials in the URL are refused before anything is sent', () => {
    assert.throws(() => new ClickHouseClient({ url: 'http://u:secret@127.0.0.1:1/' }), (e: Error) => e instanceof ClickHouseError && !e.message.includes('secret'));
    assert.throws(() => new ClickHouseClient({ url: 'http://127.0.0.1:1/?password=secret' }), /must not carry password=/);
  });

  it('a server that refuses the connection', async () => {
    const closed = new ClickHouseClient({ url: 'http://127.0.0.1:9/' });
    await assert.rejects(closed.text('SELECT 1'), (e: Error) => e instanceof ClickHouseError && e.kind === 'refused' && /127\.0\.0\.1:9 refused the connection/.test(e.message));
  });

  it('a request after the server\'s keep-alive timeout (3 s) still goes through (no half-sent INSERT on a closed socket)', async () => {
    const body = 'x\n'.repeat(1_000_000);
    await client.exec('CREATE TABLE keepalive (s String) ENGINE = MergeTree ORDER BY s');
    await client.insert('INSERT INTO keepalive FORMAT TabSeparated', body);
    // Busy, as the loader is while it reads the next batch: the server's FIN is not seen before the next write.
    const until = Date.now() + 3_500;
    while (Date.now() < until) { /* reading records */ }
    await client.insert('INSERT INTO keepalive FORMAT TabSeparated', body);
    assert.equal(await count('keepalive'), 2_000_000);
  });

  it('https:// to a server that speaks plain HTTP: a TLS failure, named', async () => {
    // A plain HTTP server of the test's own: how ClickHouse 18.16 answers a TLS hello varies (once it held the
    // connection for the client's whole timeout), and what is checked here is our client's message.
    const plain = createServer((_req, res) => res.end('plain'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const port = (plain.address() as AddressInfo).port;
      const tls = new ClickHouseClient({ url: `https://127.0.0.1:${port}`, timeoutMs: 20_000 });
      await assert.rejects(tls.text('SELECT 1'), (e: Error) => e instanceof ClickHouseError && /^cannot open a TLS connection to https:\/\/127\.0\.0\.1:\d+/.test(e.message));
    } finally {
      plain.close();
    }
  });

  it('a server that does not answer in time: a timeout, no partial answer', async () => {
    const slow = new ClickHouseClient({ url: cluster.url, timeoutMs: 1_000 });
    await assert.rejects(slow.text('SELECT sleep(3)'), (e: Error) => e instanceof ClickHouseError && /did not answer within 1 s|Timeout exceeded/i.test(e.message));
  });

  it('an error in the middle of an answer is an error, never a shorter result', async () => {
    const rows: unknown[] = [];
    const lines = client.lines({ body: 'SELECT number, throwIf(number = 30000) FROM system.numbers LIMIT 100000 FORMAT JSONCompact', params: { max_block_size: 1_000 } });
    await assert.rejects((async () => {
      for await (const item of readJsonCompact(lines, client.label)) if (item.kind === 'row') rows.push(item.row);
    })(), (e: Error) => e instanceof ClickHouseError && /broke off|throwIf|Value passed/.test(e.message));
    assert.ok(rows.length < 100_000);
  });

  it('a server error: the server\'s own message and code', async () => {
    await assert.rejects(runClickHouseQuery({ kind: 'clickhouse', url: cluster.url, table: 'no_such_table' }, '* | select count(*)'),
      (e: Error) => e instanceof ClickHouseError && e.kind === 'server' && /code 60\).*no_such_table/.test(e.message));
  });

  it('cancellation drops the request and kills the query on the server', async () => {
    const stop = new AbortController();
    const queryId = newQueryId();
    setTimeout(() => stop.abort(), 300);
    const started = Date.now();
    await assert.rejects(client.text('SELECT count() FROM numbers(100000000000)', { signal: stop.signal, queryId }), QueryCancelledError);
    assert.ok(Date.now() - started < 2_000);
    await client.kill(queryId);
    for (let i = 0; i < 50; i++) {
      if ((await client.text(`SELECT count() FROM system.processes WHERE query_id = '${queryId}'`)).trim() === '0') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail('the query still runs on the server');
  });

  it('progress comes from the server\'s counters while a query runs', async () => {
    const queryId = newQueryId();
    const seen: [number, number][] = [];
    const stop = watchProgress(client, queryId, (done, total) => seen.push([done, total]), 50);
    await client.text('SELECT sum(number) FROM numbers(200000000)', { queryId });
    stop();
    assert.ok(seen.length > 0, 'no progress reported');
    assert.ok(seen.every(([d, t]) => d > 0 && t >= d));
  });
});
