// A small gzip file inflated into a reused buffer by the thread's kept inflater: the same text as gunzipSync, every
// member of a multi-member file, and undefined (the caller falls back) for damage and for a text that does not fit;
// damage never spoils the next file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync, gunzipSync } from 'node:zlib';
import { gunzipInto } from '../../server/src/core/readers/inflateInto';
import { deliveryRecords, gzipMembers, toText } from '../support/deliveries';

const text = toText(deliveryRecords(3_000, 21));
const gz = gzipSync(text);

function inflate(data: Uint8Array, room: number): string | undefined {
  const out = Buffer.alloc(room);
  const n = gunzipInto(data, out);
  return n === undefined ? undefined : out.subarray(0, n).toString();
}

describe('gunzipInto', () => {
  it('gives the text gunzipSync gives, file after file into the same buffer', () => {
    const out = Buffer.alloc(text.length + 4096);
    for (let seed = 1; seed <= 5; seed++) {
      const t = toText(deliveryRecords(500 * seed, seed));
      const data = gzipSync(t);
      const n = gunzipInto(data, out);
      assert.equal(n, t.length);
      assert.equal(out.subarray(0, n).toString(), gunzipSync(data).toString());
    }
  });

  it('reads and writes views at an offset in bigger buffers (leased buffers are views)', () => {
    const input = Buffer.alloc(gz.length + 100, 0xff);
    gz.copy(input, 37);
    const outer = Buffer.alloc(text.length + 200, 0xee);
    const out = outer.subarray(50, 50 + text.length + 1);
    const n = gunzipInto(input.subarray(37, 37 + gz.length), out);
    assert.equal(n, text.length);
    assert.equal(out.subarray(0, n).toString(), text);
    // Nothing written outside the view.
    assert.ok(outer.subarray(0, 50).every((b) => b === 0xee));
    assert.ok(outer.subarray(50 + text.length + 1).every((b) => b === 0xee));
  });

  it('reads every member of a multi-member file (as S3 and `cat a.gz b.gz` make them)', () => {
    assert.equal(inflate(gzipMembers(text, 3), text.length + 1), text);
  });

  it('undefined when the text does not fit, and when it exactly fills the buffer (a longer one would too)', () => {
    assert.equal(inflate(gz, text.length - 1), undefined);
    assert.equal(inflate(gz, text.length), undefined);
    assert.equal(inflate(gz, text.length + 1), text);
  });

  it('undefined for a truncated or corrupt file, and the next file is read whole after it', () => {
    assert.equal(inflate(gz.subarray(0, gz.length >> 1), text.length + 1), undefined);
    const corrupt = Buffer.from(gz);
    for (let i = 40; i < 80; i++) corrupt[i] ^= 0x5a;
    assert.equal(inflate(corrupt, text.length + 1), undefined);
    assert.equal(inflate(Buffer.from('not gzip at all'), 100), undefined);
    assert.equal(inflate(gz, text.length + 1), text);
  });

  it('a damaged file never leaves part of its text for the next one to hand on', () => {
    const other = toText(deliveryRecords(700, 3));
    assert.equal(inflate(gz.subarray(0, gz.length - 9), text.length + 1), undefined);
    assert.equal(inflate(gzipSync(other), text.length + 1), other);
  });
});
