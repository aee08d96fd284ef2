// The JSON sink's fast path for lines read for a query (jsonProjection.ts), compiled a key layout at a time. Nearly
// every line of a real export has the keys of the line before, in the same order, written without blanks: for such
// a line the generated reader checks the expected key bytes as constants (four at a time) and reads each value in
// place with the reader of its field's kind, which judges it as the engine would judge it in the full line (a port's
// range, an address, a `#`…) and notes where a kept value is: the line is walked once, with no scan record, no
// judging pass and no second look at a value. The value readers are plain functions shared by every layout: a
// generated function holding them all inline took TurboFan about a second to compile, in every worker.
// Anything else (another key, a blank, an escape, a number written `25238.0`, a value the engine would not count as
// a record's, a first value that starts with a letter) makes it give up, and the general scanner and judge
// (jsonScan.ts, jsonProjection.ts) read the line again: the fast path decides nothing the general path would
// decide otherwise (test/unit/readers-json-compiled.test.ts compares both on hostile and generated lines).
// The generated source holds only numbers (key bytes, ranges, positions), never text from a file.
import { FieldKind } from '../records/fieldKinds';
import { isIPv6Bytes as isIPv6BytesImported } from '../records/byteText';
import { sourceNumber } from '../records/compiledFields';
import { STRING_STOP as STRING_STOP_IMPORTED, skipNested as skipNestedImported } from './jsonScan';
import { Projection } from './jsonProjection';

// Module constants: an imported binding may be read through a getter (modules compiled to CommonJS), in a hot loop.
const STRING_STOP = STRING_STOP_IMPORTED;
const isIPv6Bytes = isIPv6BytesImported;
const skipNested = skipNestedImported;

/**
 * Reads the object line from `buf[i] === '{'`; returns the offset of its line feed, or -1 when the general path
 * must read the line. `end`: where the run of lines ends (`buf[end - 1]` is a line feed). `view` sees `buf`.
 * `spans[2j]`, `spans[2j + 1]`: where kept value j is (`spans[2j]` -1: the value is missing, written `-`).
 */
export type CompiledJsonLine = (buf: Uint8Array, i: number, end: number, view: DataView<ArrayBufferLike>, spans: Int32Array) => number;

const QUOTE = 34;
const HASH = 35;
const MINUS = 45;
const DOT = 46;
const LF = 10;
const CLOSE_BRACE = 125;
/** The general scanner's limit on a number's digits (jsonProjection.ts numberOk). */
const MAX_DIGITS = 15;

/** Bytes that end a string value nobody reads: a quote, a backslash, a control character (blanks are fine there). */
const OTHER_STOP = new Uint8Array(256);
for (let b = 0; b < 32; b++) OTHER_STOP[b] = 1;
OTHER_STOP[QUOTE] = 1;
OTHER_STOP[92] = 1;

/** Readers made lately, by key bytes and projection (a file whose objects alternate between a few layouts). */
const made = new Map<string, CompiledJsonLine>();
const MADE_KEPT = 64;

/**
 * The compiled reader of objects with exactly the keys `keyBytes` (in that order) whose output column `c` is the
 * value of key `sourceOf[c]` (the others: CLS metadata), read under projection `p`.
 */
export function compiledJsonLineOf(keyBytes: readonly Uint8Array[], sourceOf: Int32Array, p: Projection): CompiledJsonLine {
  const key = `${keyBytes.map((k) => String.fromCharCode(...k)).join('\u0100')}\u0101${sourceOf.join(' ')}\u0101${p.key}`;
  let reader = made.get(key);
  if (!reader) {
    if (made.size >= MADE_KEPT) made.clear();
    const body = compiledJsonLineSource(keyBytes, sourceOf, p);
    reader = new Function('otherValue', 'textValue', 'numberValue', 'addressValue', `return function compiledJsonLine(buf, i, end, view, spans) {\n${body}\n};`)(
      otherValue, textValue, numberValue, addressValue,
    ) as CompiledJsonLine;
    made.set(key, reader);
  }
  return reader;
}

