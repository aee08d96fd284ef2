// How a big file is cut into ranges for the threads (query/input.ts rangeEnds, planUnits): equal ranges, or ranges
// that shrink toward the end so that threads taking them as they get idle finish together.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expandSource, planUnits, rangeEnds } from '../../server/src/core/query/input';

const sizes = (ends: number[]) => ends.map((e, i) => e - (i === 0 ? 0 : ends[i - 1]));

describe('rangeEnds', () => {
  it('cuts into equal ranges without threads to taper for', () => {
    assert.deepEqual(rangeEnds(100, 4), [25, 50, 75, 100]);
    assert.deepEqual(rangeEnds(10, 3), [3, 6, 10]);
  });

  it('tapers: every range at least the least one, never growing but for the last, covering the file once', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 34 }), fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 8 << 20 }), (size, threads, least) => {
      const ends = rangeEnds(size, 4 * threads, threads, least);
      assert.equal(ends[ends.length - 1], size);
      for (let i = 1; i < ends.length; i++) assert.ok(ends[i] > ends[i - 1]);
      const s = sizes(ends);
      // The last range may have taken in a remainder under half the least.
      for (let i = 0; i < s.length - 1; i++) assert.ok(s[i] >= Math.min(least, size), `range ${i} of ${s}`);
      for (let i = 1; i < s.length - 1; i++) assert.ok(s[i] <= s[i - 1], `range ${i} of ${s}`);
      if (s.length > 1) assert.ok(s[s.length - 1] < least * 1.5 + 1 || s[s.length - 1] <= s[s.length - 2] + least, `last of ${s}`);
      // Guided: each a 2·threads-th of the rest, so the count grows with the log of size / least.
      assert.ok(ends.length <= 2 * threads * Math.log(Math.max(2, size / least)) + 4, `${ends.length} ranges`);
    }));
  });

  it('ends on small ranges: 1 GB on two threads ends on a few MB, not on an eighth of it', () => {
    const s = sizes(rangeEnds(1 << 30, 8, 2));
    assert.equal(s[0], 1 << 28);
    assert.ok(s[s.length - 1] <= 6 << 20, `last range ${s[s.length - 1]}`);
    assert.ok(s.length >= 10 && s.length <= 24, `${s.length} ranges`);
  });
});

describe('planUnits with tapered ranges', () => {
  it('cuts at line starts, every line in exactly one range, the ranges shrinking', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-units-'));
    try {
      const path = join(dir, 'big.flowlog');
      const lines: string[] = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'];
      for (let i = 0; i < 40_000; i++) lines.push(`2 123456789012 eni-${(i % 97).toString(16).padStart(8, '0')} 10.0.${i % 250}.${i % 200} 172.31.${i % 7}.1 ${1024 + (i % 60000)} 443 6 ${i % 50} ${i * 7} 1418530010 1418530070 ${i % 3 ? 'ACCEPT' : 'REJECT'} OK`);
      writeFileSync(path, lines.join('\n') + '\n');
      const source = { kind: 'files' as const, paths: [path] };
      const text = readFileSync(path);
      const units = await planUnits(source, await expandSource(source), 8, 256 << 10, 2);
      assert.ok(units.length > 8, `${units.length} units`);
      assert.equal(units[0].start, 0);
      assert.equal(units[units.length - 1].end, text.length);
      for (let i = 0; i < units.length; i++) {
        if (i > 0) assert.equal(units[i].start, units[i - 1].end);
        assert.equal(text[units[i].start - 1] ?? 10, 10, `unit ${i} starts at a line start`);
      }
      const first = units[0].end - units[0].start;
      const last = units[units.length - 1].end - units[units.length - 1].start;
      assert.ok(last * 8 < first, `first ${first} bytes, last ${last}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
