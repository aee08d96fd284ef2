// A small gzip file inflated into a buffer the caller reuses, by one inflater this thread keeps (reset between
// files). Why: zlib.gunzipSync makes a new inflater and a new output buffer of the text's size for every file, and
// a dead buffer is freed only at the thread's next collection. On a folder of 2,000 five-minute deliveries each
// worker made about 450 MB of such buffers, 5–15 MB of them dead and still resident at any time (about 15 MB of
// the process's peak); this makes none.
//
// Node has no public call that inflates into a given buffer: this drives the native handle of a zlib.Gunzip the
// way Node's own gunzipSync does (handle.writeSync into an output range, the counts left in its write state), and
// says so by returning undefined whenever that handle is not there as expected (another Node): callers then use
// gunzipSync. The native side reads every gzip member of the input in one call, as gunzipSync does.
import { Gunzip, constants } from 'node:zlib';

interface NativeInflater {
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
}

/** zlib.Gunzip with reset() (documented for every zlib stream, missing from @types/node's Gunzip). */
type ResettableGunzip = Gunzip & { reset(): void };

interface Inflater {
  stream: ResettableGunzip;
  handle: NativeInflater;
  /** [output bytes left, input bytes left] after a write. */
  state: Uint32Array;
}

/** This thread's inflater: undefined until first used, null when this Node does not have the handle expected. */
let kept: Inflater | undefined | null;

function inflater(): Inflater | undefined {
  if (kept === null) return undefined;
  if (kept && !kept.stream.destroyed) return kept;
  const stream = new Gunzip({ chunkSize: 64 });
  const internals = stream as unknown as { _handle?: Partial<NativeInflater>; _writeState?: unknown };
  if (typeof internals._handle?.writeSync !== 'function' || !(internals._writeState instanceof Uint32Array) || internals._writeState.length < 2) {
    stream.destroy();
    kept = null;
    return undefined;
  }
  // Damage destroys the stream with the error (emitted later): it is seen as `destroyed` after the write.
  stream.on('error', () => undefined);
  kept = { stream: stream as ResettableGunzip, handle: internals._handle as NativeInflater, state: internals._writeState };
  return kept;
}

/**
 * Inflates all of `data` (gzip, one or more members) into `out`: the text's length, or undefined when it is
 * damaged, does not fit in `out` (a text exactly as long as `out` counts as not fitting: the caller cannot tell
 * it from a longer one), or this Node cannot do it this way.
 */
export function gunzipInto(data: Uint8Array, out: Uint8Array): number | undefined {
  const z = inflater();
  if (!z) return undefined;
  z.stream.reset();
  z.handle.writeSync(constants.Z_FINISH, data, 0, data.length, out, 0, out.length);
  // Damage: the stream was destroyed with its error; the next file gets a new inflater.
  if (z.stream.destroyed) return undefined;
  const outLeft = z.state[0];
  if (outLeft === 0) return undefined;
  return out.length - outLeft;
}
