// The engine's execution paths give one answer: on one thread, on worker threads (the built bundle's pool, with or
// without this thread as one of them), and with groups spilled to disk under a tiny memory budget, on a friendly
// file and on a high-cardinality one (nearly every source/destination/port its own group); and that answer is
// DuckDB's on the high-cardinality file.
// Each path is checked to have run (threads and spilled partitions in the stats).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { QueryCancelledError, QueryOptions, QueryResult, planQuery, runPlans, runQuery, Value } from '../../server/src/core/query';
import { writeFlowLogFile } from '../support/generate';
import { writeWideFile } from '../support/generateWide';
import { savedEnv } from '../support/env';

const BUNDLE = resolve(__dirname, '../../dist/cli.js');
const COLUMNS = "{'version': 'VARCHAR', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'BIGINT', 'dstport': 'BIGINT', 'protocol': 'BIGINT', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'}";

let dir: string;
let friendly: string;
let wide: string;
let duck: DuckDBConnection;
let instance: DuckDBInstance;
const restoreEnv = savedEnv('FLOWLOG_WORKER_SCRIPT', 'FLOWLOG_PARALLEL_MIN_BYTES', 'FLOWLOG_MERGE_HERE_GROUPS');

before(async () => {
  assert.ok(existsSync(BUNDLE), 'npm test builds dist/cli.js first (the workers run the bundle)');
  // Worker threads run the built bundle; files split from 256 KB up, so small test files use several threads.
  process.env.FLOWLOG_WORKER_SCRIPT = BUNDLE;
  process.env.FLOWLOG_PARALLEL_MIN_BYTES = String(256 << 10);
  // This thread merges beside the workers from any number of groups (the default is millions), so that path runs here.
  process.env.FLOWLOG_MERGE_HERE_GROUPS = '0';
  dir = mkdtempSync(join(tmpdir(), 'flowlog-paths-'));
  friendly = join(dir, 'friendly.flowlog');
  wide = join(dir, 'wide.flowlog');
  await writeFlowLogFile(friendly, { records: 15_000, seed: 3, header: true, badShare: 0.005, nodataShare: 0.03 });
  await writeWideFile(wide, { records: 30_000, seed: 5, header: true, addresses: 1 << 16 });
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  await duck.run(`CREATE TABLE wide AS SELECT * FROM read_csv('${wide}', delim=' ', header=true, nullstr='-', auto_detect=false, columns=${COLUMNS})`);
});

