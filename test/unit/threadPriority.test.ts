// Worker threads below the main thread's priority when FLOWLOG_WORKER_NICE asks (the language server's environment:
// client/src/serverFlags.ts), and at the process's when it does not (the CLI). Each case runs in a process of its
// own (a thread's nice value cannot be raised back), runs a query on the engine's pool over a folder, and reads every
// thread's nice value from /proc while the idle pool's workers are still there.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVER_ENV } from '../../client/src/serverFlags';
import { SEED_LINES } from '../support/seed';

const ROOT = resolve(__dirname, '../..');
const WORKER_BUNDLE = join(ROOT, 'dist/worker.js');
const onLinux = existsSync('/proc/thread-self');

interface ThreadNices {
  rows: unknown[][];
  poolThreads: number;
  /** The nice value of every thread of the process, by thread id; `main` is the process's own (its main thread). */
  nices: Record<string, number>;
  main: number;
}

function threadNices(env: Record<string, string>): ThreadNices {
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-priority-'));
  try {
    const folder = join(dir, 'logs');
    mkdirSync(folder);
    for (let f = 0; f < 4; f++) writeFileSync(join(folder, `part-${f}.flowlog`), SEED_LINES.join('\n') + '\n');
    const script = `
      const { readdirSync, readFileSync } = require('node:fs');
      const { runQuery } = require(${JSON.stringify(join(ROOT, 'server/src/core/query/index.ts'))});
      const { sharedPoolThreadIds } = require(${JSON.stringify(join(ROOT, 'server/src/core/threads/pool.ts'))});
      const niceOf = (stat) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      runQuery({ kind: 'files', paths: [${JSON.stringify(folder)}] }, 'action:REJECT | select count(*) as n').then((r) => {
        const nices = {};
        for (const tid of readdirSync('/proc/self/task')) nices[tid] = niceOf(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8'));
        console.log(JSON.stringify({ rows: r.rows, poolThreads: sharedPoolThreadIds().length, nices, main: nices[String(process.pid)] }));
        process.exit(0);
      });`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000,
      env: { ...process.env, FLOWLOG_WORKER_SCRIPT: WORKER_BUNDLE, FLOWLOG_QUERY_WORKERS: '2', ...env },
    });
    assert.equal(child.status, 0, child.stderr);
    return JSON.parse(child.stdout.trim().split('\n').pop()!) as ThreadNices;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('worker thread priority', { skip: !onLinux && 'per-thread nice values are read from Linux /proc' }, () => {
  it("the language server's environment puts each pool worker at nice 10 and leaves the main thread at the process's", () => {
    assert.ok(existsSync(WORKER_BUNDLE), 'npm test builds dist/worker.js first');
    assert.equal(SERVER_ENV.FLOWLOG_WORKER_NICE, '10');
    const r = threadNices({ FLOWLOG_WORKER_NICE: SERVER_ENV.FLOWLOG_WORKER_NICE });
    assert.deepEqual(r.rows, [[4]], 'the same answer');
    assert.ok(r.poolThreads >= 1, 'the query ran on the pool');
    assert.ok(r.main < 10, `the tests run at nice ${r.main}: a thread cannot be lowered to 10 from there`);
    const lowered = Object.values(r.nices).filter((n) => n === 10).length;
    assert.equal(lowered, r.poolThreads, `one lowered thread per pool worker: ${JSON.stringify(r.nices)}`);
  });

  it('without it (the CLI), every thread keeps the process priority', () => {
    const r = threadNices({ FLOWLOG_WORKER_NICE: '' });
    assert.deepEqual(r.rows, [[4]]);
    assert.ok(r.poolThreads >= 1, 'the query ran on the pool');
    assert.deepEqual([...new Set(Object.values(r.nices))], [r.main], JSON.stringify(r.nices));
  });

  it('a value out of 1–19 changes nothing', () => {
    const r = threadNices({ FLOWLOG_WORKER_NICE: '40' });
    assert.ok(r.poolThreads >= 1, 'the query ran on the pool');
    assert.deepEqual([...new Set(Object.values(r.nices))], [r.main], JSON.stringify(r.nices));
  });
});
