// formatCount writes whole numbers as Intl's en-US format does (without Intl, whose first use costs a process 15–35
// ms), and leaves anything else to Intl.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countOf, formatCount } from '../../server/src/core/decode/counts';

const intl = new Intl.NumberFormat('en-US');

describe('formatCount', () => {
  it('groups every safe integer as Intl en-US does', () => {
    for (const n of [0, 1, -1, 12, 999, 1000, -1000, 1001, 99_999, 100_000, 999_999, 1_000_000, 1_234_567, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      assert.equal(formatCount(n), intl.format(n), String(n));
    }
    fc.assert(fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => formatCount(n) === intl.format(n)), { numRuns: 2000 });
  });

  it('leaves fractions, -0, huge and non-finite numbers to Intl', () => {
    for (const n of [1.5, -2.25, 1234.5678, -0, 2 ** 60, NaN, Infinity, -Infinity]) assert.equal(formatCount(n), intl.format(n), String(n));
  });

  it('puts the noun after the count, singular for one only', () => {
    assert.equal(countOf(1, 'record'), '1 record');
    assert.equal(countOf(0, 'record'), '0 records');
    assert.equal(countOf(4249, 'record'), '4,249 records');
    assert.equal(countOf(2, 'rejected', 'rejected'), '2 rejected');
  });
});
