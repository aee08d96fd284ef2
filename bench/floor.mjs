// The floor under a whole-process query of a file: what any Node process that reads the file with two worker
// threads pays before it has looked at a record. It puts the engine's figures against DuckDB's in proportion (the
// goal of 1.5× DuckDB's speed on a 2-core machine leaves so much time, and this much of it is gone before the
// engine's own work). Usage:
//   node bench/floor.mjs FILE [--runs N] [--sql 'SQL over the view flows' | --full-sql 'SQL'] [--query 'flowlog query']
//     [--group srcaddr|srcaddr,dstaddr,dstport] [--reject] (the group step: its key fields, and only REJECT records)
//   (FLOOR_TIMES=1: the group step prints when its workers ended and how long the merge took)
// (--full-sql: a statement of its own for bench/duckdbSql.mjs, e.g. over read_json for a JSON lines file)
// Steps, each a process of its own, best of N runs (wall and CPU seconds, peak RSS):
//   node       `node -e ""`: starting Node
//   bundle     `node dist/cli.js --help`: starting Node and loading the CLI's bundle
//   read       two worker threads each read half of the file, 1 MiB positioned reads into two reused buffers
//   lines      the same, and each finds its line feeds (Buffer.indexOf, memchr: the fastest way to see lines in JS)
//   bytes      the same, and a JavaScript loop looks at every byte once (the least any field splitter in JS does)
//   parse      the same, and each reads every line with the engine's compiled record reader (records/compiledFields.ts,
//              its source for the fields the query reads; IPv6 addresses only looked at): the least a query that
//              checks its records as the engine does can cost
//   group      (with --group) the same, and each groups its records in a plain hash table of typed arrays (open
//              addressing, linear probing, count and sum of bytes); the second table is merged into the first and
//              the top rows picked: a floor for a GROUP BY, since it keeps none of the engine's promises (memory
//              budget, spilling, exact ties, any query; records whose key has an IPv6 address or `-` are not grouped)
//   flowlog    `node dist/cli.js query FILE QUERY --format json` (default: the filter count)
//   duckdb     `node bench/duckdbQuery.mjs FILE SQL` (default: the filter count), or `node bench/duckdbSql.mjs SQL`
import { spawnSync } from 'node:child_process';
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import { openSync, readSync, closeSync, fstatSync, writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** The whole lines that start in [start, end) of the file, read with the compiled reader (and grouped, in group mode). */
function walkLines({ path, start, end, mode, readerFile, keys, reject }) {
  const source = JSON.parse(readFileSync(readerFile, 'utf8'));
  // IPv6 addresses are only looked at (the floor does less than the engine, never more).
  const reader = new Function('isIPv6Bytes', `return function compiledFields(buf, i, starts, ends, nums) {\n${source.body}\n};`)(() => true);
  const starts = new Int32Array(64);
  const ends = new Int32Array(64);
  const nums = new Float64Array(64);
  const table = new Table(keys.length);
  const key = new Int32Array(keys.length);
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(READ + (64 << 10));
  let carry = 0;
  let pos = start;
  let records = 0;
  let first = start > 0; // a share after the first begins after the line it starts inside
  for (;;) {
    const n = readSync(fd, buf, carry, READ, pos);
    const filled = carry + n;
    const last = n === 0 ? filled - 1 : buf.lastIndexOf(10, filled - 1);
    if (last < 0) break;
    let i = 0;
    if (first) {
      i = buf.indexOf(10) + 1;
      first = false;
    }
    // Lines that start at or after `end` belong to the next share.
    while (i <= last && pos - carry + i < end) {
      const lf = reader(buf, i, starts, ends, nums);
      if (lf < 0) {
        i = buf.indexOf(10, i) + 1 || last + 1;
        continue;
      }
      records++;
      if (mode === 'group' && !(reject && (ends[source.action] - starts[source.action] !== 6 || buf[starts[source.action]] !== 82))) {
        // Keys of IPv4 addresses and ports only (an IPv6 address or `-` is left out: less work, still a floor).
        let plain = true;
        for (let k = 0; k < keys.length; k++) {
          const v = nums[keys[k]];
          if (!(v >= 0)) plain = false;
          key[k] = v | 0;
        }
        if (plain) table.add(key, nums[source.bytes]);
      }
      i = lf + 1;
    }
    if (n === 0 || pos - carry + i >= end) break;
    carry = filled - (last + 1);
    if (carry > 64 << 10) throw new Error('a line over 64 KB: not a floor for this file');
    buf.copy(buf, 0, last + 1, filled);
    pos += n;
  }
  closeSync(fd);
  return mode === 'group' ? { records, table: table.arrays() } : records;
}

/** Count and sum of bytes per key of `width` 32-bit words: open addressing, linear probing, 2^18 slots to start, grown at half full. */
class Table {
  constructor(width, from) {
    this.width = width;
    Object.assign(this, from ?? { cap: 1 << 18, size: 0 });
    if (!from) this.allocate(this.cap);
  }
  allocate(cap) {
    this.cap = cap;
    this.keys = new Int32Array(cap * this.width);
    this.used = new Uint8Array(cap);
    this.count = new Float64Array(cap);
    this.sum = new Float64Array(cap);
  }
  slotOf(key, at) {
    const w = this.width;
    let h = 0x9e3779b9;
    for (let k = 0; k < w; k++) h = Math.imul(h ^ key[at + k], 0x85ebca6b);
    // murmur3's finalizer: every bit of the key reaches the low bits the mask keeps
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const mask = this.cap - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      if (!this.used[s]) return s;
      let same = true;
      for (let k = 0; k < w && same; k++) same = this.keys[s * w + k] === key[at + k];
      if (same) return s;
    }
  }
  addAt(key, at, count, sum) {
    const s = this.slotOf(key, at);
    if (!this.used[s]) {
      this.used[s] = 1;
      for (let k = 0; k < this.width; k++) this.keys[s * this.width + k] = key[at + k];
      if (++this.size * 2 > this.cap) {
        this.count[s] += count;
        this.sum[s] += sum;
        this.grow();
        return;
      }
    }
    this.count[s] += count;
    this.sum[s] += sum;
  }
  add(key, bytes) {
    this.addAt(key, 0, 1, bytes);
  }
  grow() {
    const old = { keys: this.keys, used: this.used, count: this.count, sum: this.sum, cap: this.cap };
    this.allocate(this.cap * 2);
    this.size = 0;
    this.mergeArrays(old);
  }
  mergeArrays(other) {
    for (let s = 0; s < other.cap; s++) if (other.used[s]) this.addAt(other.keys, s * this.width, other.count[s], other.sum[s]);
  }
  arrays() {
    return { keys: this.keys, used: this.used, count: this.count, sum: this.sum, cap: this.cap, size: this.size };
  }
}

