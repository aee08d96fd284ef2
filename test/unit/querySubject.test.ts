// What a query is over (core/querySubject.ts): records, or the diagnosis's conversations when it says
// `FROM conversations` or names a column only conversations have; and the check of each as the panel runs it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkAnyQuery, querySubjectOf } from '../../server/src/core/querySubject';
import { translateToClickHouse } from '../../server/src/core/clickhouse/translate';
import { defaultTableInfo } from '../../server/src/core/clickhouse/tableInfo';
import { translateQuery } from '../../server/src/core/translate';
import { runQuery } from '../../server/src/core/query';

describe('query subject', () => {
  it('records unless the query says otherwise', () => {
    for (const q of ['*', 'action:REJECT', '* | select srcaddr, count(*) group by srcaddr', "* | select interface_id, sum(bytes) as b, min(start) from log group by 1 order by b desc"]) {
      assert.equal(querySubjectOf(q), 'records', q);
    }
  });

  it("FROM conversations, or a column only conversations have (the issue's own query)", () => {
    assert.equal(querySubjectOf('verdict:response-rejected | select interface_id, count(*) group by interface_id'), 'conversations');
    assert.equal(querySubjectOf('* | select interface_id, count(*) from conversations group by interface_id'), 'conversations');
    assert.equal(querySubjectOf('* | select count(*) FROM Conversations'), 'conversations', 'the table name is case-insensitive');
    assert.equal(querySubjectOf('NOT verdict:ok'), 'conversations', 'in a NOT');
    assert.equal(querySubjectOf('* | select client_addr, count(*) where server_port = 22 group by 1'), 'conversations');
    assert.equal(querySubjectOf('* | select max(reply_rejected) as worst'), 'conversations', 'inside an aggregate');
    assert.equal(querySubjectOf('* | select interface_id having sum(request_rejected) > 3 group by interface_id'), 'records', 'a query that does not parse stays with the records (their parser reports it)');
  });

  it("an alias is not a column, and FROM log keeps a query on the records", () => {
    assert.equal(querySubjectOf('* | select dstport as service, count(*) as n group by service order by n desc'), 'records');
    assert.equal(querySubjectOf('verdict:ok | select count(*) from log'), 'records');
    assert.equal(querySubjectOf('* | select srcaddr, dstport from records'), 'records');
  });

  it('checks a query as it will run: conversation columns are fine there, unknown ones are errors with positions', () => {
    assert.equal(checkAnyQuery('verdict:response-rejected | select interface_id, count(*) group by interface_id'), undefined);
    assert.equal(checkAnyQuery('* | select count(*) from conversations'), undefined);
    const typo = checkAnyQuery('* | select verdict, clientaddr from conversations');
    assert.match(typo?.message ?? '', /no column clientaddr; did you mean client_addr/);
    assert.equal(typo?.offset, 20);
    const wrongTable = checkAnyQuery('* | select srcaddr from conversations');
    assert.match(wrongTable?.message ?? '', /conversations have no column srcaddr/);
    const onRecords = checkAnyQuery('* | select count(*) from log where verdict = 1');
    assert.match(onRecords?.message ?? '', /verdict/);
  });

  it('what reads records only (a ClickHouse table, Copy Query As…, the engine) refuses FROM conversations at its position', async () => {
    const q = '* | select verdict, count(*) from conversations group by verdict';
    const at = q.indexOf('conversations');
    for (const attempt of [
      () => translateToClickHouse(q, defaultTableInfo()),
      () => translateQuery(q, 'athena'),
      () => translateQuery(q, 'cwli'),
    ]) {
      assert.throws(attempt, (e: { message: string; offset: number }) => /FROM conversations is answered by the connectivity diagnosis/.test(e.message) && e.offset === at);
    }
    await assert.rejects(runQuery({ kind: 'text', text: '', name: 'x' }, q), (e: { offset: number }) => e.offset === at);
  });
});
