// The query language: every construct of search and SQL, and error positions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../server/src/core/query/parser';
import { QueryError } from '../../server/src/core/query/errors';
import { checkQuery } from '../../server/src/core/query';

function searchOf(q: string) {
  return parseQuery(q).search;
}

function errorOf(q: string): QueryError {
  const e = checkQuery(q);
  assert.ok(e, `expected an error for ${q}`);
  return e;
}

describe('search syntax', () => {
  it('* and empty are all records', () => {
    assert.deepEqual(searchOf('*'), { kind: 'all' });
    assert.deepEqual(searchOf(''), { kind: 'all' });
    assert.deepEqual(searchOf('  | select count(*)'), { kind: 'all' });
  });

  it('bare terms, several terms are AND, quoted terms keep spaces', () => {
    assert.deepEqual(searchOf('REJECT'), { kind: 'term', value: 'REJECT', offset: 0 });
    const and = searchOf('REJECT 3389') as { kind: string; items: unknown[] };
    assert.equal(and.kind, 'and');
    assert.equal(and.items.length, 2);
    assert.deepEqual(searchOf('"a b"'), { kind: 'term', value: 'a b', offset: 0 });
    assert.deepEqual(searchOf('2001:db8::1'), { kind: 'term', value: '2001:db8::1', offset: 0 });
  });

  it('field:value forms', () => {
    const test = (q: string) => (searchOf(q) as { test: unknown }).test;
    assert.deepEqual(test('action:REJECT'), { op: 'eq', value: 'REJECT' });
    assert.deepEqual(test('interface-id:eni-*'), { op: 'prefix', value: 'eni-' });
    assert.deepEqual(test('bytes:>1000'), { op: 'cmp', cmp: '>', value: '1000' });
    assert.deepEqual(test('bytes:>=1000'), { op: 'cmp', cmp: '>=', value: '1000' });
    assert.deepEqual(test('bytes:<5'), { op: 'cmp', cmp: '<', value: '5' });
    assert.deepEqual(test('bytes:<=5'), { op: 'cmp', cmp: '<=', value: '5' });
    assert.deepEqual(test('dstport:[1 TO 1024]'), { op: 'range', from: '1', to: '1024', fromInclusive: true, toInclusive: true });
    assert.deepEqual(test('srcaddr:*'), { op: 'present' });
    assert.deepEqual(test('srcaddr:10.0.0.0/8'), { op: 'eq', value: '10.0.0.0/8' });
    assert.deepEqual(test('srcaddr:2001:db8::/32'), { op: 'eq', value: '2001:db8::/32' });
    assert.deepEqual(test('vpc-id:"vpc 1"'), { op: 'eq', value: 'vpc 1' });
  });

  it('item 2: {a TO b} is exclusive, and the mixed forms [a TO b} and {a TO b] parse', () => {
    const test = (q: string) => (searchOf(q) as { test: unknown }).test;
    assert.deepEqual(test('dstport:{22 TO 80}'), { op: 'range', from: '22', to: '80', fromInclusive: false, toInclusive: false });
    assert.deepEqual(test('dstport:[22 TO 80}'), { op: 'range', from: '22', to: '80', fromInclusive: true, toInclusive: false });
    assert.deepEqual(test('dstport:{22 TO 80]'), { op: 'range', from: '22', to: '80', fromInclusive: false, toInclusive: true });
    assert.deepEqual(test('start:{* TO 5]'), { op: 'range', from: '*', to: '5', fromInclusive: false, toInclusive: true });
  });

  it('AND, OR, NOT and parentheses, keywords in any case', () => {
    const q = searchOf('action:REJECT and (dstport:22 OR dstport:3389) not srcaddr:10.0.0.0/8') as { kind: string; items: { kind: string }[] };
    assert.equal(q.kind, 'and');
    assert.deepEqual(q.items.map((i) => i.kind), ['field', 'or', 'not']);
    const or = searchOf('a or b and c') as { kind: string; items: { kind: string }[] };
    assert.equal(or.kind, 'or'); // AND binds tighter
    assert.deepEqual(or.items.map((i) => i.kind), ['term', 'and']);
  });

  it('field names with aliases', () => {
    for (const name of ['log-status', 'log_status', 'logStatus', 'LOGSTATUS']) assert.equal(checkQuery(`${name}:OK`), undefined);
    assert.equal(checkQuery('srcAddr:10.0.0.1 dstPort:22'), undefined);
  });
});

describe('SQL syntax', () => {
  it('parses every clause', () => {
    const q = parseQuery("action:REJECT | select srcaddr, count(*) as n, sum(bytes) b from log where dstport in (22, 3389) and protocol between 1 and 17 and srcaddr like '10.%' and \"log-status\" is not null group by srcaddr having count(*) > 1 order by n desc, srcaddr asc limit 10");
    const sql = q.sql!;
    assert.deepEqual(sql.select.map((s) => s.alias ?? s.text), ['srcaddr', 'n', 'b']);
    assert.equal(sql.where?.kind, 'binary');
    assert.equal(sql.groupBy.length, 1);
    assert.equal(sql.having?.kind, 'binary');
    assert.deepEqual(sql.orderBy.map((o) => o.descending), [true, false]);
    assert.equal(sql.limit, 10);
  });

  it('histogram intervals in seconds, minutes, hours and days', () => {
    for (const [unit, secs] of [['second', 1], ['minute', 60], ['hour', 3600], ['day', 86400]] as const) {
      const sql = parseQuery(`* | select histogram(start, interval 5 ${unit}) as t, count(*) group by t`).sql!;
      const call = sql.select[0].expr as { args: { kind: string; seconds: number }[] };
      assert.equal(call.args[1].seconds, 5 * secs);
    }
    const quoted = parseQuery("* | select histogram(start, interval '10' minute) as t, count(*) group by t").sql!;
    assert.equal((quoted.select[0].expr as { args: { seconds: number }[] }).args[1].seconds, 600);
  });

  it('arithmetic precedence and unary minus', () => {
    const e = parseQuery('* | select 1 + 2 * 3 - -4 as x').sql!.select[0].expr as { kind: string; op: string };
    assert.equal(e.kind, 'binary');
    assert.equal(e.op, '-');
  });

  it('functions and aggregates are checked', () => {
    for (const q of [
      '* | select count(distinct srcaddr), avg(bytes), min(start), max(end)',
      '* | select from_unixtime(start), protocol_name(protocol), service_name(dstport), subnet(srcaddr, 24)',
      '* | select srcaddr, count(*) group by 1 order by 2 desc',
    ]) assert.equal(checkQuery(q), undefined, q);
  });
});

