// Group keys as bytes: a record's key values are written into one scratch buffer (a field's bytes straight from
// the chunk, numbers as 4 or 8 bytes), hashed a word at a time, and stored in the group table as written. Text
// is decoded only for the groups that are output.
import { isoUtc } from '../../decode';
import { Value } from '../values';
import { textOf } from '../../records/byteText';
import { formatIPv4 } from '../../address';

export const enum KeyTag {
  Null = 0,
  Int32 = 1,
  Float64 = 2,
  ShortText = 3,
  LongText = 4,
  /** An IPv4 address field, as its 32-bit value (its text is canonical: address.ts allows no other form). */
  IPv4 = 5,
}

/** How one key position is decoded back to a value: as written, or a histogram bucket shown as ISO text. */
export const enum KeyDisplay {
  Plain = 0,
  Bucket = 1,
}

/**
 * A growable scratch buffer for one record's key bytes. `words` views the same memory, so hashing and comparing
 * read four bytes at a time (the bytes past `length` up to the next word are zero).
 */
export class KeyScratch {
  bytes = new Uint8Array(256);
  words = new Int32Array(this.bytes.buffer);
  f64 = new Float64Array(1);
  f64Bytes = new Uint8Array(this.f64.buffer);
  length = 0;

  reset(): void {
    this.length = 0;
  }

  private ensure(extra: number): void {
    const need = this.length + extra + 4;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const bytes = new Uint8Array(cap);
    bytes.set(this.bytes.subarray(0, this.length));
    this.bytes = bytes;
    this.words = new Int32Array(bytes.buffer);
  }

  null(): void {
    this.ensure(1);
    this.bytes[this.length++] = KeyTag.Null;
  }

  number(v: number): void {
    this.ensure(9);
    const b = this.bytes;
    let at = this.length;
    if ((v | 0) === v && !(v === 0 && 1 / v < 0)) {
      b[at++] = KeyTag.Int32;
      b[at++] = v & 255;
      b[at++] = (v >>> 8) & 255;
      b[at++] = (v >>> 16) & 255;
      b[at++] = (v >>> 24) & 255;
    } else {
      b[at++] = KeyTag.Float64;
      this.f64[0] = v === 0 ? 0 : v; // -0 is 0
      for (let q = 0; q < 8; q++) b[at++] = this.f64Bytes[q];
    }
    this.length = at;
  }

  /** An IPv4 address (unsigned 32-bit value). */
  ipv4(v: number): void {
    this.ensure(5);
    const b = this.bytes;
    let at = this.length;
    b[at++] = KeyTag.IPv4;
    b[at++] = v & 255;
    b[at++] = (v >>> 8) & 255;
    b[at++] = (v >>> 16) & 255;
    b[at++] = (v >>> 24) & 255;
    this.length = at;
  }

  /** The bytes src[start, end) as text. */
  text(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n + 5);
    const b = this.bytes;
    let at = this.length;
    if (n < 255) {
      b[at++] = KeyTag.ShortText;
      b[at++] = n;
    } else {
      b[at++] = KeyTag.LongText;
      b[at++] = n & 255;
      b[at++] = (n >>> 8) & 255;
      b[at++] = (n >>> 16) & 255;
      b[at++] = (n >>> 24) & 255;
    }
    for (let i = start; i < end; i++) b[at++] = src[i];
    this.length = at;
  }

  private static readonly encoder = new TextEncoder();

  value(v: Value): void {
    if (v === null) this.null();
    else if (typeof v === 'number') this.number(v);
    else {
      const bytes = KeyScratch.encoder.encode(v);
      this.text(bytes, 0, bytes.length);
    }
  }

  /** Zeroes the bytes up to the next word boundary and returns the number of words. */
  seal(): number {
    const words = (this.length + 3) >>> 2;
    for (let i = this.length; i < words * 4; i++) this.bytes[i] = 0;
    return words;
  }
}

/** A 32-bit hash of `count` words (murmur3's mixing, word at a time). */
export function hashWords(words: Int32Array, from: number, count: number, byteLength: number): number {
  let h = 0x9747b28c ^ byteLength;
  for (let i = from, end = from + count; i < end; i++) {
    let k = words[i];
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/**
 * Decodes the key values in bytes[at, at + length) into `out` (one per key position), applying each position's
 * display. Returns the offset after the last key read.
 */
export function decodeKeys(bytes: Uint8Array, at: number, count: number, display: readonly KeyDisplay[], out: Value[]): number {
  for (let k = 0; k < count; k++) {
    const tag = bytes[at++];
    let v: Value;
    switch (tag) {
      case KeyTag.Null:
        v = null;
        break;
      case KeyTag.Int32:
        v = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
        at += 4;
        break;
      case KeyTag.Float64:
        for (let q = 0; q < 8; q++) f64Bytes[q] = bytes[at + q];
        v = f64[0];
        at += 8;
        break;
      case KeyTag.ShortText: {
        const n = bytes[at++];
        v = textOf(bytes, at, at + n);
        at += n;
        break;
      }
      case KeyTag.IPv4:
        v = formatIPv4((bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0);
        at += 4;
        break;
      default: {
        const n = (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
        at += 4;
        v = textOf(bytes, at, at + n);
        at += n;
      }
    }
    out[k] = display[k] === KeyDisplay.Bucket && typeof v === 'number' ? isoUtc(v) : v;
  }
  return at;
}

/** The byte length of the `count` keys encoded at bytes[at…]. */
export function keysLength(bytes: Uint8Array, at: number, count: number): number {
  const from = at;
  for (let k = 0; k < count; k++) {
    const tag = bytes[at++];
    if (tag === KeyTag.Int32 || tag === KeyTag.IPv4) at += 4;
    else if (tag === KeyTag.Float64) at += 8;
    else if (tag === KeyTag.ShortText) at += 1 + bytes[at];
    else if (tag === KeyTag.LongText) at += 4 + ((bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0);
  }
  return at - from;
}
