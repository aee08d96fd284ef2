// The byte scanner of one JSON line holding a flat object: it walks the bytes once and records where each key
// and value is (no strings made, no object built); a string with escapes is decoded by JSON.parse alone. While it
// scans, it compares each key with the same key of the last object, so a line with the usual keys costs nothing more.

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** Bytes that end a run of ordinary string bytes: a quote, a backslash, a control character, a space, DEL. */
export const STRING_STOP = new Uint8Array(256);
for (let b = 0; b <= 32; b++) STRING_STOP[b] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;
STRING_STOP[127] = 1;

export const enum Kind {
  /** Copy `buf[start, end)`. */
  Raw,
  /** Write `-`. */
  Missing,
  /** An escaped string, decoded into `decoded[k]`. */
  Decoded,
  /** An object or array: not a field value. */
  Nested,
  /** A string holding a space or DEL (`buf[start, end)`): valid JSON, but not a field value. */
  Blank,
}

/** Spans of the keys and values of the object scanned last (reused from line to line). */
export class FlatObjectScanner {
  private cap = 64;
  keyStart = new Int32Array(this.cap);
  keyEnd = new Int32Array(this.cap);
  valStart = new Int32Array(this.cap);
  valEnd = new Int32Array(this.cap);
  valKind = new Uint8Array(this.cap);
  /** Escaped string values, decoded (by index). */
  decoded: string[] = [];
  count = 0;
  /** The object scanned last has exactly the keys given as `expected`, in that order. */
  sameKeys = false;
  /** Where the blanks after the object's `}` end (the line's end when the line is the object alone). */
  stop = 0;
  private readonly decoder = new TextDecoder();

  /**
   * Scans a flat object from `buf[i] === '{'` to its `}` and the blanks after it (`stop`: where they end). Fills
   * the key and value spans; false when the bytes from `i` are not one flat JSON object. Nothing of the object may
   * be a line break (a `\n` or `\r` fails the scan): `end` may be a line's end, or further, in a run of lines.
   */
  scan(buf: Uint8Array, i: number, end: number, expected: readonly Uint8Array[]): boolean {
    if (expected !== this.expected) this.expect(expected);
    if (buf !== this.viewed) {
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.viewed = buf;
    }
    const view = this.view;
    this.count = 0;
    let same = true;
    this.sameKeys = false;
    i = skipBlanks(buf, i + 1, end);
    if (i < end && buf[i] === CLOSE_BRACE) {
      this.stop = skipBlanks(buf, i + 1, end);
      return true;
    }
    for (;;) {
      if (i >= end || buf[i] !== QUOTE) return false;
      const k = this.count;
      if (k === this.cap) this.grow();
      // Key, compared on the way with the same key of the last object (same keys: same layout, the usual case).
      let j = i + 1;
      const want = same && k < expected.length ? expected[k] : undefined;
      // The usual case: the same key as the last object's here, compared byte for byte where its closing quote is.
      let matched = false;
      if (want !== undefined) {
        const n = want.length;
        if (j + n < end && buf[j + n] === QUOTE) {
          // Four bytes at a time, then the rest.
          const words = this.words[k];
          let x = 0;
          while (x + 4 <= n && view.getInt32(j + x, true) === words[x >> 2]) x += 4;
          if (x + 4 > n) while (x < n && buf[j + x] === want[x]) x++;
          if (x === n) {
            matched = true;
            j += n;
          }
        }
      }
      if (!matched) {
        same = false;
        for (;;) {
          if (j >= end) return false;
          const c = buf[j];
          if (c === QUOTE) break;
          if (c === BACKSLASH) {
            if (buf[j + 1] < 32) return false;
            j += 2;
            continue;
          }
          if (c < 32) return false;
          j++;
        }
      }
      this.keyStart[k] = i + 1;
      this.keyEnd[k] = j;
      // `":` then the value, without blanks: the usual case, without a call.
      if (j + 2 < end && buf[j + 1] === COLON && buf[j + 2] > 32) i = j + 2;
      else {
        i = skipBlanks(buf, j + 1, end);
        if (i >= end || buf[i] !== COLON) return false;
        i = skipBlanks(buf, i + 1, end);
        if (i >= end) return false;
      }
      // Value
      const c = buf[i];
      if (c === QUOTE) {
        let e = i + 1;
        let esc = false;
        let blank = false;
        for (;;) {
          // Ordinary bytes by a table (one load and one test a byte): the rest is a quote, an escape or a blank.
          while (e < end && STRING_STOP[buf[e]] === 0) e++;
          if (e >= end) return false;
          const d = buf[e];
          if (d === QUOTE) break;
          if (d === BACKSLASH) {
            // An escaped control character (a line break, in a run of lines) is invalid JSON.
            if (buf[e + 1] < 32) return false;
            esc = true;
            e += 2;
            continue;
          }
          // A control character is invalid JSON; a space or DEL is valid, but no field value can hold one.
          if (d < 32) return false;
          blank = true;
          e++;
        }
        if (esc) {
          try {
            this.decoded[k] = JSON.parse(this.decoder.decode(buf.subarray(i, e + 1))) as string;
          } catch {
            return false;
          }
          this.valKind[k] = Kind.Decoded;
        } else {
          this.valKind[k] = e === i + 1 ? Kind.Missing : blank ? Kind.Blank : Kind.Raw;
        }
        // The span (inside the quotes) is kept for every kind: lint and the editor place a value's problem on it.
        this.valStart[k] = i + 1;
        this.valEnd[k] = e;
        i = e + 1;
      } else if ((c === 45 && i + 1 < end && buf[i + 1] >= 48 && buf[i + 1] <= 57) || (c >= 48 && c <= 57)) {
        let e = i + 1;
        let dot = -1;
        let plainFraction = true;
        while (e < end) {
          const d = buf[e];
          if (d >= 48 && d <= 57) {
            if (dot >= 0 && d !== 48) plainFraction = false;
          } else if (d === 46) {
            if (dot >= 0) return false;
            dot = e;
          } else if (d === 101 || d === 69 || d === 43 || d === 45) plainFraction = false;
          else break;
          e++;
        }
        this.valKind[k] = Kind.Raw;
        this.valStart[k] = i;
        // `25238.0` is the integer 25238 (exports made by tools that write every number as a float).
        this.valEnd[k] = dot >= 0 && plainFraction && dot > i ? dot : e;
        i = e;
      } else if (c === 110 /* n */) {
        if (!word(buf, i, end, 'null')) return false;
        this.valKind[k] = Kind.Missing;
        this.valStart[k] = i;
        this.valEnd[k] = i + 4;
        i += 4;
      } else if (c === 116 /* t */ || c === 102 /* f */) {
        const w = c === 116 ? 'true' : 'false';
        if (!word(buf, i, end, w)) return false;
        this.valKind[k] = Kind.Raw;
        this.valStart[k] = i;
        this.valEnd[k] = i + w.length;
        i += w.length;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        const e = skipNested(buf, i, end);
        if (e < 0) return false;
        this.valKind[k] = Kind.Nested;
        this.valStart[k] = i;
        this.valEnd[k] = e;
        i = e;
      } else return false;
      this.count++;
      if (i + 1 < end && buf[i] === COMMA && buf[i + 1] === QUOTE) {
        i++;
        continue;
      }
      i = skipBlanks(buf, i, end);
      if (i >= end) return false;
      if (buf[i] === COMMA) {
        i = skipBlanks(buf, i + 1, end);
        continue;
      }
      if (buf[i] === CLOSE_BRACE) {
        this.sameKeys = same && this.count === expected.length;
        this.stop = skipBlanks(buf, i + 1, end);
        return true;
      }
      return false;
    }
  }

