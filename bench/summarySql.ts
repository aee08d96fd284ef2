// The summary's sections (server/src/core/summary.ts SUMMARY_QUERIES) in DuckDB's SQL, for the peer of the summary
// bench, and which of our columns each compares (service_name() and protocol_name() have no DuckDB counterpart:
// their columns are left out of the comparison, the numbers they name are compared).
import type { SummarySection } from '../server/src/core/summaryTypes';

/** `%Y-%m-%dT%H:%M:%SZ`: histogram()'s bucket text, so rows compare as they are. */
export const ISO = "'%Y-%m-%dT%H:%M:%SZ'";

export const DUCKDB_SUMMARY: Record<SummarySection, { sql: string; ourColumns?: number[] }> = {
  totals: { sql: 'select count(*) as records, sum(bytes) as bytes, sum(packets) as packets, min(start) as first_start, max("end") as last_end, count(distinct interface_id) as interfaces, sum((srcaddr is null or dstaddr is null)::INTEGER) as without_addresses from flows' },
  actions: { sql: 'select action, count(*) as records, sum(bytes) as bytes from flows group by action order by action' },
  timeline: {
    sql: `select strftime(b, ${ISO}) as t, action, count(*) as records, sum(bytes) as bytes from (select time_bucket(interval 1 minute, make_timestamp(start * 1000000)) as b, action, bytes from flows) group by b, action order by b, action`,
  },
  topSources: { sql: 'select srcaddr, sum(bytes) as bytes, count(*) as records from flows where srcaddr is not null group by srcaddr order by bytes desc, srcaddr limit 10' },
  topDestinations: { sql: 'select dstaddr, sum(bytes) as bytes, count(*) as records from flows where dstaddr is not null group by dstaddr order by bytes desc, dstaddr limit 10' },
  topPairs: { sql: 'select srcaddr, dstaddr, sum(bytes) as bytes, count(*) as records from flows where srcaddr is not null and dstaddr is not null group by srcaddr, dstaddr order by bytes desc, srcaddr, dstaddr limit 10' },
  topRejectedPorts: {
    sql: "select dstport, count(*) as records from flows where action = 'REJECT' group by dstport order by records desc, dstport limit 10",
    ourColumns: [0, 2],
  },
  topRejectedSources: { sql: "select srcaddr, count(*) as records from flows where action = 'REJECT' and srcaddr is not null group by srcaddr order by records desc, srcaddr limit 10" },
  protocols: { sql: 'select protocol, count(*) as records, sum(bytes) as bytes from flows where protocol is not null group by protocol order by records desc, protocol', ourColumns: [0, 2, 3] },
  interfaces: {
    sql: "select interface_id, count(*) as records, sum(bytes) as bytes, sum((action = 'REJECT')::INTEGER) as rejects, sum((log_status = 'NODATA')::INTEGER) as nodata, sum((log_status = 'SKIPDATA')::INTEGER) as skipdata from flows group by interface_id order by records desc, interface_id",
  },
};

