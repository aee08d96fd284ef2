// gzip inflated on Node's thread pool into output buffers used again. Why: a zlib.Gunzip stream hands out slices of
// a new 256 KiB buffer each time one fills (4,000 for a gigabyte of text), and a worker that builds packed tables
// makes few JS objects, so it scavenges rarely: 15-35 MB of dead output buffers were resident while one worker read
// one big .gz file. Here, when the consumer keeps no view of a piece once it asks for the next, two buffers take
// turns: one is inflated into on the thread pool while the consumer reads the other.
//
// Node has no public call for this: it drives a native zlib handle the way zlib.js does (init with a write-result
// array and a callback, write(flush, in, inOff, inLen, out, outOff, outLen) with the counts left in that array,
// onerror on damage). `nativeInflater` returns undefined when this Node does not look as expected: gzip.ts then
// uses zlib.Gunzip. The native side goes on into the next gzip member by itself, as for zlib.Gunzip.
import { Gunzip, constants } from 'node:zlib';

interface Handle {
  init(windowBits: number, level: number, memLevel: number, strategy: number, state: Uint32Array, callback: () => void, dictionary: undefined): void;
  write(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  close(): void;
  onerror?: (message: string, errno: number, code?: string) => void;
}

type HandleClass = new (mode: number) => Handle;

/** The native zlib class, undefined when not found as expected (checked once a thread). */
let handleClass: HandleClass | undefined | null;

/** Known to take init's 7 arguments (a different count aborts the process, so other versions are not tried). */
function knownNode(): boolean {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 18 && major <= 24;
}

function nativeClass(): HandleClass | undefined {
  if (handleClass !== undefined) return handleClass ?? undefined;
  handleClass = null;
  if (!knownNode()) return undefined;
  const probe = new Gunzip();
  const h = (probe as unknown as { _handle?: Partial<Handle> })._handle;
  const ctor = h?.constructor as HandleClass | undefined;
  probe.close();
  if (typeof ctor !== 'function' || typeof h?.write !== 'function' || typeof h?.init !== 'function' || typeof h?.close !== 'function') return undefined;
  handleClass = ctor;
  return ctor;
}

/** Output pieces are at most this big (as zlib.Gunzip's chunkSize in gzip.ts). */
export const OUT_BYTES = 256 << 10;
/** This thread's two output buffers between files (taken by the reading under way). */
const spareOut: Buffer[] = [];

/** One inflate call's result: output bytes left unused, input bytes left unread. */
interface Step {
  outLeft: number;
  inLeft: number;
}

export class InflateError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A gzip inflater on the thread pool, undefined when this Node cannot do it this way. */
export function nativeInflater(): NativeInflater | undefined {
  const Ctor = nativeClass();
  if (!Ctor) return undefined;
  try {
    return new NativeInflater(Ctor);
  } catch {
    handleClass = null;
    return undefined;
  }
}

export class NativeInflater {
  private readonly handle: Handle;
  private readonly state = new Uint32Array(2);
  private settle?: { resolve: (s: Step) => void; reject: (e: Error) => void };
  private busy = false;
  private closed = false;

  constructor(Ctor: HandleClass) {
    this.handle = new Ctor(constants.GUNZIP);
    this.handle.onerror = (message, _errno, code) => {
      this.busy = false;
      const s = this.settle;
      this.settle = undefined;
      s?.reject(new InflateError(message, code));
    };
    this.handle.init(15, constants.Z_DEFAULT_COMPRESSION, 8, constants.Z_DEFAULT_STRATEGY, this.state, () => {
      this.busy = false;
      const s = this.settle;
      this.settle = undefined;
      s?.resolve({ outLeft: this.state[0], inLeft: this.state[1] });
    }, undefined);
  }

  /** Inflates input[inOff, inOff+inLen) into out[outOff, outOff+outLen) on the thread pool (one call at a time). */
  write(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): Promise<Step> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.busy = true;
      this.handle.write(flush, input, inOff, inLen, out, outOff, outLen);
    });
  }

  /** Whether a call is still under way (its buffers may still be written or read). */
  get writing(): boolean {
    return this.busy;
  }

  /** Frees zlib's memory (after the call under way, if any). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
  }
}

/**
 * The inflated bytes of `source` (gzip, one or more members). With `reuse`, the consumer keeps no view of a piece
 * once it asks for the next, and `done(piece)` is called for each input piece once zlib has read all of it.
 * Throws InflateError on damage (the pieces handed out before it are good).
 */
