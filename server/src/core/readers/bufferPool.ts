// Buffers the readers use again instead of allocating one a file or one a read. Why it matters: V8 frees a dead
// buffer only at its next collection, and a worker that allocates a megabyte a file while making little else
// collects rarely, so tens of megabytes of dead buffers (and the malloc arena they fragment) were most of a folder
// query's peak. Module state is per thread (each worker loads its own copy).
//
// Both kinds are safe by construction: a buffer goes back to be used again only when whoever had it says it is
// done with it (a file's lease released once its reading is over; a read buffer given back by the stage that
// consumed it, e.g. in zlib's write callback). A buffer never given back is left to the garbage collector: never
// written over.

/** Spare buffers a thread keeps between files… */
const KEEP = 4;
/** …each at most this big (a bigger one is left to the garbage collector). */
const KEEP_BYTES = 4 << 20;
const ROUND = 64 << 10;

const spares: Buffer[] = [];
let allocated = 0;

/** Buffers allocated by leases on this thread so far (tests: reuse shows as a count that stops growing). */
export function leasedAllocations(): number {
  return allocated;
}

/**
 * Buffers held for the reading of one file: valid until `release`, then reused by the next file's lease on this
 * thread. Only for a consumer that keeps no view of a chunk once it has asked for the next (reuseBuffers): the
 * lease is released when the file's generator is over, after its last chunk was read out.
 */
export class BufferLease {
  private held: Buffer[] = [];

  /** A buffer of at least `n` bytes (its content undefined), held until release. */
  take(n: number): Buffer {
    let best = -1;
    for (let i = 0; i < spares.length; i++) if (spares[i].length >= n && (best < 0 || spares[i].length < spares[best].length)) best = i;
    let buf: Buffer;
    if (best >= 0) buf = spares.splice(best, 1)[0];
    else {
      // Its own memory (not a slice of Node's shared pool): the bytes stay put until released.
      buf = Buffer.allocUnsafeSlow(Math.ceil(Math.max(n, 1) / ROUND) * ROUND);
      allocated++;
    }
    this.held.push(buf);
    return buf;
  }

  /** Hands the buffers back to the thread's spares (the smallest are dropped past KEEP). */
  release(): void {
    for (const b of this.held) if (b.length <= KEEP_BYTES && b.length > 0) spares.push(b);
    this.held = [];
    if (spares.length > KEEP) {
      spares.sort((a, b) => b.length - a.length);
      spares.length = KEEP;
    }
  }
}

/**
 * Read buffers lent out one read at a time: `take` gives a free one (or a new one), and a buffer is free again
 * only once the consumer of the bytes read into it hands them back with `giveBack` (after zlib's write callback for
 * that piece, or after a line splitter that copies what it keeps has taken it in). However late or never that
 * comes, no buffer is written over while lent: a slow consumer costs fresh buffers, not corrupt bytes.
 */
export class ReadBuffers {
  private readonly free: Buffer[] = [];
  /**
   * The buffers lent out, by their memory (a piece handed back may be a view of part of one). Weak: a buffer never
   * given back is not kept alive by being listed here.
   */
  private readonly lent = new WeakMap<ArrayBufferLike, Buffer>();
  private lentCount = 0;
  /** Buffers made so far (tests: reuse shows as a count that stops growing). */
  made = 0;

  constructor(readonly size: number, private readonly keep = 4) {}

  /** A buffer of `size` bytes, lent until given back. */
  take(): Buffer {
    let buf = this.free.pop();
    if (!buf) {
      // Its own memory (never a slice of Node's shared pool): its ArrayBuffer identifies it when given back.
      buf = Buffer.allocUnsafeSlow(this.size);
      this.made++;
    }
    this.lent.set(buf.buffer, buf);
    this.lentCount++;
    return buf;
  }

  /** The consumer is done with `piece` (a view of a lent buffer): its buffer may be read into again. Else ignored. */
  giveBack(piece: Uint8Array): void {
    const buf = this.lent.get(piece.buffer);
    if (!buf) return;
    this.lent.delete(piece.buffer);
    this.lentCount--;
    if (this.free.length < this.keep) this.free.push(buf);
  }

  /** Buffers lent and not given back. */
  get outstanding(): number {
    return this.lentCount;
  }
}
