// The aggregation pass's shortcuts give the answers of the long way: the memo of recent keys (groups/keyMemo.ts),
// IS NULL on a field without its text (recordEval.ts), and DISTINCT entries skipped when they repeat the last one
// (aggregatePass.ts). And the count-min sketch's estimates are upper bounds (groups/topN.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyMemo } from '../../server/src/core/query/groups/keyMemo';
import { AggregateStates } from '../../server/src/core/query/groups/aggregates';
import { CandidateFilter, CountMin } from '../../server/src/core/query/groups/topN';
import { runQuery } from '../../server/src/core/query';
import { generateLines } from '../support/generate';

/** A deterministic stream of 32-bit numbers (xorshift). */
function randoms(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x | 0;
  };
}

describe('key memo', () => {
  it('finds a remembered key only with the same words and length, and nothing after clear', () => {
    const memo = new KeyMemo();
    const states = new AggregateStates(Uint8Array.of(0), 4);
    const key = Int32Array.of(7, 8, 9);
    memo.put(key, 3, 12, 12345, 42, states);
    assert.equal(memo.get(key, 3, 12, 12345), 42);
    assert.equal(memo.found, states);
    assert.equal(memo.get(key, 3, 11, 12345), -1, 'another byte length');
    assert.equal(memo.get(Int32Array.of(7, 8, 10), 3, 12, 12345), -1, 'another last word');
    assert.equal(memo.get(key, 3, 12, 12345 + (1 << 16)), -1, 'another hash in the same entry');
    memo.clear();
    assert.equal(memo.get(key, 3, 12, 12345), -1);
  });

  it('turns itself off when it seldom finds, and on again when cleared', () => {
    const memo = new KeyMemo();
    const states = new AggregateStates(Uint8Array.of(0), 4);
    const next = randoms(5);
    const key = new Int32Array(1);
    for (let n = 0; n < 20_000 && memo.on; n++) {
      key[0] = next();
      const hash = next();
      if (memo.get(key, 1, 4, hash) < 0) memo.put(key, 1, 4, hash, n, states);
    }
    assert.equal(memo.on, false, 'unique keys: off');
    memo.clear();
    assert.equal(memo.on, true);
  });
});

describe('count-min sketch', () => {
  it('never estimates below a key\'s true sum, alone or added to another thread\'s sketch', () => {
    const next = randoms(11);
    const truth = new Map<number, number>();
    const a = new CountMin(4096);
    const b = new CountMin(4096);
    for (let n = 0; n < 200_000; n++) {
      const hash = next() % 30_000;
      const value = (next() >>> 0) % 1000;
      truth.set(hash, (truth.get(hash) ?? 0) + value);
      (n % 2 ? a : b).add(hash, value);
    }
    a.merge(b.cells);
    for (const [hash, sum] of truth) {
      const e = a.estimate(hash);
      assert.ok(e >= sum, `key ${hash}: ${e} < ${sum}`);
    }
  });

  it('adds in batches (addMany) as one at a time, zeros and negatives skipped', () => {
    const next = randoms(5);
    const one = new CountMin(4096);
    const many = new CountMin(4096);
    const hashes = new Int32Array(256);
    const values = new Float64Array(256);
    let n = 0;
    for (let k = 0; k < 100_000; k++) {
      const hash = next() % 20_000;
      const value = k % 97 === 0 ? -1 : (next() >>> 0) % 5000;
      one.add(hash, value);
      hashes[n] = hash;
      values[n++] = value;
      if (n === hashes.length || k === 99_999) {
        many.addMany(hashes, values, n);
        n = 0;
      }
    }
    assert.deepEqual(many.cells, one.cells);
  });

  it('lets through the keys whose estimate reaches the bound, and only those (CandidateFilter)', () => {
    const next = randoms(17);
    const sketch = new CountMin(4096);
    for (let n = 0; n < 100_000; n++) sketch.add(next() % 40_000, (next() >>> 0) % 1000);
    // Bounds the estimates fall on both sides of (the median's among them), and bounds past them.
    const estimates = Array.from({ length: 1000 }, (_, k) => sketch.estimate(k * 37)).sort((a, b) => a - b);
    const median = estimates[500];
    for (const lower of [-Infinity, 0, estimates[100], median, estimates[990], 1e12, NaN]) {
      const filter = new CandidateFilter(sketch, lower);
      let passed = 0;
      for (let k = -45_000; k < 45_000; k++) {
        const want = !(sketch.estimate(k) < lower);
        assert.equal(filter.passes(k), want, `key ${k}, bound ${lower}`);
        if (want) passed++;
      }
      if (lower === median) assert.ok(passed > 10_000 && passed < 80_000, `${passed} keys reach ${lower}`);
    }
  });

  it('keeps a key\'s sum exact while few keys share the sketch', () => {
    const sketch = new CountMin(4096);
    const next = randoms(3);
    const keys = Array.from({ length: 50 }, () => next());
    for (const k of keys) for (let i = 0; i < 3; i++) sketch.add(k, 10);
    const exact = keys.filter((k) => sketch.estimate(k) === 30).length;
    assert.ok(exact >= 48, `${exact} of 50 exact`);
  });
});

describe('aggregate shortcuts answer as the long way', () => {
  const text = [...generateLines({ records: 30_000, seed: 8, header: true, nodataShare: 0.1 })].join('\n');
  const source = { kind: 'text' as const, text, name: 'gen' };
  const records = text.split('\n').slice(1).map((l) => l.split(' '));
  const dashes = (k: number) => records.filter((f) => f[k] === '-').length;

  it('IS NULL and IS NOT NULL on text, address and numeric fields count the dashes', async () => {
    const r = await runQuery(source, '* | select sum(srcaddr is null), sum(srcaddr is not null), sum(action is null), sum(bytes is null), sum(bytes is not null), count(*)');
    const [src, srcNot, action, bytes, bytesNot, all] = r.rows[0] as number[];
    assert.equal(all, records.length);
    assert.equal(src, dashes(3));
    assert.ok(src > 0, 'the file has records without addresses');
    assert.equal(srcNot, all - src);
    assert.equal(action, dashes(12));
    assert.equal(bytes, dashes(9));
    assert.equal(bytesNot, all - bytes);
  });

  it('count(distinct) over runs of the same value, alone and per group, on one thread and with spills', async () => {
    const perSource = new Map<string, Set<string>>();
    for (const f of records) {
      if (f[3] === '-' || f[6] === '-') continue;
      const s = perSource.get(f[3]) ?? new Set<string>();
      s.add(f[6]);
      perSource.set(f[3], s);
    }
    const expected = [...perSource].map(([a, s]) => `${a} ${s.size}`).sort();
    const q = '* | select srcaddr, count(distinct dstport) as n group by srcaddr having srcaddr is not null';
    for (const options of [{ threads: 1, limit: 1_000_000 }, { threads: 1, limit: 1_000_000, memoryBudget: 1 << 16 }]) {
      const r = await runQuery(source, q, options);
      assert.deepEqual(r.rows.map(([a, n]) => `${a} ${n}`).sort(), expected);
      if (options.memoryBudget) assert.ok(r.stats.spilled, 'the small budget spilled');
    }
    const all = new Set(records.filter((f) => f[2] !== '-').map((f) => f[2]));
    assert.deepEqual((await runQuery(source, '* | select count(distinct interface_id)')).rows, [[all.size]]);
  });
});
