// Issue 10 on the command line: the hostile fixture through lint (text and JSON) and query (table, CSV, JSON);
// `--limit 130000` in a table (item 14); `| head -1` (item 20).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateLines } from '../support/generate';
import { HOSTILE, HOSTILE_FIXTURE, HOSTILE_IN_VALID_RECORDS } from '../support/hostile';
import { terminalText } from '../../server/src/core/terminalText';

const cli = resolve(__dirname, '../../dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'flowlog-hostile-cli-'));
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs the CLI with stdout into a pipe whose reader closes after the first chunk, as `| head -1` does. */
function runIntoClosedPipe(...args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string; firstChunk: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let firstChunk = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', (d) => {
      firstChunk = String(d);
      child.stdout.destroy(); // the reader goes away: the next writes get EPIPE
    });
    child.on('close', (code, signal) => done({ code, signal, err, firstChunk }));
  });
}

describe('the hostile fixture through the CLI', () => {
  it('item 17: lint prints the values of bad fields with their control characters escaped', () => {
    const r = run('lint', HOSTILE_FIXTURE);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.out, CONTROL);
    assert.match(r.out, /:8:1: error version version \\x1b\]0;pwned\\x07 is not a known version/);
    assert.match(r.out, /error action action \\x1b\[31mRED\\x1b\[0m is not one of/);
    assert.ok(r.out.includes(`srcaddr ${HOSTILE.markdownImage} is not a valid`));
    assert.ok(r.out.includes('dstaddr \\u202e10.0.0.9 is not a valid'));
  });

  it('item 17: lint --format json is JSON with the raw values, and no raw control character (C1, bidi included)', () => {
    const r = run('lint', '--format', 'json', HOSTILE_FIXTURE);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.out, CONTROL);
    const problems = JSON.parse(r.out) as { message: string }[];
    assert.ok(problems.some((p) => p.message === `version ${HOSTILE.title} is not a known version (2–11, or V1)`));
    assert.ok(problems.some((p) => p.message === `dstaddr ${HOSTILE.rtlAddress} is not a valid IPv4 or IPv6 address`));
  });

  it('item 17: the query table escapes controls; JSON keeps the values; CSV to a file keeps its bytes, formulas neutralised', () => {
    const table = run('query', HOSTILE_FIXTURE, '* | select vpc_id, instance_id, interface_tag, asg_tag');
    assert.equal(table.code, 0);
    assert.doesNotMatch(table.out, CONTROL);
    for (const v of [HOSTILE.title, HOSTILE.colour, HOSTILE.clipboard, HOSTILE.c1, HOSTILE.bidi, HOSTILE.isolate]) {
      assert.ok(table.out.includes(terminalText(v)), `${JSON.stringify(v)} escaped in the table`);
    }
    const json = run('query', HOSTILE_FIXTURE, '* | select vpc_id, instance_id, interface_tag, asg_tag', '--format', 'json');
    assert.doesNotMatch(json.out, CONTROL);
    const parsed = JSON.parse(json.out) as { rows: (string | null)[][] };
    const values = parsed.rows.flat();
    assert.ok(HOSTILE_IN_VALID_RECORDS.length >= 20);
    for (const [name, v] of HOSTILE_IN_VALID_RECORDS) assert.ok(values.includes(v), `${name} in the JSON rows as it is`);
    const csv = run('query', HOSTILE_FIXTURE, '* | select vpc_id, instance_id, interface_tag, asg_tag, packets', '--format', 'csv');
    assert.ok(csv.out.includes(`"'${HOSTILE.formulaHyperlink.replace(/"/g, '""')}"`));
    assert.ok(csv.out.includes(`"'${HOSTILE.formulaMinus}"`));
    assert.ok(csv.out.includes(HOSTILE.clipboard), 'CSV into a pipe is data: its bytes as they are');
    assert.match(csv.out, /,-1\n/, 'the -1 count stays a number');
  });
});

describe('data-sized output and closed pipes', () => {
  let big: string;
  before(() => {
    big = join(dir, 'big.flowlog');
    writeFileSync(big, [...generateLines({ records: 131_000, seed: 7, nodataShare: 0 })].join('\n') + '\n');
  });

  it('item 14: query --limit 130000 prints a table of 130,000 rows', () => {
    const r = run('query', big, '*', '--limit', '130000');
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines.at(-1)!, /^130000 rows · 131000 of 131000 records matched/);
    assert.equal(lines.length, 130_000 + 4);
  });

  it('item 20: query … | head -1 stops quietly, with the status a shell gives grep there (141)', async () => {
    const r = await runIntoClosedPipe('query', big, '*', '--limit', '130000', '--format', 'csv');
    assert.match(r.firstChunk, /^version,account-id/);
    assert.equal(r.err, '');
    assert.equal(r.code, 141);
  });

  it('item 20: lint … | head -1 stops quietly too', async () => {
    const bad = join(dir, 'bad.flowlog');
    writeFileSync(bad, Array.from({ length: 60_000 }, () => '2 1 eni-a 10.0.0.1 10.0.0.2 1 99999 6 1 40 1 2 ACCEPT OK').join('\n') + '\n');
    const r = await runIntoClosedPipe('lint', bad);
    assert.match(r.firstChunk, /bad\.flowlog:1:\d+: error port-range/);
    assert.equal(r.err, '');
    assert.equal(r.code, 141);
  });
});