/** The body of the layout's CompiledJsonLine. */
export function compiledJsonLineSource(keyBytes: readonly Uint8Array[], sourceOf: Int32Array, p: Projection): string {
  const n = keyBytes.length;
  const columnOf = new Int32Array(n).fill(-1);
  sourceOf.forEach((k, c) => (columnOf[k] = c));
  const keptAt = new Int32Array(sourceOf.length).fill(-1);
  p.kept.forEach((c, j) => (keptAt[c] = j));
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    // `{"key":` or `,"key":`, compared as constants.
    const lead = [k === 0 ? 123 : 44, QUOTE, ...keyBytes[k], QUOTE, 58];
    const L = sourceNumber(lead.length);
    const tests: string[] = [`i + ${L} >= end`];
    let x = 0;
    for (; x + 4 <= lead.length; x += 4) {
      const word = (lead[x] | (lead[x + 1] << 8) | (lead[x + 2] << 16) | (lead[x + 3] << 24)) | 0;
      tests.push(`view.getInt32(i + ${sourceNumber(x)}, true) !== ${sourceNumber(word)}`);
    }
    for (; x < lead.length; x++) tests.push(`buf[i + ${sourceNumber(x)}] !== ${sourceNumber(lead[x])}`);
    out.push(`if (${tests.join(' || ')}) return -1;`);
    const col = columnOf[k];
    let read: string;
    if (col < 0) read = `otherValue(buf, i + ${L}, end)`;
    else {
      const J = sourceNumber(keptAt[col]);
      // The engine tries a line as a header line when its first value starts with a letter (and so does the kept
      // line): the general path judges those.
      const letterFirst = col === 0 || (p.kept.length > 0 && p.kept[0] === col);
      switch (p.kinds[col] as FieldKind) {
        case FieldKind.Integer:
        case FieldKind.Bounded: {
          const ranged = Number.isFinite(p.low[col]) && Number.isFinite(p.high[col]);
          const signed = p.kinds[col] === FieldKind.Integer;
          read = `numberValue(buf, i + ${L}, spans, ${J}, ${signed}, ${ranged}, ${sourceNumber(ranged ? p.low[col] : 0)}, ${sourceNumber(ranged ? p.high[col] : 0)})`;
          break;
        }
        case FieldKind.Address:
          read = `addressValue(buf, i + ${L}, spans, ${J}, ${letterFirst})`;
          break;
        default:
          read = `textValue(buf, i + ${L}, spans, ${J}, ${letterFirst})`;
      }
    }
    out.push(`i = ${read}; if (i < 0) return -1;`);
  }
  out.push(`if (buf[i] !== ${CLOSE_BRACE} || buf[i + 1] !== ${LF}) return -1;`);
  out.push('return i + 1;');
  return out.join('\n');
}

// The value readers: each reads a value from buf[i] (its first byte) and returns where it ends, or -1 to give up.
// Kept value `j` (-1: not kept) goes in spans[2j], spans[2j + 1] (spans[2j] -1: missing, written `-`). The bytes read
// stop at a line feed without a bound check of their own: every loop stops at a byte a line feed is not.

const isDigit = (c: number) => (c - 48) >>> 0 <= 9;
const isLetter = (c: number) => ((c | 32) - 97) >>> 0 < 26;
const isNull = (buf: Uint8Array, i: number) => buf[i + 1] === 117 && buf[i + 2] === 108 && buf[i + 3] === 108;

function missing(spans: Int32Array, j: number): void {
  if (j >= 0) spans[2 * j] = -1;
}

function span(spans: Int32Array, j: number, s: number, e: number): void {
  if (j >= 0) {
    spans[2 * j] = s;
    spans[2 * j + 1] = e;
  }
}

/** A value nobody reads (CLS metadata): any value the general scanner accepts, stepped over. */
function otherValue(buf: Uint8Array, i: number, end: number): number {
  const c = buf[i];
  if (c === QUOTE) {
    i++;
    while (OTHER_STOP[buf[i]] === 0) i++;
    return buf[i] === QUOTE ? i + 1 : -1;
  }
  if (isDigit(c) || (c === MINUS && isDigit(buf[i + 1]))) {
    i++;
    while (isDigit(buf[i])) i++;
    return i;
  }
  if (c === 110) return isNull(buf, i) ? i + 4 : -1;
  if (c === 116) return buf[i + 1] === 114 && buf[i + 2] === 117 && buf[i + 3] === 101 ? i + 4 : -1;
  if (c === 102) return buf[i + 1] === 97 && buf[i + 2] === 108 && buf[i + 3] === 115 && buf[i + 4] === 101 ? i + 5 : -1;
  if (c === 123 || c === 91) return skipNested(buf, i, end);
  return -1;
}

