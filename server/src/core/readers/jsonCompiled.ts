// The JSON sink's fast path for lines read for a query (jsonProjection.ts), compiled a key layout at a time. Nearly
// every line of a real export has the keys of the line before, in the same order, written without blanks: for such
// a line the generated reader checks the expected key bytes as constants (four at a time), reads each value in place
// and judges it as the engine would judge it in the full line (a port's range, an address, a `#`…), and notes where
// the kept values are: the line is walked once, with no scan record, no judging pass and no second look at a value.
// Anything else (another key, a blank, an escape, a number written `25238.0`, a value the engine would not count as
// a record's, a first value that starts with a letter) makes it give up, and the general scanner and judge
// (jsonScan.ts, jsonProjection.ts) read the line again: the fast path decides nothing the general path would
// decide otherwise (test/unit/readers-json-compiled.test.ts compares both on hostile and generated lines).
// The generated source holds only numbers (key bytes, ranges, positions), never text from a file.
import { FieldKind } from '../records/fieldKinds';
import { isIPv6Bytes } from '../records/byteText';
import { sourceNumber } from '../records/compiledFields';
import { STRING_STOP, skipNested } from './jsonScan';
import { Projection } from './jsonProjection';

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
    reader = new Function('STRING_STOP', 'OTHER_STOP', 'isIPv6Bytes', 'skipNested', `return function compiledJsonLine(buf, i, end, view, spans) {\n${body}\n};`)(
      STRING_STOP, OTHER_STOP, isIPv6Bytes, skipNested,
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
  const out: string[] = ['let c = 0, s = 0, v = 0, d = 0, o = 0;'];
  for (let k = 0; k < n; k++) {
    // `{"key":` or `,"key":`, compared as constants.
    const lead = [k === 0 ? 123 : 44, QUOTE, ...keyBytes[k], QUOTE, 58];
    out.push(`if (i + ${sourceNumber(lead.length)} >= end) return -1;`);
    const tests: string[] = [];
    let x = 0;
    for (; x + 4 <= lead.length; x += 4) {
      const word = (lead[x] | (lead[x + 1] << 8) | (lead[x + 2] << 16) | (lead[x + 3] << 24)) | 0;
      tests.push(`view.getInt32(i + ${sourceNumber(x)}, true) !== ${sourceNumber(word)}`);
    }
    for (; x < lead.length; x++) tests.push(`buf[i + ${sourceNumber(x)}] !== ${sourceNumber(lead[x])}`);
    out.push(`if (${tests.join(' || ')}) return -1;`);
    out.push(`i += ${sourceNumber(lead.length)}; c = buf[i];`);
    const col = columnOf[k];
    if (col < 0) out.push(...otherValue());
    else {
      const j = keptAt[col];
      // The engine tries a line as a header line when its first value starts with a letter (and so does the kept
      // line): the general path judges those.
      const letterFirst = col === 0 || (p.kept.length > 0 && p.kept[0] === col);
      const span = j < 0 ? '' : `spans[${sourceNumber(2 * j)}] = s; spans[${sourceNumber(2 * j + 1)}] = i;`;
      const missing = j < 0 ? '' : `spans[${sourceNumber(2 * j)}] = -1;`;
      switch (p.kinds[col] as FieldKind) {
        case FieldKind.Integer:
        case FieldKind.Bounded:
          out.push(...numberValue(p.kinds[col] as FieldKind, p.low[col], p.high[col], span, missing));
          break;
        case FieldKind.Address:
          out.push(...addressValue(letterFirst, span, missing));
          break;
        default:
          out.push(...textValue(letterFirst, span, missing));
      }
    }
  }
  out.push(`if (buf[i] !== ${CLOSE_BRACE} || buf[i + 1] !== ${LF}) return -1;`);
  out.push('return i + 1;');
  return out.join('\n');
}

const isDigit = (x: string) => `(${x}) - 48 >>> 0 <= 9`;
const isLetter = (x: string) => `((${x}) | 32) - 97 >>> 0 < 26`;
const NULL_WORD = `c === 110 && buf[i + 1] === 117 && buf[i + 2] === 108 && buf[i + 3] === 108`;

/** A value nobody reads (CLS metadata): any value the general scanner accepts, stepped over. */
function otherValue(): string[] {
  return [
    `if (c === ${QUOTE}) { i++; while (OTHER_STOP[buf[i]] === 0) i++; if (buf[i] !== ${QUOTE}) return -1; i++; }`,
    `else if (${isDigit('c')} || (c === ${MINUS} && ${isDigit('buf[i + 1]')})) { i++; while (${isDigit('buf[i]')}) i++; }`,
    `else if (${NULL_WORD}) i += 4;`,
    'else if (c === 116 && buf[i + 1] === 114 && buf[i + 2] === 117 && buf[i + 3] === 101) i += 4;',
    'else if (c === 102 && buf[i + 1] === 97 && buf[i + 2] === 108 && buf[i + 3] === 115 && buf[i + 4] === 101) i += 5;',
    'else if (c === 123 || c === 91) { i = skipNested(buf, i, end); if (i < 0) return -1; }',
    'else return -1;',
  ];
}

