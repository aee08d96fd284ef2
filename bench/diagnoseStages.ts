// Where a diagnosis's time goes, stage by stage, against the engine's top-N query in the same process (issue 12's
// goal is the diagnosis within 2× of that query). Every figure is the best of N runs on one thread unless it says
// otherwise, all in one process (the code warm), over the same file:
//   parse      the record scanner alone over the file's chunks read into memory beforehand, reading the fields the
//              diagnosis reads (records/recordScanner.ts and its compiled reader): what any reader of the records pays
//   pack       the same, and each record packed for the join (diagnose/recordPacker.ts: interface ids, addresses in
//              words, the key's hash, the verdict of a record alone): the reader thread's work without its file reads
//   reader     the reader thread as a diagnosis runs it (diagnose/parallel.ts, a worker of the engine's pool reading
//              the file and packing into the ring of shared slots), with a joining thread that takes each batch and
//              does nothing with it
//   consumers  the joining thread's consumers over the file's packed records held in memory: interface addresses,
//              coverage, scans, the join, each alone and then all four a slice at a time as a diagnosis runs them
//   threads    a whole diagnosis and the top-N query, each thread's CPU milliseconds (Linux /proc: the joining
//              thread, the reader, and the rest: V8's compiler and collector threads, libuv's file reads)
// Build and run (after `npm run build`, which makes dist/worker.js, the threads' bundle):
//   npx esbuild bench/diagnoseStages.ts --bundle --platform=node --format=cjs --target=node20 \
//     --outfile=out/bench/diagnoseStages.js && node out/bench/diagnoseStages.js FILE [--runs N]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { RecordScanner, LineKind } from '../server/src/core/records/recordScanner';
import { RecordPacker, DIAGNOSIS_FIELDS } from '../server/src/core/diagnose/recordPacker';
import { RECORD_WORDS, RecordBatch } from '../server/src/core/diagnose/packed';
import { readHere } from '../server/src/core/diagnose/records';
import { readOnPool } from '../server/src/core/diagnose/parallel';
import { LocalAddresses } from '../server/src/core/diagnose/localAddress';
import { Coverage } from '../server/src/core/diagnose/coverage';
import { ScanDetector } from '../server/src/core/diagnose/scans';
import { ConversationJoin } from '../server/src/core/diagnose/join';
import { ConversationReport } from '../server/src/core/diagnose/report';
import { DEFAULT_DIAGNOSE_OPTIONS as D, diagnose } from '../server/src/core/diagnose';
import { runQuery } from '../server/src/core/query';
import { maybeRunAsPoolWorker } from '../server/src/core/threads/pool';

const TOP_N = '* | select srcaddr, sum(bytes) as b group by srcaddr order by b desc limit 10';
/** As the diagnosis runs its consumers (diagnose/index.ts SLICE_RECORDS). */
const SLICE = 256;

function best(times: number[]): string {
  return `${Math.min(...times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(' ')})`;
}

async function timed(f: () => unknown): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

/** The file in chunks of whole lines of about 1 MiB, as the readers hand them on. */
function chunksOf(path: string): Uint8Array[] {
  const data = readFileSync(path);
  const chunks: Uint8Array[] = [];
  for (let s = 0; s < data.length;) {
    let e = Math.min(data.length, s + (1 << 20));
    if (e < data.length) e = data.lastIndexOf(10, e - 1) + 1;
    chunks.push(data.subarray(s, e));
    s = e;
  }
  return chunks;
}

function parse(chunks: Uint8Array[]): number {
  const scanner = new RecordScanner();
  scanner.readOnly(DIAGNOSIS_FIELDS);
  let records = 0;
  for (const c of chunks) {
    scanner.setChunk(c);
    for (let k = scanner.next(); k !== LineKind.End; k = scanner.next()) if (k === LineKind.Record) records++;
  }
  return records;
}

function pack(file: string, chunks: Uint8Array[]): number {
  const packer = new RecordPacker();
  packer.startUnit(0, file, packer.currentFormat);
  let records = 0;
  const onBatch = (b: RecordBatch) => { records += b.count; };
  let line = 1;
  for (const c of chunks) {
    packer.chunk({ bytes: c, firstLine: line, lines: undefined, problems: undefined }, onBatch);
    line = packer.lines + 1;
  }
  packer.flush(onBatch);
  return records;
}

/** Per thread id: its name and CPU milliseconds so far. */
function threadTimes(): Map<string, number> {
  const m = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      m.set(tid, Number(readFileSync(join('/proc/self/task', tid, 'schedstat'), 'utf8').split(' ')[0]) / 1e6);
    } catch {
      // a thread that ended
    }
  }
  return m;
}

