// The connectivity diagnosis's benchmark (issue 12), runnable on its own:
//   npm run build
//   npx esbuild bench/diagnose.ts --bundle --platform=node --format=cjs --target=node20 \
//     --outfile=out/bench/diagnose.js --external:@duckdb/node-api --log-level=warning
//   node out/bench/diagnose.js [--quick] [--runs N] [--no-memory] [--no-duckdb] [--shape friendly|wide]
//     [--in-process] (only the in-process figures: the quickest way to compare two builds)
//
// On the bench's data (bench/data.ts, shared with `npm run bench`): 1.8 M records of two shapes (friendly:
// test/support/generate.ts; high cardinality: test/support/generateWide.ts, ~2^20 sources on ephemeral ports), in this
// process and in the same run:
//   - the diagnosis (diagnose(), reader thread + this thread) against the engine's own top-N query
//     (`* | select srcaddr, sum(bytes) as b group by srcaddr order by b desc limit 10`, runQuery, its worker threads);
//     goal: within 2× of it;
//   - the same two as whole processes (`flowlog diagnose`, `flowlog query`) in CPU seconds (steadier than wall time
//     on a shared machine);
//   - `flowlog diagnose --format json` as a whole process against DuckDB running the same verdict counts in SQL
//     (test/support/diagnoseSql.ts, self-join and window forms; bench/duckdbQuery.mjs), the counts checked equal;
//     goal: at least 3× faster than the self-join;
// and the peak memory of `flowlog diagnose --format json` on 1 GB of records of each shape (goal: under 200 MB).
// Runs alternate between the contenders; figures are best and range over the runs, each section with the load average.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose, maybeRunAsDiagnoseWorker } from '../server/src/core/diagnose';
import { runQuery } from '../server/src/core/query';
import { maybeRunAsPoolWorker } from '../server/src/core/threads/pool';
import { verdictCountsSql } from '../test/support/diagnoseSql';
import { DataFiles } from './data';
import { loadAverage, measure as measureProcess } from './measure';

const ROOT = process.cwd();
const DATA = join(ROOT, 'bench/.data');
const CLI = join(ROOT, 'dist/cli.js');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : quick ? 2 : 5;
const TOP_N = '* | select srcaddr, sum(bytes) as b group by srcaddr order by b desc limit 10';

const mb = (bytes: number) => bytes / (1 << 20);
const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
const load = () => `load ${loadAverage()}`;

/** Wall time, CPU seconds and peak RSS of a whole process (GNU time), and its output. */
function measure(cmd: string, argv: string[]): { seconds: number; cpu: number; peakMB: number; out: string } {
  const m = measureProcess(cmd, argv);
  return { seconds: m.seconds, cpu: m.cpuSeconds, peakMB: m.peakMB, out: m.out };
}

/**
 * CPU seconds of this thread (the one that joins), from /proc (Linux; NaN elsewhere): with the process's, it splits a
 * diagnosis's CPU into the joining thread's and the rest (the reader threads, and V8's compiler and GC helpers).
 */
