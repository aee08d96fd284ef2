// The differential query set: each entry is a query of ours and the same question in DuckDB's SQL over a table
// `flows` of the same records (columns as in Athena's DDL: account_id, log_status, "end"…). Used by the DuckDB
// differential (test/unit/differential.test.ts) and the ClickHouse one (test/clickhouse/differential.test.ts).

export const HAND_WRITTEN: [string, string][] = [
  ['action:REJECT | select count(*)', "select count(*) from flows where action = 'REJECT'"],
  ['* | select count(*), sum(bytes), sum(packets), min(start), max(end)', 'select count(*), sum(bytes), sum(packets), min(start), max("end") from flows'],
  ['action:REJECT | select srcaddr, count(*) as n, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 10',
    "select srcaddr, count(*) as n, sum(bytes) as b from flows where action = 'REJECT' group by srcaddr order by b desc, srcaddr limit 10"],
  ['* | select histogram(start, interval 5 minute) as t, sum(bytes) group by t order by t',
    'select histogram(start, 300) as t, sum(bytes) from flows group by t order by t'],
  ['* | select histogram(start, interval 1 hour) as t, count(*) as n, count(distinct srcaddr) group by t order by t',
    'select histogram(start, 3600) as t, count(*) as n, count(distinct srcaddr) from flows group by t order by t'],
  ['action:REJECT AND dstport:3389 | select srcaddr, count(*) as attempts group by srcaddr order by attempts desc, srcaddr limit 10',
    "select srcaddr, count(*) as attempts from flows where action = 'REJECT' and dstport = 3389 group by srcaddr order by attempts desc, srcaddr limit 10"],
  ['* | select action, count(*) group by action order by action', 'select action, count(*) from flows group by action order by action'],
  ['* | select log_status, count(*) as n group by log_status order by n desc, log_status', 'select log_status, count(*) as n from flows group by log_status order by n desc, log_status'],
  ['protocol:udp | select dstport, count(*) as n group by dstport order by n desc, dstport limit 5',
    'select dstport, count(*) as n from flows where protocol = 17 group by dstport order by n desc, dstport limit 5'],
  ['protocol:icmp | select count(*), sum(bytes), max(packets)', 'select count(*), sum(bytes), max(packets) from flows where protocol = 1'],
  ['srcaddr:10.0.0.0/8 | select count(*)', "select count(*) from flows where srcaddr like '10.%'"],
  ['NOT srcaddr:10.0.0.0/8 AND srcaddr:* | select count(*)', "select count(*) from flows where srcaddr not like '10.%'"],
  ['bytes:>100000 | select count(*), avg(bytes)', 'select count(*), avg(bytes) from flows where bytes > 100000'],
  ['bytes:[1000 TO 5000] | select count(*)', 'select count(*) from flows where bytes between 1000 and 5000'],
  ['dstport:22 OR dstport:3389 | select dstport, action, count(*) group by dstport, action order by dstport, action',
    'select dstport, action, count(*) from flows where dstport in (22, 3389) group by dstport, action order by dstport, action'],
  ['* | select interface_id, count(*) as n, sum(bytes) as b group by interface_id order by b desc, interface_id limit 7',
    'select interface_id, count(*) as n, sum(bytes) as b from flows group by interface_id order by b desc, interface_id limit 7'],
  ['* | select srcaddr, dstaddr, sum(bytes) as b group by srcaddr, dstaddr order by b desc, srcaddr, dstaddr limit 10',
    'select srcaddr, dstaddr, sum(bytes) as b from flows group by srcaddr, dstaddr order by b desc, srcaddr, dstaddr limit 10'],
  ['* | select count(*) where dstport in (22, 23, 445) and action = \'REJECT\'', "select count(*) from flows where dstport in (22, 23, 445) and action = 'REJECT'"],
  ["* | select count(*) where srcaddr like '172.31.%' and bytes between 100 and 10000", "select count(*) from flows where srcaddr like '172.31.%' and bytes between 100 and 10000"],
  ['* | select count(*) where srcaddr is null', 'select count(*) from flows where srcaddr is null'],
  ['* | select count(srcaddr), count(distinct dstaddr), count(distinct dstport)', 'select count(srcaddr), count(distinct dstaddr), count(distinct dstport) from flows'],
  ['* | select protocol, avg(bytes), min(bytes), max(bytes) group by protocol order by protocol', 'select protocol, avg(bytes), min(bytes), max(bytes) from flows group by protocol order by protocol'],
  ['* | select dstport, count(*) as n group by dstport having count(*) > 500 order by n desc, dstport', 'select dstport, count(*) as n from flows group by dstport having count(*) > 500 order by n desc, dstport'],
  ['* | select srcaddr, sum(bytes) / sum(packets) as per_packet group by srcaddr order by per_packet desc, srcaddr limit 5',
    'select srcaddr, sum(bytes) / sum(packets) as per_packet from flows group by srcaddr order by per_packet desc, srcaddr limit 5'],
  ['dstport:3389 | select srcaddr, dstaddr, bytes, start order by start, srcaddr, dstaddr, bytes limit 20',
    'select srcaddr, dstaddr, bytes, start from flows where dstport = 3389 order by start, srcaddr, dstaddr, bytes limit 20'],
  ['* | select end - start as secs, count(*) group by secs order by secs', 'select "end" - start as secs, count(*) from flows group by secs order by secs'],
  ['action:ACCEPT | select from_unixtime(min(start)), from_unixtime(max(end))', "select from_unixtime_iso(min(start)), from_unixtime_iso(max(\"end\")) from flows where action = 'ACCEPT'"],
  ['version:V1 | select count(*)', "select count(*) from flows where version = 'V1'"],
  ['srcport:<1024 AND protocol:tcp | select srcport, count(*) group by 1 order by 2 desc, 1 limit 5',
    'select srcport, count(*) from flows where srcport < 1024 and protocol = 6 group by 1 order by 2 desc, 1 limit 5'],
  ['(action:REJECT OR bytes:>500000) AND NOT protocol:udp | select count(*)', "select count(*) from flows where (action = 'REJECT' or bytes > 500000) and not coalesce(protocol = 17, false)"],
];

