// `flowlog diagnose`: the text and JSON outputs, folders, options, escaping of hostile values, usage errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../server/src/cli';
import { terminalText } from '../../server/src/core/terminalText';
import { plantConversations } from '../support/plantConversations';
import { writeWideFile } from '../support/generateWideConversations';

const SEED = [
  'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
  'V1 1251762227 eni-lq6mkcis 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
].join('\n') + '\n';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-diagnose-cli-'));
  writeFileSync(join(dir, 'seed.flowlog'), SEED);
  mkdirSync(join(dir, 'folder', '2024', '01'), { recursive: true });
  const planted = plantConversations({ seed: 3, noise: 300 }).text.split('\n');
  const half = Math.floor(planted.length / 2);
  writeFileSync(join(dir, 'folder', '2024', '01', 'a.log'), planted.slice(0, half).join('\n') + '\n');
  writeFileSync(join(dir, 'folder', '2024', '01', 'b.log'), [planted[0], ...planted.slice(half)].join('\n'));
  writeFileSync(join(dir, 'hostile.flowlog'), SEED.replaceAll('eni-lq6mkcis', 'eni-x\u001b]0;pwned\u0007\u202e'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(['diagnose', ...argv], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('flowlog diagnose', () => {
  it('prints the seed\'s verdict, reading, fix and evidence as text', async () => {
    const { code, out } = await cli(join(dir, 'seed.flowlog'));
    assert.equal(code, 0);
    assert.match(out, /^Diagnosis of 1 file: 2 records, 1 conversation,/);
    assert.match(out, /response-rejected +1 +request accepted, reply rejected/);
    assert.match(out, /1\. eni-lq6mkcis · ICMP · 203\.0\.113\.12 → 172\.31\.16\.139/);
    assert.match(out, /Fix: allow outbound ICMP to 203\.0\.113\.12 in the network ACL/);
    assert.match(out, /Evidence: request .*seed\.flowlog:1 \(ACCEPT\) · reply .*seed\.flowlog:2 \(REJECT\)/);
    assert.match(out, /Scans: none/);
    assert.match(out, /eni-lq6mkcis +2015-05-29 16:30:27–16:32:22 UTC \(100% covered\)/);
  });

  it('prints one JSON object with the documented shape', async () => {
    const { code, out } = await cli(join(dir, 'seed.flowlog'), '--format', 'json', '--slack', '120');
    assert.equal(code, 0);
    const j = JSON.parse(out);
    assert.deepEqual(Object.keys(j), ['files', 'options', 'records', 'verdicts', 'conversations', 'scans', 'bruteForce', 'coverage', 'warnings', 'stats']);
    assert.equal(j.options.slack, 120);
    assert.equal(j.verdicts['response-rejected'], 1);
    const c = j.conversations[0];
    assert.equal(c.verdict, 'response-rejected');
    assert.deepEqual(c.evidence.reply, { file: join(dir, 'seed.flowlog'), line: 2 });
    assert.equal(c.reading.certainty, 'most-likely');
    assert.equal(typeof c.readingText, 'string');
    assert.equal(j.coverage[0].interfaceId, 'eni-lq6mkcis');
    assert.equal(j.stats.conversations, 1);
  });

  it('reads a folder\'s files, recursively and in name order, as one log', async () => {
    const { code, out } = await cli(join(dir, 'folder'), '--format', 'json', '--list', 'all', '--limit', '3');
    assert.equal(code, 0);
    const j = JSON.parse(out);
    assert.deepEqual(j.files.map((f: string) => f.slice(dir.length)), ['/folder/2024/01/a.log', '/folder/2024/01/b.log']);
    assert.ok(j.verdicts.ok > 0 && j.verdicts['response-rejected'] > 0);
    assert.equal(j.conversations.filter((c: { verdict: string }) => c.verdict === 'ok').length, 3);
    assert.equal(j.scans.length, 3);
    assert.equal(j.bruteForce.length, 2);
    assert.deepEqual(j.warnings, []);
  });

  it('escapes control characters and bidirectional overrides from the log in text output', async () => {
    const { out } = await cli(join(dir, 'hostile.flowlog'));
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/.test(out), 'no raw control character reaches the terminal');
    assert.match(out, /eni-x\\x1b\]0;pwned\\x07\\u202e/);
    assert.equal(terminalText('a\tb\u0085c\u2066'), 'a\\tb\\x85c\\u2066');
  });

  it('rejects bad options and missing files with exit 2', async () => {
    assert.equal((await cli()).code, 2);
    assert.match((await cli(join(dir, 'seed.flowlog'), '--slack', 'soon')).err, /--slack takes a number/);
    assert.match((await cli(join(dir, 'seed.flowlog'), '--list', 'broken')).err, /unknown verdict broken/);
    assert.match((await cli(join(dir, 'seed.flowlog'), '--scan-rejected', '2')).err, /from 0 to 1/);
    const missing = await cli(join(dir, 'nope.flowlog'));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read .*nope\.flowlog: no such file or folder/);
    const help = await cli('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /--brute-ports/);
  });

  it('gives the same result reading on a worker thread (the built bundle) as on one thread', async () => {
    const bundle = resolve(__dirname, '../../dist/cli.js');
    assert.ok(existsSync(bundle), 'npm run build first (npm test does)');
    const file = join(dir, 'wide.flowlog');
    await writeWideFile(file, { records: 60_000, seed: 9, rate: 50 });
    const run = (threads: string) => {
      const r = spawnSync(process.execPath, [bundle, 'diagnose', file, '--format', 'json', '--list', 'all', '--limit', '5'], {
        encoding: 'utf8', env: { ...process.env, FLOWLOG_DIAGNOSE_THREADS: threads }, maxBuffer: 256 << 20,
      });
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      delete j.stats.elapsedMs;
      return j;
    };
    const one = run('1');
    const two = run('2');
    assert.ok(one.verdicts.ok > 0 && one.verdicts['response-rejected'] > 0);
    assert.deepEqual(two, one);
  });

  it('gives the same result reading a folder on worker threads (files renumbered, a big file in ranges) as on one thread', async () => {
    // Over 16 MB in all, so that the reading goes to worker threads: three files whose interfaces come in different
    // orders (a worker numbers them per file, this thread renumbers them), one big enough to be read in byte ranges
    // when two workers read (FLOWLOG_DIAGNOSE_THREADS=3: the lines of a range after the first are shifted).
    const bundle = resolve(__dirname, '../../dist/cli.js');
    const folder = join(dir, 'pool');
    mkdirSync(folder);
    // The big file first: its later ranges are the first file's, with lines to shift.
    await writeWideFile(join(folder, 'a.log'), { records: 170_000, seed: 12, rate: 50, interfaces: 200 });
    await writeWideFile(join(folder, 'b.log'), { records: 40_000, seed: 11, rate: 50, interfaces: 40 });
    await writeWideFile(join(folder, 'c.log'), { records: 30_000, seed: 13, rate: 50, interfaces: 120 });
    const run = (threads: string) => {
      const r = spawnSync(process.execPath, [bundle, 'diagnose', folder, '--format', 'json', '--list', 'all', '--limit', '50'], {
        encoding: 'utf8', env: { ...process.env, FLOWLOG_DIAGNOSE_THREADS: threads }, maxBuffer: 256 << 20,
      });
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      delete j.stats.elapsedMs;
      return j;
    };
    const one = run('1');
    assert.equal(one.files.length, 3);
    assert.ok(one.records.bytes >= 16 << 20, `${one.records.bytes} bytes: too few for the worker threads`);
    assert.ok(one.verdicts.ok > 0 && one.verdicts['response-rejected'] > 0 && one.coverage.length === 200);
    // Evidence lines from more than one file.
    const evidence = one.conversations.flatMap((c: { evidence: { request: { file: string; line: number } | null } }) => (c.evidence.request ? [c.evidence.request] : []));
    assert.ok(new Set(evidence.map((e: { file: string }) => e.file)).size >= 2);
    assert.deepEqual(run('2'), one);
    assert.deepEqual(run('3'), one);
  });
});