after(() => {
  restoreEnv();
  duck?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const ONE_THREAD: QueryOptions = { threads: 1, limit: 1_000_000 };
const THREADS: QueryOptions = { threads: 3, limit: 1_000_000 };
/** Three threads of which this one is one (the CLI's way): two workers and this thread take units. */
const THREADS_HERE: QueryOptions = { ...THREADS, scanHere: true };
/** 64 KB for all threads: every aggregation with more than a few hundred groups spills. */
const SPILL_ONE: QueryOptions = { threads: 1, limit: 1_000_000, memoryBudget: 64 << 10 };
const SPILL_THREADS: QueryOptions = { threads: 3, limit: 1_000_000, memoryBudget: 64 << 10 };

/** The same columns, rows in the same order (without ORDER BY: groups in the order they first occur), same counts. */
function same(a: QueryResult, b: QueryResult, label: string): void {
  assert.deepEqual(a.columns, b.columns, `${label}: columns`);
  assert.deepEqual(a.rows, b.rows, `${label}: rows`);
  assert.deepEqual([a.stats.records, a.stats.matched, a.stats.malformed], [b.stats.records, b.stats.matched, b.stats.malformed], `${label}: counts`);
}

const QUERIES = [
  'action:REJECT | select count(*)',
  '* | select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b group by srcaddr, dstaddr, dstport order by b desc, srcaddr, dstaddr, dstport limit 20',
  'action:REJECT | select srcaddr, count(*) as n, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 10',
  '* | select histogram(start, interval 5 minute) as t, count(*) as n, sum(bytes) as b group by t order by t',
  '* | select srcaddr, count(distinct dstport) as ports, min(dstaddr) as lo, max(action) as a, any_value(protocol) as p, avg(packets) as avg_packets group by srcaddr having count(*) > 1 order by ports desc, srcaddr limit 25',
  '* | select interface_id, count(*), sum(distinct dstport), min(start), max(end) group by interface_id',
  '* | select srcaddr, dstport group by srcaddr, dstport',
  '* | select count(*), count(distinct srcaddr), count(distinct dstaddr), sum(bytes), min(srcaddr), max(srcaddr)',
  'dstport:[1 TO 1023} | select dstport, protocol_name(protocol) as p, count(*) group by dstport, p order by 3 desc, 1, 2',
  'dstport:3389 | select srcaddr, dstaddr, bytes, start order by bytes desc, start, srcaddr limit 30',
  'protocol:udp AND NOT action:REJECT',
  "* | select srcaddr, bytes where bytes > 60000 and srcaddr like '1%'",
];

describe('one thread, worker threads and spilled groups give one answer', () => {
  for (const [name, file] of [['friendly', () => friendly], ['high-cardinality', () => wide]] as const) {
    for (const q of QUERIES) {
      it(`${name}: ${q}`, async () => {
        const source = { kind: 'files' as const, paths: [file()] };
        const base = await runQuery(source, q, ONE_THREAD);
        assert.equal(base.stats.threads, 1);
        const threaded = await runQuery(source, q, THREADS);
        assert.equal(threaded.stats.threads, 3, 'the worker path ran');
        same(threaded, base, 'threads');
        same(await runQuery(source, q, THREADS_HERE), base, 'threads with this one');
        for (const options of [SPILL_ONE, SPILL_THREADS, { ...SPILL_THREADS, scanHere: true }]) {
          const spilled = await runQuery(source, q, options);
          same(spilled, base, `spill on ${options.threads} thread(s)`);
          const groups = /group by/.test(q) || /count\(distinct/.test(q);
          if (groups && base.rows.length > 200) assert.ok((spilled.stats.spilled?.partitions ?? 0) > 0, 'groups were spilled');
        }
      });
    }
  }

  it('a search streamed from worker threads (rows as text, parsed in slices) comes in order: the batches are the result', async () => {
    const source = { kind: 'files' as const, paths: [wide] };
    const q = 'protocol:udp AND NOT action:REJECT';
    const base = await runQuery(source, q, ONE_THREAD);
    const streamed: Value[][] = [];
    const threaded = await runQuery(source, q, { ...THREADS, onRows: (rows) => void streamed.push(...rows) });
    assert.equal(threaded.stats.threads, 3);
    assert.ok(base.rows.length > 1000, `${base.rows.length} rows`);
    assert.deepEqual(streamed, base.rows);
    assert.deepEqual(threaded.rows, base.rows);
  });

  it('a taker that asks to wait (a slow connection) gets the same rows in order, and the cap still stops the workers', async () => {
    const source = { kind: 'files' as const, paths: [wide] };
    const q = 'protocol:udp AND NOT action:REJECT';
    const base = await runQuery(source, q, ONE_THREAD);
    const streamed: Value[][] = [];
    let waits = 0;
    const slow = (rows: Value[][]) => {
      streamed.push(...rows);
      waits++;
      return new Promise<void>((resolve) => setTimeout(resolve, 2));
    };
    const held = await runQuery(source, q, { ...THREADS, onRows: slow, keepStreamedRows: false });
    assert.equal(held.stats.threads, 3);
    assert.ok(waits > 3, `${waits} waits`);
    assert.deepEqual(streamed, base.rows);
    assert.deepEqual(held.rows, [], 'streamed rows are not kept');
    assert.equal(held.stats.matched, base.stats.matched);
    // With a cap the first rows in file order, however long the taker makes the workers wait.
    const capped: Value[][] = [];
    const first = await runQuery(source, q, { ...THREADS, limit: 700, onRows: (rows) => {
      capped.push(...rows);
      return new Promise<void>((resolve) => setTimeout(resolve, 2));
    } });
    assert.deepEqual(capped, base.rows.slice(0, 700));
    assert.deepEqual(first.rows, capped, 'kept as well (keepStreamedRows by default)');
    assert.equal(first.stats.matched, base.stats.matched);
  });

  it('random aggregations: identical on 1 thread, 3 threads and a tiny budget', async () => {
    const key = fc.constantFrom('srcaddr', 'dstaddr', 'dstport', 'srcport', 'action', 'interface_id', 'protocol', 'histogram(start, interval 10 minute)', 'subnet(srcaddr, 16)');
    const agg = fc.constantFrom('count(*)', 'sum(bytes)', 'min(start)', 'max(packets)', 'avg(bytes)', 'count(distinct srcaddr)', 'count(dstport)', 'min(action)', 'any_value(dstaddr)');
    const filter = fc.constantFrom('*', 'action:REJECT', 'protocol:tcp', 'dstport:[1 TO 1024]', 'bytes:>20000', 'srcaddr:*', 'NOT dstport:443');
    const query = fc.record({ filter, keys: fc.uniqueArray(key, { minLength: 0, maxLength: 3 }), aggs: fc.uniqueArray(agg, { minLength: 1, maxLength: 3 }), limit: fc.integer({ min: 1, max: 50 }) })
      .map(({ filter: f, keys, aggs, limit }) => {
        const select = [...keys.map((k, i) => `${k} as k${i}`), ...aggs.map((a, i) => `${a} as a${i}`)].join(', ');
        const groupBy = keys.length ? ` group by ${keys.map((_, i) => `k${i}`).join(', ')}` : '';
        const order = keys.length ? ` order by a0 desc, ${keys.map((_, i) => `k${i}`).join(', ')} limit ${limit}` : '';
        return `${f} | select ${select}${groupBy}${order}`;
      });
    await fc.assert(fc.asyncProperty(query, fc.constantFrom('friendly', 'wide'), async (q, which) => {
      const source = { kind: 'files' as const, paths: [which === 'wide' ? wide : friendly] };
      const base = await runQuery(source, q, ONE_THREAD);
      same(await runQuery(source, q, THREADS), base, `threads: ${q}`);
      same(await runQuery(source, q, THREADS_HERE), base, `threads with this one: ${q}`);
      same(await runQuery(source, q, SPILL_THREADS), base, `spill: ${q}`);
    }), { numRuns: 25, seed: 20261128 });
  });
});

describe('the two-pass top-N (a sketch, then the candidates) gives the exact answer', () => {
  const topNs = [
    '* | select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b group by srcaddr, dstaddr, dstport order by b desc, srcaddr, dstaddr, dstport limit 20',
    'action:REJECT | select srcaddr, count(*) as n, sum(bytes) as b group by srcaddr order by n desc, srcaddr limit 10',
    'srcaddr:* AND dstaddr:* | select srcaddr, dstaddr, sum(bytes) as bytes, count(*) as records, max(start) as last group by srcaddr, dstaddr order by bytes desc, srcaddr, dstaddr limit 10',
    '* | select srcport, count(dstport) as c group by srcport order by c desc, srcport limit 7',
    // Ties at the boundary: many groups share the 5th value; the order among equals is first occurrence.
    '* | select dstaddr, srcport, count(*) as n group by dstaddr, srcport order by n desc limit 5',
  ];
  const threshold = process.env.FLOWLOG_TOPN_THRESHOLD;
  after(() => {
    if (threshold === undefined) delete process.env.FLOWLOG_TOPN_THRESHOLD;
    else process.env.FLOWLOG_TOPN_THRESHOLD = threshold;
  });
  for (const q of topNs) {
    it(q, async () => {
      const source = { kind: 'files' as const, paths: [wide] };
      process.env.FLOWLOG_TOPN_THRESHOLD = String(1 << 30);
      const exact = await runQuery(source, q, ONE_THREAD);
      assert.equal(exact.stats.twoPass, undefined, 'one pass when the groups stay under the threshold');
      // 500 groups a thread: every one of these turns to the sketch (the threshold is handed to the workers with
      // each query, whatever environment the pool started with).
      process.env.FLOWLOG_TOPN_THRESHOLD = '500';
      for (const options of [ONE_THREAD, SPILL_ONE, THREADS_HERE]) {
        const two = await runQuery(source, q, options);
        assert.equal(two.stats.twoPass, 1, 'the two-pass plan ran');
        same(two, exact, `two passes, ${JSON.stringify(options)}`);
        // The sampled groups are ranked, and the candidates merged, on this thread as well as on the workers.
        if (options.scanHere) assert.ok(two.stats.mergedHere! >= 2, `jobs here: ${two.stats.mergedHere}`);
      }
    });
  }

  it('plans the first pass answered are handed on before the second pass reads the input again', async () => {
    process.env.FLOWLOG_TOPN_THRESHOLD = '500';
    const plans = [planQuery(topNs[0]), planQuery('* | select action, count(*) as n group by action order by action')];
    // Cancelled when the one-pass plan is handed on: the second pass, still to come, must stop.
    const controller = new AbortController();
    const done: number[] = [];
    await assert.rejects(runPlans({ kind: 'files', paths: [wide] }, plans, {
      ...ONE_THREAD, signal: controller.signal,
      onPlanDone: (i) => {
        done.push(i);
        controller.abort();
      },
    }), QueryCancelledError);
    assert.deepEqual(done, [1]);
    // Without the cancellation both are answered, the one-pass plan first.
    const order: number[] = [];
    const { results, stats } = await runPlans({ kind: 'files', paths: [wide] }, plans, { ...ONE_THREAD, onPlanDone: (i) => order.push(i) });
    assert.deepEqual(order, [1, 0]);
    assert.equal(stats.twoPass, 1);
    assert.equal(results[0].rows.length, 20);
  });

  it('the two-pass answers on worker threads equal DuckDB', async () => {
    const q = '* | select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b group by srcaddr, dstaddr, dstport order by b desc, srcaddr, dstaddr, dstport limit 20';
    process.env.FLOWLOG_TOPN_THRESHOLD = '500';
    const r = await runQuery({ kind: 'files', paths: [wide] }, q, THREADS);
    // Two passes on the workers, the sampled groups ranked there too (run.ts rankOnPool).
    assert.equal(r.stats.twoPass, 1, 'the two-pass plan ran');
    assert.ok((r.stats.threads ?? 1) > 1, `${r.stats.threads} threads`);
    const expected = (await duck.runAndReadAll('select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b from wide group by all order by b desc, srcaddr, dstaddr, dstport limit 20')).getRows().map((row) => row.map(normalize));
    near(r.rows, expected, q);
  });
});

function normalize(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string') return v;
  return String(v);
}

function near(a: Value[][], b: Value[][], label: string): void {
  assert.equal(a.length, b.length, `${label}: rows`);
  a.forEach((row, i) => row.forEach((v, j) => {
    const w = b[i][j];
    if (typeof v === 'number' && typeof w === 'number' && !Number.isInteger(w)) assert.ok(Math.abs(v - w) <= 1e-9 * Math.max(1, Math.abs(w)), `${label}: ${v} vs ${w}`);
    else assert.deepEqual(v, w, `${label}: row ${i} col ${j}`);
  }));
}

describe('a top-N past the memory budget spills once before it turns to its sketch', () => {
  const threshold = process.env.FLOWLOG_TOPN_THRESHOLD;
  const nearUnique = process.env.FLOWLOG_NEAR_UNIQUE;
  // Tables are kept however unique their keys (else these near-unique ones go to record runs: below).
  before(() => (process.env.FLOWLOG_NEAR_UNIQUE = '2'));
  after(() => {
    if (threshold === undefined) delete process.env.FLOWLOG_TOPN_THRESHOLD;
    else process.env.FLOWLOG_TOPN_THRESHOLD = threshold;
    if (nearUnique === undefined) delete process.env.FLOWLOG_NEAR_UNIQUE;
    else process.env.FLOWLOG_NEAR_UNIQUE = nearUnique;
  });
  const queries = [
    '* | select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b group by srcaddr, dstaddr, dstport order by b desc, srcaddr, dstaddr, dstport limit 20',
    'action:REJECT | select srcaddr, count(*) as n, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 10',
  ];
  for (const q of queries) {
    it(q, async () => {
      // The budget decides, not a threshold: groups past it once are spilled and the query stays one pass; past it
      // again, the pass turns to its sketch with the spilled groups folded in. Every budget gives the exact answer.
      delete process.env.FLOWLOG_TOPN_THRESHOLD;
      const source = { kind: 'files' as const, paths: [wide] };
      const exact = await runQuery(source, q, { ...ONE_THREAD, memoryBudget: 1 << 30 });
      assert.equal(exact.stats.twoPass, undefined);
      assert.equal(exact.stats.spilled, undefined);
      const seen = new Set<string>();
      for (const kb of [64, 512, 1024, 2048, 4096, 8192]) {
        const r = await runQuery(source, q, { ...ONE_THREAD, memoryBudget: kb << 10 });
        same(r, exact, `${kb} KB budget`);
        seen.add(r.stats.twoPass ? 'two passes' : r.stats.spilled ? 'one pass, spilled' : 'in memory');
      }
      assert.ok(seen.has('two passes') && seen.has('one pass, spilled'), [...seen].join(', '));
    });
  }
});

describe('near-unique keys go to record runs (one pass, each record a group of its own on disk)', () => {
  const queries = [
    '* | select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b group by srcaddr, dstaddr, dstport order by b desc, srcaddr, dstaddr, dstport limit 20',
    'action:REJECT | select srcaddr, count(*) as n, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 10',
    '* | select srcaddr, srcport, count(*) as n, count(dstport) as c, avg(packets) as a, min(bytes) as lo, max(start) as hi group by srcaddr, srcport order by hi desc, srcaddr, srcport limit 30',
    '* | select srcaddr, dstport group by srcaddr, dstport',
    '* | select dstaddr, srcport, sum(bytes) as b group by dstaddr, srcport having sum(bytes) > 100000 order by dstaddr, srcport',
  ];
  for (const q of queries) {
    it(q, async () => {
      const source = { kind: 'files' as const, paths: [wide] };
      const exact = await runQuery(source, q, { ...ONE_THREAD, memoryBudget: 1 << 30 });
      assert.equal(exact.stats.spilled, undefined);
      for (const [label, options] of [['one thread', ONE_THREAD], ['three threads', THREADS]] as const) {
        for (const kb of [64, 1024, 4096]) {
          const r = await runQuery(source, q, { ...options, memoryBudget: kb << 10 });
          same(r, exact, `${label}, ${kb} KB budget`);
          assert.equal(r.stats.twoPass, undefined, `${label}, ${kb} KB: one pass`);
          // (At 4 MB a thread's records may all fit: the arena goes into its table in memory, nothing written.)
          if (kb <= 1024) assert.ok((r.stats.spilled?.records ?? 0) > 0, `${label}, ${kb} KB: records went to record runs`);
        }
      }
    });
  }
  it('records of a scan that ends before the first run go into the table in memory: nothing spills', async () => {
    // 30,000 near-unique records on one thread with 64 MB: past the early check (1/32 of the share) the pass writes
    // records to its arena, which never fills.
    const q = '* | select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b group by srcaddr, dstaddr, dstport order by b desc, srcaddr, dstaddr, dstport limit 20';
    const source = { kind: 'files' as const, paths: [wide] };
    const exact = await runQuery(source, q, { ...ONE_THREAD, memoryBudget: 1 << 30 });
    const r = await runQuery(source, q, { ...ONE_THREAD, memoryBudget: 64 << 20 });
    assert.equal(r.stats.spilled, undefined);
    same(r, exact, '64 MB');
  });

  it('a key longer than a slice of the arena is a run of its own', async () => {
    // Unique interfaces, then a few of 20 KB (a slice is 4 KB at this budget): every group exact.
    const file = join(dir, 'long-keys.flowlog');
    const line = (i: number, iface: string) => `2 123456789012 ${iface} 10.0.${(i >> 8) & 255}.${i & 255} 10.1.0.1 443 ${1024 + (i % 7)} 6 10 ${100 + i} 1705312800 1705312860 ACCEPT OK`;
    const lines = Array.from({ length: 20_000 }, (_, i) => line(i, `eni-${i.toString(16).padStart(8, '0')}`));
    for (let j = 0; j < 3; j++) lines.push(line(j, `eni-${String(j).repeat(20_000)}`), line(j + 1, `eni-${String(j).repeat(20_000)}`));
    writeFileSync(file, `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n${lines.join('\n')}\n`);
    const q = '* | select interface_id, count(*) as n, sum(bytes) as b group by interface_id order by n desc, b desc, interface_id limit 5';
    const exact = await runQuery({ kind: 'files', paths: [file] }, q, { ...ONE_THREAD, memoryBudget: 1 << 30 });
    const r = await runQuery({ kind: 'files', paths: [file] }, q, { ...ONE_THREAD, memoryBudget: 1 << 20 });
    assert.ok((r.stats.spilled?.records ?? 0) > 0, 'record runs');
    same(r, exact, 'long keys');
    assert.equal(exact.rows.length, 5);
    assert.equal(exact.rows.filter((row) => String(row[0]).length > 20_000).length, 3);
    assert.deepEqual(exact.rows.map((row) => row[1]), [2, 2, 2, 1, 1]);
  });

  it('not for keys that repeat: a table of few groups spills, or stays in memory, as before', async () => {
    const q = '* | select interface_id, action, count(*) as n, sum(bytes) as b group by interface_id, action order by b desc, interface_id, action limit 10';
    for (const file of [friendly, wide]) {
      const r = await runQuery({ kind: 'files', paths: [file] }, q, SPILL_THREADS);
      assert.equal(r.stats.spilled?.records, undefined);
      same(r, await runQuery({ kind: 'files', paths: [file] }, q, ONE_THREAD), file);
    }
  });
});

describe('the high-cardinality file, spilled on worker threads, agrees with DuckDB', () => {
  const pairs: [string, string][] = [
    ['* | select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b group by srcaddr, dstaddr, dstport order by b desc, srcaddr, dstaddr, dstport limit 20',
      'select srcaddr, dstaddr, dstport, count(*) as n, sum(bytes) as b from wide group by all order by b desc, srcaddr, dstaddr, dstport limit 20'],
    ['action:REJECT | select srcaddr, count(*) as n, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 10',
      "select srcaddr, count(*) as n, sum(bytes) as b from wide where action = 'REJECT' group by srcaddr order by b desc, srcaddr limit 10"],
    ['* | select count(*), count(distinct srcaddr), count(distinct dstport), sum(bytes)', 'select count(*), count(distinct srcaddr), count(distinct dstport), sum(bytes) from wide'],
    ['* | select dstport, count(distinct srcaddr) as s, avg(packets) group by dstport order by s desc, dstport limit 15',
      'select dstport, count(distinct srcaddr) as s, avg(packets) from wide group by dstport order by s desc, dstport limit 15'],
    ['* | select srcaddr, min(dstaddr), max(dstport), count(*) as n group by srcaddr having count(*) >= 3 order by n desc, srcaddr limit 40',
      'select srcaddr, min(dstaddr), max(dstport), count(*) as n from wide group by srcaddr having count(*) >= 3 order by n desc, srcaddr limit 40'],
  ];
  for (const [ours, theirs] of pairs) {
    it(ours, async () => {
      const r = await runQuery({ kind: 'files', paths: [wide] }, ours, SPILL_THREADS);
      assert.equal(r.stats.threads, 3);
      const expected = (await duck.runAndReadAll(theirs)).getRows().map((row) => row.map(normalize));
      near(r.rows, expected, ours);
    });
  }
});
