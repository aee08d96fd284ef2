// gzip inflated on the thread pool into output buffers used again (readers/inflateStream.ts): the same bytes as
// zlib's gunzipSync whatever the pieces the file comes in (members ending at a piece's end, empty pieces), the end of
// the text where zlib.Gunzip ends it (zero padding), damage and truncation as errors after the good bytes, and with
// `reuse` no more than two output buffers however long the text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { InflateError, OUT_BYTES, inflatePieces, nativeInflater } from '../../server/src/core/readers/inflateStream';
import { deliveryRecords, toText } from '../support/deliveries';

async function* pieces(b: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let i = 0;
  let k = 0;
  while (i < b.length) {
    const n = sizes.length ? sizes[k++ % sizes.length] : b.length;
    yield b.subarray(i, i + n);
    i += n;
  }
}

/** The text (copied piece by piece, as a consumer that keeps no view), the distinct output buffers, and the error. */
async function inflate(data: Uint8Array, sizes: number[], reuse = true): Promise<{ text: Buffer; buffers: number; given: number; error?: unknown }> {
  const z = nativeInflater();
  assert.ok(z, 'this Node has the native handle');
  const parts: Buffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  let given = 0;
  try {
    for await (const p of inflatePieces(z, pieces(data, sizes), reuse, () => given++)) {
      assert.ok(p.length <= OUT_BYTES);
      seen.add(p.buffer);
      parts.push(Buffer.from(p));
    }
  } catch (error) {
    return { text: Buffer.concat(parts), buffers: seen.size, given, error };
  }
  return { text: Buffer.concat(parts), buffers: seen.size, given };
}

const members = [1, 2, 3].map((seed) => gzipSync(toText(deliveryRecords(400 * seed, seed))));
const multi = Buffer.concat(members);
const multiText = gunzipSync(multi);

describe('inflatePieces', () => {
  it('gives what gunzipSync gives for a multi-member file, whatever the pieces', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 40_000 }), { maxLength: 6 }), async (sizes) => {
        const s = sizes.some((n) => n > 0) ? sizes : [];
        const { text, error } = await inflate(multi, s);
        assert.equal(error, undefined);
        assert.ok(text.equals(multiText));
      }),
      { numRuns: 60 },
    );
  });

  it('reads on into the next member when one ends exactly at the end of a piece', async () => {
    const sizes = members.map((m) => m.length);
    const { text, error, given } = await inflate(multi, sizes);
    assert.equal(error, undefined);
    assert.ok(text.equals(multiText));
    assert.equal(given, members.length);
  });

  it('uses two output buffers for a long text when reused, a new one per full buffer when not', async () => {
    const big = Buffer.from(toText(deliveryRecords(3000, 5)).repeat(12));
    const gz = gzipSync(big);
    const reused = await inflate(gz, [64 << 10]);
    assert.ok(reused.text.equals(big));
    assert.ok(big.length > 4 * OUT_BYTES, `${big.length} bytes of text`);
    assert.ok(reused.buffers <= 2, `${reused.buffers} buffers`);
    const fresh = await inflate(gz, [64 << 10], false);
    assert.ok(fresh.text.equals(big));
    assert.ok(fresh.buffers >= Math.floor(big.length / OUT_BYTES), `${fresh.buffers} buffers`);
  });

  it('ends where zlib.Gunzip ends: at zero padding after the last member', async () => {
    const padded = Buffer.concat([multi, Buffer.alloc(100)]);
    const { text, error } = await inflate(padded, [5000]);
    assert.equal(error, undefined);
    assert.ok(text.equals(multiText));
  });

  it('fails on damage after handing out good bytes, with a zlib code', async () => {
    const bad = Buffer.concat([members[0], Buffer.from('not gzip at all')]);
    const { text, error } = await inflate(bad, [1000]);
    assert.ok(error instanceof InflateError);
    assert.match((error as InflateError).code ?? '', /^Z_/);
    assert.ok(multiText.subarray(0, text.length).equals(text));
  });

  it('fails on a truncated file (unexpected end), after the bytes before the cut', async () => {
    const cut = members[2].subarray(0, Math.floor(members[2].length * 0.6));
    const { text, error } = await inflate(cut, [3000]);
    assert.ok(error instanceof InflateError);
    assert.equal((error as InflateError).code, 'Z_BUF_ERROR');
    const whole = gunzipSync(members[2]);
    assert.ok(text.length > 0 && whole.subarray(0, text.length).equals(text));
    const empty = await inflate(new Uint8Array(0), []);
    assert.ok(empty.error instanceof InflateError);
  });

  it('stops when the consumer stops, and the next file reads as ever', async () => {
    const z = nativeInflater()!;
    for await (const p of inflatePieces(z, pieces(multi, [2000]), true)) {
      assert.ok(p.length > 0);
      break;
    }
    const { text, error } = await inflate(multi, [7000]);
    assert.equal(error, undefined);
    assert.ok(text.equals(multiText));
  });

  it('stops cleanly while a slow source hands out empty pieces (no write after the close)', async () => {
    // A source that takes its time and yields empty pieces between the data: the next step is still waiting on the
    // source when the consumer stops, and must not write into a closed handle (that aborts the process).
    async function* slow(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < multi.length; i += 500) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield new Uint8Array(0);
        yield multi.subarray(i, i + 500);
      }
    }
    for (let round = 0; round < 20; round++) {
      let taken = 0;
      for await (const p of inflatePieces(nativeInflater()!, slow(), true)) {
        assert.ok(p.length > 0);
        if (++taken > round % 3) break;
      }
    }
    const { text, error } = await inflate(multi, [3000]);
    assert.equal(error, undefined);
    assert.ok(text.equals(multiText));
  });
});
