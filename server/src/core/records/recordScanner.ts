// The record scanner: walks the bytes of a chunk of whole lines once, finds each record's fields, parses its
// numbers, checks its addresses, and says whether it is well formed. Every query, the summary and lint's fast
// path read records through it, so a file has one record count whatever the query.
//
// A record line is MALFORMED when
//   - its field count differs from the bound format's (the default 14 fields, or the last header line's), or
//   - a numeric field (ports, protocol, tcp-flags, traffic-path, counts, timestamps, integer codes) is neither `-`
//     nor a decimal integer (at most 15 digits; a sign only for counts, timestamps and codes), or is out of its
//     range (ports 0–65535, protocol and tcp-flags 0–255, traffic-path 1–8), or
//   - an address field (srcaddr, dstaddr, pkt-srcaddr, pkt-dstaddr) is neither `-` nor an IPv4/IPv6 address.
// Text fields (version, account-id, interface-id, action, log-status, identifiers) are read as written: a wrong
// value there is a lint error, not a malformed record. Every malformed line is an error line of `flowlog lint`.
//
// As for the editor: several spaces between fields are one separator, leading blanks and a CR before the line
// end are ignored, a field starting with `#` ends the record (a trailing comment), `#` lines are comments and a
// line of field names is a header line that binds the format of the records after it.
import { fieldByName } from '../schema';
import { DEFAULT_FORMAT, RecordFormat, makeFormat } from '../scan';
import { FieldKind, FieldLayout, layoutOf } from './fieldKinds';
import { ipv4Bytes, isIPv6Bytes, textOf } from './byteText';