if (!isMainThread) {
  if (workerData.mode === 'parse' || workerData.mode === 'group') {
    const result = walkLines(workerData);
    parentPort.postMessage(result, typeof result === 'object' ? [result.table.keys.buffer, result.table.used.buffer, result.table.count.buffer, result.table.sum.buffer] : []);
  } else parentPort.postMessage(walk(workerData));
} else if (process.argv[2] === '--step') {
  // One step in a process of its own: two workers, each half of the file.
  const [, , , mode, path, readerFile, keyList, reject] = process.argv;
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  closeSync(fd);
  const half = Math.floor(size / 2);
  const shares = [[0, half], [half, size]];
  const keys = keyList ? keyList.split(',').map(Number) : [];
  const t0 = performance.now();
  const results = await Promise.all(shares.map(([start, end]) => new Promise((resolve, reject_) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: { path, start, end, mode, readerFile, keys, reject: reject === 'reject' } });
    w.once('message', resolve);
    w.once('error', reject_);
  })));
  if (mode === 'group') {
    // The second share's groups merged into the first's, then the 10 biggest sums.
    const t1 = performance.now();
    const merged = new Table(keys.length, { ...results[0].table, width: keys.length });
    merged.mergeArrays(results[1].table);
    if (process.env.FLOOR_TIMES) process.stderr.write(`workers ${(t1 - t0).toFixed(0)} ms (since ${(t0).toFixed(0)}), merge ${(performance.now() - t1).toFixed(0)} ms\n`);
    const top = [];
    for (let s = 0; s < merged.cap; s++) {
      if (!merged.used[s]) continue;
      if (top.length < 10 || merged.sum[s] > top[top.length - 1]) {
        top.push(merged.sum[s]);
        top.sort((a, b) => b - a);
        if (top.length > 10) top.pop();
      }
    }
    process.stdout.write(`${results[0].records + results[1].records} records, ${merged.size} groups of IPv4 keys, top sum ${top[0]}\n`);
  } else process.stdout.write(`${results.reduce((a, b) => a + b, 0)}\n`);
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
  // The compiled reader's source for the fields the parse and group steps read, made once by the engine's own code.
  const groupKeys = opt('--group', undefined);
  const readFields = ['action', 'bytes', ...(groupKeys ? groupKeys.split(',') : [])];
  const readerFile = join(mkdtempSync(join(tmpdir(), 'flowlog-floor-')), 'reader.json');
  const made = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const { compiledFieldsSource } = require('./server/src/core/records/compiledFields');
    const { DEFAULT_FORMAT } = require('./server/src/core/scan');
    const read = ${JSON.stringify(readFields)};
    const index = (name) => DEFAULT_FORMAT.fields.findIndex((f) => f?.name === name);
    const body = compiledFieldsSource(DEFAULT_FORMAT, (k) => read.includes(DEFAULT_FORMAT.fields[k]?.name ?? ''));
    process.stdout.write(JSON.stringify({ body, action: index('action'), bytes: index('bytes'), keys: read.slice(2).map(index) }));`], { cwd: join(here, '..'), encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`making the reader failed: ${made.stderr}`);
  writeFileSync(readerFile, made.stdout);
  const keyIndexes = JSON.parse(made.stdout).keys.join(',');
  const steps = [
    ['node', ['-e', '']],
    ['bundle', [cli, '--help']],
    ['read', [fileURLToPath(import.meta.url), '--step', 'read', file]],
    ['lines', [fileURLToPath(import.meta.url), '--step', 'lines', file]],
    ['bytes', [fileURLToPath(import.meta.url), '--step', 'bytes', file]],
    ['parse', [fileURLToPath(import.meta.url), '--step', 'parse', file, readerFile]],
    ...(groupKeys ? [['group', [fileURLToPath(import.meta.url), '--step', 'group', file, readerFile, keyIndexes, args.includes('--reject') ? 'reject' : 'all']]] : []),
    ['flowlog', [cli, 'query', file, query, '--format', 'json']],
    ['duckdb', fullSql ? [join(here, 'duckdbSql.mjs'), fullSql] : [join(here, 'duckdbQuery.mjs'), file, sql]],
  ];
  process.stdout.write(`floor of ${file} (best of ${runs}; load average ${loadavg().map((l) => l.toFixed(2)).join(', ')})\n`);
  for (const [name, stepArgs] of steps) {
    let best;
    let lastOut = '';
    for (let r = 0; r < runs; r++) {
      const p = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ...stepArgs], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const last = p.stderr.trim().split('\n').pop().split(' ').map(Number);
      if (p.status !== 0 || !Number.isFinite(last[0])) throw new Error(`${name} failed: ${p.stderr.slice(-500)}`);
      const m = { wall: last[0], cpu: last[1] + last[2], user: last[1], sys: last[2], peak: last[3] / 1024 };
      if (!best || m.wall < best.wall) best = m;
      lastOut = p.stdout.split('\n').filter((l) => l.trim() !== '' && !/^\d+(\.\d+)? \d/.test(l)).pop() ?? '';
    }
    if (name === 'group' || name === 'parse') process.stdout.write(`  ${name.padEnd(8)} ${lastOut.trim()}\n`);
    process.stdout.write(`  ${name.padEnd(8)} wall ${best.wall.toFixed(2)} s  CPU ${best.cpu.toFixed(2)} s (user ${best.user.toFixed(2)}, system ${best.sys.toFixed(2)})  peak ${best.peak.toFixed(0)} MB\n`);
  }
}