export async function* inflatePieces(z: NativeInflater, source: AsyncIterable<Uint8Array>, reuse: boolean, done?: (piece: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  let pieces: AsyncIterator<Uint8Array> | undefined;
  const ask = () => {
    const p = pieces!.next();
    // Handled when awaited; until then a failed read must not count as an unhandled rejection.
    p.catch(() => undefined);
    return p;
  };
  const own: Buffer[] = [];
  const fresh = (): Buffer => {
    if (!reuse) return Buffer.allocUnsafeSlow(OUT_BYTES);
    const b = spareOut.pop() ?? Buffer.allocUnsafeSlow(OUT_BYTES);
    own.push(b);
    return b;
  };
  let next: Promise<IteratorResult<Uint8Array>> | undefined;
  let out: Buffer = EMPTY_OUT;
  let outOff = 0;
  let other: Buffer | undefined;
  let input: Uint8Array | undefined;
  let inOff = 0;
  let inLen = 0;
  let finishing = false;
  // The step under way (a source read, then a write into `out`), and whether the consumer has stopped: a write issued
  // after close() aborts the process, and the buffers go back only once no write is under way.
  let pending: Promise<Step | undefined> | undefined;
  let stopped = false;
  try {
    pieces = source[Symbol.asyncIterator]();
    next = ask();
    out = fresh();
    const start = async (): Promise<Step | undefined> => {
      if (inLen === 0 && !finishing) {
        const r = await next!;
        if (stopped) return undefined;
        if (r.done) finishing = true;
        else {
          input = r.value;
          inOff = 0;
          inLen = input.length;
          next = ask();
          if (inLen === 0) {
            done?.(input);
            return start();
          }
        }
      }
      if (finishing) return z.write(constants.Z_FINISH, EMPTY, 0, 0, out, outOff, out.length - outOff);
      return z.write(constants.Z_NO_FLUSH, input!, inOff, inLen, out, outOff, out.length - outOff);
    };
    let step = (pending = start());
    for (;;) {
      const wasFinishing = finishing;
      const r = (await step)!;
      const outLen = out.length - outOff;
      const have = outLen - r.outLeft;
      const piece = have > 0 ? out.subarray(outOff, outOff + have) : undefined;
      if (!wasFinishing) {
        inOff += inLen - r.inLeft;
        inLen = r.inLeft;
        if (inLen > 0 && r.outLeft > 0) {
          // zlib wants no more (trailing bytes after the last member, e.g. zero padding): the end, as for zlib.Gunzip.
          if (piece) yield piece;
          return;
        }
        if (inLen === 0) done?.(input!);
      }
      // The last call: Z_FINISH with output room left means every member ended.
      const last = wasFinishing && r.outLeft > 0;
      let nextStep: Promise<Step | undefined> | undefined;
      if (!last) {
        if (r.outLeft === 0) {
          // This buffer is full: the other one (the consumer gave back its pieces when it asked for this one).
          const b = reuse ? (other ?? fresh()) : fresh();
          if (reuse) other = out;
          out = b;
          outOff = 0;
        } else outOff += have;
        // Inflating goes on while the consumer reads the piece.
        nextStep = pending = start();
        nextStep.catch(() => undefined);
      }
      if (piece) yield piece;
      if (!nextStep) return;
      step = nextStep;
    }
  } finally {
    stopped = true;
    await pending?.catch(() => undefined);
    await next?.catch(() => undefined);
    await pieces?.return?.(undefined)?.catch(() => undefined);
    // A call still under way writes into its buffer: that one is left to the collector.
    if (reuse && !z.writing) for (const b of own) if (spareOut.length < 2) spareOut.push(b);
    z.close();
  }
}

const EMPTY = new Uint8Array(0);
/** `out` before the first buffer is taken (inside the try, so that the handle is closed whatever fails). */
const EMPTY_OUT: Buffer = Buffer.alloc(0);
