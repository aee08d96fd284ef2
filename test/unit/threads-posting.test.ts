// What is posted to the pool's workers, and what happens when a post fails. A two-pass top-N over a folder hung
// about once in 40 runs with every thread idle: a thread that stayed exact was folded in on the main thread into
// live group tables (twoPass.ts foldExact), their growth callback could not be posted with the ranking job
// ("(cap) => states.grow(cap) could not be cloned"), and the failed post left the worker counted busy and kept
// alive, so the CLI printed the error and never exited.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runQuery } from '../../server/src/core/query';
import { GroupTable } from '../../server/src/core/query/groups/groupTable';
import { AggregateStates } from '../../server/src/core/query/groups/aggregates';
import { PARTITIONS } from '../../server/src/core/query/groups/partitions';
import { GroupsState, partitionsForJob } from '../../server/src/core/query/passState';
import { DEFAULT_HEADER } from '../support/generate';
import { savedEnv } from '../support/env';

const ROOT = resolve(__dirname, '../..');
const BUNDLE = join(ROOT, 'dist/cli.js');
const restoreEnv = savedEnv('FLOWLOG_WORKER_SCRIPT', 'FLOWLOG_TOPN_THRESHOLD');
let dir: string;

before(() => {
  assert.ok(existsSync(BUNDLE), 'npm test builds dist/cli.js first (the workers run the bundle)');
  process.env.FLOWLOG_WORKER_SCRIPT = BUNDLE;
  dir = mkdtempSync(join(tmpdir(), 'flowlog-posting-'));
});

after(() => {
  restoreEnv();
  rmSync(dir, { recursive: true, force: true });
});

describe('a pool call whose payload cannot be posted', () => {
  it('rejects, and the idle pool lets the process exit', () => {
    // In a process of its own: before the fix it never exited (the worker stayed referenced).
    const script = `
      const { WorkerPool } = require(${JSON.stringify(join(ROOT, 'server/src/core/threads/pool.ts'))});
      const pool = new WorkerPool(${JSON.stringify(BUNDLE)}, 1);
      pool.call(0, 'no-such-task', { grow: (cap) => cap }).then(
        () => console.log('resolved'),
        (e) => console.log('rejected: ' + e.message),
      );`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.error, undefined, `the process did not exit: ${child.error}`);
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /rejected: .*could not be cloned/);
  });
});

describe('live group tables handed to a merge job', () => {
  it('go as their arrays, which can be posted (the table with its callback cannot)', () => {
    const kinds = Uint8Array.of(0);
    const table = new GroupTable();
    const states = new AggregateStates(kinds, table.capacity);
    table.onGrow = (cap) => states.grow(cap);
    const key = Int32Array.of(0x01020304);
    table.findOrAddWords(key, 0, 1, 4, 0x0a000000, 7);
    const state: GroupsState = { kind: 'groups', parts: [{ table, states }], distinct: [[table]], bytes: 0, runs: [], distinctRuns: [[]] };
    assert.throws(() => structuredClone(state), /could not be cloned/);
    const { state: handed, buffers } = partitionsForJob(state, 0, PARTITIONS);
    const posted = structuredClone(handed, { transfer: buffers });
    const part = posted.parts[0]!;
    assert.equal(part.table.size, 1);
    assert.equal(part.table.firstSeq[0], 7);
    assert.equal(part.table.hashes[0], 0x0a000000);
    assert.equal(posted.distinct[0][0]!.size, 1);
  });
});

describe('a two-pass top-N where one thread stayed exact, ranked on the workers', () => {
  it('gives the one-thread answer (it failed to post the ranking job and hung)', async () => {
    // A big file of distinct sources and a tiny one: the tiny one's thread is done (exact) long before the big
    // one's passes the threshold near its end and turns to the sketch.
    const big = join(dir, 'a-big.log');
    const tiny = join(dir, 'b-tiny.log');
    const line = (i: number) => `2 123456789012 eni-0a1b2c3d 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} 10.0.0.1 443 ${1024 + (i % 5000)} 6 10 ${1000 + (i % 9973) * 7} 1705312800 1705312860 ACCEPT OK`;
    const lines = Array.from({ length: 120_000 }, (_, i) => line(i));
    writeFileSync(big, `${DEFAULT_HEADER}\n${lines.join('\n')}\n`);
    writeFileSync(tiny, `${DEFAULT_HEADER}\n${lines.slice(0, 5).join('\n')}\n`);
    const q = '* | select srcaddr, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 10';
    const source = { kind: 'files' as const, paths: [big, tiny] };
    process.env.FLOWLOG_TOPN_THRESHOLD = String(1 << 30);
    const exact = await runQuery(source, q, { threads: 1 });
    process.env.FLOWLOG_TOPN_THRESHOLD = '110000';
    for (let run = 0; run < 3; run++) {
      const two = await runQuery(source, q, { threads: 2 });
      assert.equal(two.stats.twoPass, 1, 'the two-pass plan ran');
      assert.equal(two.stats.threads, 2);
      assert.deepEqual(two.rows, exact.rows);
      assert.equal(two.stats.records, exact.stats.records);
    }
  });
});
