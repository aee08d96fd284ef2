// How one line of a document reads as a record, whatever the delivery it came in: a space-separated line as it
// is, a CloudWatch export line after its time, a CLS JSON object by its values, a CLS CSV row by its cells. Each
// gives the text the validator, hover and inlay hints read (the canonical line the readers make of it: one space
// between values, `-` for a missing one) and where each value sits in the source line, so that a problem, a hover
// or a hint lands on the JSON value or the CSV cell. The rules are the readers' (core/readers/json.ts, csv.ts):
// a line the readers turn into a `!` line (which the engine counts as malformed) is `unreadable` here, with the
// reason, so the editor and the engine agree on which lines are records.
import { FieldSpans, LineKind, RecordFormat, classifyLine, makeFormat, scanFields } from './scan';
import { lookupField } from './schema';
import { Codes, Problem, validateHeader } from './validate';
import { FlatObjectScanner, Kind } from './readers/jsonScan';
import { RAW_TEXT_KEYS, headerName, isMetadataKey } from './readers/json';

/** How a document's records are written (detected once from its first lines and its name). */
export type LineEncoding = 'text' | 'cloudwatch' | 'json' | 'csv';

export interface LineShape {
  encoding: LineEncoding;
  /** CSV: the separator (`,` tab `|` `;` or space) and the quote character. */
  separator?: string;
  quote?: string;
}

export const TEXT_SHAPE: LineShape = { encoding: 'text' };

/** A line read as a record; reused from line to line (read one line at a time). */
export class RecordLine {
  kind: LineKind = LineKind.Blank;
  /** What the validator reads: the source line itself (`mapped` false) or the canonical line made of the values. */
  text = '';
  /** Fields in `text`. */
  readonly spans = new FieldSpans();
  /** `text` is made of the values (JSON, CSV): its columns map to the source through the arrays below. */
  mapped = false;
  /** A JSON line's own format, from its keys; undefined when the document's format (default or header) binds it. */
  format: RecordFormat | undefined;
  /** Source columns of field k's value [valueStart, valueEnd), and where its token ends (after a closing quote). */
  valueStart = new Int32Array(32);
  valueEnd = new Int32Array(32);
  tokenEnd = new Int32Array(32);
  /** JSON: the key of field k, [keyStart, keyEnd) in the source (inside its quotes); -1 for CSV cells. */
  keyStart = new Int32Array(32);
  keyEnd = new Int32Array(32);
  /** Field k's canonical text is the source text at valueStart, so columns inside it map one to one. */
  verbatim = new Uint8Array(32);
  /** Why the readers cannot make a record of this line (they write it as a `!` line); source columns. */
  unreadable: Problem | undefined;
  /** Problems of a JSON line's keys (unknown field names), in source columns. */
  readonly keyProblems: Problem[] = [];
  /** Unmapped lines: the record is source[from, to) (after a CloudWatch time, inside a `{"message": …}` wrapper). */
  from = 0;
  to = 0;

  /** Makes room for `n` fields. */
  reserve(n: number): void {
    if (n <= this.valueStart.length) return;
    const size = Math.max(n, this.valueStart.length * 2);
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.valueStart = grow32(this.valueStart);
    this.valueEnd = grow32(this.valueEnd);
    this.tokenEnd = grow32(this.tokenEnd);
    this.keyStart = grow32(this.keyStart);
    this.keyEnd = grow32(this.keyEnd);
    const v = new Uint8Array(size);
    v.set(this.verbatim);
    this.verbatim = v;
  }

  private reset(source: string): void {
    this.kind = LineKind.Blank;
    this.text = source;
    this.from = 0;
    this.to = source.length;
    this.mapped = false;
    this.format = undefined;
    this.unreadable = undefined;
    this.keyProblems.length = 0;
    this.spans.count = 0;
    this.spans.gapCount = 0;
    this.spans.commentStart = -1;
  }

  /** Reads `source` (one line, without its line end) as `shape` says; returns the line's kind. */
  read(source: string, shape: LineShape): LineKind {
    this.reset(source);
    switch (shape.encoding) {
      case 'text':
        return this.readText(source, 0);
      case 'cloudwatch':
        return this.readText(source, Math.max(0, isoTimePrefixEnd(source)));
      case 'json':
        return readJson(this, source);
      case 'csv':
        return readCsv(this, source, shape.separator ?? ',', shape.quote ?? '"');
    }
  }

  /** A space-separated record in source[from, to): the source itself, scanned in place. */
  readText(source: string, from: number, to = source.length): LineKind {
    this.from = from;
    this.to = to;
    scanFields(source, from, to, this.spans);
    this.kind = classifyLine(source, this.spans);
    return this.kind;
  }

  /** The record as one space-separated line (what hovers and hints read); columns in it: readingColumn. */
  reading(): string {
    return this.mapped || (this.from === 0 && this.to === this.text.length) ? this.text : this.text.slice(this.from, this.to);
  }

  /** Where field k's value is in the source line (for a hover's range). */
  valueRange(k: number): [number, number] {
    return this.mapped ? [this.valueStart[k], this.valueEnd[k]] : [this.spans.starts[k], this.spans.ends[k]];
  }

