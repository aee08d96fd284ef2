// The ClickHouse translation without a server: its SQL's shape, what it refuses (with positions), the intended
// meanings of issue 10, and guards for ClickHouse 18.16's quirks. The answers themselves are checked against the
// local engine on a real cluster (test/clickhouse/differential.test.ts, `npm run test:clickhouse`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { translateToClickHouse } from '../../server/src/core/clickhouse/translate';
import { SearchTranslator, rangeBounds } from '../../server/src/core/clickhouse/search';
import { TableInfo, defaultTableInfo } from '../../server/src/core/clickhouse/tableInfo';
import { QueryError } from '../../server/src/core/query/errors';
import { parseQuery } from '../../server/src/core/query/parser';
import { SUMMARY_QUERIES } from '../../server/src/core/summary';
import { HAND_WRITTEN } from '../support/differentialQueries';
import { FEATURE_QUERIES, INTENDED } from '../clickhouse/queries';
import { CUSTOM_HEADER } from '../clickhouse/data';

const info = defaultTableInfo();
const twoFormats: TableInfo = { ...info, formats: [info.formats[0], CUSTOM_HEADER.split(' ')] };

function refused(query: string, message: RegExp, column: number, table: TableInfo = info): void {
  assert.throws(() => translateToClickHouse(query, table), (e: unknown) => {
    assert.ok(e instanceof QueryError, String(e));
    assert.match(e.message, message);
    assert.equal(e.column, column, `column of ${e.message}`);
    return true;
  });
}

