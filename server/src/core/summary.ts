// The summary of a flow log (issue 5's dashboard): every figure is one engine query, and all of them run on a
// single scan of the input. Each section carries its query text, so a view can open the query behind a number.
import { Value } from './query/values';
import { QuerySource, planQuery, runPlans, QueryCancelledError } from './query';
import { isoUtc } from './decode/time';
import { FILES_QUERY } from './summaryTypes';
import type { FileSummary, Summary, SummarySection, SummaryTable, TimelineBucket } from './summaryTypes';

/**
 * The queries behind the summary, in CLS syntax. NULL is not a talker: the top lists leave out records without the
 * address (or protocol) they rank (NODATA/SKIPDATA records have none), and the totals count those records apart.
 * The top lists are top-Ns by a sum or a count: over many addresses they take the engine's two-pass plan (a sketch,
 * then the candidates: groups/topN.ts) instead of holding every address.
 */
export const SUMMARY_QUERIES = {
  totals: '* | select count(*) as records, sum(bytes) as bytes, sum(packets) as packets, min(start) as first_start, max(end) as last_end, count(distinct interface_id) as interfaces, sum(srcaddr is null or dstaddr is null) as without_addresses',
  actions: '* | select action, count(*) as records, sum(bytes) as bytes group by action order by action',
  // Minute buckets while scanning; the view's bucket size is chosen from the span afterwards (sums merge exactly).
  timeline: '* | select histogram(start, interval 1 minute) as t, action, count(*) as records, sum(bytes) as bytes group by t, action order by t, action',
  topSources: 'srcaddr:* | select srcaddr, sum(bytes) as bytes, count(*) as records group by srcaddr order by bytes desc, srcaddr limit 10',
  topDestinations: 'dstaddr:* | select dstaddr, sum(bytes) as bytes, count(*) as records group by dstaddr order by bytes desc, dstaddr limit 10',
  topPairs: 'srcaddr:* AND dstaddr:* | select srcaddr, dstaddr, sum(bytes) as bytes, count(*) as records group by srcaddr, dstaddr order by bytes desc, srcaddr, dstaddr limit 10',
  topRejectedPorts: 'action:REJECT | select dstport, service_name(dstport) as service, count(*) as records group by dstport order by records desc, dstport limit 10',
  topRejectedSources: 'action:REJECT AND srcaddr:* | select srcaddr, count(*) as records group by srcaddr order by records desc, srcaddr limit 10',
  protocols: '* | select protocol, protocol_name(protocol) as name, count(*) as records, sum(bytes) as bytes group by protocol having protocol is not null order by records desc, protocol',
  interfaces: "* | select interface_id, count(*) as records, sum(bytes) as bytes, sum(action = 'REJECT') as rejects, sum(log_status = 'NODATA') as nodata, sum(log_status = 'SKIPDATA') as skipdata group by interface_id order by records desc, interface_id",
} as const satisfies Record<SummarySection, string>;

export type { Summary, SummarySection, SummaryTable, TimelineBucket } from './summaryTypes';

const BUCKETS = [60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400];

/** The smallest bucket size that shows the span in at most `maxBuckets` buckets. */
export function chooseBucketSeconds(spanSeconds: number, maxBuckets = 120): number {
  for (const b of BUCKETS) if (spanSeconds / b <= maxBuckets) return b;
  return BUCKETS[BUCKETS.length - 1];
}

/** Merges the minute buckets of the timeline query into buckets of `bucketSeconds`, empty ones included. */
export function shapeTimeline(minuteRows: Value[][], bucketSeconds: number): TimelineBucket[] {
  const byBucket = new Map<number, TimelineBucket>();
  let first = Infinity;
  let last = -Infinity;
  for (const [t, action, records, bytes] of minuteRows) {
    if (t === null) continue;
    const start = Math.floor(Date.parse(String(t)) / 1000 / bucketSeconds) * bucketSeconds;
    first = Math.min(first, start);
    last = Math.max(last, start);
    let b = byBucket.get(start);
    if (!b) {
      b = bucket(start, bucketSeconds);
      byBucket.set(start, b);
    }
    const n = Number(records ?? 0);
    const bytesN = Number(bytes ?? 0);
    if (action === 'ACCEPT') {
      b.acceptRecords += n;
      b.acceptBytes += bytesN;
    } else if (action === 'REJECT') {
      b.rejectRecords += n;
      b.rejectBytes += bytesN;
    } else {
      b.otherRecords += n;
    }
  }
  const out: TimelineBucket[] = [];
  for (let t = first; t <= last; t += bucketSeconds) out.push(byBucket.get(t) ?? bucket(t, bucketSeconds));
  return out;
}