  /** The source column of column `column` of reading() that ends a field (where an inlay hint goes). */
  sourceOfReadingEnd(column: number): number {
    if (!this.mapped) return column + (this.text === this.reading() ? 0 : this.from);
    for (let k = 0; k < this.spans.count; k++) if (this.spans.ends[k] === column) return this.afterValue(k);
    return this.tokenEnd[Math.max(0, this.spans.count - 1)];
  }

  /** Where a hint after field k goes in the source line (after a JSON string's or a CSV cell's closing quote). */
  afterValue(k: number): number {
    return this.mapped ? this.tokenEnd[k] : this.spans.ends[k];
  }

  /** The field whose value (or key) holds source column `column`, or -1. */
  fieldAtColumn(column: number): number {
    const { spans } = this;
    for (let k = 0; k < spans.count; k++) {
      if (!this.mapped) {
        if (column >= spans.starts[k] && column <= spans.ends[k]) return k;
        continue;
      }
      if (column >= this.valueStart[k] && column <= this.tokenEnd[k]) return k;
      if (this.keyStart[k] >= 0 && column >= this.keyStart[k] - 1 && column <= this.keyEnd[k] + 1) return k;
    }
    return -1;
  }

  /** A problem found in `text`, in source columns. */
  toSource(p: Problem): Problem {
    if (!this.mapped) return p;
    const [start, end] = this.sourceRange(p.start, p.end);
    const fix = p.fix && {
      title: p.fix.title,
      edits: p.fix.edits.map((e) => (e.line !== undefined ? e : { ...e, ...rangeOf(this.sourceRange(e.start, e.end)) })),
    };
    return { ...p, start, end, fix };
  }

  /** Source columns of canonical columns [start, end). */
  sourceRange(start: number, end: number): [number, number] {
    const { spans } = this;
    if (spans.count === 0) return [0, 0];
    const first = this.fieldHolding(start, true);
    const last = this.fieldHolding(Math.max(start, end), false);
    const s = this.verbatim[first] && start >= spans.starts[first] ? this.valueStart[first] + (start - spans.starts[first]) : this.valueStart[first];
    const e = this.verbatim[last] && end <= spans.ends[last] ? this.valueStart[last] + (end - spans.starts[last]) : this.valueEnd[last];
    return [s, Math.max(s, e)];
  }

  private fieldHolding(column: number, atStart: boolean): number {
    const { spans } = this;
    for (let k = 0; k < spans.count; k++) {
      if (atStart ? column < spans.ends[k] || (column === spans.ends[k] && spans.starts[k] === spans.ends[k]) : column <= spans.ends[k]) return k;
    }
    return spans.count - 1;
  }
}

const rangeOf = ([start, end]: [number, number]) => ({ start, end });

// --- CloudWatch ---------------------------------------------------------------------------------------------

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Where the record starts after a leading `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM) ` (a CloudWatch Logs export), or
 * -1; the string twin of readers/text.ts isoPrefixEnd.
 */
export function isoTimePrefixEnd(s: string): number {
  const pattern = 'dddd-dd-ddTdd:dd:dd';
  if (s.length < 21) return -1;
  for (let k = 0; k < pattern.length; k++) {
    const c = s.charCodeAt(k);
    const p = pattern.charCodeAt(k);
    if (p === 100 ? !isDigit(c) : c !== p) return -1;
  }
  let i = pattern.length;
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  }
  const z = s.charCodeAt(i);
  if (z === 90) i++;
  else if (z === 43 || z === 45) {
    i++;
    let digits = 0;
    while (i < s.length && (isDigit(s.charCodeAt(i)) || s.charCodeAt(i) === 58) && digits < 5) {
      i++;
      digits++;
    }
  }
  return i < s.length && s.charCodeAt(i) === 32 ? i + 1 : -1;
}

// --- Canonical lines made of values -------------------------------------------------------------------------

/** Builds a mapped line: values appended one by one, each with where it is in the source. */
class ValueWriter {
  private parts: string[] = [];
  private at = 0;

  constructor(private readonly line: RecordLine) {
    line.mapped = true;
    line.spans.count = 0;
  }

  /** Appends a value (`-` when empty) found at source [start, end), its token ending at `tokenEnd`. */
  value(text: string, start: number, end: number, tokenEnd: number, verbatim: boolean, keyStart = -1, keyEnd = -1): void {
    const line = this.line;
    const k = line.spans.count;
    line.reserve(k + 1);
    if (k > 0) {
      this.parts.push(' ');
      this.at++;
    }
    const v = text === '' ? '-' : text;
    line.spans.push(this.at, this.at + v.length);
    this.parts.push(v);
    this.at += v.length;
    line.valueStart[k] = start;
    line.valueEnd[k] = end;
    line.tokenEnd[k] = tokenEnd;
    line.keyStart[k] = keyStart;
    line.keyEnd[k] = keyEnd;
    line.verbatim[k] = verbatim && text !== '' ? 1 : 0;
  }

