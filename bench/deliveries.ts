// `npm run bench -- --only deliveries`: flow logs as they are delivered (issue 11), through `flowlog query` as a
// whole process (wall time and peak RSS by GNU time), against the same records in another shape and against DuckDB
// reading the same file, measured in the same run:
//   - a day of S3 deliveries: a folder of 2,000 gzip files (1.8 M records) vs the same records as one .gz file
//     (goal: the folder's throughput within 1.5× of the one file's, using every core);
//   - CLS JSON lines: a filter count and a top-N vs DuckDB's read_json (goal: ≥ 1.5× DuckDB's speed);
//   - AWS Parquet (Gzip pages, written by DuckDB): the same queries vs DuckDB's read_parquet (goal: as fast);
//   - peak RSS of each on 1 GB of records (goal: under 150 MB).
// Every answer is checked equal to DuckDB's (or to the other shape's). Data is generated once into
// bench/.data/deliveries/ (deterministic). `--quick` uses small sizes.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import type { BenchContext } from './context';
import { deliveryRecords, toJsonLines, toText } from '../test/support/deliveries';

interface Run {
  seconds: number;
  peakMB: number;
  out: string;
}

const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Wall time and peak RSS of a whole process (GNU time), and its output. */
function measure(cmd: string, args: string[]): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const lines = r.stderr.trim().split('\n');
  const [secs, kb] = lines[lines.length - 1].split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { seconds: secs, peakMB: kb / 1024, out: r.stdout };
}

/** The best wall time of `runs` runs (the machine may be shared), with the highest peak RSS seen. */
function best(cmd: string, args: string[], runs: number): Run {
  let top: Run | undefined;
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    const m = measure(cmd, args);
    peak = Math.max(peak, m.peakMB);
    if (!top || m.seconds < top.seconds) top = m;
  }
  return { ...top!, peakMB: peak };
}

const COLUMNS = "{'version': 'INTEGER', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'INTEGER', 'dstport': 'INTEGER', 'protocol': 'BIGINT', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'}";

/** The same records in every shape the section reads, written once. */
export class BenchData {
  constructor(readonly dir: string, readonly quick: boolean) {
    mkdirSync(dir, { recursive: true });
  }

  /** A day of S3 deliveries: `files` gzip files of `perFile` records each, under AWSLogs/…, and one .gz of them all. */
  async s3Day(files: number, perFile: number): Promise<{ folder: string; single: string; records: number }> {
    const folder = join(this.dir, `s3-day-${files}x${perFile}`);
    const single = join(this.dir, `s3-day-${files}x${perFile}.log.gz`);
    if (!existsSync(folder)) {
      process.stdout.write(`  generating ${files} gzip deliveries of ${perFile} records…`);
      const tmp = `${folder}.tmp`;
      const gz = createGzip({ level: 6 });
      const out = createWriteStream(single);
      gz.pipe(out);
      gz.write(toText([], true));
      const day = 1_705_276_800; // 2024-01-15T00:00Z
      for (let i = 0; i < files; i++) {
        // Seven flow logs (one an interface group) delivering every 5 minutes.
        const flowLog = i % 7;
        const slot = Math.floor(i / 7);
        const t = day + slot * 300;
        const hh = String(Math.floor((slot * 5) / 60)).padStart(2, '0');
        const mm = String((slot * 5) % 60).padStart(2, '0');
        const records = deliveryRecords(perFile, i + 1, t);
        const sub = join(tmp, 'AWSLogs', '123456789012', 'vpcflowlogs', 'us-east-1', '2024', '01', '15');
        mkdirSync(sub, { recursive: true });
        const name = `123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f6070${flowLog}_20240115T${hh}${mm}Z_${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}.log.gz`;
        writeFileSync(join(sub, name), gzipSync(toText(records, true)));
        if (!gz.write(toText(records, false))) await once(gz, 'drain');
      }
      gz.end();
      await once(out, 'finish');
      renameSync(tmp, folder);
      process.stdout.write(` ${fmt(statSync(single).size / 1e6, 0)} MB as one .gz\n`);
    }
    return { folder, single, records: files * perFile };
  }

