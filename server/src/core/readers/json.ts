// JSON lines (Tencent CLS shipped to COS, and similar exports): one flat object a line, keys as field names,
// values as strings or numbers. A hand-written scanner walks the bytes once and copies values straight into the
// canonical line (JSON.parse per line would allocate an object and strings for every record); only a string with
// escapes is decoded by JSON.parse, and only an invalid line is handed to JSON.parse for its error message.
//
// - Keys of the form `__NAME__` are CLS metadata (`__TIMESTAMP__`, `__SOURCE__`, `__FILENAME__`, `__HOSTNAME__`,
//   `__TAG__`…), not flow log fields: they are left out. An object whose only other key is `__CONTENT__` or
//   `message` carries a raw text record (CLS "full text" topics, CloudWatch/Firehose wrappers): that text is the line.
// - The first object's keys make a header line (canonical field names where the key is a known spelling, else the
//   key as written); a later object with another key set gets a new header line; the same set in another order is
//   written in the header's order.
// - null and "" become `-`; numbers are copied as written (`25238.0` as `25238`); true/false as words.
// - A line that is not an object, not valid JSON, has a nested value, or a value holding a space or control
//   character (which a space-separated record cannot hold) is a problem: a `!` line.
import { lookupField } from '../schema';
import { ChunkWriter } from './chunkWriter';
import { LineSink } from './lineSplitter';
import { longLineMessage } from './text';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

const enum Kind {
  /** Copy `buf[start, end)`. */
  Raw,
  /** Write `-`. */
  Missing,
  /** An escaped string, decoded into `decoded[k]`. */
  Decoded,
  /** An object or array: not a field value. */
  Nested,
}

/** Whether a key is CLS metadata (`__TIMESTAMP__`…). */
export function isMetadataKey(key: string): boolean {
  return key.length > 4 && key.startsWith('__') && key.endsWith('__');
}

const NO_KEYS: Uint8Array[] = [];

const RAW_TEXT_KEYS = new Set(['__CONTENT__', 'message']);

/** How the keys of objects seen lately map to output columns. */
interface Layout {
  /** Every key of the object in source order, as bytes (for the fast comparison), and as text. */
  keyBytes: Uint8Array[];
  keys: string[];
  /** Source position of each output column. */
  sourceOf: Int32Array;
  /** Source position of the raw text key when the object is a wrapper of a text record; else -1. */
  rawText: number;
  identity: boolean;
  /** Keys (as written) of the header this layout needs, when it differs from the last header written. */
  pendingHeader: string[] | undefined;
}

export class JsonLinesSink implements LineSink {
  private layout: Layout | undefined;
  /** The keys of the last header line written (as a set: the order of keys in an object decides nothing). */
  private headerKeys: string[] | undefined;
  private readonly decoder = new TextDecoder();

  // Per line: spans of keys and values, reused.
  private cap = 64;
  private keyStart = new Int32Array(this.cap);
  private keyEnd = new Int32Array(this.cap);
  private keyEscaped = new Uint8Array(this.cap);
  private valStart = new Int32Array(this.cap);
  private valEnd = new Int32Array(this.cap);
  private valKind = new Uint8Array(this.cap);
  private decoded: string[] = [];
  private count = 0;
  /** The object just scanned has the keys of `layout`, in its order. */
  private sameKeys = false;

  constructor(private readonly out: ChunkWriter) {}

