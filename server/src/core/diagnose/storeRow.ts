// One open conversation's row in the store (store.ts): its layout in Int32 words, with Float64 fields at even words
// over the same bytes, the flags kept per direction, and the hash of its key.
import { META_V6, mix32 } from './packed';

/** Key words: iface, protocol | family, lo address (4), hi address (4), loPort | hiPort << 16. */
export const KW = 11;

/** Int32 words a row; Float64 fields are at even words, as indexes into the Float64 view (word / 2). */
export const ROW = 42;
export const ROW_F = ROW / 2;
// The row, laid out so that what a sweep reads (the last end and the interface) and what a lookup compares (the key)
// share its first cache line:
export const F_LAST = 0; // words 0-1: last end over both directions, in a spill file (in memory: `lastEnds`)
/** Words 2-12: the key (KW words); its first word is -1 in a free row. */
export const R_KEY = 2;
// Words 13-14 spare (the key's hash and the chain are in the dense `hashes` and `nexts`).
export const R_BITS = 15; // 15, 16: per direction, the tcp-flags OR in the low byte and the BIT_ flags
export const R_COUNTS = 17; // 17-20: accepted 0, rejected 0, accepted 1, rejected 1
export const R_EV = 21; // 21-28: first (file, line): accepted 0, rejected 0, accepted 1, rejected 1; word 29 spare
export const F_START = 15; // words 30-33: first start of direction 0, of direction 1
export const F_VOL = 17; // words 34-41: packets 0, bytes 0, packets 1, bytes 1

/** A conversation's state saved to a spill file: its row. */
export const STATE_BYTES = ROW * 4;

// Per direction, in the bits words: the tcp-flags OR in the low byte, and these.
export const BIT_HAS_FLAGS = 256;
export const BIT_INGRESS = 512;
export const BIT_EGRESS = 1024;
export const BIT_BPA = 2048;

/** Hash of a key: IPv4 keys have zeros in three words of each address, so only five words count. */
export function hashKey(k: Int32Array, at: number, seed: number): number {
  let h = 0x9e3779b9 ^ Math.imul(seed + 1, 0x27d4eb2f);
  h = Math.imul(h ^ k[at], 0x01000193);
  h = Math.imul(h ^ k[at + 1], 0x01000193);
  h = Math.imul(h ^ k[at + 2], 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h ^ k[at + 6], 0x01000193);
  h = Math.imul(h ^ k[at + 10], 0x01000193);
  if (k[at + 1] & META_V6) {
    h = Math.imul(h ^ k[at + 3], 0x01000193);
    h = Math.imul(h ^ k[at + 4], 0x01000193);
    h = Math.imul(h ^ k[at + 5], 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h ^ k[at + 7], 0x01000193);
    h = Math.imul(h ^ k[at + 8], 0x01000193);
    h = Math.imul(h ^ k[at + 9], 0x01000193);
  }
  return mix32(h);
}
