// One open conversation's row in the store (store.ts): its layout in Int32 words, with Float64 fields at even words
// over the same bytes, the flags kept per direction, and the hash of its key.
import { META_V6, mix32 } from './packed';

/** Key words: iface, protocol | family, lo address (4), hi address (4), loPort | hiPort << 16. */
export const KW = 11;

/** Int32 words a row; Float64 fields are at even words, as indexes into the Float64 view (word / 2). */
export const ROW = 42;
export const ROW_F = ROW / 2;
// A row has two layouts. A conversation of one record (nearly all of them in a busy log) is opened compact: its key
// and its record in the row's first 64 bytes (one or two cache lines), the record's end, bytes and packets in the
// store's dense arrays; the rest of the row is not written. When a second record joins it, it is merged, saved to a
// spill file or described, it is expanded to the full layout first (store.ts expand). Opening a row that way costs
// about a third of the cache lines a full one does (a row 22 words longer made a diagnosis 7% slower).
/** Words 0-10: the key (KW words). */
export const R_KEY = 0;
// Compact: the record's file and line, and its direction (bit 0), action (bit 1: accepted) and bits (BIT_*, from bit
// 2); its start at Float64 7 (words 14-15).
export const S_FILE = 11;
export const S_LINE = 12;
export const S_FLAGS = 13;
export const F_SINGLE_START = 7;
// Full: words 11-13 spare; words 14-15 the last end over both directions in a spill file (in memory: `lastEnds`).
export const F_LAST = 7;
export const R_BITS = 16; // 16, 17: per direction, the tcp-flags OR in the low byte and the BIT_ flags
export const R_COUNTS = 18; // 18-21: accepted 0, rejected 0, accepted 1, rejected 1
export const R_EV = 22; // 22-29: first (file, line): accepted 0, rejected 0, accepted 1, rejected 1
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
