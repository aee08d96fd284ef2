// `flowlog translate`'s dialects as text: golden translations of typical questions into Trino/Athena SQL, CLS and
// CloudWatch Logs Insights, what each refuses (positioned, naming the part), and Athena's DDL for the S3 layouts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from '../../server/src/core/query/errors';
import { Dialect, athenaDdl, translateQuery } from '../../server/src/core/translate';

const TOP_REJECTED = 'action:REJECT AND dstport:3389 | select srcaddr, count(*) as attempts group by srcaddr order by attempts desc limit 10';
const NOT_PRIVATE = '(dstport:22 OR dstport:3389) AND NOT srcaddr:10.0.0.0/8';
const TIMELINE = '* | select histogram(start, interval 5 minute) as t, sum(bytes) as bytes, count(*) as records group by t order by t';
const NODATA = 'logStatus:nodata OR log_status:SKIPDATA | select interface_id, count(*) group by interface_id';
const EXCLUSIVE = 'interface-id:eni-0A* AND bytes:{1000 TO 5000} | select count(*), avg(packets) where srcport not between 1 and 1023';

const GOLDEN: [string, Dialect, string][] = [
  [TOP_REJECTED, 'trino', `SELECT srcaddr, count(*) AS "attempts"
FROM vpc_flow_logs
WHERE (action = 'REJECT' AND dstport = 3389)
GROUP BY 1
ORDER BY "attempts" DESC NULLS LAST
LIMIT 10`],
  [TOP_REJECTED, 'cls', 'action:REJECT AND dstport:3389 | SELECT srcaddr, count(*) AS "attempts" GROUP BY srcaddr ORDER BY "attempts" DESC NULLS LAST LIMIT 10'],
  [TOP_REJECTED, 'cwli', `filter (action = "REJECT" and dstPort = 3389)
| stats count(*) as attempts by srcAddr
| sort attempts desc
| limit 10`],
  [NOT_PRIVATE, 'trino', `SELECT *
FROM vpc_flow_logs
WHERE ((dstport = 22 OR dstport = 3389) AND NOT coalesce(contains(IPPREFIX '10.0.0.0/8', TRY_CAST(srcaddr AS IPADDRESS)), false))`],
  [NOT_PRIVATE, 'cls', '(dstport:22 OR dstport:3389) AND NOT srcaddr:10.*'],
  [NOT_PRIVATE, 'cwli', `fields @timestamp, @message
| filter ((dstPort = 22 or dstPort = 3389) and not isIpInSubnet(srcAddr, "10.0.0.0/8"))`],
  [TIMELINE, 'trino', `SELECT format_datetime(from_unixtime(floor(CAST(start AS DOUBLE) / 300) * 300, 'UTC'), 'yyyy-MM-dd''T''HH:mm:ss''Z''') AS "t", sum(bytes) AS "bytes", count(*) AS "records"
FROM vpc_flow_logs
GROUP BY 1
ORDER BY "t" ASC NULLS LAST`],
  [TIMELINE, 'cls', '* | SELECT histogram(from_unixtime(start), interval 5 minute) AS "t", sum(bytes) AS "bytes", count(*) AS "records" GROUP BY "t" ORDER BY "t" ASC NULLS LAST'],
  [TIMELINE, 'cwli', `stats sum(bytes) as bytes, count(*) as records by bin(5m)
| sort bin(5m) asc`],
  [NODATA, 'trino', `SELECT interface_id, count(*)
FROM vpc_flow_logs
WHERE (log_status = 'NODATA' OR log_status = 'SKIPDATA')
GROUP BY 1`],
  [NODATA, 'cls', 'log-status:NODATA OR log-status:SKIPDATA | SELECT "interface-id", count(*) GROUP BY "interface-id"'],
  [NODATA, 'cwli', `filter (logStatus = "NODATA" or logStatus = "SKIPDATA")
| stats count(*) by interfaceId`],
  [EXCLUSIVE, 'trino', `SELECT count(*), avg(packets)
FROM vpc_flow_logs
WHERE (lower(interface_id) LIKE 'eni-0a%' ESCAPE '\\' AND bytes > 1000 AND bytes < 5000)
  AND srcport NOT BETWEEN 1 AND 1023`],
  [EXCLUSIVE, 'cls', 'interface-id:eni-0A* AND bytes:{1000 TO 5000} | SELECT count(*), avg(packets) WHERE srcport NOT BETWEEN 1 AND 1023'],
  [EXCLUSIVE, 'cwli', `filter ((interfaceId like /(?i)^eni-0A/ and (bytes > 1000 and bytes < 5000))) and (not (srcPort >= 1 and srcPort <= 1023))
| stats count(*), avg(packets)`],
  ["* | select interface_id, sum(action = 'REJECT') as rejects group by interface_id order by rejects desc, interface_id", 'trino', `SELECT interface_id, sum(CAST(action = 'REJECT' AS INTEGER)) AS "rejects"
FROM vpc_flow_logs
GROUP BY 1
ORDER BY "rejects" DESC NULLS LAST, interface_id ASC NULLS LAST`],
  ['srcaddr:2001:db8::/32 "two words" | select count(distinct dstaddr)', 'cwli', `filter (isIpInSubnet(srcAddr, "2001:db8::/32") and @message like /(?i)(^| )two words( |$)/)
| stats count_distinct(dstAddr)`],
  // any_value (the engine's, as ClickHouse's any and Trino's arbitrary) is an aggregate in every dialect.
  ['* | select action, any_value(srcaddr) as s, count(*) group by action', 'trino', `SELECT action, arbitrary(srcaddr) AS "s", count(*)
FROM vpc_flow_logs
GROUP BY 1`],
  ['* | select action, arbitrary(srcaddr) as s group by action', 'cls', '* | SELECT action, arbitrary(srcaddr) AS "s" GROUP BY action'],
  ['* | select action, any_value(srcaddr) as s group by action', 'cwli', 'stats earliest(srcAddr) as s by action'],
  ['protocol:tcp srcaddr:172.31.0.0/16 | select count(*) where bytes / packets > 1000', 'cls', 'protocol:6 AND srcaddr:172.31.* | SELECT count(*) WHERE (CAST(bytes AS DOUBLE) / NULLIF(packets, 0)) > 1000'],
];

