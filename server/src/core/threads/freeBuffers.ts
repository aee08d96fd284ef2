// Freeing memory when the engine is done with it, not at some later full collection. An ArrayBuffer that lived a
// while (a group table, a sketch) is in V8's old space, and V8 collects old space for external memory only after
// it has grown by tens of MB since the last collection, per thread: a merge that drops a partition's arrays every
// few milliseconds left 20-30 MB of dead arrays resident per worker. Transferring a buffer (structuredClone with it
// in the transfer list) detaches it at once and hands its memory to a new, unreachable object in the young
// generation, freed at that thread's next scavenge (a working thread has one every few MB of allocation: 4 MB on
// the workers). Synchronous, so no event loop turn is needed (a port closed to drop a posted message frees only on
// a later turn: a worker reading a batch of small files turns none, and 2,000 files' dead texts piled up).
// Node's own pooled Buffer memory is marked untransferable and is copied instead, never detached.

/**
 * Lets go of the buffers' memory (they are detached at once: length 0; the memory goes at the next scavenge). Only
 * for ArrayBuffers that nothing uses any more: never a view's buffer that others still read. Shared memory is left.
 */
export function freeBuffers(buffers: Iterable<ArrayBufferLike>): void {
  const own = new Set<ArrayBuffer>();
  for (const b of buffers) if (b instanceof ArrayBuffer && b.byteLength > 0) own.add(b);
  if (own.size === 0) return;
  const list = [...own];
  structuredClone(list, { transfer: list });
}