describe('query errors', () => {
  it('an unknown field suggests the closest one, at its position', () => {
    const e = errorOf('action:REJECT dstprot:22');
    assert.match(e.message, /unknown field dstprot; did you mean dstport\?/);
    assert.deepEqual([e.line, e.column], [1, 15]);
    assert.equal(e.format('action:REJECT dstprot:22'), '1:15: unknown field dstprot; did you mean dstport?\n  action:REJECT dstprot:22\n                ^');
    const s = errorOf('* | select srcadr, count(*) group by srcadr');
    assert.match(s.message, /did you mean srcaddr/);
    assert.equal(s.column, 12);
  });

  it('syntax errors say what was expected, with line and column', () => {
    const q = '* | select srcaddr,\n count(*) grup by srcaddr';
    const e = errorOf(q);
    assert.equal(e.line, 2);
    assert.equal(e.column, 16); // `grup` reads as an alias of count(*), so `by` is where it breaks
    assert.match(e.message, /unexpected by/);
    assert.ok(e.expected && e.expected.length > 0);
  });

  it('various mistakes', () => {
    assert.match(errorOf('(action:REJECT').message, /expected \)/);
    assert.match(errorOf('action:REJECT)').message, /unexpected \)/);
    assert.match(errorOf('action:').message, /expected a value/);
    assert.match(errorOf('bytes:[1 TO').message, /unclosed range/);
    assert.match(errorOf('"open').message, /unclosed quote/);
    assert.match(errorOf('protocol:tcpp').message, /unknown protocol/);
    assert.match(errorOf('srcaddr:10.0.0.0/33').message, /not a valid CIDR/);
    assert.match(errorOf('bytes:>lots').message, /is a number/);
    assert.match(errorOf('* | select').message, /expected an expression/);
    assert.match(errorOf('* | select nosuch(bytes)').message, /unknown function nosuch/);
    assert.match(errorOf('* | select count(*) where count(*) > 1').message, /aggregate: not allowed in WHERE.*HAVING/);
    assert.match(errorOf('* | select sum(sum(bytes))').message, /cannot be nested/);
    assert.match(errorOf('* | select histogram(start, interval 5 weeks)').message, /interval unit/);
    assert.match(errorOf("* | select 'abc").message, /unclosed string/);
    assert.match(errorOf('* | select srcaddr | select 1').message, /only one \|/);
    assert.match(errorOf('* | select srcaddr limit x').message, /LIMIT takes a whole number/);
    assert.match(errorOf('* | select srcaddr order by 3').message, /no column 3/);
  });

  it('item 7: a column named by a string literal with doubled quotes keeps its whole text', () => {
    const sql = parseQuery("* | select 'it''s', \"log-status\", 'a''''b' , 1 + 2").sql!;
    assert.deepEqual(sql.select.map((s) => s.text), ["'it''s'", '"log-status"', "'a''''b'", '1 + 2']);
  });

  it("item 8: interval '1.5 minute' is 90 seconds, as interval 1.5 minute", () => {
    const seconds = (q: string) => (parseQuery(q).sql!.select[0].expr as { args: { seconds: number }[] }).args[1].seconds;
    assert.equal(seconds("* | select histogram(start, interval '1.5 minute')"), 90);
    assert.equal(seconds('* | select histogram(start, interval 1.5 minute)'), 90);
    assert.equal(seconds("* | select histogram(start, interval '2hours')"), 7200);
    assert.match(errorOf("* | select histogram(start, interval '0 minute')").message, /positive/);
  });

  it('item 14: 3,000 parentheses, NOTs or chained operators give a positioned "too deeply nested" error', () => {
    for (const q of ['('.repeat(3000) + 'a' + ')'.repeat(3000), 'NOT '.repeat(3000) + 'a', '* | select ' + '('.repeat(3000) + '1' + ')'.repeat(3000), '* | select 1' + ' + 1'.repeat(3000), '* | select count(*) where ' + 'NOT '.repeat(3000) + 'bytes > 1']) {
      const e = errorOf(q);
      assert.match(e.message, /too deeply nested/, q.slice(0, 40));
      assert.ok(e.offset > 0 && e.offset < q.length, `position inside the query: ${e.offset}`);
    }
    // 150 levels are fine.
    assert.equal(checkQuery('('.repeat(150) + 'a' + ')'.repeat(150)), undefined);
    assert.equal(checkQuery('* | select ' + '('.repeat(150) + '1' + ')'.repeat(150)), undefined);
  });

  it('never throws anything but QueryError', () => {
    for (const q of ['|', '||', '* |', '(((', ')', 'NOT', 'a AND', 'x:[1 TO 2', '* | select (', '* | select count(', "* | select ''''", '* | select 1e']) {
      const e = checkQuery(q);
      assert.ok(e === undefined || e instanceof QueryError, q);
    }
  });
});
