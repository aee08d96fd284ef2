// Worker threads started before the CLI has loaded (cli/prestart.ts): which command lines start them, and that a
// process whose threads were started for nothing still answers and ends.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { diagnoseReaderThreads, queryWantsThreads } from '../../server/src/cli/prestart';

const cli = resolve(__dirname, '../../dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'flowlog-prestart-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const GOOD = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const REJECT = '2 1251762227 eni-lq6mkcis 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const small = join(dir, 'small.flowlog');
writeFileSync(small, `${GOOD}\n${REJECT}\n${REJECT}\n`);
const folder = join(dir, 'folder');
mkdirSync(folder);

function withEnv<T>(env: Record<string, string | undefined>, f: () => T): T {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  try {
    return f();
  } finally {
    set(before);
  }
}

describe('worker threads started early', () => {
  const threads = { FLOWLOG_QUERY_WORKERS: '2', FLOWLOG_PARALLEL_MIN_BYTES: undefined };

  it('for a query of a file the engine splits, a folder, several files or a glob', () => {
    withEnv(threads, () => {
      assert.equal(queryWantsThreads(['query', folder, 'action:REJECT | select count(*)']), true);
      assert.equal(queryWantsThreads(['query', small, small, '*']), true);
      assert.equal(queryWantsThreads(['query', join(dir, 'AWSLogs/**/*.log.gz'), '*']), true);
      assert.equal(queryWantsThreads(['query', '--format', 'json', small, '*']), false, 'a small file is read on one thread');
    });
    withEnv({ ...threads, FLOWLOG_PARALLEL_MIN_BYTES: '10' }, () => {
      assert.equal(queryWantsThreads(['query', small, '*']), true, 'the engine splits from FLOWLOG_PARALLEL_MIN_BYTES');
      assert.equal(queryWantsThreads(['query', '--limit', '5', small, '--format', 'csv', '* | select count(*)']), true, 'option values are no paths');
    });
  });

  it('not for other commands, standard input, ClickHouse, help, one thread or a missing query', () => {
    withEnv({ ...threads, FLOWLOG_PARALLEL_MIN_BYTES: '0' }, () => {
      assert.equal(queryWantsThreads(['lint', folder]), false);
      assert.equal(queryWantsThreads(['query', '-', '*']), false);
      assert.equal(queryWantsThreads(['query', '--clickhouse', 'http://localhost:8123', '--table', 't', '*']), false);
      assert.equal(queryWantsThreads(['query', small, '--help']), false);
      assert.equal(queryWantsThreads(['query', small]), false, 'a lone argument is the query');
      assert.equal(queryWantsThreads(['query', join(dir, 'missing.flowlog'), '*']), false);
    });
    withEnv({ FLOWLOG_QUERY_WORKERS: '1', FLOWLOG_PARALLEL_MIN_BYTES: '0' }, () => {
      assert.equal(queryWantsThreads(['query', folder, '*']), false);
    });
  });

  it('threads started for a query: the same answer, and the process ends whether the engine used them or not', () => {
    // A folder with one small file: the guess says yes, the engine reads one unit on the main thread and never
    // calls the started workers (idle, they must not keep the process alive). The small file with
    // FLOWLOG_PARALLEL_MIN_BYTES=0: started, and used.
    writeFileSync(join(folder, 'one.flowlog'), `${GOOD}\n${REJECT}\n${REJECT}\n`);
    for (const [path, extra] of [[folder, {}], [small, { FLOWLOG_PARALLEL_MIN_BYTES: '0' }]] as const) {
      const env = { ...process.env, FLOWLOG_QUERY_WORKERS: '2', ...extra };
      const r = spawnSync(process.execPath, [cli, 'query', path, 'action:REJECT | select count(*) as n', '--format', 'json'], { encoding: 'utf8', env, timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).rows, [[2]], path);
    }
  });

  it('for a diagnosis: its reader threads (all but the joining one) for a folder, several files, a glob or a file of 16 MB', () => {
    withEnv({ FLOWLOG_QUERY_WORKERS: '3', FLOWLOG_DIAGNOSE_THREADS: undefined }, () => {
      assert.equal(diagnoseReaderThreads(['diagnose', folder]), 2);
      assert.equal(diagnoseReaderThreads(['diagnose', small, small, '--format', 'json']), 2);
      assert.equal(diagnoseReaderThreads(['diagnose', join(dir, 'AWSLogs/**/*.log.gz')]), 2);
      assert.equal(diagnoseReaderThreads(['diagnose', small]), 0, 'a small file is read on one thread');
      assert.equal(diagnoseReaderThreads(['diagnose', '--query', folder, small]), 0, "--query's value is no path");
      assert.equal(diagnoseReaderThreads(['diagnose', '--limit=5', folder]), 2, '--name=value takes no next argument');
      assert.equal(diagnoseReaderThreads(['diagnose', '--gap', '600', folder]), 2);
      assert.equal(diagnoseReaderThreads(['diagnose', '-']), 0);
      assert.equal(diagnoseReaderThreads(['diagnose', folder, '--help']), 0);
      assert.equal(diagnoseReaderThreads(['diagnose', join(dir, 'missing.flowlog')]), 0);
      assert.equal(diagnoseReaderThreads(['query', folder, '*']), 0);
    });
    withEnv({ FLOWLOG_QUERY_WORKERS: '3', FLOWLOG_DIAGNOSE_THREADS: '1' }, () => {
      assert.equal(diagnoseReaderThreads(['diagnose', folder]), 0);
    });
    const big = join(dir, 'big.flowlog');
    writeFileSync(big, `${GOOD}\n`.repeat(Math.ceil((16 << 20) / (GOOD.length + 1))));
    withEnv({ FLOWLOG_QUERY_WORKERS: '2', FLOWLOG_DIAGNOSE_THREADS: undefined }, () => {
      assert.equal(diagnoseReaderThreads(['diagnose', big, '--format', 'json']), 1);
    });
  });

  it('threads started for a diagnosis: the same answer as without them, and the process ends', () => {
    writeFileSync(join(folder, 'two.flowlog'), `${REJECT}\n`);
    const run = (env: Record<string, string>) => spawnSync(process.execPath, [cli, 'diagnose', folder, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
    const started = run({ FLOWLOG_QUERY_WORKERS: '2', FLOWLOG_DIAGNOSE_THREADS: '2' });
    const alone = run({ FLOWLOG_QUERY_WORKERS: '1', FLOWLOG_DIAGNOSE_THREADS: '1' });
    assert.equal(started.status, alone.status, started.stderr);
    // The answer without the run's own timing (stats.elapsedMs).
    const answer = (out: string) => {
      const { records, verdicts, conversations, scans, bruteForce, coverage } = JSON.parse(out);
      return { records, verdicts, conversations, scans, bruteForce, coverage };
    };
    assert.ok(answer(started.stdout).verdicts, started.stdout.slice(0, 200));
    assert.deepEqual(answer(started.stdout), answer(alone.stdout));
  });
});
