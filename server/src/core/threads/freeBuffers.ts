// Freeing memory when the engine is done with it, not at some later collection. An ArrayBuffer nobody references
// is freed only when V8 collects it, and V8 collects for external memory only after it has grown by tens of MB
// since the last collection, per thread: a merge that drops a partition's arrays every few milliseconds left
// 20-30 MB of dead arrays resident per worker, and an idle thread keeps its dead arrays until it allocates again.
// Transferring a buffer to a message port that is then closed detaches it here and frees its memory as the port
// goes (the queued message is dropped): deterministic, and no flag such as --expose-gc is needed.
import { MessageChannel } from 'node:worker_threads';

/** Buffers this small are left to the collector (a channel costs more than they weigh). */
const WORTH_BYTES = 64 << 10;

/**
 * Frees the buffers' memory now (they become detached: length 0). Only for ArrayBuffers the caller made and
 * nothing else uses: never a Buffer's pool, a SharedArrayBuffer or a view's buffer that others still read.
 */
export function freeBuffers(buffers: Iterable<ArrayBufferLike>): void {
  const own = new Set<ArrayBuffer>();
  let bytes = 0;
  for (const b of buffers) {
    if (!(b instanceof ArrayBuffer) || b.byteLength === 0) continue;
    own.add(b);
    bytes += b.byteLength;
  }
  if (own.size === 0 || bytes < WORTH_BYTES) return;
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, [...own]);
  port1.close();
  port2.close();
}
