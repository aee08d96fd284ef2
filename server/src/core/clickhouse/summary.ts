// The summary of a ClickHouse table: the same ten queries as a file's summary (core/summary.ts), each run on
// ClickHouse (sent at once: the server runs them side by side), shaped into the same Summary.
import { SUMMARY_QUERIES, summaryOf } from '../summary';
import type { Summary, SummarySection } from '../summaryTypes';
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
  return summaryOf(sections.map((s, i) => ({ query: SUMMARY_QUERIES[s], columns: results[i].columns, rows: results[i].rows })), tableInfo.malformed);
}
