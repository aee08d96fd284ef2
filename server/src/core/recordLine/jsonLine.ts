// A CLS JSON-lines object read as a record, by the readers' rules (core/readers/json.ts): its values in key order
// make the canonical line, CLS's metadata keys are left out, a `{"message": …}` or `{"__CONTENT__": …}` wrapper holds
// a text record, and what the readers turn into a `!` line is `unreadable` here, with the reason.
import { FieldSpans, LineKind, RecordFormat, classifyLine, makeFormat, scanFields } from '../scan';
import { Codes, Problem, validateHeader } from '../validate';
import { FlatObjectScanner, Kind } from '../readers/jsonScan';
import { RAW_TEXT_KEYS, headerName, isMetadataKey } from '../readers/json';
import { MappedLine, ValueWriter, holdsBlank, unreadable } from './mappedLine';

const scanner = new FlatObjectScanner();
const NO_KEYS: Uint8Array[] = [];
const encoder = new TextEncoder();
let bytes = new Uint8Array(4096);
/** Source column of each byte of `bytes` (filled only for a line with non-ASCII characters). */
let columnOf = new Int32Array(4096);
/** Formats of the key sets seen lately (CLS files use one or two). */
const formats = new Map<string, RecordFormat>();

/** The UTF-8 bytes of `s` in `bytes`; their count. Fills `columnOf` when they are not one byte a character. */
function encodeLine(s: string): number {
  if (bytes.length < s.length * 3 + 4) bytes = new Uint8Array(s.length * 3 + 4);
  const n = encoder.encodeInto(s, bytes).written;
  if (n !== s.length) {
    if (columnOf.length < n + 1) columnOf = new Int32Array(n + 1);
    let b = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.codePointAt(i)!;
      const width = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      for (let w = 0; w < width; w++) columnOf[b + w] = i;
      b += width;
      if (c >= 0x10000) i++;
    }
    columnOf[n] = s.length;
  }
  return n;
}

export function readJson(line: MappedLine, source: string): LineKind {
  let i = 0;
  const blank = (c: number) => c === 32 || c === 9 || c === 13 || c === 0xfeff;
  while (i < source.length && blank(source.charCodeAt(i))) i++;
  if (i === source.length) return (line.kind = LineKind.Blank);
  const n = encodeLine(source);
  const ascii = n === source.length;
  const col = (b: number) => (ascii ? b : columnOf[b]);
  let bi = 0;
  if (source.charCodeAt(0) === 0xfeff) bi = 3; // a byte order mark: the readers drop it
  while (bi < n && (bytes[bi] === 32 || bytes[bi] === 9 || bytes[bi] === 13)) bi++;
  if (bytes[bi] !== 123 || !scanner.scan(bytes, bi, n, NO_KEYS)) return badJson(line, source, i);
  const count = scanner.count;
  const keys: string[] = [];
  for (let k = 0; k < count; k++) {
    const raw = source.slice(col(scanner.keyStart[k]), col(scanner.keyEnd[k]));
    let key = raw;
    if (raw.includes("\\")) {
      try {
        key = JSON.parse(`"${raw}"`) as string;
      } catch {
        return unreadable(line, Codes.jsonRecord, 'a key is not a valid JSON string', col(scanner.keyStart[k]), col(scanner.keyEnd[k]));
      }
    }
    keys.push(key);
  }
  const fields: number[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < count; k++) {
    if (seen.has(keys[k])) return unreadable(line, Codes.jsonRecord, `the key ${JSON.stringify(keys[k])} appears twice in the object`, col(scanner.keyStart[k]), col(scanner.keyEnd[k]));
    seen.add(keys[k]);
    if (!isMetadataKey(keys[k]) || keys[k] === '__CONTENT__') fields.push(k);
  }
  if (fields.length === 0) return unreadable(line, Codes.jsonRecord, 'the object has no field, only CLS metadata', i, source.length);
  if (fields.length === 1 && RAW_TEXT_KEYS.has(keys[fields[0]])) return readWrappedText(line, source, fields[0], col);
  for (const k of fields) {
    if (keys[k] === '' || holdsBlank(keys[k])) {
      return unreadable(line, Codes.jsonRecord, `the key ${JSON.stringify(keys[k])} cannot be a field name`, col(scanner.keyStart[k]), col(scanner.keyEnd[k]));
    }
  }
  const out = new ValueWriter(line);
  for (const k of fields) {
    const kind = scanner.valKind[k] as Kind;
    const ks = col(scanner.keyStart[k]);
    const ke = col(scanner.keyEnd[k]);
    // The token: from after the colon; a string's value is inside its quotes (the quotes too when it is empty).
    const vs = kind === Kind.Missing || kind === Kind.Decoded || kind === Kind.Nested ? tokenStart(source, ke) : col(scanner.valStart[k]);
    const te = tokenEndAfter(source, vs);
    if (kind === Kind.Nested) return unreadable(line, Codes.jsonRecord, `${keys[k]}: the value is an object or array, not a field value`, vs, te);
    if (kind === Kind.Raw || kind === Kind.Blank) {
      // Blank: a string holding a space or DEL (valid JSON), which the check below reports.
      const ve = col(scanner.valEnd[k]);
      if (holdsBlank(source, vs, ve)) return unreadable(line, Codes.jsonRecord, `${keys[k]}: the value holds a space or control character, which a flow log record cannot hold`, vs, ve);
      out.value(source.slice(vs, ve), vs, ve, te, true, ks, ke);
    } else if (kind === Kind.Missing) {
      out.value('', vs, te, te, false, ks, ke);
    } else {
      const v = scanner.decoded[k];
      if (holdsBlank(v)) return unreadable(line, Codes.jsonRecord, `${keys[k]}: the value holds a space or control character, which a flow log record cannot hold`, vs, te);
      // The value's text without the quotes (escapes and all): the decoded value is not its text, so columns inside
      // it do not map one to one.
      out.value(v, v === '' ? vs : vs + 1, v === '' ? te : te - 1, te, false, ks, ke);
    }
  }
  out.finish();
  line.format = formatOfKeys(fields.map((k) => keys[k]));
  line.kind = LineKind.Record;
  keyProblems(line, fields.length);
  return line.kind;
}

