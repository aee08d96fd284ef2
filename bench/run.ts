// npm run bench: issue 14's goals, each a ratio against its peer measured in the same run, on two data shapes
// (friendly, high-cardinality) at two sizes (195 MB, 1 GB); data generated once into bench/.data/.
//   validation  the language server's in-memory path: validation throughput, revalidation after an edit
//   query       `flowlog query` vs DuckDB (and mawk's count) as whole processes: filter count, top-N by source,
//               5-minute histogram, 3-key GROUP BY; times, peaks, results checked equal
//   summary     the summary's sections by our engine vs by DuckDB (load into a table, then the queries)
//   lint        `flowlog lint` vs mawk's field count on the 1 GB files
//   panels      dist/server.js over stdio: check latency while a 1 GB summary runs, first rows of a 1 GB search
//   spill       the 3-key GROUP BY on 1 GB with the default memory budget and with 64 MB
//   deliveries  an S3 day folder of small .gz files vs one .gz, JSON and Parquet vs DuckDB, peak RSS on 1 GB
// `--quick` uses small files; `--only SECTION[,SECTION…]` runs those sections, in the order above. Figures go to
// bench/.data/results.json (quick and partial runs: results-quick.json, results-SECTION[-SECTION…].json, results-quick-…).
import { cpus, totalmem } from 'node:os';
import { existsSync, writeFileSync } from 'node:fs';
import { BenchContext } from './context';
import { loadAverage } from './measure';
import { validationSection } from './validationSection';
import { querySection } from './querySection';
import { summarySection } from './summarySection';
import { lintSection } from './lintSection';
import { panelsSection } from './panelsSection';
import { spillSection } from './spillSection';
import { deliveriesSection } from './deliveries';

const SECTIONS: Record<string, (ctx: BenchContext) => Promise<void> | void> = {
  validation: validationSection,
  query: querySection,
  summary: summarySection,
  lint: lintSection,
  panels: panelsSection,
  spill: spillSection,
  deliveries: deliveriesSection,
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const only = argv.includes('--only') ? (argv[argv.indexOf('--only') + 1] ?? '').split(',') : undefined;
  if (only !== undefined && !only.every((name) => name in SECTIONS)) {
    console.error(`--only takes one or more of ${Object.keys(SECTIONS).join(', ')}, separated by commas`);
    process.exitCode = 2;
    return;
  }
  const ctx = new BenchContext(process.cwd(), quick); // npm run bench runs at the project root
  for (const built of [ctx.cli, ctx.server, ctx.path('out/bench/summaryProcess.js')]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run the bench with npm run bench, which builds it`);
  }
  // A full run's figures stay in results.json; quick and one-section runs write beside it.
  const resultsFile = `bench/.data/results${quick ? '-quick' : ''}${only ? `-${only.join('-')}` : ''}.json`;
  const started = new Date();
  // The processor's model is part of every ratio: DuckDB and this engine do not gain alike from a faster one.
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(`VPC Flow Logs benchmarks (${quick ? 'quick' : 'full'}; node ${process.version}, ${cpus().length} cores of ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${loadAverage()}, ${started.toISOString()})`);
  ctx.results.machine = { quick, node: process.version, cores: cpus().length, cpu, memoryGiB: totalmem() / 2 ** 30, started: started.toISOString(), loadAtStart: loadAverage() };
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (only && !only.includes(name)) continue;
    await section(ctx);
    // Saved after every section: a long run stopped half-way keeps what it measured.
    ctx.results.goals = ctx.report.goals;
    writeFileSync(ctx.path(resultsFile), JSON.stringify(ctx.results, null, 2));
  }
  ctx.results.machine = { ...(ctx.results.machine as object), loadAtEnd: loadAverage(), minutes: (Date.now() - started.getTime()) / 60000 };
  writeFileSync(ctx.path(resultsFile), JSON.stringify(ctx.results, null, 2));
  ctx.report.recap();
  console.log(`\nload average at the end ${loadAverage()}; figures saved to ${resultsFile}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exitCode = 1;
});