describe('ClickHouse translation', () => {
  it('any_value (and arbitrary) is an aggregate: any(), which skips NULLs as any_value does', () => {
    for (const name of ['any_value', 'arbitrary']) {
      const t = translateToClickHouse(`* | select action, ${name}(srcaddr) as s group by action`, info);
      assert.match(t.sql, /any\(`srcaddr`\)/);
    }
    refused('* | select action, any_value(distinct srcaddr) group by action', /any_value\(distinct …\) is not supported/, 20);
  });

  it('a count with a search: the table, the condition, and a count query beside it', () => {
    const t = translateToClickHouse('action:REJECT | select count(*)', info);
    assert.equal(t.sql, "SELECT count() AS __c0 FROM `flows` WHERE ifNull(lower(`action`) = 'reject', 0)");
    assert.equal(t.countSql, "SELECT (SELECT count() FROM `flows`), count() FROM `flows` WHERE ifNull(lower(`action`) = 'reject', 0)");
    assert.deepEqual(t.columns, ['count(*)']);
  });

  it('a raw search: the format\'s fields, file and line, in file order, capped', () => {
    const t = translateToClickHouse('dstport:22', info, { limit: 50 });
    assert.equal(t.kind, 'search');
    assert.deepEqual(t.columns.slice(-3), ['log-status', 'file', 'line']);
    assert.match(t.sql, /ORDER BY `_file`, `_line` LIMIT 50$/);
    const two = translateToClickHouse('dstport:22', twoFormats);
    assert.deepEqual(two.columns.slice(0, 15), [...info.formats[0], 'vpc-id']);
    assert.equal(two.columns.length, new Set(two.columns).size);
  });

  it('CIDR blocks are ranges of numbers, by family (no isIPAddressInRange: not in 18.16)', () => {
    const v4 = translateToClickHouse('srcaddr:10.0.0.0/8', info).sql;
    assert.match(v4, /IPv4StringToNum\(.*\) BETWEEN 167772160 AND 184549375/);
    const v6 = translateToClickHouse('srcaddr:2001:db8::/32', info).sql;
    assert.match(v6, /BETWEEN '20010DB8000000000000000000000000' AND '20010DB8FFFFFFFFFFFFFFFFFFFFFFFF'/);
    assert.doesNotMatch(v4 + v6, /isIPAddressInRange|toStartOfInterval|IPv4CIDRToRange/);
  });

  it('{a TO b} is exclusive; the brackets come from the AST when it carries them (mixed ranges)', () => {
    assert.match(translateToClickHouse('dstport:{22 TO 443} | select count(*)', info).sql, /`dstport` > 22 AND `dstport` < 443/);
    assert.match(translateToClickHouse('dstport:[22 TO 443] | select count(*)', info).sql, /`dstport` >= 22 AND `dstport` <= 443/);
    const query = 'dstport:[22 TO 443}';
    const node = { kind: 'field' as const, field: 'dstport', offset: 0, test: { op: 'range' as const, from: '22', to: '443', fromInclusive: true, toInclusive: false } };
    assert.deepEqual(rangeBounds(node, query), { from: '22', to: '443', fromInclusive: true, toInclusive: false });
    assert.equal(new SearchTranslator(query, info).translate(node), 'ifNull(`dstport` >= 22 AND `dstport` < 443, 0)');
    const parsed = parseQuery('bytes:{1 TO 5}').search;
    assert.deepEqual(rangeBounds(parsed as never, 'bytes:{1 TO 5}'), { from: '1', to: '5', fromInclusive: false, toInclusive: false });
  });

  it('time ranges also bound the sorting key `_start` (when the table has it)', () => {
    assert.match(translateToClickHouse('start:{1700000000 TO 1700000600} | select count(*)', info).sql, /WHERE `_start` > 1700000000 AND `_start` < 1700000600 AND /);
    assert.match(translateToClickHouse('* | select count(*) where start >= 5 and 9 > start', info).sql, /WHERE `_start` >= 5 AND `_start` < 9 AND /);
    const noKey: TableInfo = { ...info, columns: new Set([...info.columns].filter((c) => c !== '_start')) };
    assert.doesNotMatch(translateToClickHouse('start:>5 | select count(*)', noKey).sql, /_start/);
  });

  it('refuses, with the position, what it cannot translate exactly', () => {
    refused('* | select srcaddr, count(*) group by dstaddr', /srcaddr is neither in GROUP BY nor inside an aggregate/, 12);
    refused('* | select coalesce(srcaddr, bytes)', /coalesce\(\) of text and numbers/, 12);
    refused('* | select sum(interface_id)', /sum\(\) of a text value/, 12);
    refused('* | select subnet(lower(srcaddr), 24) as n, count(*) group by n', /subnet\(\) in ClickHouse takes an address field/, 12);
    refused('* | select subnet(srcaddr, dstport) as n, count(*) group by n', /whole prefix length 0–128 written as a number/, 12);
    refused("* | select count(*) where srcaddr like lower('A%')", /LIKE in ClickHouse takes a pattern written as a string/, 40);
    refused('* | select abs(version)', /abs\(\) takes a number/, 12);
    refused('dstport:0x16', /dstport is a number: 0x16 is not \(write decimal integers\)/, 9);
    refused('bytes:>1e3', /bytes is a number: 1e3 is not/, 7);
    refused('vpc-id:- | select count(*)', /vpc-id:- cannot be told from a missing vpc-id in ClickHouse/, 1, twoFormats);
    refused('action:REJECT - | select count(*)', /cannot be told from a missing/, 15, twoFormats);
    refused('* | select srcadr', /unknown field srcadr; did you mean srcaddr\?/, 12);
  });

  it('follows the intended meanings of issue 10 (HAVING: alias before field; NOT BETWEEN: SQL\'s NULLs)', () => {
    assert.match(translateToClickHouse('* | select action, sum(bytes) as bytes group by action having bytes > 1500', info).sql, /HAVING ifNull\(\(if\(count\(`bytes`\) = 0, NULL, sum\(`bytes`\)\) > 1500\) \* 2, 1\) = 2/);
    assert.match(translateToClickHouse('* | select count(*) where dstport not between null and 50', info).sql, /greatest\(1, ifNull\(\(`dstport` > 50\) \* 2, 1\)\)/);
    assert.match(translateToClickHouse('* | select srcaddr limit 12000', info).sql, /LIMIT 12000$/);
    assert.equal(translateToClickHouse('* | select srcaddr limit 12000', info).cap, undefined);
  });

  it('never writes the NOT operator (18.16 drops the parentheses of (NOT x) * 2 on its way to the shards)', () => {
    const all = [...HAND_WRITTEN.map(([q]) => q), ...FEATURE_QUERIES, ...INTENDED.map(([q]) => q), ...Object.values(SUMMARY_QUERIES)];
    for (const q of all) {
      const t = translateToClickHouse(q, info);
      const code = (t.sql + t.countSql).replace(/'(?:[^'\\]|\\.)*'/g, "''");
      assert.doesNotMatch(code, /\bNOT\b/, q);
      // ClickHouse's max_query_size is 256 KiB: the decoders' tables and time formatting stay well under it.
      assert.ok(t.sql.length < 64 * 1024, `${q}: ${t.sql.length} characters`);
    }
  });

  it('histogram groups by the bucket number and shows its ISO text', () => {
    const t = translateToClickHouse('* | select histogram(start, interval 5 minute) as t, count(*) group by t order by t', info);
    assert.match(t.sql, /GROUP BY \(floor\(toFloat64\(`start`\) \/ 300\) \* 300\) ORDER BY /);
    assert.match(t.sql, /'invalid time'/);
  });
});
