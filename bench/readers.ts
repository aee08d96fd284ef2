// Decoding throughput and peak memory of the delivery readers, on generated files in bench/.data/ (made once):
// JSON lines (CLS), Parquet (AWS, written by DuckDB), plain and gzip text; with DuckDB's read_json and
// read_parquet counting the same files for scale. Run:
//
//   npx tsx bench/readers.ts [--mb 100] [--only json|parquet|text|gzip] [--no-duckdb]
//
// Each figure is one decode of the whole file in this process (records handed out as canonical lines, nothing
// else done with them); peak RSS is sampled every 20 ms. CPU time is shown beside wall time: on a shared machine
// it is the steadier figure (DuckDB's counts several threads).
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { decodeFile } from '../server/src/core/readers';
import { deliveryRecords, toJsonLines, toText } from '../test/support/deliveries';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const targetMb = Number(arg('--mb') ?? 100);
const only = arg('--only');
const withDuck = !args.includes('--no-duckdb');
const DATA = join(process.cwd(), 'bench', '.data');

/** Writes `targetMb` of records in some text form, 20,000 records at a time (constant memory). */
async function writeRecords(path: string, form: (batch: ReturnType<typeof deliveryRecords>, first: boolean) => string, gzip = false): Promise<void> {
  if (existsSync(path)) return;
  mkdirSync(DATA, { recursive: true });
  const file = createWriteStream(path);
  const gz = gzip ? createGzip({ level: 6 }) : undefined;
  if (gz) gz.pipe(file);
  const out = gz ?? file;
  let bytes = 0;
  for (let seed = 1; bytes < targetMb * 1e6; seed++) {
    const text = form(deliveryRecords(20_000, seed, 1_705_312_800 + seed * 600), seed === 1);
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(file, 'finish');
}

async function measure(label: string, path: string, run: () => Promise<number>): Promise<void> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const lines = await run();
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const mb = statSync(path).size / 1e6;
  // CPU time (this process, all threads) as well as wall time: the machine may be shared.
  console.log(`${label.padEnd(34)} ${mb.toFixed(0).padStart(5)} MB  wall ${(ms / 1000).toFixed(2).padStart(6)} s ${(mb / (ms / 1000)).toFixed(0).padStart(5)} MB/s  cpu ${(cpuMs / 1000).toFixed(2).padStart(6)} s ${(mb / (cpuMs / 1000)).toFixed(0).padStart(5)} MB/s  ${lines.toLocaleString('en').padStart(11)} lines  peak RSS ${(peak / 1e6).toFixed(0)} MB`);
}

async function decodeCount(path: string): Promise<number> {
  let lines = 0;
  for await (const c of decodeFile(path)) {
    const b = Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength);
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

async function duck(sql: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const rows = (await db.runAndReadAll(sql)).getRows();
  db.closeSync();
  return Number(rows[0][0]);
}

async function main(): Promise<void> {
  const json = join(DATA, `readers-${targetMb}mb.json`);
  const text = join(DATA, `readers-${targetMb}mb.log`);
  const gz = join(DATA, `readers-${targetMb}mb.log.gz`);
  const parquet = join(DATA, `readers-${targetMb}mb.log.parquet`);
  if (!only || only === 'json') {
    await writeRecords(json, (b) => toJsonLines(b, { keys: 'underscore' }));
    await measure('JSON lines: decodeFile', json, () => decodeCount(json));
    if (withDuck) {
      await measure('JSON lines: DuckDB read_json count', json, () => duck(`SELECT count(*) FROM read_json('${json}', format='newline_delimited')`));
      await measure('JSON lines: DuckDB filter count', json, () => duck(`SELECT count(*) FROM read_json('${json}', format='newline_delimited') WHERE action = 'REJECT'`));
    }
  }
  if (!only || only === 'text' || only === 'parquet') await writeRecords(text, (b, first) => toText(b, first));
  if (!only || only === 'text') await measure('text: decodeFile', text, () => decodeCount(text));
  if (!only || only === 'gzip') {
    await writeRecords(gz, (b, first) => toText(b, first), true);
    await measure('gzip text: decodeFile', gz, () => decodeCount(gz));
  }
  if (!only || only === 'parquet') {
    if (!existsSync(parquet)) {
      const instance = await DuckDBInstance.create(':memory:');
      const db = await instance.connect();
      await db.run(`COPY (SELECT * FROM read_csv('${text}', delim=' ', header=true, nullstr='-', auto_detect=false, columns={'version': 'INTEGER', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'INTEGER', 'dstport': 'INTEGER', 'protocol': 'BIGINT', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'})) TO '${parquet}' (FORMAT parquet, COMPRESSION gzip)`);
      db.closeSync();
    }
    await measure('Parquet: decodeFile', parquet, () => decodeCount(parquet));
    if (withDuck) await measure('Parquet: DuckDB filter count', parquet, () => duck(`SELECT count(*) FROM read_parquet('${parquet}') WHERE action = 'REJECT'`));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
