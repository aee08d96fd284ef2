// The packed record: what the records adapter hands to the diagnosis, one fixed-size row of 32-bit words per flow
// log record, in batches. Fixed size so that the same bytes serve the in-memory join, the spill files of a join
// that outgrows memory, and (later) a parser on another thread. Addresses are kept whole (IPv6: four words), so
// nothing is lost and nothing needs interning but the interface id.

/** Words per record (88 bytes); the four Float64 fields start at an even word so a Float64Array view lines up. */
export const RECORD_WORDS = 22;

// Int32 words.
export const W_IFACE = 0; // interface id (the adapter's interner)
export const W_META = 1; // see META_* below
export const W_SRC = 2; // 4 words: IPv4 value in the first (the rest 0), or IPv6 big-endian
export const W_DST = 6; // 4 words
export const W_PORTS = 10; // srcport | dstport << 16
export const W_FILE = 11; // file index (the adapter's list)
export const W_LINE = 12; // 1-based line in that file
/** A traffic record's conversation key hashed without the interface (conversationHash): the reader's share of the join. */
export const W_KEY_HASH = 13;
// Float64 fields, as indexes into a Float64Array over the same buffer (word offset / 2).
export const F_START = 7; // word 14
export const F_END = 8; // word 16
export const F_PACKETS = 9; // word 18 (NaN when `-`)
export const F_BYTES = 10; // word 20 (NaN when `-`)
export const RECORD_F64 = RECORD_WORDS / 2;

// W_META bits.
export const META_PROTO = 0xff; // protocol number
export const META_V6 = 1 << 8;
export const META_ACCEPT = 1 << 9;
export const META_REJECT = 1 << 10;
/** The record's format has tcp-flags and the record has a value; the flags are in META_FLAGS_SHIFT. */
export const META_HAS_FLAGS = 1 << 11;
export const META_INGRESS = 1 << 12; // flow-direction ingress
export const META_EGRESS = 1 << 13; // flow-direction egress
export const META_BPA = 1 << 14; // reject-reason BPA (VPC Block Public Access)
/** log-status of the record: OK records carry traffic; NODATA and SKIPDATA only time (coverage). */
export const META_NODATA = 1 << 15;
export const META_SKIPDATA = 1 << 16;
/** An OK record whose traffic fields are all there (addresses, ports, protocol, action): it joins conversations. */
export const META_TRAFFIC = 1 << 17;
/**
 * A traffic record sent from the higher endpoint of its conversation's key (addresses compared unsigned, then ports):
 * direction 1 of its conversation, else 0.
 */
export const META_DIR = 1 << 18;
/**
 * The reader's share of closing a conversation of one record: its verdict index + 1 (closing.ts recordVerdict; 0: not
 * told, the join asks the row), 3 bits.
 */
export const META_SINGLE_SHIFT = 19;
/**
 * The reader's share of the scan detector: what the ports say of a traffic record (roles.ts portRank), 2 bits:
 * ATTEMPT_* (0: not told, the detector asks the ports).
 */
export const META_ATTEMPT_SHIFT = 22;
/** From the more client-like port to the more service-like one: an attempt. */
export const ATTEMPT_YES = 1;
/** The other way: an answer. */
export const ATTEMPT_NO = 2;
/** Ports alike: the detector's tie cache decides. */
export const ATTEMPT_TIE = 3;
export const META_FLAGS_SHIFT = 24; // tcp-flags, 8 bits

/** A batch of packed records: `count` rows of RECORD_WORDS words in `words` (and the same bytes as `f64`). */
export class RecordBatch {
  words: Int32Array;
  f64: Float64Array;
  bytes: Uint8Array;
  count = 0;

  /**
   * A batch of `capacity` rows, in new memory or over bytes from `byteOffset` (a multiple of 8) of `buffer`. Every
   * batch is made here, so that all have one hidden class (the code reading batches stays monomorphic).
   */
  constructor(readonly capacity = 4096, buffer: ArrayBufferLike = new ArrayBuffer(capacity * RECORD_WORDS * 4), byteOffset = 0) {
    this.words = new Int32Array(buffer, byteOffset, capacity * RECORD_WORDS);
    this.f64 = new Float64Array(buffer, byteOffset, capacity * RECORD_F64);
    this.bytes = new Uint8Array(buffer, byteOffset, capacity * RECORD_WORDS * 4);
  }

  /** A batch over existing bytes (a spill file's block): `count` whole records. */
  static over(buffer: ArrayBuffer, count: number): RecordBatch {
    const b = RecordBatch.view(buffer, 0, count);
    b.count = count;
    return b;
  }

  /** An empty batch of `capacity` rows over bytes from `byteOffset` (a multiple of 8) of a buffer, shared or not. */
  static view(buffer: ArrayBufferLike, byteOffset: number, capacity: number): RecordBatch {
    return new RecordBatch(capacity, buffer, byteOffset);
  }
}

/** Unsigned comparison of two addresses of the same family at word offsets `a` and `b` of `w`. */
export function compareAddressWords(w: Int32Array, a: number, b: number): number {
  for (let k = 0; k < 4; k++) {
    const x = w[a + k] >>> 0;
    const y = w[b + k] >>> 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** 32-bit mix (murmur3's finaliser). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** Hash of `n` words of `w` from `at`, with a seed (different seeds give independent hashes). */
export function hashWords(w: Int32Array, at: number, n: number, seed: number): number {
  let h = 0x9e3779b9 ^ Math.imul(seed + 1, 0x27d4eb2f);
  for (let k = 0; k < n; k++) {
    h = Math.imul(h ^ w[at + k], 0x01000193);
    h ^= h >>> 15;
  }
  return mix32(h);
}

/**
 * The hash of a conversation key but its interface: protocol | family, the lower endpoint's address (4 words at
 * `lo`), the higher's (at `hi`), and the ports (lower endpoint's | higher's << 16). IPv4 keys have zeros in three
 * words of each address, so only their first word counts. The reader computes it for each record (the interface ids
 * are renumbered on the joining thread) and the join finishes it with the interface (keyHash).
 */
export function conversationHash(protocol: number, w: Int32Array, lo: number, hi: number, ports: number): number {
  let h = Math.imul(protocol ^ 0x9e3779b9, 0x01000193);
  h = Math.imul(h ^ w[lo], 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h ^ w[hi], 0x01000193);
  h = Math.imul(h ^ ports, 0x01000193);
  if (protocol & META_V6) {
    h = Math.imul(h ^ w[lo + 1], 0x01000193);
    h = Math.imul(h ^ w[lo + 2], 0x01000193);
    h = Math.imul(h ^ w[lo + 3], 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h ^ w[hi + 1], 0x01000193);
    h = Math.imul(h ^ w[hi + 2], 0x01000193);
    h = Math.imul(h ^ w[hi + 3], 0x01000193);
  }
  return mix32(h);
}

/** The join's hash of a conversation key: conversationHash with the interface and a seed (a spill level's own). */
export function keyHash(conversation: number, iface: number, seed: number): number {
  return mix32((conversation + Math.imul(iface + 1, 0x9e3779b1)) ^ Math.imul(seed + 1, 0x27d4eb2f));
}
