// gzip through Node's zlib, streamed with backpressure: output comes out in 256 KiB pieces however much a member
// inflates (a gzip bomb is read at the speed of its output, never held), and members written one after another
// (as S3 and `cat a.gz b.gz` make them) are read as one stream.
//
// Native zlib is fast but, when it meets damage, drops whatever it had inflated in the same call (with several
// members, that can be every member before the damaged one). So on damage the file is read once more with fflate
// (pure JS, which hands out output as it goes), skipping what was already handed on, to recover every byte before
// the damage; then the damage is reported.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Gunzip as JsGunzip } from 'fflate';

export class GzipError extends Error {}

/** Decompresses a gzip file; `open` gives its bytes from the start (called again to recover from damage). */
export async function* gunzip(open: () => AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let handedOut = 0;
  let damage: GzipError;
  try {
    for await (const chunk of nativeGunzip(open())) {
      handedOut += chunk.length;
      yield chunk;
    }
    return;
  } catch (e) {
    if (!(e instanceof GzipError)) throw e;
    damage = e;
  }
  yield* recover(open(), handedOut);
  throw damage;
}

async function* nativeGunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const input = Readable.from(source, { objectMode: false, highWaterMark: 1 });
  const gz = createGunzip({ chunkSize: 256 << 10 });
  input.on('error', (e) => gz.destroy(e));
  input.pipe(gz);
  try {
    for await (const chunk of gz as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    throw asGzipError(e);
  } finally {
    input.destroy();
    gz.destroy();
  }
}

function asGzipError(e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'Z_BUF_ERROR' || /unexpected end/.test(err.message)) return new GzipError('gzip: the file ends inside a member (truncated?)');
  if (err.code?.startsWith('Z_') || /header check|invalid|incorrect|too far back/.test(err.message)) return new GzipError(`gzip: corrupt data (${err.message})`);
  return e;
}

/** The output before the damage, past the first `skip` bytes (already handed on). */
async function* recover(source: AsyncIterable<Uint8Array>, skip: number): AsyncGenerator<Uint8Array> {
  let seen = 0;
  let pending: Uint8Array[] = [];
  const js = new JsGunzip((data) => pending.push(data));
  let failed = false;
  const take = function* (): Generator<Uint8Array> {
    for (const d of pending) {
      const from = Math.max(0, skip - seen);
      seen += d.length;
      if (from < d.length) yield from === 0 ? d : d.subarray(from);
    }
    pending = [];
  };
  for await (const raw of source) {
    // Small pushes keep each piece of output small (a bomb stays streamed here too).
    for (let i = 0; i < raw.length && !failed; i += 16 << 10) {
      try {
        js.push(raw.subarray(i, i + (16 << 10)), false);
      } catch {
        failed = true;
      }
      yield* take();
    }
    if (failed) return;
  }
  try {
    js.push(new Uint8Array(0), true);
  } catch {
    // The damage itself: reported by the caller.
  }
  yield* take();
}
