// Projection of JSON lines: when the query reads only some fields (an aggregate: `action:REJECT | select
// count(*)`, a top-N by source), each object becomes a line of only those fields instead of every field, so the
// copy into the canonical line and the engine's scan of it shrink to what the query needs.
//
// The answers stay those of the full line. A record counts, or is malformed, or is a comment, by ALL its fields
// (records/recordScanner.ts: a bad port, a bad address, a `#` value that starts a trailing comment), so every value
// is still judged here as the engine would judge it in the full line; what the engine would not count as a record
// is written as a line it counts the same way (`!`: malformed, `#`: comment). A full line the engine would read
// differently (escaped values, values that look like field names, a whole line that reads as a header line) is
// made in full and judged by the engine's own scanner (see JsonLinesSink).
import { RecordFormat, makeFormat } from '../scan';
import { FieldKind, layoutOf } from '../records/fieldKinds';
import { LineKind, RecordScanner } from '../records/recordScanner';
import { ipv4Bytes, isIPv6Bytes } from '../records/byteText';
import { FlatObjectScanner, Kind } from './jsonScan';

const HASH = 35;
const MINUS = 45;

/** How the engine will read the full line of an object (its values in header order). */
export const enum Verdict {
  Record,
  Malformed,
  Comment,
  /** Only the engine's scanner can tell (escaped values; a first value with a letter and many name-like values). */
  Ask,
  /** A value no line can hold (a space, an object…): the line is a problem, as without projection. */
  Problem,
}

/** The projection of one key layout: which output columns are kept, and how the full line's values are judged. */
export interface Projection {
  /** Output columns kept (positions in the full header), in header order. */
  kept: Int32Array;
  /** The header line of the kept columns, its text as the engine binds it, and that format. */
  names: string[];
  key: string;
  format: RecordFormat;
  /** The full header's format and, per output column, how the engine reads the value there. */
  full: RecordFormat;
  kinds: Uint8Array;
  low: Float64Array;
  high: Float64Array;
}

/**
 * The projection of a header (output column names, canonical where known) onto the fields a query reads, or
 * undefined where the full line is the only safe one: the header is not a header line for the engine, two keys
 * name one field, or every column is read anyway. At least two columns are kept (a header line has two names).
 */
export function projectHeader(names: readonly string[], wanted: ReadonlySet<string>, judge: LineJudge): Projection | undefined {
  const full = makeFormat(names, 0);
  if (judge.kind(names.join(' '), full) !== LineKind.Header) return undefined;
  const known = full.fields.filter((f) => f !== undefined).length;
  if (full.positionOf.size !== known) return undefined;
  const kept: number[] = [];
  full.fields.forEach((f, c) => {
    if (f && wanted.has(f.name)) kept.push(c);
  });
  // Filler columns where fewer than two are read: text fields first (the engine parses nothing in them).
  const layout = layoutOf(full);
  const fillers = full.fields.map((f, c) => c).filter((c) => full.fields[c] && !kept.includes(c));
  fillers.sort((a, b) => Number(layout.kinds[a] !== FieldKind.Text) - Number(layout.kinds[b] !== FieldKind.Text) || a - b);
  const header = () => kept.map((c) => names[c]);
  while (kept.length < names.length && judge.kind(header().join(' '), full) !== LineKind.Header) {
    const c = fillers.shift();
    if (c === undefined) return undefined;
    kept.push(c);
    kept.sort((a, b) => a - b);
  }
  if (kept.length >= names.length) return undefined;
  const projected = header();
  return {
    kept: Int32Array.from(kept), names: projected, key: projected.join(' '), format: makeFormat(projected, 0),
    full, kinds: layout.kinds, low: layout.low, high: layout.high,
  };
}

/** A record scanner of one line at a time: how the engine reads a line under a format (the exact judge). */
export class LineJudge {
  private readonly scanner = new RecordScanner();
  private readonly encoder = new TextEncoder();

  /** How the engine reads `line` when bound to `format`. */
  kind(line: string, format: RecordFormat): LineKind {
    const bytes = this.encoder.encode(`${line}\n`);
    return this.kindOf(bytes, 0, bytes.length, format);
  }

  /** How the engine reads the line `buf[start, end)` (ending with its newline) when bound to `format`. */
  kindOf(buf: Uint8Array, start: number, end: number, format: RecordFormat): LineKind {
    this.scanner.bind(format);
    this.scanner.setChunk(buf, start, end);
    return this.scanner.next();
  }
}

