// flowlog/query over conversations (`FROM conversations`, or a column only conversations have) through the protocol:
// an open document (a JSON one keeps its own line numbers in request_line/reply_line), a folder, the as-you-type
// check, positioned errors, and cancellation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LSPErrorCodes } from 'vscode-languageserver-protocol/node';
import { CheckQueryRequest, QUERY_SYNTAX_ERROR, QueryRequest } from '../../server/src/protocol';
import { runConversationQuery } from '../../server/src/core/diagnose/conversationQuery';
import { plantConversations } from '../support/plantConversations';
import { TestClient, inMemoryServer } from './harness';
import { SEED_JSON_DOCUMENT, SEED_LINES } from '../support/seed';

const ISSUE_QUERY = 'verdict:response-rejected | select interface_id, count(*) group by interface_id';

let client: TestClient;
let dir: string;

before(async () => {
  client = inMemoryServer();
  await client.initialize();
  dir = mkdtempSync(join(tmpdir(), 'flowlog-lsp-conversations-'));
});

after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('flowlog/query over conversations', () => {
  it("the issue's query on the open seed, and the conversation's two lines", async () => {
    const uri = 'file:///tmp/conversations-seed.flowlog';
    await client.open(uri, SEED_LINES.join('\n'));
    const r = await client.connection.sendRequest(QueryRequest, { uri, query: ISSUE_QUERY });
    assert.deepEqual([r.kind, r.columns, r.rows], ['sql', ['interface_id', 'count(*)'], [['eni-lq6mkcis', 1]]]);
    assert.deepEqual([r.stats.records, r.stats.conversations, r.stats.matched], [2, 1, 1]);
    const rows = await client.connection.sendRequest(QueryRequest, { uri, query: '* | select verdict, request_file, request_line, reply_line from conversations' });
    assert.deepEqual(rows.rows, [['response-rejected', '/tmp/conversations-seed.flowlog', 1, 2]]);
    const records = await client.connection.sendRequest(QueryRequest, { uri, query: '* | select count(*) from log' });
    assert.deepEqual([records.rows, records.stats.conversations], [[[2]], undefined], 'FROM log: the records');
  });

  it("a JSON document's rows carry the document's own lines", async () => {
    const uri = 'file:///tmp/conversations-seed.json';
    await client.open(uri, SEED_JSON_DOCUMENT);
    const r = await client.connection.sendRequest(QueryRequest, { uri, query: 'NOT verdict:ok | select verdict, request_line, reply_line' });
    assert.deepEqual(r.rows, [['response-rejected', 2, 4]]);
  });

  it('a folder (read from disk) answers as the core does over the same files, with the source it held', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const planted = plantConversations({ seed: 3 }).text.split('\n');
    const half = Math.floor(planted.length / 2);
    writeFileSync(join(folder, 'a.flowlog'), planted.slice(0, half).join('\n') + '\n');
    writeFileSync(join(folder, 'b.flowlog'), planted.slice(half).join('\n'));
    const query = '* | select verdict, service, count(*) as n, sum(bytes) as b group by 1, 2 order by n desc, 1, 2';
    const r = await client.connection.sendRequest(QueryRequest, { uri: pathToFileURL(folder).toString(), query });
    const core = await runConversationQuery({ kind: 'files', paths: [join(folder, 'a.flowlog'), join(folder, 'b.flowlog')] }, query);
    assert.ok(r.rows.length > 3);
    assert.deepEqual(r.rows, core.rows);
    assert.equal(r.source?.files, 2);
    assert.equal(r.stats.conversations, core.stats.records);
  });

  it('the as-you-type check takes conversation columns, and a wrong one is an error at its position', async () => {
    assert.equal(await client.connection.sendRequest(CheckQueryRequest, { query: ISSUE_QUERY }), null);
    const e = await client.connection.sendRequest(CheckQueryRequest, { query: 'verdict:ok | select srcaddr' });
    assert.match(e?.message ?? '', /conversations have no column srcaddr/);
    assert.deepEqual([e?.line, e?.column], [1, 21]);
    const uri = 'file:///tmp/conversations-seed.flowlog';
    await assert.rejects(client.connection.sendRequest(QueryRequest, { uri, query: 'verdict:ok | select srcaddr' }), (err: { code: number; data: { column: number } }) => {
      assert.equal(err.code, QUERY_SYNTAX_ERROR);
      assert.equal(err.data.column, 21);
      return true;
    });
  });

  it('a cancelled query over conversations of a file on disk answers RequestCancelled (-32800)', async () => {
    const file = join(dir, 'big.flowlog');
    const line = (i: number) => `2 1251762227 eni-lq6mkcis 172.31.16.139 10.0.${(i >> 8) & 255}.${i & 255} ${20000 + (i % 30000)} 22 6 20 4249 ${1418530010 + i} ${1418530070 + i} ACCEPT OK`;
    writeFileSync(file, Array.from({ length: 300_000 }, (_, i) => line(i)).join('\n'));
    const code = await client.cancelAtFirstProgress((token, workDoneToken) => client.connection.sendRequest(QueryRequest, { uri: pathToFileURL(file).toString(), query: ISSUE_QUERY, workDoneToken }, token));
    assert.equal(code, LSPErrorCodes.RequestCancelled);
  });
});