function thisThreadCpu(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Wall seconds and CPU seconds (user + system of the whole process: this thread and the worker threads; and this thread's). */
async function seconds<T>(f: () => Promise<T>): Promise<{ s: number; cpu: number; mainCpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const m0 = thisThreadCpu();
  const t0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { s: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, mainCpu: thisThreadCpu() - m0, value };
}

function withEnv<T>(env: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return f().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

async function inProcess(file: string, threads: 'parallel' | 'one thread') {
  const env = threads === 'one thread' ? { FLOWLOG_QUERY_WORKERS: '1', FLOWLOG_DIAGNOSE_THREADS: '1' } : {};
  const d: number[] = [];
  const q: number[] = [];
  const dCpu: number[] = [];
  const dMainCpu: number[] = [];
  const qCpu: number[] = [];
  let counts = '';
  const loads = [loadAverage()];
  await withEnv(env, async () => {
    for (let i = 0; i < runs; i++) {
      const a = await seconds(() => diagnose({ kind: 'files', paths: [file] }));
      const b = await seconds(() => runQuery({ kind: 'files', paths: [file] }, TOP_N));
      d.push(a.s);
      q.push(b.s);
      dCpu.push(a.cpu);
      dMainCpu.push(a.mainCpu);
      qCpu.push(b.cpu);
      counts = JSON.stringify(a.value.verdicts);
    }
  });
  loads.push(loadAverage());
  const ratio = Math.min(...d) / Math.min(...q);
  const cpuRatio = Math.min(...dCpu) / Math.min(...qCpu);
  const split = Number.isFinite(dMainCpu[0]) ? `, joining thread ${range(dMainCpu)} s` : '';
  console.log(`    ${threads}: diagnosis ${range(d)} s (CPU ${range(dCpu)} s${split}) · engine top-N ${range(q)} s (CPU ${range(qCpu)} s) → best ${fmt(ratio)}× the top-N (goal ≤ 2), ${fmt(cpuRatio)}× in CPU [load ${loads.join(' → ')}]`);
  return { threads, diagnose: d, topN: q, diagnoseCpu: dCpu, diagnoseJoiningThreadCpu: dMainCpu, topNCpu: qCpu, ratio, cpuRatio, counts, loads };
}

/** `flowlog diagnose` and `flowlog query` top-N as whole processes, alternately: wall and CPU seconds. */
function processCpu(file: string) {
  const d: { seconds: number; cpu: number }[] = [];
  const q: { seconds: number; cpu: number }[] = [];
  for (let i = 0; i < runs; i++) {
    d.push(measure('node', [CLI, 'diagnose', file, '--format', 'json', '--limit', '0']));
    q.push(measure('node', [CLI, 'query', file, TOP_N]));
  }
  const cpu = Math.min(...d.map((m) => m.cpu)) / Math.min(...q.map((m) => m.cpu));
  const wall = Math.min(...d.map((m) => m.seconds)) / Math.min(...q.map((m) => m.seconds));
  console.log(`    whole processes: flowlog diagnose ${range(d.map((m) => m.seconds))} s, CPU ${range(d.map((m) => m.cpu))} s · flowlog query top-N ${range(q.map((m) => m.seconds))} s, CPU ${range(q.map((m) => m.cpu))} s → best ${fmt(wall)}× wall, ${fmt(cpu)}× CPU [${load()}]`);
  return { diagnose: d.map(({ seconds, cpu }) => ({ seconds, cpu })), topN: q.map(({ seconds, cpu }) => ({ seconds, cpu })), wall, cpu };
}

function duckCounts(out: string): Record<string, number> {
  return Object.fromEntries((JSON.parse(out) as [string, number][]).map(([v, n]) => [v, n]));
}

function wholeProcess(file: string) {
  const ours: number[] = [];
  const oursCpu: number[] = [];
  const selfJoin: number[] = [];
  const windowed: number[] = [];
  let oursPeak = 0;
  let duckPeak = 0;
  let mismatch = '';
  for (let i = 0; i < Math.max(2, Math.ceil(runs / 2)); i++) {
    const o = measure('node', [CLI, 'diagnose', file, '--format', 'json', '--limit', '0']);
    ours.push(o.seconds);
    oursCpu.push(o.cpu);
    oursPeak = Math.max(oursPeak, o.peakMB);
    const verdicts = JSON.parse(o.out).verdicts as Record<string, number>;
    for (const [label, f, list] of [['self-join', 'selfJoin', selfJoin], ['window', 'window', windowed]] as const) {
      const m = measure('node', [join(ROOT, 'bench/duckdbQuery.mjs'), file, verdictCountsSql('flows', 600, f)]);
      list.push(m.seconds);
      duckPeak = Math.max(duckPeak, m.peakMB);
      const theirs = duckCounts(m.out);
      for (const [v, n] of Object.entries(verdicts)) {
        const differs = `${label}: ${v} ${n} vs DuckDB ${theirs[v] ?? 0}`;
        // Every difference of every form is told (the last one alone hid the self-join's).
        if ((theirs[v] ?? 0) !== n && !mismatch.includes(differs)) mismatch += `${mismatch ? '; ' : ''}${differs}`;
      }
    }
  }
  console.log(`    flowlog diagnose ${range(ours)} s (CPU ${range(oursCpu)} s, peak ${fmt(oursPeak, 0)} MB) · DuckDB self-join ${range(selfJoin)} s, window form ${range(windowed)} s (peak ${fmt(duckPeak, 0)} MB) → ${fmt(Math.min(...selfJoin) / Math.min(...ours))}× the self-join's speed (goal ≥ 3), ${fmt(Math.min(...windowed) / Math.min(...ours))}× the window form's [${load()}]`);
  console.log(`    verdict counts ${mismatch ? `DIFFER: ${mismatch}` : 'equal to DuckDB\'s (both forms)'}`);
  return { ours, oursCpu, oursPeak, selfJoin, windowed, duckPeak, mismatch };
}

function peakMemory(file: string) {
  const peaks: number[] = [];
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
    const m = measure('node', [CLI, 'diagnose', file, '--format', 'json', '--limit', '20']);
    peaks.push(m.peakMB);
    times.push(m.seconds);
    cpu.push(m.cpu);
  }
  const j = JSON.parse(measure('node', [CLI, 'diagnose', file, '--format', 'json', '--limit', '0']).out);
  console.log(`    ${file.split('/').pop()} (${fmt(mb(statSync(file).size), 0)} MB, ${j.records.records.toLocaleString('en-US')} records, ${j.stats.conversations.toLocaleString('en-US')} conversations, peak ${j.stats.peakOpen.toLocaleString('en-US')} open, ${j.stats.spills} spills): ${range(times)} s (CPU ${range(cpu)} s), peak RSS ${range(peaks)} MB (goal < 200) [${load()}]`);
  return { file, peaks, times, cpu, conversations: j.stats.conversations, peakOpen: j.stats.peakOpen, spills: j.stats.spills };
}

async function main() {
  if (!existsSync(CLI)) throw new Error('build first: npm run build');
  const data = new DataFiles(DATA, quick);
  const only = args.includes('--shape') ? args[args.indexOf('--shape') + 1] : undefined;
  const inProcessOnly = args.includes('--in-process');
  const shapes = [
    { shape: 'friendly', name: 'friendly (generate.ts)', file: (await data.get('friendly', 'mid')).path },
    { shape: 'wide', name: 'high cardinality (generateWide.ts)', file: (await data.get('wide', 'mid')).path },
  ].filter((s) => only === undefined || s.shape === only);
  const results: Record<string, unknown>[] = [];
  for (const { name, file } of shapes) {
    console.log(`\n== ${name}: ${file.split('/').pop()} (${fmt(mb(statSync(file).size), 0)} MB), ${runs} runs`);
    const parallel = await inProcess(file, 'parallel');
    const single = await inProcess(file, 'one thread');
    console.log(`    verdicts ${parallel.counts}`);
    const processes = inProcessOnly ? undefined : processCpu(file);
    const whole = inProcessOnly || args.includes('--no-duckdb') ? undefined : wholeProcess(file);
    results.push({ name, file, parallel, single, processes, whole });
  }
  if (!inProcessOnly && !args.includes('--no-memory')) {
    console.log('\n== peak memory on 1 GB of records (flowlog diagnose --format json, whole process)');
    for (const shape of ['friendly', 'wide'] as const) results.push({ memory: peakMemory((await data.get(shape, 'big')).path) });
  }
  console.log(`\n${JSON.stringify(results)}`);
}

// The bundle starts itself as the engine's and the diagnosis's worker threads: there, run the job instead.
if (!maybeRunAsPoolWorker() && !maybeRunAsDiagnoseWorker()) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
