// The floor under a whole-process query of a file: what any Node process that reads the file with two worker
// threads pays before it has looked at a record. It puts the engine's figures against DuckDB's in proportion (the
// goal of 1.5× DuckDB's speed on a 2-core machine leaves so much time, and this much of it is gone before the
// engine's own work). Usage:
//   node bench/floor.mjs FILE [--runs N] [--sql 'SQL over the view flows' | --full-sql 'SQL'] [--query 'flowlog query']
// (--full-sql: a statement of its own for bench/duckdbSql.mjs, e.g. over read_json for a JSON lines file)
// Steps, each a process of its own, best of N runs (wall and CPU seconds, peak RSS):
//   node       `node -e ""`: starting Node
//   bundle     `node dist/cli.js --help`: starting Node and loading the CLI's bundle
//   read       two worker threads each read half of the file, 1 MiB positioned reads into two reused buffers
//   lines      the same, and each finds its line feeds (Buffer.indexOf, memchr: the fastest way to see lines in JS)
//   bytes      the same, and a JavaScript loop looks at every byte once (the least any field splitter in JS does)
//   flowlog    `node dist/cli.js query FILE QUERY --format json` (default: the filter count)
//   duckdb     `node bench/duckdbQuery.mjs FILE SQL` (default: the filter count), or `node bench/duckdbSql.mjs SQL`
import { spawnSync } from 'node:child_process';
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const READ = 1 << 20;

/** A worker's share: [start, end) of the file, read and walked as `mode` says; posts what it counted. */
function walk({ path, start, end, mode }) {
  const fd = openSync(path, 'r');
  const buffers = [Buffer.allocUnsafe(READ), Buffer.allocUnsafe(READ)];
  let count = 0;
  let turn = 0;
  for (let pos = start; pos < end; ) {
    const buf = buffers[turn ^= 1];
    const n = readSync(fd, buf, 0, Math.min(READ, end - pos), pos);
    if (n === 0) break;
    pos += n;
    if (mode === 'lines') {
      for (let i = buf.indexOf(10); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) count++;
    } else if (mode === 'bytes') {
      for (let i = 0; i < n; i++) if (buf[i] === 32) count++;
    }
  }
  closeSync(fd);
  return count;
}

if (!isMainThread) {
  parentPort.postMessage(walk(workerData));
} else if (process.argv[2] === '--step') {
  // One step in a process of its own: two workers, each half of the file.
  const [, , , mode, path] = process.argv;
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  closeSync(fd);
  const half = Math.floor(size / 2);
  const shares = [[0, half], [half, size]];
  const counts = await Promise.all(shares.map(([start, end]) => new Promise((resolve, reject) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: { path, start, end, mode } });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  process.stdout.write(`${counts.reduce((a, b) => a + b, 0)}\n`);
} else {
  const args = process.argv.slice(2);
  const file = args[0];
  const opt = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  if (!file) {
    process.stderr.write('usage: node bench/floor.mjs FILE [--runs N] [--sql SQL] [--query QUERY]\n');
    process.exit(2);
  }
  const runs = Number(opt('--runs', '3'));
  const query = opt('--query', 'action:REJECT | select count(*)');
  const sql = opt('--sql', "select count(*) from flows where action = 'REJECT'");
  const fullSql = opt('--full-sql', undefined);
  const cli = join(here, '..', 'dist', 'cli.js');
  const steps = [
    ['node', ['-e', '']],
    ['bundle', [cli, '--help']],
    ['read', [fileURLToPath(import.meta.url), '--step', 'read', file]],
    ['lines', [fileURLToPath(import.meta.url), '--step', 'lines', file]],
    ['bytes', [fileURLToPath(import.meta.url), '--step', 'bytes', file]],
    ['flowlog', [cli, 'query', file, query, '--format', 'json']],
    ['duckdb', fullSql ? [join(here, 'duckdbSql.mjs'), fullSql] : [join(here, 'duckdbQuery.mjs'), file, sql]],
  ];
  process.stdout.write(`floor of ${file} (best of ${runs}; load average ${loadavg().map((l) => l.toFixed(2)).join(', ')})\n`);
  for (const [name, stepArgs] of steps) {
    let best;
    for (let r = 0; r < runs; r++) {
      const p = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ...stepArgs], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const last = p.stderr.trim().split('\n').pop().split(' ').map(Number);
      if (p.status !== 0 || !Number.isFinite(last[0])) throw new Error(`${name} failed: ${p.stderr.slice(-500)}`);
      const m = { wall: last[0], cpu: last[1] + last[2], user: last[1], sys: last[2], peak: last[3] / 1024 };
      if (!best || m.wall < best.wall) best = m;
    }
    process.stdout.write(`  ${name.padEnd(8)} wall ${best.wall.toFixed(2)} s  CPU ${best.cpu.toFixed(2)} s (user ${best.user.toFixed(2)}, system ${best.sys.toFixed(2)})  peak ${best.peak.toFixed(0)} MB\n`);
  }
}
