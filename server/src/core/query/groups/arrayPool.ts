// Arrays for group tables, reused. A spilled table leaves all its arrays behind; allocating fresh memory for the
// next ones costs twice: the allocator keeps the freed blocks (resident memory only grows) and touching new pages
// is slow (on some machines about 10 ms a megabyte). So they go back to a pool by size class (powers of two) and
// come out again, zeroed where the caller needs zeros. The pool counts in its thread's table budget
// (threadScan.ts). Arrays a growing table outgrows are not kept: a thread's 256 partitions grow together, so the
// smaller size is rarely asked for again (kept, they were a third of the tables' memory on top of them). Arrays
// not kept are freed at once (threads/freeBuffers.ts), not left to a collection.

import { freeBuffers } from '../../threads/freeBuffers';

const MIN_BYTES = 256;
/**
 * Arrays the pool does not keep are freed in batches of about this many bytes (threads/freeBuffers.ts). Small: a
 * thread's 256 partitions grow together, and what waits for a batch is resident beside the grown tables (batches
 * of 4 MB: the 1 GB folder's top 10 peaked 6-10 MB higher, the CPU time the same).
 */
const FREE_BATCH = 256 << 10;

class Pool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private held = 0;
  /** Arrays let go of and not yet freed. */
  private dropped: ArrayBuffer[] = [];
  private droppedBytes = 0;
  /** Bytes the pool keeps at most (the rest is freed); a scan sets its table budget. */
  limit = 32 << 20;

  private drop(buffer: ArrayBuffer): void {
    this.dropped.push(buffer);
    this.droppedBytes += buffer.byteLength;
    if (this.droppedBytes >= FREE_BATCH) this.flush();
  }

  /** Lets go of a buffer without keeping it (freed with the next batch). */
  discard(buffer: ArrayBuffer): void {
    this.drop(buffer);
  }

  /** Frees the arrays let go of so far. */
  flush(): void {
    freeBuffers(this.dropped);
    this.dropped = [];
    this.droppedBytes = 0;
  }

  take(bytes: number, zeroed: boolean): ArrayBuffer {
    let size = MIN_BYTES;
    while (size < bytes) size *= 2;
    const list = this.free.get(size);
    const buffer = list?.pop();
    // (A kept buffer freed since, detached to length 0, is not handed out; it cannot happen while the owners of
    // arrays released to the pool free nothing else, but a wrong answer would cost more than the check.)
    if (!buffer || buffer.byteLength !== size) {
      if (buffer) this.held -= size;
      return new ArrayBuffer(size);
    }
    this.held -= size;
    if (zeroed) new Uint8Array(buffer).fill(0);
    return buffer;
  }

  give(buffer: ArrayBuffer): void {
    const size = buffer.byteLength;
    // Only whole size classes come back (a transferred buffer is detached: length 0).
    if (size < MIN_BYTES || (size & (size - 1)) !== 0) return;
    if (this.held + size > this.limit) {
      this.drop(buffer);
      return;
    }
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buffer);
    this.held += size;
  }

  /** Bytes held for reuse. */
  get bytes(): number {
    return this.held;
  }

  /** Lets go of kept arrays, the biggest first, until the pool holds at most `bytes`. */
  trim(bytes: number): void {
    const sizes = [...this.free.keys()].sort((a, b) => b - a);
    for (const size of sizes) {
      const list = this.free.get(size)!;
      while (this.held > bytes && list.length > 0) {
        this.drop(list.pop()!);
        this.held -= size;
      }
      if (list.length === 0) this.free.delete(size);
      if (this.held <= bytes) break;
    }
    this.flush();
  }

  /** Frees every kept array. */
  clear(): void {
    for (const list of this.free.values()) for (const b of list) this.drop(b);
    this.free.clear();
    this.held = 0;
    this.flush();
  }
}

/** This thread's pool (each worker has its own). */
export const arrayPool = new Pool();

/** An Int32Array of at least n elements (its length is a power of two), all zero when `zeroed`. */
export function pooledInt32(n: number, zeroed = true): Int32Array {
  return new Int32Array(arrayPool.take(Math.max(1, n) * 4, zeroed));
}

export function pooledFloat64(n: number, zeroed = true): Float64Array {
  return new Float64Array(arrayPool.take(Math.max(1, n) * 8, zeroed));
}

/** Whether an array is the whole of its buffer (not a view into a bigger one, such as a packed block's). */
export function isWholeBuffer(a: ArrayBufferView): boolean {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
}

/** Gives the arrays' memory back for reuse (the caller no longer uses them). */
export function release(...arrays: (Int32Array | Float64Array | undefined)[]): void {
  // Only an array that is its whole buffer: a view into a packed block (packedState.ts) shares it with others.
  for (const a of arrays) if (a && isWholeBuffer(a)) arrayPool.give(a.buffer as ArrayBuffer);
}

/** Lets go of arrays outgrown by a growing table (freed in batches, not kept for reuse). */
export function outgrown(...arrays: (Int32Array | Float64Array | undefined)[]): void {
  for (const a of arrays) if (a && isWholeBuffer(a)) arrayPool.discard(a.buffer as ArrayBuffer);
}
