// From the summary's section tables to the Summary a view draws: the timeline's minute buckets merged into buckets
// that fit the span, and the figures taken from the totals. Pure (no engine): the summary webview builds a partial
// summary from the sections that have arrived while the rest computes.
import { isoUtc } from './decode/time';
import { SUMMARY_QUERIES } from './summaryTypes';
import type { Summary, SummarySection, SummaryTable, SummaryValue, TimelineBucket } from './summaryTypes';

const BUCKETS = [60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400];

/** The smallest bucket size that shows the span in at most `maxBuckets` buckets. */
export function chooseBucketSeconds(spanSeconds: number, maxBuckets = 120): number {
  for (const b of BUCKETS) if (spanSeconds / b <= maxBuckets) return b;
  return BUCKETS[BUCKETS.length - 1];
}

/** Merges the minute buckets of the timeline query into buckets of `bucketSeconds`, empty ones included. */
export function shapeTimeline(minuteRows: SummaryValue[][], bucketSeconds: number): TimelineBucket[] {
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

/**
 * The summary of the sections that have arrived (those still computing are empty tables, listed in `pending`);
 * undefined until the totals have come (every figure reads them).
 */
export function partialSummary(arrived: Partial<Record<SummarySection, SummaryTable>>): { summary: Summary; pending: SummarySection[] } | undefined {
  if (!arrived.totals) return undefined;
  const sections = Object.keys(SUMMARY_QUERIES) as SummarySection[];
  const pending = sections.filter((s) => !arrived[s]);
  const tables = sections.map((s) => arrived[s] ?? { query: SUMMARY_QUERIES[s], columns: [], rows: [] });
  return { summary: summaryOf(tables, 0), pending };
}
