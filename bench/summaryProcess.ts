// The summary computed by our engine in a process of its own, so GNU time measures its wall time and peak RSS as it
// does DuckDB's (built beside the bench: out/bench/summaryProcess.js). Usage: node out/bench/summaryProcess.js FILE.
// Prints {seconds, firstSectionSeconds, sectionsReported, sections: {section: {columns, rows}}}; the first
// section's time is there when computeSummary reports sections as they are done (an onSection option), else null.
import { computeSummary } from '../server/src/core/summary';
import { maybeRunAsPoolWorker } from '../server/src/core/threads/pool';

type SummaryOptions = NonNullable<Parameters<typeof computeSummary>[1]>;

async function main(file: string): Promise<void> {
  const t0 = performance.now();
  let firstSection: number | null = null;
  let sectionsReported = 0;
  // onSection is passed whether or not this version of computeSummary knows it: unknown, it is never called.
  const options = {
    onSection: () => {
      sectionsReported++;
      firstSection ??= (performance.now() - t0) / 1000;
    },
  } as SummaryOptions;
  const summary = await computeSummary({ kind: 'files', paths: [file] }, options);
  const seconds = (performance.now() - t0) / 1000;
  const sections = Object.fromEntries(Object.entries(summary.sections).map(([k, t]) => [k, { columns: t.columns, rows: t.rows }]));
  process.stdout.write(JSON.stringify({ seconds, firstSectionSeconds: firstSection, sectionsReported, records: summary.records, malformed: summary.malformed, sections }) + '\n');
}

// The bundle starts itself as the engine's worker threads: in one, serve the pool instead.
if (!maybeRunAsPoolWorker()) {
  main(process.argv[2]).catch((e: unknown) => {
    process.stderr.write(`summaryProcess: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 2;
  });
}
