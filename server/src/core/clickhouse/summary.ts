// The summary of a ClickHouse table: the same ten queries as a file's summary (core/summary.ts), each run on
// ClickHouse (sent at once: the server runs them side by side), shaped into the same Summary.
import { SUMMARY_QUERIES, chooseBucketSeconds, shapeTimeline } from '../summary';
import type { Summary, SummarySection, SummaryTable } from '../summaryTypes';
import { ClickHouseClient, ClickHouseCredentials } from './http';
import { ClickHouseSource, runClickHouseQuery } from './query';
import { fetchTableInfo } from './tableInfo';

export async function computeClickHouseSummary(
  source: ClickHouseSource,
  options: { credentials?: ClickHouseCredentials; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Summary> {
  const client = new ClickHouseClient({ url: source.url, credentials: options.credentials, timeoutMs: options.timeoutMs });
  const tableInfo = await fetchTableInfo(client, source.table, options.signal);
  const sections = Object.keys(SUMMARY_QUERIES) as SummarySection[];
  const results = await Promise.all(sections.map((s) => runClickHouseQuery(source, SUMMARY_QUERIES[s], { ...options, tableInfo, limit: 1_000_000 })));
  const tables = {} as Record<SummarySection, SummaryTable>;
  sections.forEach((s, i) => {
    tables[s] = { query: SUMMARY_QUERIES[s], columns: results[i].columns, rows: results[i].rows };
  });
  const [records, bytes, packets, firstStart, lastEnd, interfaces] = tables.totals.rows[0] as (number | null)[];
  const span = firstStart !== null && lastEnd !== null ? lastEnd - firstStart : 0;
  const bucketSeconds = chooseBucketSeconds(span);
  return {
    records: records ?? 0,
    malformed: tableInfo.malformed,
    bytes: bytes ?? 0,
    packets: packets ?? 0,
    firstStart,
    lastEnd,
    interfaces: interfaces ?? 0,
    sections: tables,
    bucketSeconds,
    timeline: shapeTimeline(tables.timeline.rows, bucketSeconds),
  };
}
