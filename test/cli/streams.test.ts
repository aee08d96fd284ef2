// Issue 10 item 19: standard input, /dev/stdin, pipes and FIFOs are read as streams (no size needed), by lint and
// by query, plain or compressed; what they hold is found by content.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const cli = resolve(__dirname, '../../dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'flowlog-streams-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const RECORDS = [
  '2 123456789010 eni-0a1b2c3d 10.0.0.1 10.0.0.2 49152 443 6 10 4000 1700000000 1700000060 ACCEPT OK',
  '2 123456789010 eni-0a1b2c3d 10.0.0.3 10.0.0.2 49153 22 6 3 180 1700000000 1700000060 REJECT OK',
  '2 123456789010 eni-0a1b2c3d 10.0.0.4 10.0.0.2 49154 22 6 3 180 1700000000 1700000060 ACCPT OK',
].join('\n') + '\n';

function run(input: Buffer | string, ...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('item 19: streams on the command line', () => {
  it('lint - and lint /dev/stdin read standard input and find its error', () => {
    for (const path of ['-', '/dev/stdin']) {
      const r = run(RECORDS, 'lint', path);
      assert.equal(r.code, 1, path);
      assert.match(r.out, new RegExp(`^${path.replace(/\//g, '\\/')}:3:\\d+: error action`, 'm'), path);
    }
  });

  it('query - reads standard input, gzip found by its bytes', () => {
    for (const input of [Buffer.from(RECORDS), gzipSync(RECORDS)]) {
      const r = run(input, 'query', '-', '* | select action, count(*) as n group by action order by action', '--format', 'json');
      assert.equal(r.code, 0, r.err);
      // ACCPT is a wrong action (a lint error), not a malformed record: the engine reads it as written.
      assert.deepEqual(JSON.parse(r.out).rows, [['ACCEPT', 1], ['ACCPT', 1], ['REJECT', 1]]);
    }
  });

  it('a FIFO is read as a stream by lint and by query', async () => {
    const fifo = join(dir, 'records.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    assert.equal(made.status, 0, 'mkfifo');
    const feed = () => {
      // The writer blocks until the CLI opens the FIFO.
      const writer = spawn('sh', ['-c', `cat > '${fifo}'`], { stdio: ['pipe', 'ignore', 'ignore'] });
      writer.stdin.end(RECORDS);
      return new Promise((done) => writer.on('close', done));
    };
    const runAsync = (...args: string[]) => new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', (code) => done({ code, out }));
    });
    const [lint] = await Promise.all([runAsync('lint', fifo), feed()]);
    assert.equal(lint.code, 1);
    assert.match(lint.out, /:3:\d+: error action/);
    const [query] = await Promise.all([runAsync('query', fifo, 'dstport:22 | select count(*) as n', '--format', 'json'), feed()]);
    assert.equal(query.code, 0);
    assert.deepEqual(JSON.parse(query.out).rows, [[2]]);
  });

  it('a file of records named on the command line still works beside a stream', () => {
    const file = join(dir, 'one.flowlog');
    writeFileSync(file, RECORDS.split('\n')[0] + '\n');
    const r = run(RECORDS, 'query', file, '-', '* | select count(*) as n', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out).rows, [[4]]); // one record from the file, three from standard input
  });
});