function bucket(start: number, seconds: number): TimelineBucket {
  return {
    t: isoUtc(start), acceptRecords: 0, acceptBytes: 0, rejectRecords: 0, rejectBytes: 0, otherRecords: 0,
    query: `start:[${start} TO ${start + seconds - 1}]`,
  };
}

export interface SummaryOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Each section as soon as it is final, before the whole summary (sections with few groups come first). */
  onSection?: (section: SummarySection, table: SummaryTable) => void;
  threads?: number;
  memoryBudget?: number;
  /** The source's files with their sizes, for a breakdown per file (a folder); none for one file or a document. */
  files?: { path: string; size: number }[];
}

/** Computes the summary of `source` in one scan. */
export async function computeSummary(source: QuerySource, options: SummaryOptions = {}): Promise<Summary> {
  const sections = Object.keys(SUMMARY_QUERIES) as SummarySection[];
  const plans = sections.map((s) => planQuery(SUMMARY_QUERIES[s]));
  // The breakdown per file is one more query on the same scan, after the sections (onSection numbers them).
  if (options.files) plans.push(planQuery(FILES_QUERY));
  const { results, stats } = await runPlans(source, plans, {
    signal: options.signal, onProgress: options.onProgress, limit: 1_000_000, threads: options.threads, memoryBudget: options.memoryBudget,
    onPlanDone: options.onSection && ((i, r) => {
      if (i < sections.length) options.onSection!(sections[i], { query: SUMMARY_QUERIES[sections[i]], columns: r.columns, rows: r.rows });
    }),
  });
  if (options.signal?.aborted) throw new QueryCancelledError();
  const summary = summaryOf(sections.map((s, i) => ({ query: SUMMARY_QUERIES[s], columns: results[i].columns, rows: results[i].rows })), stats.malformed);
  if (options.files) summary.files = perFile(options.files, results[sections.length].rows, stats.fileErrors ?? []);
  return summary;
}

/** The Summary from its sections' tables (in SUMMARY_QUERIES order), however they were computed (here, ClickHouse). */
export function summaryOf(sectionTables: SummaryTable[], malformed: number): Summary {
  const sections = Object.keys(SUMMARY_QUERIES) as SummarySection[];
  const tables = {} as Record<SummarySection, SummaryTable>;
  sections.forEach((s, i) => {
    tables[s] = sectionTables[i];
  });
  const [records, bytes, packets, firstStart, lastEnd, interfaces, withoutAddresses] = tables.totals.rows[0] as (number | null)[];
  const span = firstStart !== null && lastEnd !== null ? lastEnd - firstStart : 0;
  const bucketSeconds = chooseBucketSeconds(span);
  const summary: Summary = {
    records: records ?? 0,
    malformed,
    bytes: bytes ?? 0,
    packets: packets ?? 0,
    firstStart,
    lastEnd,
    interfaces: interfaces ?? 0,
    withoutAddresses: withoutAddresses ?? 0,
    sections: tables,
    bucketSeconds,
    timeline: shapeTimeline(tables.timeline.rows, bucketSeconds),
  };
  return summary;
}

/** Every file of the source, with its records from the per-file query (none: zeros) and its read error, if any. */
function perFile(files: { path: string; size: number }[], rows: Value[][], errors: { file: string; message: string }[]): FileSummary[] {
  const byPath = new Map(rows.map((r) => [String(r[0]), r]));
  const errorOf = new Map<string, string>();
  for (const e of errors) errorOf.set(e.file, errorOf.has(e.file) ? `${errorOf.get(e.file)}; ${e.message}` : e.message);
  return files.map(({ path, size }) => {
    const r = byPath.get(path);
    const f: FileSummary = { path, size, records: Number(r?.[1] ?? 0), bytes: Number(r?.[2] ?? 0), rejects: Number(r?.[3] ?? 0) };
    const error = errorOf.get(path);
    if (error) f.error = error;
    return f;
  });
}