/** Text: a string without blanks or escapes (`""`: missing), or a number of digits. */
function textValue(letterFirst: boolean, span: string, missing: string): string[] {
  return [
    `if (c === ${QUOTE}) { s = ++i; while (STRING_STOP[buf[i]] === 0) i++; if (buf[i] !== ${QUOTE}) return -1;`,
    `  if (i === s) { ${missing} } else { c = buf[s]; if (c === ${HASH}${letterFirst ? ` || ${isLetter('c')}` : ''}) return -1; ${span} }`,
    '  i++; }',
    `else if (${isDigit('c')} || (c === ${MINUS} && ${isDigit('buf[i + 1]')})) { s = i++; while (${isDigit('buf[i]')}) i++; ${span} }`,
    `else if (${NULL_WORD}) { i += 4; ${missing} }`,
    'else return -1;',
  ];
}

/**
 * A number field: digits (a sign where the field allows one), as a number or a string, within the field's range and
 * of at most 15 digits; `"-"` (NULL), `""` or null (missing).
 */
function numberValue(kind: FieldKind, low: number, high: number, span: string, missing: string): string[] {
  const signed = kind === FieldKind.Integer;
  const range = Number.isFinite(low) && Number.isFinite(high) ? ` if (v < ${sourceNumber(low)} || v > ${sourceNumber(high)}) return -1;` : '';
  // After the digits: the sign applied (or the line given up where the field takes none), the range checked.
  const signAndRange = `${signed ? 'if (d === 1) v = -v;' : 'if (d === 1) return -1;'}${range}`;
  return [
    `if (${isDigit('c')}${signed ? ` || (c === ${MINUS} && ${isDigit('buf[i + 1]')})` : ''}) {`,
    `  s = i; d = c === ${MINUS} ? 1 : 0; i += d; o = i; v = 0;`,
    '  while ((c = buf[i] - 48) >>> 0 <= 9) { v = v * 10 + c; i++; }',
    `  if (i - o > ${MAX_DIGITS}) return -1; ${signAndRange} ${span} }`,
    `else if (c === ${QUOTE}) { s = ++i; c = buf[i];`,
    `  if (c === ${QUOTE}) { ${missing} } else {`,
    `    d = c === ${MINUS} ? 1 : 0; i += d; o = i; v = 0;`,
    '    while ((c = buf[i] - 48) >>> 0 <= 9) { v = v * 10 + c; i++; }',
    `    if (buf[i] !== ${QUOTE} || i - o > ${MAX_DIGITS}) return -1;`,
    // `"-"` alone is NULL in any number field.
    `    if (i > o) { ${signAndRange} }`,
    `    ${span} }`,
    '  i++; }',
    `else if (${NULL_WORD}) { i += 4; ${missing} }`,
    'else return -1;',
  ];
}

/** An address: a string holding an IPv4 address (read here) or an IPv6 one (byteText.ts), `"-"`; `""` or null. */
function addressValue(letterFirst: boolean, span: string, missing: string): string[] {
  const v4: string[] = [];
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) v4.push(`if (buf[i] !== ${DOT}) break v4; i++;`);
    // One to three digits, no leading zero, at most 255 (byteText.ts ipv4Bytes).
    v4.push('o = buf[i] - 48; if (o >>> 0 > 9) break v4; c = buf[++i] - 48;');
    v4.push('if (c >>> 0 <= 9) { if (o === 0) break v4; o = o * 10 + c; c = buf[++i] - 48;');
    v4.push('if (c >>> 0 <= 9) { o = o * 10 + c; if (o > 255) break v4; i++; } }');
  }
  return [
    `if (c === ${QUOTE}) { s = ++i; d = 0;`,
    `  v4: { ${v4.join(' ')} if (buf[i] === ${QUOTE}) d = 1; }`,
    `  if (d === 0) { i = s; while (STRING_STOP[buf[i]] === 0) i++; if (buf[i] !== ${QUOTE}) return -1;`,
    `    if (i === s) d = 2;`,
    `    else if (!(i - s === 1 && buf[s] === ${MINUS})) { if (${letterFirst ? `${isLetter('buf[s]')} || ` : ''}!isIPv6Bytes(buf, s, i)) return -1; } }`,
    `  if (d === 2) { ${missing} } else { ${span} }`,
    '  i++; }',
    `else if (${NULL_WORD}) { i += 4; ${missing} }`,
    'else return -1;',
  ];
}
