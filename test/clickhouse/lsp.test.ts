// The language server's ClickHouse requests, as the extension sends them, on a real two-shard cluster: a query and
// the summary of a table (a `flowlog-clickhouse:` URI) answer what the same requests answer on the file loaded into
// it; credentials travel sealed and a wrong one, a refused connection and a missing table each give one message;
// cancelling kills the query on the server; loading files with progress and malformed lines reported.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LSPErrorCodes, ResponseError, Trace, WorkDoneProgress } from 'vscode-languageserver-protocol';
import { ClickHouseClient } from '../../server/src/core/clickhouse/http';
import { loadFiles } from '../../server/src/core/clickhouse/load';
import { clickhouseTargetUri } from '../../server/src/clickhouseTarget';
import { PlainCredentials, sealCredentials } from '../../server/src/sealedCredentials';
import {
  CLICKHOUSE_ERROR, ClickHouseErrorData, ClickHouseKeyRequest, ClickHouseLoadRequest, ClickHouseRequestOptions, QUERY_SYNTAX_ERROR, QueryRequest,
  SummaryRequest,
} from '../../server/src/protocol';
import { writeFlowLogFile } from '../support/generate';
import { TestClient, inMemoryServer } from '../lsp/harness';
import { Cluster, TEST_USER, startCluster } from './cluster';

let cluster: Cluster;
let dir: string;
let file: string;
let lsp: TestClient;
let tableUri: string;

before(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'flowlog-ch-lsp-'));
  file = join(dir, 'flows.flowlog');
  await writeFlowLogFile(file, { records: 3_000, seed: 5, header: true, nodataShare: 0.04 });
  const report = await loadFiles(new ClickHouseClient({ url: cluster.url }), [file], { table: cluster.table });
  assert.equal(report.records, 3_000);
  tableUri = clickhouseTargetUri({ url: cluster.url, table: cluster.table });
  lsp = inMemoryServer();
  await lsp.initialize();
});

after(async () => {
  lsp?.dispose();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Options of a request, with `credentials` sealed for this server as the extension seals them. */
async function sealed(credentials: PlainCredentials): Promise<ClickHouseRequestOptions> {
  const { publicKey } = await lsp.connection.sendRequest(ClickHouseKeyRequest);
  return { credentials: sealCredentials(credentials, publicKey) };
}

const fileUri = () => pathToFileURL(file).toString();

function clickhouseError(kind: ClickHouseErrorData['kind'], pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof ResponseError, String(e));
    assert.equal(e.code, CLICKHOUSE_ERROR);
    assert.equal((e.data as ClickHouseErrorData).kind, kind);
    assert.match(e.message, pattern);
    return true;
  };
}

