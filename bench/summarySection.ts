// Section `summary`: the summary's sections by our engine in a process of its own (out/bench/summaryProcess.js)
// against DuckDB computing the same sections (load into a table, then one query per section, one process), both
// under GNU time, on both shapes at 195 MB; and ours on 1 GB of both shapes for memory. Goals (issue 14): ≥ 1.5×
// DuckDB's speed; peak < 300 MB on 1 GB; first sections before the whole summary.
import { BenchContext } from './context';
import { DataSet } from './data';
import { diffRows, pick } from './compare';
import { best, fmt } from './measure';
import { DUCKDB_SUMMARY } from './summarySql';
import type { SummarySection } from '../server/src/core/summaryTypes';

interface OurSummary {
  seconds: number;
  firstSectionSeconds: number | null;
  sectionsReported: number;
  /** The first section as it stood while the scan went on (computeSummary's onPartial), when there was one. */
  firstPartialSeconds?: number | null;
  sections: Record<SummarySection, { columns: string[]; rows: unknown[][] }>;
}

interface DuckSummary {
  loadSeconds: number;
  queriesSeconds: number;
  sections: Record<SummarySection, unknown[][]>;
}

export async function summarySection(ctx: BenchContext): Promise<void> {
  const { report, data } = ctx;
  report.section('summary: its sections by our engine vs by DuckDB (load into a table, then the queries), whole processes', 'summary');
  const script = ctx.path('out/bench/summaryProcess.js');
  const duckSql = JSON.stringify(Object.fromEntries(Object.entries(DUCKDB_SUMMARY).map(([k, v]) => [k, v.sql])));
  const out: unknown[] = [];
  let progressive = false;
  for (const shape of ['friendly', 'wide'] as const) {
    const set = await data.get(shape, 'mid');
    const runs = ctx.runs(false);
    const ours = best('node', [script, set.path], runs);
    const oursOut = JSON.parse(ours.out) as OurSummary;
    const duck = best('node', [ctx.path('bench/duckdbSummary.mjs'), set.path, duckSql], runs);
    const duckOut = JSON.parse(duck.out) as DuckSummary;
    const ratio = duck.seconds / ours.seconds;
    report.goal(`summary of ${set.label}: ours ${fmt(ours.seconds, 2)} s, DuckDB ${fmt(duck.seconds, 2)} s (load ${fmt(duckOut.loadSeconds, 2)} s + ${Object.keys(DUCKDB_SUMMARY).length} queries ${fmt(duckOut.queriesSeconds, 2)} s) → ${fmt(ratio, 2)}× DuckDB's speed`, '≥ 1.5×', ratio >= 1.5);
    report.info(`  peak ours ${fmt(ours.peakMB, 0)} MB, DuckDB ${fmt(duck.peakMB, 0)} MB`);
    const differing = compareSections(ctx, set, oursOut, duckOut);
    if (differing === 0) report.info(`  all ${Object.keys(DUCKDB_SUMMARY).length} sections equal to DuckDB's`);
    progressive ||= firstSections(ctx, set, oursOut);
    out.push({
      file: set.path, shape, size: set.size, sizeMB: set.sizeMB, seconds: ours.seconds, allSeconds: ours.allSeconds, peakMB: ours.peakMB,
      firstSectionSeconds: oursOut.firstSectionSeconds, firstPartialSeconds: oursOut.firstPartialSeconds ?? null, duckdbSeconds: duck.seconds, duckdbAllSeconds: duck.allSeconds, duckdbPeakMB: duck.peakMB,
      duckdbLoadSeconds: duckOut.loadSeconds, duckdbQueriesSeconds: duckOut.queriesSeconds, ratio, sectionsDiffering: differing,
    });
  }
  for (const shape of ['friendly', 'wide'] as const) {
    const set = await data.get(shape, 'big');
    const ours = best('node', [script, set.path], 1);
    const oursOut = JSON.parse(ours.out) as OurSummary;
    report.goal(`summary of ${set.label}: ours ${fmt(ours.seconds, 2)} s, peak ${fmt(ours.peakMB, 0)} MB`, '< 300 MB on 1 GB', ours.peakMB < 300);
    progressive ||= firstSections(ctx, set, oursOut);
    out.push({ file: set.path, shape, size: set.size, sizeMB: set.sizeMB, seconds: ours.seconds, peakMB: ours.peakMB, firstSectionSeconds: oursOut.firstSectionSeconds, firstPartialSeconds: oursOut.firstPartialSeconds ?? null });
  }
  if (!progressive) report.info('first sections: computeSummary reports no section before the whole summary (no onSection option): not measured');
  ctx.results.summary = out;
}

/** Each section against DuckDB's; prints `!!` for each that differs and returns how many did. */
function compareSections(ctx: BenchContext, set: DataSet, ours: OurSummary, duck: DuckSummary): number {
  let differing = 0;
  for (const [name, spec] of Object.entries(DUCKDB_SUMMARY) as [SummarySection, (typeof DUCKDB_SUMMARY)[SummarySection]][]) {
    const rows = spec.ourColumns ? pick(ours.sections[name].rows, spec.ourColumns) : ours.sections[name].rows;
    const diff = diffRows(rows, duck.sections[name]);
    if (diff) {
      differing++;
      ctx.report.mismatch(`summary section ${name} on ${set.label}`, diff, 4);
    }
  }
  return differing;
}

/** The time to the first section as it stands (partial) and to the first final one, when the summary reports them. */
function firstSections(ctx: BenchContext, set: DataSet, ours: OurSummary): boolean {
  if (ours.firstPartialSeconds != null) {
    const share = ours.firstPartialSeconds / ours.seconds;
    ctx.report.goal(`first partial section of ${set.label} after ${fmt(ours.firstPartialSeconds, 2)} s of ${fmt(ours.seconds, 2)} s (${fmt(share * 100, 0)}%)`, 'within ~1–2 s or 5% of the summary\'s time: results while the scan goes on', ours.firstPartialSeconds <= 2 || share <= 0.05);
  }
  if (ours.firstSectionSeconds === null) return ours.firstPartialSeconds != null;
  const share = ours.firstSectionSeconds / ours.seconds;
  // Final sections come when the scan ends (all share it): the partial ones above are the sections on screen while
  // the rest computes.
  ctx.report.info(`  first final section of ${set.label} after ${fmt(ours.firstSectionSeconds, 2)} s of ${fmt(ours.seconds, 2)} s (${fmt(share * 100, 0)}%; ${ours.sectionsReported} sections reported)`);
  return true;
}
