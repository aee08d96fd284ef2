// flowlog/diagnose and the conversations query with the job host on (the bundle dist/server.js as the host thread,
// as in the packaged server; npm test builds it first): a JSON document's own lines, progress, a query error at its
// position, a file that is not there, and a cancelled request answered RequestCancelled, after which the same host
// answers the next request; one set of threads at a time (a job stops the engine's idle pool, a query the idle host).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LSPErrorCodes, WorkDoneProgress, WorkDoneProgressReport } from 'vscode-languageserver-protocol/node';
import { DiagnoseRequest, QUERY_SYNTAX_ERROR, QueryRequest } from '../../server/src/protocol';
import { jobHostThreadId, jobsRunOffThread, stopJobHost } from '../../server/src/core/threads/offThread';
import { sharedPoolThreadIds } from '../../server/src/core/threads/pool';
import { runConversationQuery } from '../../server/src/core/diagnose/conversationQuery';
import { plantConversations } from '../support/plantConversations';
import { TestClient, inMemoryServer } from './harness';
import { SEED_JSON_DOCUMENT, SEED_LINES } from '../support/seed';
import { savedEnv } from '../support/env';

const BUNDLE = resolve(__dirname, '../../dist/server.js');
const restoreEnv = savedEnv('FLOWLOG_WORKER_SCRIPT');

let client: TestClient;
let dir: string;

before(async () => {
  assert.ok(existsSync(BUNDLE), 'npm test builds dist/server.js first');
  process.env.FLOWLOG_WORKER_SCRIPT = BUNDLE;
  client = inMemoryServer();
  await client.initialize();
  dir = mkdtempSync(join(tmpdir(), 'flowlog-lsp-offthread-'));
});

after(async () => {
  client.dispose();
  await stopJobHost();
  restoreEnv();
  rmSync(dir, { recursive: true, force: true });
});

