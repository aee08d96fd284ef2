// Lint's fast path (core/lint/cleanRecord.ts) may only ever say "this record has no problem": with it and without
// it, lint must print exactly the same problems and counts. Checked on lines built to sit on every edge of the
// validator's rules, on generated files with bad lines, and on JSON and CSV deliveries through the readers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LintProblem, RangeLinter, lintChunks } from '../../server/src/core/lint/rangeLinter';
import { decodeFile } from '../../server/src/core/readers';
import { DecodedChunk } from '../../server/src/core/readers/types';
import { generateLines, DEFAULT_HEADER } from '../support/generate';

const GOOD = '2 123456789010 eni-0a1b2c3d 10.0.0.1 10.0.0.2 49152 443 6 10 4000 1700000000 1700000060 ACCEPT OK';
const fields = GOOD.split(' ');
const withField = (k: number, v: string) => fields.map((f, i) => (i === k ? v : f)).join(' ');

/** One line for every rule the fast path must not get wrong, each next to a clean twin. */
const EDGES = [
  GOOD,
  withField(12, 'REJECT'),
  ' ' + GOOD, // a leading blank
  GOOD + ' ', // a trailing blank
  GOOD + '\r',
  GOOD + ' # a comment',
  GOOD.replace(' ', '  '), // two spaces
  GOOD.replace(' ', '\t'),
  withField(0, '12'), withField(0, 'V1'), withField(0, '11'), withField(0, '1'), withField(0, '{"a":1}'),
  withField(1, 'unknown'), withField(1, '12a'), withField(1, '1234567890123456789'), withField(1, '-'),
  withField(2, 'eni-'), withField(2, 'Eni-0a1b'), withField(2, 'eni-0a_1b'), withField(2, 'eni-x\u001b]0;pwned\u0007'),
  withField(3, '10.0.0.256'), withField(3, '010.0.0.1'), withField(3, '2001:db8::1'), withField(3, '-'),
  withField(5, '65535'), withField(5, '65536'), withField(5, '+5'), withField(5, '-1'), withField(5, '007'),
  withField(7, '1'), withField(7, '58'), withField(7, '1').replace(' 49152 443 ', ' 0 0 '), withField(7, '256'),
  withField(8, '-1'), withField(8, '+10'), withField(8, '0'), withField(8, '1000'), withField(8, '201'),
  withField(9, '199'), withField(9, '200'), withField(9, '655350'), withField(9, '655351'), withField(9, '123456789012345'),
  withField(10, '1700000061'), withField(10, '17000000000'), withField(10, '1700000000000'), withField(11, '-'),
  withField(12, 'accept'), withField(12, 'DROP'),
  withField(13, 'NODATA'), withField(13, 'SKIPDATA'), withField(13, 'ok'),
  '2 123456789010 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA',
  '2 123456789010 eni-0a1b2c3d - - - - - -1 -1 1700000000 1700000060 - NODATA',
  GOOD.split(' ').slice(0, 13).join(' '), // a field short
  GOOD + ' extra',
  '', '# a comment', '!',
  'version srcaddr dstaddr action', // a header mid-file…
  '2 10.0.0.1 10.0.0.2 ACCEPT', // …binds the records after it
  '2 10.0.0.1 10.0.0.2 REJECT',
  'version srcaddr dstaddr actoin', // an unknown field name
  '2 10.0.0.1 10.0.0.2 ACCEPT',
  DEFAULT_HEADER,
  GOOD,
  'version srcaddr type packets bytes',
  '2 2001:db8::1 IPv6 1 40',
  '2 10.0.0.1 IPv6 1 40',
  '2 10.0.0.1 IPv4 1 39',
  'version account-id action',
  '2 123 ACCEPT',
  DEFAULT_HEADER,
  'x\u00e9 caf\u00e9 ' + GOOD,
  GOOD,
];

async function* chunksOf(text: string, size: number): AsyncGenerator<DecodedChunk> {
  // Canonical chunks of whole lines, `size` lines each (so rules are met at chunk edges too).
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i += size) {
    const part = lines.slice(i, i + size);
    const bytes = Buffer.from(part.join('\n') + '\n');
    yield { bytes, firstLine: i + 1, bytesRead: 0, problems: part.includes('!') ? part.flatMap((l, j) => (l === '!' ? [{ line: i + j + 1, message: 'not a record' }] : [])) : undefined };
  }
}

async function lint(chunks: () => AsyncIterable<DecodedChunk>, fastPath: boolean) {
  const linter = new RangeLinter('f', { startsFile: true });
  const problems: LintProblem[] = [];
  await lintChunks(chunks(), linter, (batch) => void problems.push(...batch), undefined, fastPath);
  return { problems, counts: linter.counts };
}

async function assertSame(chunks: () => AsyncIterable<DecodedChunk>, what: string) {
  const fast = await lint(chunks, true);
  const full = await lint(chunks, false);
  assert.deepEqual(fast.counts, full.counts, what);
  assert.deepEqual(fast.problems, full.problems, what);
  return fast;
}

describe("lint's fast path", () => {
  it('finds exactly what the full validator finds on every edge of its rules', async () => {
    const text = EDGES.join('\n') + '\n';
    const r = await assertSame(() => chunksOf(text, 1000), 'edges');
    // The edges are not all clean: the comparison is not between two empty lists.
    assert.ok(r.problems.length > 40, `${r.problems.length} problems`);
    assert.ok(r.counts.rejects >= 1);
    for (const size of [1, 3, 7]) await assertSame(() => chunksOf(text, size), `chunks of ${size} lines`);
  });

  it('finds exactly what the full validator finds on generated files with bad lines', async () => {
    for (const seed of [1, 2, 3]) {
      const text = [...generateLines({ records: 20_000, seed, header: seed === 2, badShare: 0.03, nodataShare: 0.05 })].join('\n') + '\n';
      const r = await assertSame(() => chunksOf(text, 997), `seed ${seed}`);
      assert.ok(r.counts.records > 19_000 && r.problems.length > 300);
    }
  });

  it('finds exactly what the full validator finds on JSON and CSV deliveries, problems on their values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-fastpath-'));
    try {
      const keys = DEFAULT_HEADER.split(' ');
      const rows = EDGES.filter((l) => l.split(' ').length === 14 && !l.includes('\t')).map((l) => l.split(' '));
      const json = join(dir, 'cls.json');
      writeFileSync(json, rows.map((r) => JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, r[i]])))).join('\n') + '\n');
      const csv = join(dir, 'cls.csv');
      writeFileSync(csv, [keys.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
      for (const path of [json, csv]) {
        const r = await assertSame(() => decodeFile(path, { sourceColumns: true }), path);
        assert.ok(r.problems.length > 20, `${path}: ${r.problems.length} problems`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