/** Text: a string without blanks or escapes (`""`: missing), a number of digits, or null. */
function textValue(buf: Uint8Array, i: number, spans: Int32Array, j: number, letterFirst: boolean): number {
  let c = buf[i];
  if (c === QUOTE) {
    const s = ++i;
    while (STRING_STOP[buf[i]] === 0) i++;
    if (buf[i] !== QUOTE) return -1;
    if (i === s) missing(spans, j);
    else {
      c = buf[s];
      if (c === HASH || (letterFirst && isLetter(c))) return -1;
      span(spans, j, s, i);
    }
    return i + 1;
  }
  if (isDigit(c) || (c === MINUS && isDigit(buf[i + 1]))) {
    const s = i++;
    while (isDigit(buf[i])) i++;
    span(spans, j, s, i);
    return i;
  }
  if (c === 110 && isNull(buf, i)) {
    missing(spans, j);
    return i + 4;
  }
  return -1;
}

/**
 * A number field: digits (a sign where the field allows one), as a number or a string, of at most 15 digits and
 * within the field's range where it has one; `"-"` (NULL), `""` or null (missing).
 */
function numberValue(buf: Uint8Array, i: number, spans: Int32Array, j: number, signed: boolean, ranged: boolean, low: number, high: number): number {
  let c = buf[i];
  const quoted = c === QUOTE;
  const s = quoted ? i + 1 : i;
  if (quoted) {
    c = buf[++i];
    if (c === QUOTE) {
      missing(spans, j);
      return i + 1;
    }
    if (c === MINUS) i++; // `"-"` alone is NULL in any number field
  } else if (c === MINUS) {
    if (!signed || !isDigit(buf[i + 1])) return -1;
    i++;
  } else if (!isDigit(c)) {
    if (c === 110 && isNull(buf, i)) {
      missing(spans, j);
      return i + 4;
    }
    return -1;
  }
  const o = i;
  let v = 0;
  if (ranged) {
    while (isDigit((c = buf[i]))) {
      v = v * 10 + (c - 48);
      i++;
    }
  } else while (isDigit(buf[i])) i++;
  if (i - o > MAX_DIGITS || (quoted && buf[i] !== QUOTE)) return -1;
  if (i > o) {
    const negative = buf[s] === MINUS;
    if (negative && !signed) return -1;
    if (ranged && ((negative ? -v : v) < low || (negative ? -v : v) > high)) return -1;
  }
  span(spans, j, s, i);
  return quoted ? i + 1 : i;
}

/** An address: a string holding an IPv4 address (read here) or an IPv6 one (byteText.ts), `"-"`; `""` or null. */
function addressValue(buf: Uint8Array, i: number, spans: Int32Array, j: number, letterFirst: boolean): number {
  const c = buf[i];
  if (c !== QUOTE) {
    if (c === 110 && isNull(buf, i)) {
      missing(spans, j);
      return i + 4;
    }
    return -1;
  }
  const s = i + 1;
  let e = ipv4End(buf, s);
  if (e < 0 || buf[e] !== QUOTE) {
    e = s;
    while (STRING_STOP[buf[e]] === 0) e++;
    if (buf[e] !== QUOTE) return -1;
    if (e === s) {
      missing(spans, j);
      return e + 1;
    }
    if (!(e - s === 1 && buf[s] === MINUS) && ((letterFirst && isLetter(buf[s])) || !isIPv6Bytes(buf, s, e))) return -1;
  }
  span(spans, j, s, e);
  return e + 1;
}

/** Where a dotted IPv4 address from buf[i] ends (byteText.ts ipv4Bytes's rules: 0–255, no leading zero), or -1. */
function ipv4End(buf: Uint8Array, i: number): number {
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (buf[i] !== DOT) return -1;
      i++;
    }
    let o = buf[i] - 48;
    if (o >>> 0 > 9) return -1;
    let c = buf[++i] - 48;
    if (c >>> 0 <= 9) {
      if (o === 0) return -1;
      o = o * 10 + c;
      c = buf[++i] - 48;
      if (c >>> 0 <= 9) {
        o = o * 10 + c;
        if (o > 255) return -1;
        i++;
      }
    }
  }
  return i;
}
