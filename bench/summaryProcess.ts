// The summary computed by our engine in a process of its own, so GNU time measures its wall time and peak RSS as it
// does DuckDB's (built beside the bench: out/bench/summaryProcess.js). Usage: node out/bench/summaryProcess.js FILE.
// Prints {seconds, firstSectionSeconds, sectionsReported, firstPartialSeconds, partialsReported, partialLog, sections:
// {section: {columns, rows}}}; the first final section's time is there when computeSummary reports sections as they
// are done (an onSection option), else null; the first provisional one's when it reports them while it scans
// (onPartial; BENCH_SUMMARY_PARTIAL=0 does not ask for them), else null; partialLog: each provisional totals' time, share read and records.
import { computeSummary } from '../server/src/core/summary';
import { maybeRunAsPoolWorker } from '../server/src/core/threads/pool';

type SummaryOptions = NonNullable<Parameters<typeof computeSummary>[1]>;

async function main(file: string): Promise<void> {
  const t0 = performance.now();
  let firstSection: number | null = null;
  let sectionsReported = 0;
  let firstPartial: number | null = null;
  let partials = 0;
  const partialLog: { seconds: number; fraction: number; records: number }[] = [];
  // onSection is passed whether or not this version of computeSummary knows it: unknown, it is never called.
  const options = {
    onSection: () => {
      sectionsReported++;
      firstSection ??= (performance.now() - t0) / 1000;
    },
    // Provisional sections while the scan goes on (a version without onPartial never calls it).
    onPartial: process.env.BENCH_SUMMARY_PARTIAL === '0' ? undefined : (section: string, _table: unknown, p: { fraction: number; records: number }) => {
      partials++;
      const seconds = (performance.now() - t0) / 1000;
      firstPartial ??= seconds;
      if (section === 'totals') partialLog.push({ seconds, fraction: p.fraction, records: p.records });
    },
  } as SummaryOptions;
  const summary = await computeSummary({ kind: 'files', paths: [file] }, options);
  const seconds = (performance.now() - t0) / 1000;
  const sections = Object.fromEntries(Object.entries(summary.sections).map(([k, t]) => [k, { columns: t.columns, rows: t.rows }]));
  process.stdout.write(JSON.stringify({ seconds, firstSectionSeconds: firstSection, sectionsReported, firstPartialSeconds: firstPartial, partialsReported: partials, partialLog, records: summary.records, malformed: summary.malformed, sections }) + '\n');
}

// The bundle starts itself as the engine's worker threads: in one, serve the pool instead.
if (!maybeRunAsPoolWorker()) {
  main(process.argv[2]).catch((e: unknown) => {
    process.stderr.write(`summaryProcess: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 2;
  });
}
