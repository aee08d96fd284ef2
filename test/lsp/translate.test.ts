// flowlog/translate, the request behind Copy Query As…: each dialect's text is the core translator's, and a query a
// dialect cannot express fails with the translator's message and its position.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseError } from 'vscode-languageserver-protocol';
import { QUERY_SYNTAX_ERROR, QueryErrorData, TranslateRequest } from '../../server/src/protocol';
import { DIALECTS, translateQuery } from '../../server/src/core/translate';
import { TestClient, inMemoryServer } from './harness';

let client: TestClient;

before(async () => {
  client = inMemoryServer();
  await client.initialize();
});

after(() => client.dispose());

describe('flowlog/translate', () => {
  const query = 'action:REJECT AND dstport:22 | select srcaddr, count(*) as n group by srcaddr order by n desc limit 10';

  it('answers the translator\'s text and notes for every dialect', async () => {
    for (const dialect of DIALECTS) {
      const answer = await client.connection.sendRequest(TranslateRequest, { query, dialect });
      assert.deepEqual(answer, translateQuery(query, dialect), dialect);
      assert.ok(answer.text.length > 0);
    }
  });

  it('names the table for the SQL dialects', async () => {
    const answer = await client.connection.sendRequest(TranslateRequest, { query, dialect: 'clickhouse', table: 'logs.flows_dist' });
    assert.match(answer.text, /FROM `logs`\.`flows_dist`/);
  });

  it('a query the dialect cannot express: the translator\'s message, naming the part, at its position', async () => {
    const q = '* | select count(distinct srcaddr) as n, sum(distinct bytes) as b';
    await assert.rejects(client.connection.sendRequest(TranslateRequest, { query: q, dialect: 'cwli' }), (e: unknown) => {
      assert.ok(e instanceof ResponseError && e.code === QUERY_SYNTAX_ERROR);
      assert.match(e.message, /sum\(DISTINCT …\) has no CloudWatch Logs Insights equivalent/);
      assert.equal((e.data as QueryErrorData).column, q.indexOf('sum(distinct') + 1);
      return true;
    });
  });

  it('a query that does not parse, an unknown dialect and a bad table name are refused', async () => {
    await assert.rejects(client.connection.sendRequest(TranslateRequest, { query: '* | select from', dialect: 'athena' }), (e: unknown) => e instanceof ResponseError && e.code === QUERY_SYNTAX_ERROR);
    await assert.rejects(client.connection.sendRequest(TranslateRequest, { query, dialect: 'splunk' as never }), /no such dialect: splunk/);
    await assert.rejects(client.connection.sendRequest(TranslateRequest, { query, dialect: 'clickhouse', table: 'x; drop' }), /is not a table name/);
  });
});