/** Where the token after a key's closing quote and its colon starts. */
function tokenStart(source: string, keyEnd: number): number {
  let i = keyEnd + 1; // the closing quote
  while (i < source.length && source.charCodeAt(i) !== 58) i++;
  i++;
  while (i < source.length && (source.charCodeAt(i) === 32 || source.charCodeAt(i) === 9)) i++;
  return i;
}

/** The end of the token starting at `start`: after a string's closing quote, else before `,` `}` or a blank. */
function tokenEndAfter(source: string, start: number): number {
  let i = start;
  if (source.charCodeAt(i) === 34 || source.charCodeAt(i - 1) === 34) {
    if (source.charCodeAt(i) === 34) i++;
    while (i < source.length && source.charCodeAt(i) !== 34) i += source.charCodeAt(i) === 92 ? 2 : 1;
    return Math.min(source.length, i + 1);
  }
  const open = source.charCodeAt(i);
  if (open === 123 || open === 91) {
    let depth = 0;
    for (; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 34) {
        i++;
        while (i < source.length && source.charCodeAt(i) !== 34) i += source.charCodeAt(i) === 92 ? 2 : 1;
      } else if (c === 123 || c === 91) depth++;
      else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
    }
    return source.length;
  }
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (c === 44 || c === 125 || c === 32 || c === 9) break;
    i++;
  }
  return i;
}

/** `{"message": "2 123 eni-…"}` (a CloudWatch or Firehose wrapper) or `{"__CONTENT__": …}` (a CLS full-text topic). */
function readWrappedText(line: MappedLine, source: string, k: number, col: (b: number) => number): LineKind {
  const kind = scanner.valKind[k] as Kind;
  // Raw or holding spaces (a text record always does): the value as written is the record's text.
  if (kind === Kind.Raw || kind === Kind.Blank) return line.readText(source, col(scanner.valStart[k]), col(scanner.valEnd[k]));
  const vs = tokenStart(source, col(scanner.keyEnd[k]));
  const te = tokenEndAfter(source, vs);
  if (kind === Kind.Missing) return (line.kind = LineKind.Blank);
  if (kind === Kind.Nested) return unreadable(line, Codes.jsonRecord, 'the text record is an object or array', vs, te);
  const text = scanner.decoded[k];
  if (/[\r\n]/.test(text)) return unreadable(line, Codes.jsonRecord, 'the text record holds a line break', vs, te);
  // An escaped text record: its fields are read from the decoded text; every position maps to the whole value.
  scanFields(text, 0, text.length, line.spans);
  line.kind = classifyLine(text, line.spans);
  line.text = text;
  line.mapped = true;
  line.reserve(line.spans.count);
  for (let f = 0; f < line.spans.count; f++) {
    line.valueStart[f] = vs + 1;
    line.valueEnd[f] = te - 1;
    line.tokenEnd[f] = te;
    line.keyStart[f] = -1;
    line.keyEnd[f] = -1;
    line.verbatim[f] = 0;
  }
  return line.kind;
}

/** A line the scanner refused: the reason in JSON.parse's words, at the position it names. */
function badJson(line: MappedLine, source: string, start: number): LineKind {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const pos = at ? Math.min(Number(at[1]), source.length) : source.length;
    return unreadable(line, Codes.jsonRecord, `not valid JSON: ${message}`, Math.min(pos, Math.max(start, source.length - 1)), source.length);
  }
  const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value !== 'object' ? `a ${typeof value}` : 'an object with a nested value';
  return unreadable(line, Codes.jsonRecord, `this line of a JSON-lines file is ${what}, not a flat JSON object`, start, source.length);
}

function formatOfKeys(keys: string[]): RecordFormat {
  const id = keys.join('\n');
  let format = formats.get(id);
  if (!format) {
    if (formats.size > 256) formats.clear();
    format = makeFormat(keys.map(headerName), 0);
    formats.set(id, format);
  }
  return format;
}

/** Keys that name no field: the header problems of the readers' header line, on the keys of this line. */
function keyProblems(line: MappedLine, count: number): void {
  const format = line.format!;
  if (format.fields.every((f) => f !== undefined)) return;
  const names = format.names.join(' ');
  const spans = new FieldSpans();
  scanFields(names, 0, names.length, spans);
  const found: Problem[] = [];
  validateHeader(names, spans, found);
  for (const p of found) {
    let k = 0;
    while (k < count - 1 && spans.ends[k] < p.start) k++;
    const ks = line.keyStart[k];
    const ke = line.keyEnd[k];
    const verbatim = ke - ks === spans.ends[k] - spans.starts[k];
    line.keyProblems.push({
      ...p,
      message: p.message.replace(' in the header', ' (a JSON key)'),
      start: ks,
      end: ke,
      fix: verbatim && p.fix ? { title: p.fix.title, edits: p.fix.edits.map((e) => ({ ...e, start: ks, end: ke })) } : undefined,
    });
  }
}