  /** About `mb` MB of records as text, 20,000 records a batch (the same batches make every other shape). */
  private async write(path: string, mb: number, form: (batch: ReturnType<typeof deliveryRecords>, first: boolean) => string): Promise<string> {
    if (existsSync(path)) return path;
    process.stdout.write(`  generating ${path.split('/').pop()}…`);
    const out = createWriteStream(`${path}.tmp`);
    let bytes = 0;
    for (let seed = 1; bytes < mb * 1e6; seed++) {
      const text = form(deliveryRecords(20_000, seed, 1_705_312_800 + seed * 600), seed === 1);
      bytes += Buffer.byteLength(text);
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    renameSync(`${path}.tmp`, path);
    process.stdout.write(` ${fmt(statSync(path).size / 1e6, 0)} MB\n`);
    return path;
  }

  /** CLS JSON lines with CLS's metadata keys, about `mb` MB of them. */
  json(mb: number): Promise<string> {
    return this.write(join(this.dir, `cls-${mb}mb.json`), mb, (b) => toJsonLines(b, { keys: 'underscore' }));
  }

  /** The records of `mb` MB of text as AWS Parquet (Gzip pages), written by DuckDB. */
  async parquet(mb: number): Promise<string> {
    const path = join(this.dir, `aws-${mb}mb-of-text.log.parquet`);
    if (existsSync(path)) return path;
    const text = await this.write(join(this.dir, `text-${mb}mb.log`), mb, (b, first) => toText(b, first));
    process.stdout.write(`  generating ${path.split('/').pop()}…`);
    duck(`COPY (SELECT * FROM read_csv('${text}', delim=' ', header=true, nullstr='-', auto_detect=false, columns=${COLUMNS})) TO '${path}' (FORMAT parquet, COMPRESSION gzip)`);
    process.stdout.write(` ${fmt(statSync(path).size / 1e6, 0)} MB\n`);
    return path;
  }
}

/** The script that runs SQL in DuckDB in a process of its own (npm run bench runs at the project root). */
const duckScript = () => join(process.cwd(), 'bench', 'duckdbSql.mjs');

/** Runs SQL in DuckDB, returning the rows as JSON text. */
function duck(sql: string): string {
  const r = spawnSync(process.execPath, [duckScript(), sql], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`DuckDB failed: ${r.stderr}`);
  return r.stdout;
}

interface Pair {
  ours: string;
  /** DuckDB's SQL over `from`; `num` reads a numeric column (JSON holds `"-"` strings among the numbers). */
  duck: (from: string, num: (column: string) => string) => string;
}

const QUERIES: Pair[] = [
  { ours: 'action:REJECT | select count(*) as n', duck: (from) => `select count(*) as n from ${from} where action = 'REJECT'` },
  {
    ours: '* | select srcaddr, sum(bytes) as b, count(*) as n group by srcaddr order by b desc, srcaddr limit 10',
    duck: (from, num) => `select srcaddr, sum(${num('bytes')}) as b, count(*) as n from ${from} group by srcaddr order by b desc, srcaddr limit 10`,
  },
];

/** Rows of `flowlog query --format json` output, and of DuckDB's, compared as JSON. */
function sameRows(ours: string, theirs: string): boolean {
  return JSON.stringify(JSON.parse(ours).rows) === JSON.stringify(JSON.parse(theirs));
}

export async function deliveriesBench(root: string, dataDir: string, quick: boolean): Promise<Record<string, unknown>> {
  const cli = join(root, 'dist', 'cli.js');
  const data = new BenchData(join(dataDir, 'deliveries'), quick);
  const runs = quick ? 2 : 3;
  const results: Record<string, unknown> = {};
  const load = () => loadavg().map((l) => fmt(l, 1)).join(' ');
  console.log(`  load average before: ${load()}`);
  const flowlog = (paths: string[], query: string, r = runs) => best(process.execPath, [cli, 'query', ...paths, query, '--format', 'json'], r);

  // A day of S3 deliveries: many small gzip files against one big one.
  const day = await data.s3Day(quick ? 200 : 2000, 900);
  const glob = join(day.folder, 'AWSLogs/**/*.log.gz');
  console.log(`  a day of S3 deliveries: ${quick ? 200 : 2000} gzip files, ${day.records.toLocaleString('en-US')} records (${fmt(folderBytes(day.folder) / 1e6, 0)} MB) vs one .gz of the same records (${fmt(statSync(day.single).size / 1e6, 0)} MB)`);
  const dayOut: unknown[] = [];
  for (const q of QUERIES) {
    const folder = flowlog([day.folder], q.ours);
    const globbed = flowlog([glob], q.ours, 1);
    const single = flowlog([day.single], q.ours);
    const oneThread = best('env', ['FLOWLOG_QUERY_WORKERS=1', process.execPath, cli, 'query', day.folder, q.ours, '--format', 'json'], 1);
    const same = sameRows(folder.out, JSON.stringify(JSON.parse(single.out).rows)) && sameRows(globbed.out, JSON.stringify(JSON.parse(single.out).rows));
    const stats = JSON.parse(folder.out).stats;
    console.log(`    ${q.ours}${same ? '' : '   !! answers differ'}`);
    console.log(`      folder ${fmt(folder.seconds)} s (${stats.files} files, ${stats.threads} threads; one thread ${fmt(oneThread.seconds)} s; glob ${fmt(globbed.seconds)} s) · one .gz ${fmt(single.seconds)} s → folder/one file ${fmt(folder.seconds / single.seconds)}× (goal ≤ 1.5) · peak ${fmt(folder.peakMB, 0)} / ${fmt(single.peakMB, 0)} MB`);
    dayOut.push({ query: q.ours, folderSeconds: folder.seconds, globSeconds: globbed.seconds, oneThreadSeconds: oneThread.seconds, singleSeconds: single.seconds, ratio: folder.seconds / single.seconds, folderPeakMB: folder.peakMB, singlePeakMB: single.peakMB, same });
  }
  results.s3Day = dayOut;

  // CLS JSON lines and AWS Parquet against DuckDB on the same file.
  const json = await data.json(quick ? 40 : 250);
  const parquet = await data.parquet(quick ? 40 : 250);
  const peers: { name: string; path: string; from: string; num: (c: string) => string }[] = [
    // NODATA records hold "-" where numbers go: DuckDB types those columns JSON, and reads them with try_cast.
    { name: 'CLS JSON lines', path: json, from: `read_json('${json}', format='newline_delimited')`, num: (c) => `try_cast(${c} as bigint)` },
    { name: 'AWS Parquet (Gzip pages)', path: parquet, from: `read_parquet('${parquet}')`, num: (c) => c },
  ];
  for (const p of peers) {
    console.log(`  ${p.name}: ${p.path.split('/').pop()} (${fmt(statSync(p.path).size / 1e6, 0)} MB)`);
    const out: unknown[] = [];
    for (const q of QUERIES) {
      const ours = flowlog([p.path], q.ours);
      const theirs = best(process.execPath, [duckScript(), q.duck(p.from, p.num)], runs);
      const same = sameRows(ours.out, theirs.out);
      console.log(`    ${q.ours}${same ? '' : '   !! answers differ from DuckDB'}`);
      console.log(`      flowlog ${fmt(ours.seconds)} s (peak ${fmt(ours.peakMB, 0)} MB) · DuckDB ${fmt(theirs.seconds)} s (peak ${fmt(theirs.peakMB, 0)} MB) → ${fmt(theirs.seconds / ours.seconds)}× DuckDB's speed (goal ${p.name.startsWith('CLS') ? '≥ 1.5' : '≥ 1'})`);
      out.push({ query: q.ours, seconds: ours.seconds, peakMB: ours.peakMB, duckdbSeconds: theirs.seconds, duckdbPeakMB: theirs.peakMB, speedup: theirs.seconds / ours.seconds, same });
    }
    results[p.name.startsWith('CLS') ? 'json' : 'parquet'] = out;
  }

  // Peak memory on 1 GB of records in each shape.
  if (!quick) {
    console.log('  peak RSS on 1 GB of records (goal < 150 MB):');
    const bigDay = await data.s3Day(2000, 4500);
    const shapes: [string, string[]][] = [
      ['2,000 gzip files (9 M records)', [bigDay.folder]],
      ['one .gz of them', [bigDay.single]],
      ['CLS JSON lines', [await data.json(1000)]],
      ['AWS Parquet', [await data.parquet(1000)]],
    ];
    const memory: Record<string, unknown> = {};
    for (const [name, paths] of shapes) {
      const q = '* | select srcaddr, sum(bytes) as b group by srcaddr order by b desc limit 10';
      const r = flowlog(paths, q, 1);
      console.log(`    ${name.padEnd(32)} ${fmt(r.peakMB, 0)} MB in ${fmt(r.seconds)} s`);
      memory[name] = { peakMB: r.peakMB, seconds: r.seconds };
    }
    results.memory = memory;
  }
  console.log(`  load average after: ${load()}`);
  return results;
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).size;
  return n;
}

/** The bench's `deliveries` section (its figures printed as it goes, kept under results.deliveries). */
export async function deliveriesSection(ctx: BenchContext): Promise<void> {
  ctx.results.deliveries = await deliveriesBench(ctx.root, ctx.path('bench/.data'), ctx.quick);
}
