// The CLI's thread scans as one of a query's threads (QueryOptions.scanHere): one worker fewer starts, the answer is
// the one every other path gives (engine-paths.test.ts compares them query by query). In processes of their own, so
// that the pool's size says how many workers the run started.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFlowLogFile } from '../support/generate';

const ROOT = resolve(__dirname, '../..');
const WORKER_BUNDLE = join(ROOT, 'dist/worker.js');
const CLI = join(ROOT, 'dist/cli.js');
let dir: string;
let folder: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-scan-here-'));
  folder = join(dir, 'logs');
  mkdirSync(folder);
  for (let f = 0; f < 6; f++) await writeFlowLogFile(join(folder, `part-${f}.flowlog`), { records: 12_000, seed: f + 1 });
});

after(() => rmSync(dir, { recursive: true, force: true }));

const QUERY = '* | select srcaddr, count(*) as n, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 5';

// Near-unique keys over the folder: more groups than one merge job takes (query/poolMerge.ts), so several jobs.
const MANY_GROUPS = '* | select srcaddr, srcport, dstport, count(*) as n, sum(bytes) as b group by srcaddr, srcport, dstport order by b desc, srcaddr, srcport, dstport limit 7';

function run(options: Record<string, unknown>, query = QUERY, env: Record<string, string> = {}): { rows: unknown[][]; threads: number; workers: number; mergedHere?: number } {
  const script = `
    const { runQuery } = require(${JSON.stringify(join(ROOT, 'server/src/core/query/index.ts'))});
    const { sharedPoolThreadIds } = require(${JSON.stringify(join(ROOT, 'server/src/core/threads/pool.ts'))});
    runQuery({ kind: 'files', paths: [${JSON.stringify(folder)}] }, ${JSON.stringify(query)}, ${JSON.stringify(options)}).then((r) => {
      console.log(JSON.stringify({ rows: r.rows, threads: r.stats.threads, workers: sharedPoolThreadIds().length, mergedHere: r.stats.mergedHere }));
      process.exit(0);
    });`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FLOWLOG_WORKER_SCRIPT: WORKER_BUNDLE, ...env } });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

describe('this thread as one of the threads', () => {
  it('three threads: two workers start, and the rows are those of one thread and of three workers', () => {
    assert.ok(existsSync(WORKER_BUNDLE), 'npm test builds dist/worker.js first');
    const one = run({ threads: 1 });
    const workers = run({ threads: 3 });
    const here = run({ threads: 3, scanHere: true });
    assert.deepEqual([workers.threads, workers.workers], [3, 3]);
    assert.deepEqual([here.threads, here.workers], [3, 2]);
    assert.deepEqual(here.rows, one.rows);
    assert.deepEqual(workers.rows, one.rows);
  });

  it('workers started before the query (cli/prestart.ts starts them) are taken by the pool: none more start', () => {
    const script = `
      const { runQuery } = require(${JSON.stringify(join(ROOT, 'server/src/core/query/index.ts'))});
      const { prestartWorkers, sharedPoolThreadIds } = require(${JSON.stringify(join(ROOT, 'server/src/core/threads/pool.ts'))});
      const started = prestartWorkers(2);
      runQuery({ kind: 'files', paths: [${JSON.stringify(folder)}] }, ${JSON.stringify(QUERY)}, { threads: 3, scanHere: true }).then((r) => {
        console.log(JSON.stringify({ started, pool: sharedPoolThreadIds(), threads: r.stats.threads, rows: r.rows }));
        process.exit(0);
      });`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FLOWLOG_WORKER_SCRIPT: WORKER_BUNDLE } });
    assert.equal(child.status, 0, child.stderr);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!);
    assert.equal(r.started.length, 2);
    assert.deepEqual([...r.pool].sort(), [...r.started].sort());
    assert.equal(r.threads, 3);
    assert.deepEqual(r.rows, run({ threads: 1 }).rows);
  });

  it('this thread takes merge jobs beside the workers past a number of groups: one small merge, and a share of a big one', () => {
    // From any number of groups (the default threshold is millions: a small merge costs this thread more than it saves).
    const always = { FLOWLOG_MERGE_HERE_GROUPS: '0' };
    const small = run({ threads: 3, scanHere: true }, QUERY, always);
    const workers = run({ threads: 3 }, MANY_GROUPS, always);
    const here = run({ threads: 3, scanHere: true }, MANY_GROUPS, always);
    // A merge of few groups is one job: the thread that has the states runs it rather than post it.
    assert.equal(small.mergedHere, 1);
    assert.equal(workers.mergedHere, undefined);
    assert.ok(here.mergedHere! >= 1, `merged here ${here.mergedHere}`);
    assert.equal(here.rows.length, 7);
    assert.deepEqual(here.rows, run({ threads: 1 }, MANY_GROUPS).rows);
    assert.deepEqual(workers.rows, here.rows);
    // Under the threshold the workers merge alone, with the same rows.
    const under = run({ threads: 3, scanHere: true }, MANY_GROUPS, { FLOWLOG_MERGE_HERE_GROUPS: '100000000' });
    assert.equal(under.mergedHere, undefined);
    assert.deepEqual(under.rows, here.rows);
  });

  it('the CLI scans here unless FLOWLOG_SCAN_HERE=0; the printed answer is the same', () => {
    const cli = (env: Record<string, string>) => spawnSync(process.execPath, [CLI, 'query', '--format', 'json', folder, QUERY], { encoding: 'utf8', env: { ...process.env, FLOWLOG_QUERY_WORKERS: '2', ...env } });
    const a = cli({});
    const b = cli({ FLOWLOG_SCAN_HERE: '0' });
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    const [x, y] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    assert.equal(x.rows.length, 5);
    assert.deepEqual([x.rows, x.stats.records, x.stats.threads], [y.rows, y.stats.records, y.stats.threads]);
  });
});
