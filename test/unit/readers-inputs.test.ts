// Inputs: files, folders and globs expanded into a sorted list with where each file came from; what is clearly
// not a flow log inside a folder is skipped with its reason.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expandInputs } from '../../server/src/core/readers';
import { globToRegExp, originOf } from '../../server/src/core/readers/inputs';

const FIXTURES = join(__dirname, '..', 'fixtures', 'deliveries');
const rel = (p: string) => relative(FIXTURES, p).split('\\').join('/');

describe('readers: inputs', () => {
  it('walks a subfolder of 150,000 files (the walk once overflowed the call stack)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flowlog-walk-'));
    try {
      const sub = join(root, 'a', 'b');
      mkdirSync(sub, { recursive: true });
      for (let i = 0; i < 150_000; i++) closeSync(openSync(join(sub, `${i}.log`), 'w'));
      writeFileSync(join(root, 'top.flowlog'), 'x\n');
      const expanded = await expandInputs([root], { sniff: false });
      assert.equal(expanded.files.length + expanded.skipped.length, 150_001);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('expands a folder recursively into a sorted list of files with sizes', async () => {
    const { files, skipped } = await expandInputs([join(FIXTURES, 'cls-json')]);
    assert.deepEqual(files.map((f) => rel(f.path)), [
      'cls-json/2024/01/15/10/202401151005_000_1000',
      'cls-json/2024/01/15/10/202401151005_000_2000.gz',
      'cls-json/2024/01/15/10/202401151005_000_3000.snappy',
      'cls-json/2024/01/15/10/202401151005_000_4000.lzo',
    ]);
    assert.ok(files.every((f) => f.size > 0 && !f.explicit));
    assert.deepEqual(skipped, []);
  });

  it('expands globs with ** and {a,b}, relative to the working folder', async () => {
    const a = await expandInputs(['AWSLogs/**/*.log.gz'], { cwd: join(FIXTURES, 's3') });
    assert.equal(a.files.length, 2);
    const b = await expandInputs(['**/*.{lzo,snappy}'], { cwd: join(FIXTURES, 'cls-json') });
    assert.deepEqual(b.files.map((f) => rel(f.path).split('/').at(-1)), ['202401151005_000_3000.snappy', '202401151005_000_4000.lzo']);
    const none = await expandInputs(['nothing/**/*.gz'], { cwd: FIXTURES });
    assert.deepEqual(none.skipped, [{ path: 'nothing/**/*.gz', reason: 'the pattern matches no file', unreadable: true }]);
  });

  it('skips what is clearly not a flow log inside a folder, each with its reason; a named file is always read', async () => {
    const folder = join(FIXTURES, 'bad', 'mixed-folder');
    const { files, skipped } = await expandInputs([folder]);
    assert.deepEqual(files.map((f) => rel(f.path)), ['bad/mixed-folder/flows.log']);
    assert.deepEqual(skipped.map((s) => [rel(s.path), s.reason]), [
      ['bad/mixed-folder/README.txt', 'its first line is not a flow log record, header, JSON object or CSV row'],
      ['bad/mixed-folder/diagram.png', 'not a flow log file name (.png)'],
      ['bad/mixed-folder/export.bin', 'not a flow log file name (.bin)'],
      ['bad/mixed-folder/notes.txt.gz', 'its first line is not a flow log record, header, JSON object or CSV row (once decompressed)'],
    ]);
    const named = await expandInputs([join(folder, 'README.txt')]);
    assert.equal(named.files.length, 1);
    assert.equal(named.files[0].explicit, true);
    const missing = await expandInputs([join(folder, 'gone.log')]);
    assert.equal(missing.skipped[0].reason, 'no such file or folder');
  });

  it('recognises where files came from: S3, S3 with Hive prefixes, CloudWatch exports, CLS shipments', async () => {
    const { files } = await expandInputs([FIXTURES]);
    const byFolder = new Map(files.map((f) => [rel(f.path).split('/')[0], f.origin]));
    assert.deepEqual(byFolder.get('s3'), {
      kind: 'aws-s3', label: 'AWS S3 · 123456789010 · us-east-1 · 2024-01-15 · fl-0a1b2c3d4e5f60718', account: '123456789010', region: 'us-east-1',
      date: '2024-01-15', hour: undefined, flowLogId: 'fl-0a1b2c3d4e5f60718', time: '20240115T1005Z',
    });
    const hive = byFolder.get('s3-hive')!;
    assert.equal(hive.kind, 'aws-s3-hive');
    assert.equal(hive.label, 'AWS S3 (Hive) · 123456789010 · us-east-1 · 2024-01-15 10h · fl-0a1b2c3d4e5f60718');
    const cw = byFolder.get('cloudwatch-export')!;
    assert.equal(cw.kind, 'cloudwatch-export');
    assert.match(cw.interfaceId!, /^eni-[0-9a-f]+$/);
    assert.equal(cw.exportTask, '7f3c2a10-5b1e-4c8d-9a2f-0e6d4b1c3a55');
    assert.equal(byFolder.get('cls-json')!.label, 'CLS → COS · shipped 2024-01-15 10:05');
    assert.equal(originOf('/tmp/plain.flowlog').kind, 'file');
  });

  it('glob patterns: * stays within a folder, ** crosses folders, [..] and ? match one character', () => {
    assert.ok(globToRegExp('*.gz').test('a.gz'));
    assert.ok(!globToRegExp('*.gz').test('x/a.gz'));
    assert.ok(globToRegExp('**/*.gz').test('a.gz'));
    assert.ok(globToRegExp('**/*.gz').test('x/y/a.gz'));
    assert.ok(globToRegExp('AWSLogs/**/*.log.gz').test('AWSLogs/1/vpcflowlogs/r/2024/01/15/f.log.gz'));
    assert.ok(!globToRegExp('AWSLogs/**/*.log.gz').test('AWSLogs/1/f.log.parquet'));
    assert.ok(globToRegExp('day=1[0-5]/?.txt').test('day=12/a.txt'));
    assert.ok(!globToRegExp('day=1[0-5]/?.txt').test('day=17/a.txt'));
  });
});