function refused(query: string, dialect: Dialect, message: RegExp, column: number): void {
  assert.throws(() => translateQuery(query, dialect), (e: unknown) => {
    assert.ok(e instanceof QueryError, String(e));
    assert.match(e.message, message);
    assert.equal(e.column, column);
    return true;
  });
}

describe('flowlog translate: dialects', () => {
  for (const [query, dialect, expected] of GOLDEN) {
    it(`${dialect}: ${query}`, () => assert.equal(translateQuery(query, dialect).text, expected));
  }

  it('decoders: Trino looks them up in maps built from the engine\'s own tables', () => {
    const sql = translateQuery('* | select service_name(dstport, protocol) as s, protocol_name(protocol) as p, count(*) group by s, p', 'trino').text;
    assert.match(sql, /CASE WHEN coalesce\(protocol, 6\) IN \(6, 33\) THEN element_at\(MAP\(ARRAY\[1, 7, 9, .*'rdp'.*\), dstport\) WHEN coalesce\(protocol, 6\) IN \(17, 136\)/s);
    assert.match(sql, /element_at\(MAP\(ARRAY\[0, 1, 2, .*255\], ARRAY\['HOPOPT', 'ICMP', 'IGMP', .*\]\), protocol\)/s);
  });

  it('notes what answers differently there', () => {
    assert.match(translateQuery(NOT_PRIVATE, 'trino').notes.join('\n'), /IPv4-mapped/);
    assert.match(translateQuery(TIMELINE, 'cwli').notes.join('\n'), /bin\(\) groups by @timestamp/);
    assert.match(translateQuery('* | select count(distinct srcaddr)', 'cwli').notes.join('\n'), /count_distinct\(\) in Logs Insights is an approximation/);
  });

  it('refuses what a dialect cannot say, naming it, at its position', () => {
    refused('* | select protocol_name(protocol), count(*) group by 1', 'cls', /protocol_name\(\) has no CLS equivalent/, 12);
    refused('srcaddr:172.16.0.0/12 | select count(*)', 'cls', /srcaddr:172\.16\.0\.0\/12 \(a CIDR block\) has no CLS search equivalent/, 1);
    refused('vpc-id:vpc-01 | select count(*)', 'cwli', /vpc-id \(Logs Insights discovers only the default format's fields.*\) has no CloudWatch Logs Insights equivalent/, 1);
    refused('* | select subnet(srcaddr, 24) as n, count(*) group by n', 'cwli', /subnet\(\) has no CloudWatch Logs Insights equivalent/, 12);
    refused('* | select dstport, service_name(dstport), count(*) group by dstport', 'cwli', /service_name\(dstport\) \(Logs Insights' stats shows aggregates and its by-keys only\)/, 21);
    refused("* | select sum(action = 'REJECT')", 'cwli', /sum\(\) of a condition/, 12);
    refused('* | select srcaddr, count(*) group by dstaddr', 'trino', /srcaddr is neither in GROUP BY nor inside an aggregate/, 12);
    refused('* | select round(bytes / 3, 2) limit 5', 'cwli', /round\(\) has no CloudWatch Logs Insights equivalent/, 12);
  });

  it('clickhouse: the backend\'s own SQL for a table named with --table', () => {
    assert.match(translateQuery('action:REJECT | select count(*)', 'clickhouse', { table: 'logs.flows' }).text, /^SELECT count\(\) AS __c0 FROM `logs`\.`flows` WHERE /);
  });
});

describe('Athena DDL for flow logs on S3, with partition projection on the date path', () => {
  it('text files (AWS\'s default prefixes): a header line skipped, day projected as yyyy/MM/dd', () => {
    const ddl = athenaDdl({ layout: 'text', location: 's3://logs-bucket/vpc/', accounts: ['111122223333', '444455556666'], regions: ['us-east-1', 'eu-west-1'], since: '2025/01/01' });
    assert.match(ddl, /^CREATE EXTERNAL TABLE IF NOT EXISTS vpc_flow_logs \(\n {2}version int,\n {2}account_id string,/);
    assert.match(ddl, /\n {2}`end` bigint,\n/);
    assert.match(ddl, /PARTITIONED BY \(accid string, region string, day string\)\nROW FORMAT DELIMITED FIELDS TERMINATED BY ' '\nLOCATION 's3:\/\/logs-bucket\/vpc\/AWSLogs\/'/);
    for (const p of ['"skip.header.line.count" = "1"', '"projection.enabled" = "true"', '"projection.accid.values" = "111122223333,444455556666"', '"projection.region.values" = "us-east-1,eu-west-1"',
      '"projection.day.type" = "date"', '"projection.day.range" = "2025/01/01,NOW"', '"projection.day.format" = "yyyy/MM/dd"',
      '"storage.location.template" = "s3://logs-bucket/vpc/AWSLogs/${accid}/vpcflowlogs/${region}/${day}"']) {
      assert.ok(ddl.includes(p), p);
    }
  });

  it('Hive-compatible prefixes: aws-account-id=/aws-service=/aws-region=/year=/month=/day=', () => {
    const ddl = athenaDdl({ layout: 'hive' });
    assert.match(ddl, /PARTITIONED BY \(aws_account_id string, aws_region string, year int, month int, day int\)/);
    assert.ok(ddl.includes('"projection.month.digits" = "2"') && ddl.includes('"projection.day.range" = "1,31"'));
    assert.ok(ddl.includes('"storage.location.template" = "s3://amzn-s3-demo-bucket/prefix/AWSLogs/aws-account-id=${aws_account_id}/aws-service=vpcflowlogs/aws-region=${aws_region}/year=${year}/month=${month}/day=${day}"'));
  });

  it('Parquet (hourly partitions): the Parquet SerDe, no header to skip, date and hour projected', () => {
    const ddl = athenaDdl({ layout: 'parquet' });
    assert.match(ddl, /ROW FORMAT SERDE 'org\.apache\.hadoop\.hive\.ql\.io\.parquet\.serde\.ParquetHiveSerDe'/);
    assert.doesNotMatch(ddl, /skip\.header/);
    assert.ok(ddl.includes('"projection.hour.range" = "0,23"') && ddl.includes('${region}/${date}/${hour}"'));
  });

  it('columns in the order of the flow log\'s own format (its header line); region a partition there', () => {
    const ddl = athenaDdl({ fields: 'version interface-id srcaddr dstaddr region action log-status'.split(' ') });
    assert.match(ddl, /^-- region: left out \(a partition column has the name, as in AWS's examples\)\nCREATE EXTERNAL TABLE IF NOT EXISTS vpc_flow_logs \(\n {2}version int,\n {2}interface_id string,\n {2}srcaddr string,\n {2}dstaddr string,\n {2}action string,\n {2}log_status string\n\)/);
    assert.throws(() => athenaDdl({ fields: ['version', 'colour'] }), /unknown field colour/);
  });
});
