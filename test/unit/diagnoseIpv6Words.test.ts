// The records adapter reads IPv6 addresses straight from the bytes (records/byteText.ts ipv6WordsAt): it must accept exactly
// what address.ts accepts and give the same 16 bytes, on edge forms and on generated text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAddress } from '../../server/src/core/address';
import { ipv6WordsAt } from '../../server/src/core/records/byteText';

/** What parseAddress gives as four big-endian words, or undefined when it is not an IPv6 address. */
function reference(text: string): number[] | undefined {
  const a = parseAddress(text);
  if (!a || a.family !== 6) return undefined;
  const b = a.bytes;
  return [0, 1, 2, 3].map((k) => (b[k * 4] << 24) | (b[k * 4 + 1] << 16) | (b[k * 4 + 2] << 8) | b[k * 4 + 3]);
}

/** The bytes parser on `text` placed inside a longer buffer (offsets other than 0), or undefined when it refuses. */
function fromBytes(text: string): number[] | undefined {
  const bytes = Buffer.from(`x ${text} y`, 'latin1');
  const out = new Int32Array(6).fill(7);
  if (!ipv6WordsAt(bytes, 2, 2 + text.length, out, 1)) {
    assert.deepEqual([...out], [7, 7, 7, 7, 7, 7], `out unchanged on ${text}`);
    return undefined;
  }
  assert.equal(out[0], 7);
  assert.equal(out[5], 7);
  return [...out.subarray(1, 5)];
}

const EDGES = [
  '::', '::1', '1::', '2001:db8::5', '2001:DB8:0:0:0:0:0:5', '2001:db8:0::5', 'fe80::1:2:3:4:5:6', '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '::ffff:10.0.0.1', '64:ff9b::192.0.2.33', '1:2:3:4:5:6:1.2.3.4', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  // refused
  ':', ':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', '1:', ':1', '1::2:', 'g::1', '::1.2.3',
  '::1.2.3.256', '::01.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '1.2.3.4', '::ffff:1.2.3.4:5', 'fe80::1%eth0', '[::1]', ' ::1', '',
  '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8',
];

describe('IPv6 addresses read from bytes (diagnose/ipv6Words.ts)', () => {
  it('agrees with parseAddress on edge forms', () => {
    for (const text of EDGES) assert.deepEqual(fromBytes(text), reference(text), text);
    assert.ok(EDGES.filter((t) => reference(t) !== undefined).length >= 14, 'the accepted forms are all there');
  });

  it('agrees with parseAddress on generated text', () => {
    // Mostly well-formed groups, some empty or too long; octets mostly in range.
    const group = fc.oneof({ arbitrary: fc.stringMatching(/^[0-9a-fA-F]{1,4}$/), weight: 12 }, { arbitrary: fc.stringMatching(/^[0-9a-fA-F]{0,5}$/), weight: 1 });
    const v4 = fc.tuple(fc.integer({ min: 0, max: 260 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map((o) => o.join('.'));
    const address = fc.tuple(fc.array(group, { minLength: 0, maxLength: 8 }), fc.integer({ min: -1, max: 8 }), fc.option(v4)).map(([groups, gap, tail]) => {
      const parts = [...groups];
      if (gap >= 0 && gap <= parts.length) parts.splice(gap, 0, '');
      let text = parts.join(':');
      if (gap === 0) text = `:${text}`;
      if (gap === parts.length - 1 && gap > 0) text = `${text}:`;
      return tail ? `${text}:${tail}` : text;
    });
    fc.assert(fc.property(fc.oneof(address, fc.stringMatching(/^[0-9a-f:.]{0,20}$/)), (text) => {
      assert.deepEqual(fromBytes(text), reference(text), text);
    }), { numRuns: 3000 });
  });
});