  finish(): void {
    const line = this.line;
    line.text = this.parts.join('');
    line.spans.contentEnd = this.at;
  }
}

/** A value a space-separated record cannot hold: a blank or a control character. */
function holdsBlank(s: string, from = 0, to = s.length): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 0x85 || c === 0xa0 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

function unreadable(line: RecordLine, code: string, message: string, start: number, end: number): LineKind {
  line.unreadable = { code, severity: 'error', message, start, end: Math.max(end, start + 1) };
  line.kind = LineKind.Record;
  line.spans.count = 0;
  return line.kind;
}

// --- JSON ---------------------------------------------------------------------------------------------------

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

function readJson(line: RecordLine, source: string): LineKind {
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
function readWrappedText(line: RecordLine, source: string, k: number, col: (b: number) => number): LineKind {
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
function badJson(line: RecordLine, source: string, start: number): LineKind {
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
function keyProblems(line: RecordLine, count: number): void {
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

// --- CSV ----------------------------------------------------------------------------------------------------

const isBlank = (c: number, sep: number) => (c === 32 || c === 9) && c !== sep;

/** A row of cells, as CsvSink reads it (readers/csv.ts): quotes, blanks around values, `""` inside quotes. */
function readCsv(line: RecordLine, source: string, separator: string, quote: string): LineKind {
  let end = source.length;
  if (end > 0 && source.charCodeAt(end - 1) === 13) end--;
  if (end === 0) return (line.kind = LineKind.Blank);
  const sep = separator.charCodeAt(0);
  const q = quote.charCodeAt(0);
  const out = new ValueWriter(line);
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  let column = 0;
  for (;;) {
    column++;
    let open = i;
    while (open < end && isBlank(source.charCodeAt(open), sep)) open++;
    if (open < end && source.charCodeAt(open) === q) {
      let j = open + 1;
      let value = '';
      let piece = j;
      let doubled = false;
      for (;;) {
        if (j >= end) return unreadable(line, Codes.csvRecord, `column ${column}: unterminated quote`, open, end);
        const c = source.charCodeAt(j);
        if (c === q) {
          if (j + 1 < end && source.charCodeAt(j + 1) === q) {
            value += source.slice(piece, j + 1);
            j += 2;
            piece = j;
            doubled = true;
            continue;
          }
          break;
        }
        j++;
      }
      value += source.slice(piece, j);
      if (holdsBlank(value)) return unreadable(line, Codes.csvRecord, `column ${column}: the value holds a space or control character, which a flow log record cannot hold`, open + 1, j);
      if (value === '') out.value('', open, j + 1, j + 1, false);
      else out.value(value, open + 1, j, j + 1, !doubled);
      i = j + 1;
      while (i < end && isBlank(source.charCodeAt(i), sep)) i++;
      if (i >= end) break;
      if (source.charCodeAt(i) !== sep) return unreadable(line, Codes.csvRecord, `column ${column}: text after the closing quote`, i, end);
      i++;
      continue;
    }
    let j = i;
    while (j < end && source.charCodeAt(j) !== sep) j++;
    let s = i;
    let e = j;
    while (s < e && isBlank(source.charCodeAt(s), sep)) s++;
    while (e > s && isBlank(source.charCodeAt(e - 1), sep)) e--;
    if (holdsBlank(source, s, e)) return unreadable(line, Codes.csvRecord, `column ${column}: the value holds a space or control character, which a flow log record cannot hold`, s, e);
    // An empty cell is `-`; its problems go on the separator after it (or before it, at the end of the row).
    if (e === s) out.value('', Math.min(s, end - 1), Math.min(s + 1, end), Math.min(s + 1, end), false);
    else out.value(source.slice(s, e), s, e, e, true);
    if (j >= end) break;
    i = j + 1;
  }
  out.finish();
  // A row of field names is the header row (as a header line of a text file: at least two names, half known).
  let known = 0;
  for (let k = 0; k < line.spans.count; k++) if (lookupField(line.text.slice(line.spans.starts[k], line.spans.ends[k]))) known++;
  if (known >= 2 && known * 2 >= line.spans.count) {
    const names: string[] = [];
    for (let k = 0; k < line.spans.count; k++) names.push(headerName(line.text.slice(line.spans.starts[k], line.spans.ends[k])));
    const joined = names.join(' ');
    if (joined.length === line.text.length) {
      line.text = joined;
      scanFields(joined, 0, joined.length, line.spans);
    } else {
      // Renamed spellings (log_status → log-status) change the lengths: the cells keep their source columns.
      rewriteNames(line, names);
    }
    return (line.kind = LineKind.Header);
  }
  return (line.kind = LineKind.Record);
}

function rewriteNames(line: RecordLine, names: string[]): void {
  const spans = line.spans;
  let at = 0;
  for (let k = 0; k < names.length; k++) {
    spans.starts[k] = at;
    spans.ends[k] = at + names[k].length;
    if (names[k].length !== line.valueEnd[k] - line.valueStart[k]) line.verbatim[k] = 0;
    at += names[k].length + 1;
  }
  line.text = names.join(' ');
  spans.contentEnd = line.text.length;
}