export const enum LineKind {
  /** No more lines in the chunk. */
  End = 0,
  Record = 1,
  Malformed = 2,
  Header = 3,
  Comment = 4,
  Blank = 5,
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const CR = 13;
const NL = 10;
const MINUS = 45;

export class RecordScanner {
  /** The chunk: whole lines in buf[pos, end). */
  buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private end = 0;
  /** Number of the line just returned by next(), counted from the unit's first line (1-based). */
  line = 0;
  /** Offsets of the line just returned: its first byte, and the end of its content (before CR/LF). */
  lineStart = 0;
  lineEnd = 0;
  /** The format records are bound to, and how to read its fields. */
  format: RecordFormat = DEFAULT_FORMAT;
  layout: FieldLayout = layoutOf(DEFAULT_FORMAT);
  /** Fields of the record just returned (absolute offsets in buf, `ends` exclusive) and their count. */
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  count = 0;
  /** Parsed value of each numeric field (NaN for `-`); other positions are not written. */
  nums = new Float64Array(64);

  constructor(format: RecordFormat = DEFAULT_FORMAT, firstLine = 0) {
    this.bind(format);
    this.line = firstLine;
  }

  bind(format: RecordFormat): void {
    this.format = format;
    this.layout = layoutOf(format);
    const n = Math.max(64, format.fields.length + 2);
    if (this.starts.length < n) {
      this.starts = new Int32Array(n);
      this.ends = new Int32Array(n);
      this.nums = new Float64Array(n);
    }
  }

  /** Scans buf[start, end) next (whole lines; the last may lack its \n). */
  setChunk(buf: Uint8Array, start = 0, end = buf.length): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** Reads the next line; for a Record its fields are in starts/ends/nums. A Header has rebound the format. */
  next(): LineKind {
    const buf = this.buf;
    let i = this.pos;
    const chunkEnd = this.end;
    if (i >= chunkEnd) return LineKind.End;
    let nl = buf.indexOf(NL, i);
    if (nl < 0 || nl >= chunkEnd) nl = chunkEnd;
    this.pos = nl + 1;
    this.line++;
    let e = nl;
    if (e > i && buf[e - 1] === CR) e--;
    this.lineStart = i;
    this.lineEnd = e;
    while (i < e && (buf[i] === SPACE || buf[i] === TAB)) i++;
    if (i === e) return LineKind.Blank;
    const first = buf[i];
    if (first === HASH) return LineKind.Comment;
    // A header line starts with a letter (records start with a version, `V1`, or in custom formats maybe an id).
    if (((first >= 97 && first <= 122) || (first >= 65 && first <= 90)) && this.headerAt(i, e)) return LineKind.Header;
    return this.fields(i, e) ? LineKind.Record : LineKind.Malformed;
  }

  /** Splits and checks the fields of buf[i, e); false when the record is malformed. */
  private fields(i: number, e: number): boolean {
    const buf = this.buf;
    const { kinds, low, high } = this.layout;
    const expected = kinds.length;
    const starts = this.starts;
    const ends = this.ends;
    const nums = this.nums;
    let k = 0;
    let good = true;
    while (i < e) {
      if (buf[i] === HASH && k > 0) break; // a trailing comment
      if (k >= expected) {
        // Too many fields: malformed, but count them (a trailing comment after them is still a comment).
        good = false;
        if (k >= starts.length - 1) break;
      }
      starts[k] = i;
      const kind = k < expected ? kinds[k] : FieldKind.Text;
      if (kind === FieldKind.Text) {
        let j = buf.indexOf(SPACE, i);
        if (j < 0 || j > e) j = e;
        i = j;
      } else if (kind === FieldKind.Address) {
        let j = buf.indexOf(SPACE, i);
        if (j < 0 || j > e) j = e;
        if (!(j - i === 1 && buf[i] === MINUS) && ipv4Bytes(buf, i, j) < 0 && !isIPv6Bytes(buf, i, j)) good = false;
        i = j;
      } else {
        // A number: digits (and a sign for Integer kinds), `-` for NULL.
        const s = i;
        let negative = false;
        if (buf[i] === MINUS) {
          negative = true;
          i++;
        }
        let v = 0;
        let c = 0;
        while (i < e && (c = buf[i] - 48) >= 0 && c <= 9) {
          v = v * 10 + c;
          i++;
        }
        const digits = i - s - (negative ? 1 : 0);
        if (i < e && buf[i] !== SPACE) {
          // Not a number: skip to the field's end.
          good = false;
          let j = buf.indexOf(SPACE, i);
          if (j < 0 || j > e) j = e;
          i = j;
        } else if (digits === 0) {
          if (negative) nums[k] = NaN; // `-`: NULL
          else good = false;
        } else if (digits > 15 || (negative && kind === FieldKind.Bounded)) {
          good = false;
        } else {
          if (negative) v = -v;
          if (v < low[k] || v > high[k]) good = false;
          nums[k] = v;
        }
      }
      ends[k] = i;
      k++;
      // One separator, or several spaces read as one.
      while (i < e && buf[i] === SPACE) i++;
    }
    this.count = k;
    return good && k === expected;
  }

  /**
   * Whether buf[i, e) is a header line (scan.ts isHeaderLine: at least two fields, at least half of them known
   * field names), and if so binds its format. Records of custom formats may start with a letter too: fields that
   * cannot be names (a digit first, a dot or a colon inside) are ruled out from the bytes before any decoding.
   */
  private headerAt(i: number, e: number): boolean {
    const buf = this.buf;
    let n = 0;
    let candidates = 0;
    let j = i;
    while (j < e) {
      const s = j;
      let nameLike = (buf[j] >= 97 && buf[j] <= 122) || (buf[j] >= 65 && buf[j] <= 90);
      while (j < e && buf[j] !== SPACE) {
        const c = buf[j];
        if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95)) nameLike = false;
        j++;
      }
      if (j > s) {
        n++;
        if (nameLike) candidates++;
      }
      while (j < e && buf[j] === SPACE) j++;
    }
    if (n < 2 || candidates < 2 || candidates * 2 < n) return false;
    const names = textOf(buf, i, e).split(' ').filter((w) => w !== '');
    let known = 0;
    for (const w of names) if (fieldByName(w)) known++;
    if (known < 2 || known * 2 < names.length) return false;
    this.bind(makeFormat(names, this.line - 1));
    return true;
  }
}