/**
 * How the engine reads the full line of the object just scanned, from its values in header order (`sourceOf[c]`:
 * the scanned value of column c; identity when undefined). `problemAt` gets the column of a Problem.
 */
export function judgeValues(buf: Uint8Array, scan: FlatObjectScanner, sourceOf: Int32Array | undefined, p: Projection, problemAt: { column: number }): Verdict {
  const { kinds, low, high } = p;
  const n = kinds.length;
  let malformed = false;
  let comment = false;
  let ask = false;
  let letterFirst = false;
  let nameLike = 0;
  for (let c = 0; c < n; c++) {
    const k = sourceOf ? sourceOf[c] : c;
    const kind = scan.valKind[k] as Kind;
    if (kind === Kind.Missing) continue; // `-`: NULL in every kind of field, never a name
    if (kind !== Kind.Raw) {
      if (kind === Kind.Decoded && !hasBlank(scan.decoded[k])) {
        ask = true;
        continue;
      }
      problemAt.column = c;
      return Verdict.Problem;
    }
    const s = scan.valStart[k];
    const e = scan.valEnd[k];
    const first = buf[s];
    if (c === 0) {
      if (first === HASH) comment = true;
      else if (isLetter(first)) letterFirst = true;
    } else if (first === HASH) malformed = true; // a trailing comment: fields go missing
    if (letterFirst && isNameLike(buf, s, e)) nameLike++;
    if (malformed) continue;
    const fk = kinds[c] as FieldKind;
    if (fk === FieldKind.Integer || fk === FieldKind.Bounded) {
      if (!numberOk(buf, s, e, fk, low[c], high[c])) malformed = true;
    } else if (fk === FieldKind.Address) {
      if (!(e - s === 1 && first === MINUS) && ipv4Bytes(buf, s, e) < 0 && !isIPv6Bytes(buf, s, e)) malformed = true;
    }
  }
  if (ask) return Verdict.Ask;
  if (comment) return Verdict.Comment;
  // The engine tries a line starting with a letter as a header line when enough of its fields look like names.
  if (letterFirst && nameLike >= 2 && nameLike * 2 >= n) return Verdict.Ask;
  return malformed ? Verdict.Malformed : Verdict.Record;
}

/**
 * Whether the kept values could make the engine try the projected line as a header line (its first value starts
 * with a letter and at least half of them look like names); then the line is judged by the engine's scanner.
 */
export function keptLineMayBeHeader(buf: Uint8Array, scan: FlatObjectScanner, sourceOf: Int32Array | undefined, p: Projection): boolean {
  const kept = p.kept;
  let nameLike = 0;
  for (let j = 0; j < kept.length; j++) {
    const k = sourceOf ? sourceOf[kept[j]] : kept[j];
    if (scan.valKind[k] !== Kind.Raw) {
      if (j === 0) return false;
      continue;
    }
    const s = scan.valStart[k];
    if (j === 0 && !isLetter(buf[s])) return false;
    if (isNameLike(buf, s, scan.valEnd[k])) nameLike++;
  }
  return nameLike >= 2 && nameLike * 2 >= kept.length;
}

/** The engine's test of a number field (recordScanner.ts fields): `-`, or a decimal integer within its range. */
function numberOk(buf: Uint8Array, s: number, e: number, kind: FieldKind, low: number, high: number): boolean {
  let i = s;
  const negative = buf[i] === MINUS;
  if (negative) i++;
  const d = i;
  let v = 0;
  while (i < e) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return false;
    v = v * 10 + c;
    i++;
  }
  const digits = i - d;
  if (digits === 0) return negative; // `-` alone: NULL
  if (digits > 15 || (negative && kind === FieldKind.Bounded)) return false;
  if (negative) v = -v;
  return v >= low && v <= high;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** recordScanner.ts headerAt's test of a field that could be a name: a letter, then letters, digits, `-`, `_`. */
function isNameLike(buf: Uint8Array, s: number, e: number): boolean {
  if (!isLetter(buf[s])) return false;
  for (let i = s + 1; i < e; i++) {
    const c = buf[i];
    if (!(isLetter(c) || (c >= 48 && c <= 57) || c === 45 || c === 95)) return false;
  }
  return true;
}

/** A decoded value holds a character no space-separated field can (json.ts writeValue's test). */
export function hasBlank(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 0x85 || c === 0xa0 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}
