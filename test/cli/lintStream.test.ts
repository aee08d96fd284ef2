// `flowlog lint` streaming (item 10 of issue 10): problems in file order from worker threads, with bounded
// buffering between the workers and the output, and output that waits for a slow reader instead of piling up.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_HEADER, generateLines } from '../support/generate';

const cli = resolve(__dirname, '../../dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'flowlog-lint-'));
const WORKERS = 3;
const parallel = { FLOWLOG_PARALLEL_MIN_BYTES: '0', FLOWLOG_QUERY_WORKERS: String(WORKERS) };
const single = { FLOWLOG_QUERY_WORKERS: '1' };
/** Batches a worker may run ahead, and problems per batch (server/src/core/lint). */
const WINDOW = 8;
const BATCH = 1024;

function runWith(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 30 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A header naming 15 fields over 14-field records: every record is one problem. */
function mostlyBad(name: string, records: number, seed: number): string {
  const p = join(dir, name);
  writeFileSync(p, `${DEFAULT_HEADER} tcp-flags\n${[...generateLines({ records, seed })].join('\n')}\n`);
  return p;
}

describe('flowlog lint streaming (item 10)', () => {
  let bad: string;
  before(() => {
    bad = mostlyBad('mostly-bad.flowlog', 30_000, 3);
  });

  it('item 10: a mostly-bad file on worker threads: every problem once, in file order, as on one thread (text and JSON)', () => {
    const text = runWith(parallel, 'lint', bad);
    assert.equal(text.code, 1);
    const lines = text.out.trimEnd().split('\n');
    assert.equal(lines.length, 30_000);
    lines.forEach((l, i) => assert.ok(l.startsWith(`${bad}:${i + 2}:1: error field-count expected 15 fields (the header line), found 14`), l));
    assert.equal(text.out, runWith(single, 'lint', bad).out);
    const json = runWith(parallel, 'lint', '--format', 'json', bad);
    const problems = JSON.parse(json.out) as { line: number }[];
    assert.deepEqual(problems.map((p) => p.line), Array.from({ length: 30_000 }, (_, i) => i + 2));
    assert.equal(json.out, runWith(single, 'lint', '--format', 'json', bad).out);
  });

  it('item 10: header lines in later ranges: the rest is linted here, bound by the last header, as on one thread', () => {
    const records = [...generateLines({ records: 30_000, seed: 4 })];
    // The file starts with the right header; one in the middle of the second range names 15 fields (every record
    // after it is bad); one in the third names the right 14 again.
    records.splice(20_000, 0, DEFAULT_HEADER);
    records.splice(14_000, 0, `${DEFAULT_HEADER} tcp-flags`);
    const p = join(dir, 'late-headers.flowlog');
    writeFileSync(p, `${DEFAULT_HEADER}\n${records.join('\n')}\n`);
    const a = runWith(parallel, 'lint', '--format', 'json', p);
    const b = runWith(single, 'lint', '--format', 'json', p);
    assert.equal(a.out, b.out);
    const lines = (JSON.parse(a.out) as { line: number; code: string }[]).filter((x) => x.code === 'field-count').map((x) => x.line);
    assert.equal(lines[0], 14_003);
    assert.equal(lines.at(-1), 20_002);
  });

  for (const [label, env, maxQueued] of [['one thread', single, 0], [`${WORKERS} worker threads`, parallel, WORKERS * WINDOW * BATCH]] as const) {
    it(`item 10: piped into a slow reader, ${label}: output waits for it, buffers stay bounded, all of it arrives`, async () => {
      const file = mostlyBad(`slow-${label.replace(/\W/g, '')}.flowlog`, 200_000, 5);
      const expected = runWith(env, 'lint', file).out;
      const child = spawn(process.execPath, [cli, 'lint', file], { env: { ...process.env, ...env, FLOWLOG_LINT_STATS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let peakKB = 0;
      const status = `/proc/${child.pid}/status`;
      const poll = setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'));
          if (m) peakKB = Math.max(peakKB, Number(m[1]));
        } catch {
          // exited
        }
      }, 20);
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const chunks: Buffer[] = [];
      for await (const chunk of child.stdout) {
        chunks.push(chunk as Buffer);
        await new Promise((r) => setTimeout(r, 2)); // a reader slower than lint writes
      }
      const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
      clearInterval(poll);
      assert.equal(code, 1);
      const out = Buffer.concat(chunks).toString('utf8');
      assert.equal(out.length, expected.length);
      assert.ok(out === expected, 'the same output as read at full speed');
      // Buffering all of it would take the 50 MB of output several times over (strings, then stream buffers).
      if (existsSync('/proc/self/status')) assert.ok(peakKB < 300 * 1024, `peak RSS ${Math.round(peakKB / 1024)} MB`);
      const stats = JSON.parse(/lint stats (\{.*\})/.exec(err)![1]) as { maxQueuedProblems: number; maxPendingOutputBytes: number; maxRssMB: number };
      // Waiting for stdout to drain after each batch: what stdout holds is a batch's text, not the output so far
      // (the whole output is 50 MB).
      assert.ok(stats.maxPendingOutputBytes < 1 << 20, `stdout held ${stats.maxPendingOutputBytes} bytes`);
      assert.ok(stats.maxQueuedProblems <= maxQueued, `${stats.maxQueuedProblems} problems queued from workers`);
    });
  }

  it('item 10: a reader that goes away early ends lint without an error or a stack trace', async () => {
    const child = spawn(process.execPath, [cli, 'lint', bad], { env: { ...process.env, ...parallel }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const first = await new Promise<string>((r) => child.stdout.once('data', (d: Buffer) => r(d.toString('utf8'))));
    child.stdout.destroy();
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
    assert.match(first, /:2:1: error field-count /);
    assert.equal(err, '');
    assert.equal(code, 141, "128 + SIGPIPE, as a shell reports for grep cut off the same way");
  });
});
