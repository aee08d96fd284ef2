// The summary of a flow log (issue 5's dashboard): every figure is one engine query, and all of them run on a
// single scan of the input. Each section carries its query text, so a view can open the query behind a number.
import { Value } from './query/values';
import { QuerySource, planQuery, runPlans, QueryCancelledError } from './query';
import { FILES_QUERY, SUMMARY_QUERIES } from './summaryTypes';
import type { FileSummary, Summary, SummaryPartial, SummarySection, SummaryTable } from './summaryTypes';
import { summaryOf } from './summaryShape';

export { SUMMARY_QUERIES } from './summaryTypes';
export { chooseBucketSeconds, shapeTimeline, summaryOf } from './summaryShape';

export type { Summary, SummaryPartial, SummarySection, SummaryTable, TimelineBucket } from './summaryTypes';

export interface SummaryOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Each section as soon as it is final, before the whole summary (sections with few groups come first). */
  onSection?: (section: SummarySection, table: SummaryTable) => void;
  /**
   * While the scan goes on, about every `partialEveryMs` (default 3 s, the first after about 0.9 s): each section not final yet as it stands
   * (SummaryPartial says how far, and whether it is a provisional top list). The final sections replace them.
   */
  onPartial?: (section: SummarySection, table: SummaryTable, partial: SummaryPartial) => void;
  partialEveryMs?: number;
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
    partial: options.onPartial && {
      everyMs: options.partialEveryMs,
      onResults: ({ results, records, bytesDone, bytesTotal }) => {
        const fraction = bytesTotal > 0 ? Math.min(1, bytesDone / bytesTotal) : 0;
        sections.forEach((s, i) => {
          const r = results[i];
          if (!r) return;
          const partial: SummaryPartial = { fraction, records };
          if (r.provisional) partial.provisional = true;
          if (r.estimated) partial.estimated = true;
          options.onPartial!(s, { query: SUMMARY_QUERIES[s], columns: r.columns, rows: r.rows }, partial);
        });
      },
    },
    onPlanDone: options.onSection && ((i, r) => {
      if (i < sections.length) options.onSection!(sections[i], { query: SUMMARY_QUERIES[sections[i]], columns: r.columns, rows: r.rows });
    }),
  });
  if (options.signal?.aborted) throw new QueryCancelledError();
  const summary = summaryOf(sections.map((s, i) => ({ query: SUMMARY_QUERIES[s], columns: results[i].columns, rows: results[i].rows })), stats.malformed);
  if (options.files) summary.files = perFile(options.files, results[sections.length].rows, stats.fileErrors ?? []);
  if (stats.spilled) summary.spilled = stats.spilled;
  if (stats.twoPass) summary.twoPass = stats.twoPass;
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