/** The joining thread (this one), the busiest other thread, and the rest, in CPU ms between two snapshots. */
function split(before: Map<string, number>, after: Map<string, number>): { main: number; busiest: number; rest: number } {
  let main = 0;
  const others: number[] = [];
  for (const [tid, ms] of after) {
    const d = ms - (before.get(tid) ?? 0);
    if (tid === String(process.pid)) main = d;
    else others.push(d);
  }
  others.sort((a, b) => b - a);
  return { main, busiest: others[0] ?? 0, rest: others.slice(1).reduce((a, b) => a + b, 0) };
}

/** FILE and --runs N, in any order (read on the main thread only: the bundle also starts itself as a pool worker). */
function options(): { file: string; runs: number } {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
  const file = args.find((a, i) => !a.startsWith('--') && !(runsAt >= 0 && i === runsAt + 1));
  if (!file || !(runs >= 1)) throw new Error('usage: node out/bench/diagnoseStages.js FILE [--runs N]');
  return { file, runs };
}

async function main(): Promise<void> {
  const { file, runs } = options();
  console.log(`${file}, best of ${runs} runs [load ${loadavg().map((l) => l.toFixed(2)).join(', ')}]`);
  const chunks = chunksOf(file);
  const parseTimes: number[] = [];
  const packTimes: number[] = [];
  for (let r = 0; r < runs; r++) {
    parseTimes.push(await timed(() => parse(chunks)));
    packTimes.push(await timed(() => pack(file, chunks)));
  }
  console.log(`  parse       ${best(parseTimes)}`);
  console.log(`  pack        ${best(packTimes)}`);

  const readerTimes: number[] = [];
  const source = { kind: 'files' as const, paths: [file] };
  for (let r = 0; r < runs; r++) {
    readerTimes.push(await timed(() => readOnPool(source, { files: [], interfaces: [], onBatch: () => undefined }, 1)));
  }
  console.log(`  reader      ${best(readerTimes)} (a worker thread reading and packing, batches dropped)`);

  // The packed records, copied out of the reader's reused batches.
  const batches: RecordBatch[] = [];
  await readHere(source, {
    files: [], interfaces: [],
    onBatch: (b: RecordBatch) => {
      const copy = new RecordBatch(b.count);
      copy.words.set(b.words.subarray(0, b.count * RECORD_WORDS));
      copy.count = b.count;
      batches.push(copy);
    },
  });
  const names = ['local', 'coverage', 'scans', 'join', 'all'] as const;
  const consumerTimes = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let r = 0; r < runs; r++) {
    for (const name of names) {
      const report = new ConversationReport({ limit: D.limit, list: D.list, collectAll: false }, [file], []);
      const local = new LocalAddresses();
      const coverage = new Coverage(D.coverageMinGap);
      const scans = new ScanDetector({ ...D.scan, lateness: D.lateness, slack: D.slack }, [file]);
      const joined = new ConversationJoin(
        { slack: D.slack, lateness: D.lateness, maxOpen: D.maxOpen, keepRecords: false, partitions: D.partitions, inputBytes: chunks.reduce((n, c) => n + c.length, 0) },
        (c) => report.keep(c), (v, n, b) => report.tally(v, n, b),
      );
      const all = name === 'all';
      consumerTimes.get(name)!.push(await timed(() => {
        for (const b of batches) {
          for (let a = 0; a < b.count; a += SLICE) {
            const e = Math.min(b.count, a + SLICE);
            if (all || name === 'local') local.addRange(b, a, e);
            if (all || name === 'coverage') coverage.addRange(b, a, e);
            if (all || name === 'scans') scans.addRange(b, a, e);
            if (all || name === 'join') joined.addRange(b, a, e);
          }
        }
        if (all || name === 'scans') scans.finish();
        if (all || name === 'join') joined.finish();
      }));
    }
  }
  for (const name of names) console.log(`  ${name === 'all' ? 'consumers' : `  ${name}`.padEnd(9)}   ${best(consumerTimes.get(name)!)}`);

  const lines: string[] = [];
  for (let r = 0; r < runs; r++) {
    let before = threadTimes();
    const d = await timed(() => diagnose(source));
    const dt = split(before, threadTimes());
    before = threadTimes();
    const q = await timed(() => runQuery(source, TOP_N));
    const qt = split(before, threadTimes());
    lines.push(`  threads     diagnosis ${d.toFixed(0)} ms: joining ${dt.main.toFixed(0)}, reader ${dt.busiest.toFixed(0)}, rest ${dt.rest.toFixed(0)} CPU ms`
      + ` · top-N ${q.toFixed(0)} ms: ${(qt.busiest + qt.main + qt.rest).toFixed(0)} CPU ms → ${(d / q).toFixed(2)}×`);
  }
  console.log(lines.join('\n'));
  process.exit(0);
}

// The bundle starts itself as the pool's worker threads when there is no dist/worker.js beside it: run the job there.
if (!maybeRunAsPoolWorker()) void main();
