// Buffers a thread reads small files into (and inflates them into), taken for one file's reading and handed back
// when it is done, so a folder of thousands of deliveries reuses a few buffers instead of allocating two a file.
// Why it matters: V8 frees a dead buffer only at its next collection, and a worker that allocates a megabyte a
// file while making little else collects rarely, so tens of megabytes of dead buffers (and the malloc arena they
// fragment) were most of a folder query's peak. Module state is per thread (each worker loads its own copy).

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
 * thread. Only for a consumer that keeps no view of a chunk once it has asked for the next (reuseBuffers).
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
    for (const b of this.held) if (b.length <= KEEP_BYTES) spares.push(b);
    this.held = [];
    if (spares.length > KEEP) {
      spares.sort((a, b) => b.length - a.length);
      spares.length = KEEP;
    }
  }
}
