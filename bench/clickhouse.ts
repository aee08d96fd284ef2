// ClickHouse at scale: 10 M generated records loaded into a real two-shard cluster on this machine (the test
// cluster, test/clickhouse/cluster.ts), then the same queries through ClickHouse and with the local engine on
// the same file: a filter count, a top-N, and the summary's ten queries.
//
//   node --import tsx bench/clickhouse.ts [--records N] [--runs N]     (by hand; prints a table and JSON)
//   import { clickhouseBench } from './clickhouse'                      (from bench/run.ts: returns the figures)
//
// Needs Debian's clickhouse-server (see README, "ClickHouse"). The data file is bench/.data/flows-10m.flowlog,
// the one `npm run bench` generates (seed 1, with a header), made here when missing.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runQuery } from '../server/src/core/query';
import { ClickHouseClient } from '../server/src/core/clickhouse/http';
import { loadFiles } from '../server/src/core/clickhouse/load';
import { runClickHouseQuery } from '../server/src/core/clickhouse/query';
import { fetchTableInfo } from '../server/src/core/clickhouse/tableInfo';
import { SUMMARY_QUERIES, computeSummary } from '../server/src/core/summary';
import { startCluster } from '../test/clickhouse/cluster';
import { writeFlowLogFile } from '../test/support/generate';

export interface ClickHouseBenchResult {
  records: number;
  fileMB: number;
  load: { seconds: number; recordsPerSecond: number; mbPerSecond: number };
  queries: { name: string; query: string; clickhouseMs: number; localMs: number; sameRows: boolean }[];
  /** The ten summary queries sent to ClickHouse at once, against the local engine's summary (one scan for all ten). */
  summary: { clickhouseMs: number; localMs: number };
}

export const BENCH_QUERIES: [string, string][] = [
  ['filter count', 'action:REJECT AND dstport:3389 | select count(*)'],
  ['top-N', '* | select srcaddr, sum(bytes) as bytes group by srcaddr order by bytes desc, srcaddr limit 10'],
  ['time range', 'start:[1700000000 TO 1700003600] | select count(*), sum(bytes)'],
];

const best = (xs: number[]) => Math.min(...xs);

export async function clickhouseBench(options: { records?: number; runs?: number; dataDir?: string; log?: (s: string) => void } = {}): Promise<ClickHouseBenchResult> {
  const records = options.records ?? 10_000_000;
  const runs = options.runs ?? 3;
  const log = options.log ?? ((s: string) => process.stdout.write(s));
  const dataDir = options.dataDir ?? join(process.cwd(), 'bench/.data');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, records === 10_000_000 ? 'flows-10m.flowlog' : `flows-${records}.flowlog`);
  if (!existsSync(file)) {
    log(`  generating ${file} (${records.toLocaleString('en-US')} records)…\n`);
    await writeFlowLogFile(file, { records, seed: 1, header: true });
  }
  const fileMB = statSync(file).size / (1 << 20);
  const cluster = await startCluster();
  try {
    const client = new ClickHouseClient({ url: cluster.url });
    log(`  loading ${records.toLocaleString('en-US')} records (${fileMB.toFixed(0)} MB) into ${cluster.table} over ${cluster.shards.length} shards…\n`);
    const t0 = performance.now();
    const report = await loadFiles(client, [file], { table: cluster.table, batchRows: 500_000 });
    const loadSeconds = (performance.now() - t0) / 1000;
    if (report.records !== records) throw new Error(`loaded ${report.records} of ${records} records: ${report.files.map((f) => f.error).join('; ')}`);
    const source = { kind: 'clickhouse' as const, url: cluster.url, table: cluster.table };
    const tableInfo = await fetchTableInfo(client, cluster.table);
    const timeCh = async (q: string) => {
      const times: number[] = [];
      let rows: unknown;
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        rows = (await runClickHouseQuery(source, q, { tableInfo })).rows;
        times.push(performance.now() - t);
      }
      return { ms: best(times), rows };
    };
    const timeLocal = async (q: string) => {
      const times: number[] = [];
      let rows: unknown;
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        rows = (await runQuery({ kind: 'files', paths: [file] }, q)).rows;
        times.push(performance.now() - t);
      }
      return { ms: best(times), rows };
    };
    const queries: ClickHouseBenchResult['queries'] = [];
    for (const [name, q] of BENCH_QUERIES) {
      const ch = await timeCh(q);
      const local = await timeLocal(q);
      queries.push({ name, query: q, clickhouseMs: Math.round(ch.ms), localMs: Math.round(local.ms), sameRows: JSON.stringify(ch.rows) === JSON.stringify(local.rows) });
      log(`  ${name}: ClickHouse ${Math.round(ch.ms)} ms, local ${Math.round(local.ms)} ms\n`);
    }
    // The summary: its ten queries sent to ClickHouse at once (each is one query there), against the local
    // summary (one scan for all ten).
    const chSummary: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await Promise.all(Object.values(SUMMARY_QUERIES).map((q) => runClickHouseQuery(source, q, { tableInfo, limit: 1_000_000 })));
      chSummary.push(performance.now() - t);
    }
    const localSummary: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await computeSummary({ kind: 'files', paths: [file] });
      localSummary.push(performance.now() - t);
    }
    const summary = { clickhouseMs: Math.round(best(chSummary)), localMs: Math.round(best(localSummary)) };
    log(`  summary (10 queries): ClickHouse ${summary.clickhouseMs} ms, local ${summary.localMs} ms\n`);
    return {
      records, fileMB: Math.round(fileMB),
      load: { seconds: Math.round(loadSeconds * 10) / 10, recordsPerSecond: Math.round(records / loadSeconds), mbPerSecond: Math.round((fileMB / loadSeconds) * 10) / 10 },
      queries, summary,
    };
  } finally {
    await cluster.stop();
  }
}

if (process.argv[1]?.endsWith('clickhouse.ts')) {
  const arg = (name: string) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined);
  clickhouseBench({ records: arg('--records'), runs: arg('--runs') }).then((r) => {
    process.stdout.write(`\n${JSON.stringify(r, null, 2)}\n`);
  }, (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
}