  longLine(lineNo: number, cap: number): void {
    this.out.problem(lineNo, longLineMessage(cap));
  }

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    let i = skipWs(buf, start, end);
    if (i === end) {
      this.out.line(lineNo, buf, start, start);
      return;
    }
    if (buf[i] !== OPEN_BRACE || !this.scanObject(buf, i, end)) {
      this.out.problem(lineNo, this.describeBadLine(buf, start, end));
      return;
    }
    const layout = this.layoutFor(buf);
    if (typeof layout === 'string') {
      this.out.problem(lineNo, layout);
      return;
    }
    if (layout.rawText >= 0) {
      this.writeRawText(buf, layout.rawText, lineNo);
      return;
    }
    const out = this.out;
    out.begin(lineNo);
    const columns = layout.sourceOf.length;
    // Values are copied straight into the output buffer: never longer than the source line plus a separator
    // and a `-` per column (an escaped string decodes to fewer bytes than it is written with).
    const room = end - start + 2 * columns + 2;
    let dst = out.reserve(room);
    let o = out.size;
    for (let c = 0; c < columns; c++) {
      if (c > 0) dst[o++] = 32;
      const k = layout.identity ? c : layout.sourceOf[c];
      const kind = this.valKind[k] as Kind;
      if (kind === Kind.Raw) {
        const e = this.valEnd[k];
        for (let x = this.valStart[k]; x < e; x++) {
          const b = buf[x];
          if (b <= 32 || b === 127) {
            out.abandon(lineNo, `${layout.keys[k]}: the value holds a space or control character`);
            return;
          }
          dst[o++] = b;
        }
      } else if (kind === Kind.Missing) dst[o++] = 45;
      else {
        out.commit(o);
        const problem = this.writeValue(buf, k);
        if (problem) {
          out.abandon(lineNo, `${layout.keys[k]}: ${problem}`);
          return;
        }
        o = out.size;
        dst = out.reserve(room);
      }
    }
    out.commit(o);
    out.end();
    if (layout.pendingHeader) {
      // Written once a record of the new key set is good, so a bad line alone does not change the header.
      out.headerBeforeLastLine(layout.pendingHeader.map(headerName));
      this.headerKeys = layout.pendingHeader;
      layout.pendingHeader = undefined;
    }
  }

  /** Writes value k; returns a problem, or '' when written. */
  private writeValue(buf: Uint8Array, k: number): string {
    const out = this.out;
    switch (this.valKind[k] as Kind) {
      case Kind.Missing:
        out.dash();
        return '';
      case Kind.Raw: {
        const s = this.valStart[k];
        const e = this.valEnd[k];
        for (let i = s; i < e; i++) if (buf[i] <= 32 || buf[i] === 127) return 'the value holds a space or control character';
        out.bytes(buf, s, e);
        return '';
      }
      case Kind.Decoded: {
        const v = this.decoded[k];
        if (v === '') {
          out.dash();
          return '';
        }
        for (let i = 0; i < v.length; i++) {
          const c = v.charCodeAt(i);
          if (c <= 32 || c === 127 || c === 0x85 || c === 0xa0 || c === 0x2028 || c === 0x2029) return 'the value holds a space or control character';
        }
        out.text(v);
        return '';
      }
      default:
        return 'the value is an object or array, not a field value';
    }
  }

  private writeRawText(buf: Uint8Array, k: number, lineNo: number): void {
    const out = this.out;
    const kind = this.valKind[k] as Kind;
    if (kind === Kind.Raw) out.line(lineNo, buf, this.valStart[k], this.valEnd[k]);
    else if (kind === Kind.Decoded) {
      const v = this.decoded[k];
      if (/[\r\n]/.test(v)) {
        out.problem(lineNo, 'the text record holds a line break');
        return;
      }
      out.begin(lineNo);
      out.text(v);
      out.end();
    } else if (kind === Kind.Missing) out.line(lineNo, buf, 0, 0);
    else out.problem(lineNo, 'the text record is an object or array');
  }

  /** The layout of the object just scanned: the last one when its keys were the same bytes, else worked out. */
  private layoutFor(buf: Uint8Array): Layout | string {
    return this.sameKeys && this.layout ? this.layout : this.newLayout(buf);
  }

  private newLayout(buf: Uint8Array): Layout | string {
    const n = this.count;
    const keys: string[] = [];
    const keyBytes: Uint8Array[] = [];
    for (let k = 0; k < n; k++) {
      const raw = buf.subarray(this.keyStart[k], this.keyEnd[k]);
      let key = this.decoder.decode(raw);
      if (this.keyEscaped[k]) {
        try {
          key = JSON.parse(`"${key}"`) as string;
        } catch {
          return 'a key is not a valid JSON string';
        }
      }
      keys.push(key);
      keyBytes.push(Uint8Array.prototype.slice.call(raw));
    }
    if (new Set(keys).size !== n) return 'a key appears twice in the object';
    const fields: number[] = [];
    let rawText = -1;
    for (let k = 0; k < n; k++) {
      if (!isMetadataKey(keys[k]) || keys[k] === '__CONTENT__') fields.push(k);
    }
    if (fields.length === 1 && RAW_TEXT_KEYS.has(keys[fields[0]])) rawText = fields[0];
    if (fields.length === 0) return 'the object has no field, only CLS metadata';
    let sourceOf: Int32Array;
    let pendingHeader: string[] | undefined;
    if (rawText >= 0) {
      sourceOf = new Int32Array(0);
    } else {
      for (const k of fields) {
        const key = keys[k];
        if (!isFieldName(key)) return `the key ${JSON.stringify(key)} cannot be a field name`;
      }
      const fieldKeys = fields.map((k) => keys[k]);
      const header = this.headerKeys;
      const sameSet = header !== undefined && header.length === fieldKeys.length && fieldKeys.every((key) => header.includes(key));
      const order = sameSet ? header! : fieldKeys;
      pendingHeader = sameSet ? undefined : fieldKeys;
      sourceOf = new Int32Array(order.length);
      order.forEach((key, c) => {
        const k = keys.indexOf(key);
        sourceOf[c] = k;
      });
    }
    let identity = rawText < 0 && sourceOf.length === n;
    for (let c = 0; identity && c < sourceOf.length; c++) identity = sourceOf[c] === c;
    this.layout = { keyBytes, keys, sourceOf, rawText, identity, pendingHeader };
    return this.layout;
  }

  /**
   * Scans a flat object from `buf[i] === '{'` to its `}` (only blanks may follow). Fills the key and value
   * spans; false when the line is not one flat JSON object.
   */
  private scanObject(buf: Uint8Array, i: number, end: number): boolean {
    this.count = 0;
    const expected = this.layout?.keyBytes ?? NO_KEYS;
    let same = true;
    this.sameKeys = false;
    i = skipWs(buf, i + 1, end);
    if (i < end && buf[i] === CLOSE_BRACE) return skipWs(buf, i + 1, end) === end;
    for (;;) {
      if (i >= end || buf[i] !== QUOTE) return false;
      const k = this.count;
      if (k === this.cap) this.grow();
      // Key, compared on the way with the same key of the last object (same keys: same layout, the usual case).
      let j = i + 1;
      let escaped = 0;
      const want = k < expected.length ? expected[k] : undefined;
      let w = 0;
      if (want === undefined) same = false;
      for (;;) {
        if (j >= end) return false;
        const c = buf[j];
        if (c === QUOTE) break;
        if (c === BACKSLASH) {
          escaped = 1;
          same = false;
          j += 2;
          continue;
        }
        if (c < 32) return false;
        if (same && (w >= want!.length || want![w] !== c)) same = false;
        w++;
        j++;
      }
      if (same && w !== want!.length) same = false;
      this.keyStart[k] = i + 1;
      this.keyEnd[k] = j;
      this.keyEscaped[k] = escaped;
      i = skipWs(buf, j + 1, end);
      if (i >= end || buf[i] !== COLON) return false;
      i = skipWs(buf, i + 1, end);
      if (i >= end) return false;
      // Value
      const c = buf[i];
      if (c === QUOTE) {
        let e = i + 1;
        let esc = false;
        for (;;) {
          if (e >= end) return false;
          const d = buf[e];
          if (d === QUOTE) break;
          if (d === BACKSLASH) {
            esc = true;
            e += 2;
            continue;
          }
          if (d < 32) return false;
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
          this.valKind[k] = e === i + 1 ? Kind.Missing : Kind.Raw;
          this.valStart[k] = i + 1;
          this.valEnd[k] = e;
        }
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
        i = e;
      } else return false;
      this.count++;
      i = skipWs(buf, i, end);
      if (i >= end) return false;
      if (buf[i] === COMMA) {
        i = skipWs(buf, i + 1, end);
        continue;
      }
      if (buf[i] === CLOSE_BRACE) {
        this.sameKeys = same && this.count === expected.length;
        return skipWs(buf, i + 1, end) === end;
      }
      return false;
    }
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
    this.keyEscaped = g8(this.keyEscaped);
    this.valKind = g8(this.valKind);
    this.cap = n;
  }

  /** Why a line is not one flat object, in the words of JSON.parse where it has them. */
  private describeBadLine(buf: Uint8Array, start: number, end: number): string {
    const text = this.decoder.decode(buf.subarray(start, end));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return `not valid JSON: ${(e as Error).message}`;
    }
    if (value === null) return 'the JSON line is null, not an object';
    if (Array.isArray(value)) return 'the JSON line is an array, not an object';
    if (typeof value !== 'object') return `the JSON line is a ${typeof value}, not an object`;
    return 'not a flat JSON object';
  }
}

/** A key usable in a header line: no blanks or control characters. */
function isFieldName(key: string): boolean {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 0x85 || c === 0xa0 || c === 0x2028 || c === 0x2029) return false;
  }
  return true;
}

/** The header name for a key: the canonical field name when the key is a known spelling. */
export function headerName(key: string): string {
  return lookupField(key)?.name ?? key;
}

function skipWs(buf: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
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
function skipNested(buf: Uint8Array, i: number, end: number): number {
  let depth = 0;
  while (i < end) {
    const c = buf[i];
    if (c === QUOTE) {
      i++;
      while (i < end && buf[i] !== QUOTE) i += buf[i] === BACKSLASH ? 2 : 1;
      if (i >= end) return -1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}