describe('the diagnosis and the conversations query on the job host thread', () => {
  it("a JSON document's records on its own lines, in the diagnosis and in request_line/reply_line", async () => {
    assert.ok(jobsRunOffThread());
    const uri = 'file:///tmp/offthread-seed.json';
    await client.open(uri, SEED_JSON_DOCUMENT);
    const r = await client.connection.sendRequest(DiagnoseRequest, { uri });
    assert.equal(r.verdicts['response-rejected'], 1);
    const c = r.conversations[0];
    assert.deepEqual([c.evidence.request?.line, c.evidence.reply?.line], [2, 4]);
    assert.match(c.readingText, /offthread-seed\.json:2 \(ACCEPT\) · reply \S+offthread-seed\.json:4 \(REJECT\)/);
    const q = await client.connection.sendRequest(QueryRequest, { uri, query: 'verdict:response-rejected | select verdict, request_line, reply_line' });
    assert.deepEqual(q.rows, [['response-rejected', 2, 4]]);
    assert.equal(typeof jobHostThreadId(), 'number', 'the host thread answered');
  });

  it('a planted log from disk: the rows runConversationQuery gives, with work-done progress from the host', async () => {
    const file = join(dir, 'planted.flowlog');
    writeFileSync(file, plantConversations({ seed: 4 }).text);
    const query = 'NOT verdict:ok | select verdict, service, count(*) as n group by 1, 2 order by n desc, 1, 2';
    const token = 'offthread-progress';
    const reports: WorkDoneProgressReport[] = [];
    const sub = client.connection.onProgress(WorkDoneProgress.type, token, (p) => {
      if (p.kind === 'report') reports.push(p);
    });
    const r = await client.connection.sendRequest(QueryRequest, { uri: pathToFileURL(file).toString(), query, workDoneToken: token });
    sub.dispose();
    const here = await runConversationQuery({ kind: 'files', paths: [file] }, query);
    assert.deepEqual(r.rows, here.rows);
    assert.equal(r.stats.conversations, here.stats.records);
    assert.ok(reports.length > 0 && reports.every((p) => typeof p.percentage === 'number'), 'work-done progress reported');
  });

  it('a query error at its position, and a file that is not there, answer as they did on the main thread', async () => {
    const uri = 'file:///tmp/offthread-seed.flowlog';
    await client.open(uri, SEED_LINES.join('\n'));
    await assert.rejects(client.connection.sendRequest(QueryRequest, { uri, query: 'verdict:ok | select srcaddr' }), (err: { code: number; data: { line: number; column: number; formatted: string } }) => {
      assert.equal(err.code, QUERY_SYNTAX_ERROR);
      assert.deepEqual([err.data.line, err.data.column], [1, 21]);
      assert.match(err.data.formatted, /conversations have no column srcaddr/);
      return true;
    });
    const missing = pathToFileURL(join(dir, 'not-there.flowlog')).toString();
    await assert.rejects(client.connection.sendRequest(DiagnoseRequest, { uri: missing }), /no such file or folder/);
    await assert.rejects(client.connection.sendRequest(QueryRequest, { uri: missing, query: 'verdict:ok' }), /no such file or folder/);
  });

  it('a cancelled diagnosis and a cancelled conversations query answer RequestCancelled; the same host answers next', async () => {
    const file = join(dir, 'big.flowlog');
    const line = (i: number) => `2 1251762227 eni-lq6mkcis 172.31.16.139 10.0.${(i >> 8) & 255}.${i & 255} ${20000 + (i % 30000)} 22 6 20 4249 ${1418530010 + i} ${1418530070 + i} ACCEPT OK`;
    writeFileSync(file, Array.from({ length: 300_000 }, (_, i) => line(i)).join('\n'));
    const uri = pathToFileURL(file).toString();
    const cancelled = [
      await client.cancelAtFirstProgress((token, workDoneToken) => client.connection.sendRequest(DiagnoseRequest, { uri, workDoneToken }, token)),
      await client.cancelAtFirstProgress((token, workDoneToken) => client.connection.sendRequest(QueryRequest, { uri, query: 'select client_address, count(*) group by 1', workDoneToken }, token)),
    ];
    assert.deepEqual(cancelled, [LSPErrorCodes.RequestCancelled, LSPErrorCodes.RequestCancelled]);
    const thread = jobHostThreadId();
    const seedFile = join(dir, 'seed.flowlog');
    writeFileSync(seedFile, SEED_LINES.join('\n') + '\n');
    const r = await client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(seedFile).toString() });
    assert.deepEqual(r.conversations[0].evidence, { request: { file: seedFile, line: 1 }, reply: { file: seedFile, line: 2 } });
    assert.equal(jobHostThreadId(), thread, 'the same host thread');
  });

  it("one set of threads at a time: a job stops the engine's idle workers, and a query after it the idle host", async () => {
    // A folder of several files: a query reads it on the engine's pool.
    const folder = join(dir, 'threads');
    mkdirSync(folder, { recursive: true });
    for (let f = 0; f < 4; f++) writeFileSync(join(folder, `part-${f}.flowlog`), SEED_LINES.join('\n') + '\n');
    const uri = pathToFileURL(folder).toString();
    const query = () => client.connection.sendRequest(QueryRequest, { uri, glob: '**/*.flowlog', query: 'action:REJECT | select count(*) as n' });
    assert.deepEqual((await query()).rows, [[4]]);
    const poolThreads = sharedPoolThreadIds();
    assert.ok(poolThreads.length > 0, 'the query ran on the pool');
    await client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(join(folder, 'part-0.flowlog')).toString() });
    assert.deepEqual(sharedPoolThreadIds(), [], "the engine's idle workers were stopped for the job");
    assert.equal(typeof jobHostThreadId(), 'number', 'the host ran the job');
    assert.deepEqual((await query()).rows, [[4]]);
    assert.equal(jobHostThreadId(), undefined, 'the idle host was stopped for the query');
    const again = sharedPoolThreadIds();
    assert.ok(again.length > 0 && again.every((t) => !poolThreads.includes(t)), 'the query started new workers');
  });
});
