// gzip through Node's zlib, streamed with backpressure: output comes out in 256 KiB pieces however much a member
// inflates (a gzip bomb is read at the speed of its output, never held), and members written one after another
// (as S3 and `cat a.gz b.gz` make them) are read as one stream.
//
// Native zlib is fast but, when it meets damage, drops whatever it had inflated in the same call (with several
// members, that can be every member before the damaged one). So on damage the file is read once more with fflate
// (pure JS, which hands out output as it goes), skipping what was already handed on, to recover every byte before
// the damage; then the damage is reported.
//
// With lent read buffers (bufferPool.ts), each piece goes back only from zlib's write callback for it: Node calls
// it once the native inflate has taken in the whole piece (never while a call on the thread pool may still read it).
import { createGunzip, Gunzip as NativeGunzip } from 'node:zlib';
import { Gunzip as JsGunzip } from 'fflate';
import { ReadBuffers } from './bufferPool';
import { inflatePieces, nativeInflater } from './inflateStream';

export class GzipError extends Error {}

/**
 * Decompresses a gzip file; `open` gives its bytes from the start (called again to recover from damage). With
 * `buffers` (the ones `open` reads into), each piece of the first reading is given back as zlib is done with it;
 * the recovery gives nothing back (fflate's pieces may still be looked at), so its buffers are never read into again.
 */
export async function* gunzip(open: () => AsyncIterable<Uint8Array>, buffers?: ReadBuffers): AsyncGenerator<Uint8Array> {
  let handedOut = 0;
  let damage: GzipError;
  try {
    for await (const chunk of nativeGunzip(open(), buffers)) {
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

async function* nativeGunzip(source: AsyncIterable<Uint8Array>, buffers?: ReadBuffers): AsyncGenerator<Uint8Array> {
  // With lent read buffers the consumer keeps no view of a piece once it asks for the next: output buffers are
  // used again (inflateStream.ts).
  const z = nativeInflater();
  if (z) {
    try {
      yield* inflatePieces(z, source, buffers !== undefined, buffers && ((piece) => buffers.giveBack(piece)));
    } catch (e) {
      throw asGzipError(e);
    }
    return;
  }
  const gz = createGunzip({ chunkSize: 256 << 10 });
  // The raw bytes are written in by a loop of their own (backpressure: it waits for 'drain'); it ends once the
  // source does, or the inflater is destroyed (damage, or the consumer stopped).
  void feed(source, gz, buffers);
  try {
    for await (const chunk of gz as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    throw asGzipError(e);
  } finally {
    gz.destroy();
  }
}

/** Writes the source's pieces into the inflater, each given back in its write callback; never rejects. */
async function feed(source: AsyncIterable<Uint8Array>, gz: NativeGunzip, buffers?: ReadBuffers): Promise<void> {
  const pieces = source[Symbol.asyncIterator]();
  const ask = () => {
    const p = pieces.next();
    // Handled when awaited; until then a failed read must not count as an unhandled rejection.
    p.catch(() => undefined);
    return p;
  };
  let next = ask();
  try {
    for (;;) {
      const { done, value: piece } = await next;
      if (done || gz.destroyed) break;
      // Called once zlib has taken in the whole piece (with an error: the piece is left to the collector).
      const more = gz.write(piece, buffers && ((err) => (err ? undefined : buffers.giveBack(piece))));
      // The next piece is read while this one inflates.
      next = ask();
      if (!more && !(await drained(gz))) break;
    }
    if (!gz.destroyed) gz.end();
  } catch (e) {
    // A read failed: the consumer sees it as the inflater's error.
    gz.destroy(e as Error);
  } finally {
    // The file is closed (after a read under way).
    await next.catch(() => undefined);
    await pieces.return?.(undefined).catch(() => undefined);
  }
}

/** Resolves true on 'drain', false once the stream is closed or failed instead (then no 'drain' will come). */
function drained(gz: NativeGunzip): Promise<boolean> {
  if (gz.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      gz.off('drain', onDrain);
      gz.off('close', onClose);
      gz.off('error', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    gz.on('drain', onDrain);
    gz.on('close', onClose);
    gz.on('error', onClose);
  });
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