  /** The keys expected, and each as little-endian 32-bit words (its whole words; the bytes after are compared alone). */
  private expected: readonly Uint8Array[] = [];
  private words: Int32Array[] = [];
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private viewed: Uint8Array | undefined;

  private expect(expected: readonly Uint8Array[]): void {
    this.expected = expected;
    this.words = expected.map((key) => {
      const w = new Int32Array(key.length >> 2);
      const v = new DataView(key.buffer, key.byteOffset, key.byteLength);
      for (let q = 0; q < w.length; q++) w[q] = v.getInt32(q * 4, true);
      return w;
    });
  }

  private grow(): void {
    const n = this.cap * 2;
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const g8 = (a: Uint8Array) => {
      const b = new Uint8Array(n);
      b.set(a);
      return b;
    };
    this.keyStart = g32(this.keyStart);
    this.keyEnd = g32(this.keyEnd);
    this.valStart = g32(this.valStart);
    this.valEnd = g32(this.valEnd);
    this.valKind = g8(this.valKind);
    this.cap = n;
  }
}

/** Past spaces and tabs (JSON's other blanks, `\r` and `\n`, end lines: never inside one). */
export function skipBlanks(buf: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = buf[i];
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

function word(buf: Uint8Array, i: number, end: number, w: string): boolean {
  if (i + w.length > end) return false;
  for (let k = 0; k < w.length; k++) if (buf[i + k] !== w.charCodeAt(k)) return false;
  return true;
}

/** The position after a nested object or array starting at `i`, strings skipped; -1 when it does not close. */
export function skipNested(buf: Uint8Array, i: number, end: number): number {
  let depth = 0;
  while (i < end) {
    const c = buf[i];
    if (c === QUOTE) {
      i++;
      while (i < end && buf[i] !== QUOTE) {
        if (buf[i] === 10 || buf[i] === 13 || (buf[i] === BACKSLASH && (buf[i + 1] === 10 || buf[i + 1] === 13))) return -1;
        i += buf[i] === BACKSLASH ? 2 : 1;
      }
      if (i >= end) return -1;
    } else if (c === 10 || c === 13) return -1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}