/** Seeded random queries: a filter, a grouping, aggregates, an order with full tie-breakers. */
export function randomQueries(count: number, seed: number): [string, string][] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 4294967296);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const filters: [string, string][] = [
    ['action:REJECT', "action = 'REJECT'"], ['action:ACCEPT', "action = 'ACCEPT'"], ['protocol:tcp', 'protocol = 6'],
    ['protocol:udp', 'protocol = 17'], ['dstport:443', 'dstport = 443'], ['dstport:22', 'dstport = 22'],
    ['bytes:>50000', 'bytes > 50000'], ['packets:<10', 'packets < 10'], ['srcaddr:172.31.0.0/16', "srcaddr like '172.31.%'"],
    ['dstaddr:10.0.0.0/8', "dstaddr like '10.%'"], ['log-status:OK', "log_status = 'OK'"], ['dstport:[1 TO 1023]', 'dstport between 1 and 1023'],
  ];
  const groups = ['srcaddr', 'dstaddr', 'dstport', 'protocol', 'action', 'interface_id', 'srcport'];
  const aggs: [string, string][] = [
    ['count(*)', 'count(*)'], ['sum(bytes)', 'sum(bytes)'], ['sum(packets)', 'sum(packets)'], ['min(start)', 'min(start)'],
    ['max(bytes)', 'max(bytes)'], ['count(distinct srcaddr)', 'count(distinct srcaddr)'], ['avg(packets)', 'avg(packets)'],
    ['count(dstport)', 'count(dstport)'],
  ];
  const out: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const f1 = pick(filters);
    const f2 = pick(filters);
    const combine = pick(['AND', 'OR', 'NOT'] as const);
    const ourFilter = combine === 'NOT' ? `${f1[0]} AND NOT ${f2[0]}` : `${f1[0]} ${combine} ${f2[0]}`;
    // NOT over a comparison with NULL is NULL in SQL but "does not match" in search: coalesce keeps them equal.
    const theirFilter = combine === 'NOT' ? `${f1[1]} and not coalesce(${f2[1]}, false)` : `(${f1[1]}) ${combine.toLowerCase()} (${f2[1]})`;
    const g = pick(groups);
    const a = [pick(aggs), pick(aggs)];
    const limit = 1 + Math.floor(rnd() * 15);
    const desc = rnd() < 0.5 ? 'desc' : 'asc';
    out.push([
      `${ourFilter} | select ${g}, ${a[0][0]} as a1, ${a[1][0]} as a2 group by ${g} order by a1 ${desc}, ${g} limit ${limit}`,
      `select ${g}, ${a[0][1]} as a1, ${a[1][1]} as a2 from flows where ${theirFilter} group by ${g} order by a1 ${desc}, ${g} limit ${limit}`,
    ]);
  }
  return out;
}