describe('the language server on a ClickHouse table', () => {
  it('a query answers the rows, columns and NULLs the same query answers on the file', async () => {
    const queries = [
      'action:REJECT',
      'dstport:22 OR dstport:3389',
      'log-status:NODATA',
      '* | select srcaddr, count(*) as n, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 10',
      '* | select histogram(start, interval 5 minute) as t, sum(bytes) as b group by t order by t',
      'srcaddr:10.0.0.0/8 | select protocol, count(*) as n group by protocol order by protocol',
    ];
    for (const query of queries) {
      const local = await lsp.connection.sendRequest(QueryRequest, { uri: fileUri(), query, limit: 100_000 });
      const remote = await lsp.connection.sendRequest(QueryRequest, { uri: tableUri, query, limit: 100_000 });
      assert.equal(remote.kind, local.kind, query);
      assert.deepEqual(remote.columns, local.columns, query);
      assert.deepEqual(remote.rows, local.rows, query);
      assert.equal(remote.stats.matched, local.stats.matched, query);
      assert.equal(remote.stats.records, 3_000, query);
      assert.ok(remote.rows.length > 0, `${query}: no rows (the comparison would prove nothing)`);
    }
    // NODATA records have `-` fields: NULL on both sides.
    const nodata = await lsp.connection.sendRequest(QueryRequest, { uri: tableUri, query: 'log-status:NODATA' });
    assert.ok(nodata.rows.some((r) => r.includes(null)));
  });

  it('a capped search keeps the exact match count, and readings for the quick pick', async () => {
    const remote = await lsp.connection.sendRequest(QueryRequest, { uri: tableUri, query: 'action:ACCEPT', limit: 7, withReadings: true });
    const local = await lsp.connection.sendRequest(QueryRequest, { uri: fileUri(), query: 'action:ACCEPT', limit: 7, withReadings: true });
    assert.equal(remote.rows.length, 7);
    assert.equal(remote.stats.matched, local.stats.matched);
    assert.ok(remote.stats.matched > 7);
    assert.deepEqual(remote.readings, local.readings);
  });

  it('a query that does not parse: the syntax error with its position, as for a file', async () => {
    await assert.rejects(lsp.connection.sendRequest(QueryRequest, { uri: tableUri, query: '* | select count(* from' }), (e: unknown) =>
      e instanceof ResponseError && e.code === QUERY_SYNTAX_ERROR && typeof (e.data as { column: number }).column === 'number');
  });

  it('the summary of the table is the summary of the file', async () => {
    const local = await lsp.connection.sendRequest(SummaryRequest, { uri: fileUri() });
    const remote = await lsp.connection.sendRequest(SummaryRequest, { uri: tableUri });
    assert.equal(remote.summary.records, 3_000);
    assert.deepEqual(remote.summary, local.summary);
  });

  it('credentials travel sealed: the right ones query, a wrong password is one message without the password', async () => {
    // What `flowlog.trace.server: verbose` writes: every message, params and results, as the client sees them.
    const traced: string[] = [];
    await lsp.connection.trace(Trace.Verbose, { log: (message: string | unknown, data?: string) => traced.push(`${String(message)} ${data ?? ''}`) });
    const good = await sealed(TEST_USER);
    assert.ok(!JSON.stringify(good).includes(TEST_USER.password.slice(0, 4)), 'the password is in the request');
    const r = await lsp.connection.sendRequest(QueryRequest, { uri: tableUri, query: '* | select count(*) as n', clickhouse: good });
    assert.deepEqual(r.rows, [[3_000]]);
    const wrong = await sealed({ user: TEST_USER.user, password: 'not-the-password-xyz' });
    await assert.rejects(lsp.connection.sendRequest(QueryRequest, { uri: tableUri, query: '* | select count(*) as n', clickhouse: wrong }), (e: unknown) => {
      clickhouseError('auth', /^ClickHouse at http:\/\/127\.0\.0\.1:\d+ refused the credentials/)(e);
      assert.ok(!(e as Error).message.includes('not-the-password-xyz'));
      return true;
    });
    await assert.rejects(lsp.connection.sendRequest(SummaryRequest, { uri: tableUri, clickhouse: wrong }), clickhouseError('auth', /refused the credentials/));
    await lsp.connection.trace(Trace.Off, { log: () => undefined });
    assert.ok(traced.some((t) => t.includes('flowlog/query') && t.includes('"credentials"')), 'the trace shows no requests: the check below proves nothing');
    for (const secret of [TEST_USER.password, 'not-the-password-xyz']) assert.ok(!traced.some((t) => t.includes(secret)), `the trace shows ${secret}`);
  });

  it('credentials sealed for another key are refused, by name, and never used', async () => {
    const other = sealCredentials(TEST_USER, (await import('node:crypto')).createECDH('prime256v1').generateKeys().toString('base64'));
    await assert.rejects(lsp.connection.sendRequest(QueryRequest, { uri: tableUri, query: '*', clickhouse: { credentials: other } }),
      clickhouseError('credentials', /could not be opened/));
  });

  it('a server that refuses the connection, and a table that does not exist: one clear message each', async () => {
    const closed = clickhouseTargetUri({ url: 'http://127.0.0.1:9', table: 'flows' });
    await assert.rejects(lsp.connection.sendRequest(QueryRequest, { uri: closed, query: 'action:REJECT' }), clickhouseError('refused', /^ClickHouse at http:\/\/127\.0\.0\.1:9 refused the connection/));
    await assert.rejects(lsp.connection.sendRequest(SummaryRequest, { uri: closed }), clickhouseError('refused', /refused the connection/));
    const missing = clickhouseTargetUri({ url: cluster.url, table: 'no_such_table' });
    await assert.rejects(lsp.connection.sendRequest(QueryRequest, { uri: missing, query: '*' }), clickhouseError('server', /code 60\).*no_such_table/));
  });

  it('a server that does not answer in time: a timeout, no result', async () => {
    const slow = await makeSlowTable();
    // The server stops the query itself (max_execution_time: code 159), or the client gives up a second later.
    await assert.rejects(lsp.connection.sendRequest(QueryRequest, { uri: slow, query: '* | select srcaddr, count(*) as n group by srcaddr', clickhouse: { timeoutMs: 1_000 } }), (e: unknown) => {
      assert.ok(e instanceof ResponseError && e.code === CLICKHOUSE_ERROR, String(e));
      assert.match(e.message, /did not answer within 1 s|code 159\): Timeout exceeded/);
      return true;
    });
  });

  it('cancelling the request kills the query on the server', async () => {
    const slow = await makeSlowTable();
    const { CancellationTokenSource } = await import('vscode-languageserver-protocol');
    const cancel = new CancellationTokenSource();
    const request = lsp.connection.sendRequest(QueryRequest, { uri: slow, query: '* | select srcaddr, sum(bytes) as b group by srcaddr order by b desc limit 5', clickhouse: { timeoutMs: 60_000 } }, cancel.token);
    request.catch(() => undefined);
    const admin = new ClickHouseClient({ url: cluster.url });
    // Ours: the query (it groups by srcaddr) and the count beside it; is_cancelled once KILL QUERY reached them.
    const ours = async () => (await admin.text("SELECT position(query, 'srcaddr') > 0, is_cancelled FROM system.processes WHERE query LIKE '%slow_flows%' AND query NOT LIKE '%system.processes%' FORMAT TabSeparated"))
      .split('\n').filter(Boolean).map((l) => ({ main: l.split('\t')[0] === '1', cancelled: l.split('\t')[1] === '1' }));
    for (let i = 0; i < 100 && !(await ours()).some((q) => q.main); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok((await ours()).some((q) => q.main), 'the query never started on the server');
    const cancelledAt = Date.now();
    cancel.cancel();
    await assert.rejects(request, (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled);
    assert.ok(Date.now() - cancelledAt < 2_000, 'the request did not end at once');
    for (let i = 0; i < 100; i++) {
      const left = await ours();
      // The count's scalar subquery (SELECT count() FROM t) is evaluated while ClickHouse 18.16 analyses the query,
      // where it does not look at the cancel flag: it is marked cancelled and ends when its scan does.
      if (!left.some((q) => q.main) && left.every((q) => q.cancelled)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`the query still runs on the server: ${JSON.stringify(await ours())}`);
  });

  it('loads a folder with progress, and reports each malformed line with its number', async () => {
    const folder = join(dir, 'load');
    mkdirSync(folder);
    await writeFlowLogFile(join(folder, 'a.flowlog'), { records: 500, seed: 9, header: true });
    const lines = readFileSync(join(folder, 'a.flowlog'), 'utf8').split('\n');
    lines.splice(10, 0, '2 123456789012 eni-bad not-an-address 10.0.0.1 1 2 6 1 1 1 2 ACCEPT OK');
    writeFileSync(join(folder, 'b.flowlog'), lines.join('\n'));
    const token = 'load-progress';
    const reports: { percentage?: number; message?: string }[] = [];
    const sub = lsp.connection.onProgress(WorkDoneProgress.type, token, (p) => {
      if (p.kind === 'report') reports.push(p);
    });
    const result = await lsp.connection.sendRequest(ClickHouseLoadRequest, { uris: [pathToFileURL(folder).toString()], url: cluster.url, table: 'editor_loads', workDoneToken: token });
    sub.dispose();
    assert.equal(result.created, true);
    assert.equal(result.files.length, 2);
    assert.equal(result.records, 1_000);
    assert.equal(result.malformed, 1);
    const b = result.files.find((f) => f.file.endsWith('b.flowlog'))!;
    assert.deepEqual(b.malformedLines.map((m) => m.line), [11]);
    assert.ok(b.malformedLines[0].message.length > 0);
    assert.ok(reports.length > 0, 'no progress reported');
    const q = await lsp.connection.sendRequest(QueryRequest, { uri: clickhouseTargetUri({ url: cluster.url, table: 'editor_loads' }), query: '* | select count(*) as n' });
    assert.deepEqual(q.rows, [[1_000]]);
    const again = await lsp.connection.sendRequest(ClickHouseLoadRequest, { uris: [pathToFileURL(folder).toString()], url: cluster.url, table: 'editor_loads' });
    assert.deepEqual(again.files.map((f) => f.status), ['already loaded', 'already loaded']);
    assert.equal(again.records, 0);
  });

  it('loading into a server that refuses: one message, nothing reported as loaded', async () => {
    await assert.rejects(lsp.connection.sendRequest(ClickHouseLoadRequest, { uris: [fileUri()], url: 'http://127.0.0.1:9', table: 'flows' }), clickhouseError('refused', /refused the connection/));
  });
});

let slowUri: string | undefined;

/**
 * A table (a view over system.numbers, in blocks the server can stop between) with the columns of the documented
 * schema the tests' queries read: grouping its 3 billion rows runs for many seconds; counting them, a few.
 */
async function makeSlowTable(): Promise<string> {
  if (slowUri) return slowUri;
  const admin = new ClickHouseClient({ url: cluster.url });
  await admin.exec('CREATE VIEW slow_flows AS SELECT toNullable(toString(number % 1000)) AS srcaddr, toNullable(toUInt64(number)) AS bytes, \'\' AS _file, toUInt64(0) AS _line FROM numbers(3000000000)');
  slowUri = clickhouseTargetUri({ url: cluster.url, table: 'slow_flows' });
  return slowUri;
}
