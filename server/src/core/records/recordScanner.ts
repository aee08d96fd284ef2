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
import { CompiledFields, compiledFieldsOf } from './compiledFields';

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
  /** The chunk's last line feed: the compiled fast path reads only lines that end before it (or at it). */
  private lastLineFeed = -1;
  /** Whether plain records take the compiled reader (tests turn it off to compare it with the general walk). */
  compiledPath = true;
  /** The bound format's compiled reader of plain records (compiledFields.ts). */
  private compiled: CompiledFields = compiledFieldsOf(DEFAULT_FORMAT);
  /** The only fields the caller reads (by name), or undefined: all of them. */
  private fieldsRead: readonly string[] | undefined;
  /** The file being scanned (records carry it as their `file` column). */
  file = '';
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
  /**
   * Parsed value of each numeric field (NaN for `-`); of an address field, its IPv4 value (-1 for IPv6, NaN for
   * `-`); other positions are not written.
   */
  nums = new Float64Array(64);

  constructor(format: RecordFormat = DEFAULT_FORMAT, firstLine = 0) {
    this.bind(format);
    this.line = firstLine;
  }

  bind(format: RecordFormat): void {
    this.format = format;
    this.layout = layoutOf(format);
    this.compiled = compiledFieldsOf(format, this.fieldsRead);
    const n = Math.max(64, format.fields.length + 2);
    if (this.starts.length < n) {
      this.starts = new Int32Array(n);
      this.ends = new Int32Array(n);
      this.nums = new Float64Array(n);
    }
  }

  /**
   * Says which fields the caller reads (query/fieldsRead.ts; undefined: all). Plain records leave the others'
   * offsets and numbers unwritten: what they hold for those fields is meaningless. Every field is still checked.
   */
  readOnly(fields: readonly string[] | undefined): void {
    this.fieldsRead = fields;
    this.compiled = compiledFieldsOf(this.format, fields);
  }

  /** Scans buf[start, end) next (whole lines; the last may lack its \n). */
  setChunk(buf: Uint8Array, start = 0, end = buf.length): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.lastLineFeed = end > start ? buf.lastIndexOf(NL, end - 1) : -1;
    if (this.lastLineFeed < start) this.lastLineFeed = -1;
  }

  /** Reads the next line; for a Record its fields are in starts/ends/nums. A Header has rebound the format. */
  next(): LineKind {
    const buf = this.buf;
    let i = this.pos;
    const end = this.end;
    if (i >= end) return LineKind.End;
    this.line++;
    this.lineStart = i;
    let c = buf[i];
    while (c === SPACE || c === TAB) c = buf[++i];
    if (i >= end || c === NL || c === CR) return this.endLine(i, LineKind.Blank);
    if (c === HASH) return this.endLine(i, LineKind.Comment);
    // A header line starts with a letter; records start with a version (`2`, `V1`) or, in custom formats, maybe an id.
    if (((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) && !(c === 86 && buf[i + 1] === 49 && buf[i + 2] === SPACE)) {
      const e = this.lineEndFrom(i);
      if (this.headerAt(i, e)) return this.endLine(e, LineKind.Header);
    }
    return this.fields(i);
  }

  /** The end of the current line's content (before CR LF) at or after i. */
  private lineEndFrom(i: number): number {
    const buf = this.buf;
    const end = this.end;
    while (i < end && buf[i] !== NL) i++;
    return i > this.lineStart && buf[i - 1] === CR ? i - 1 : i;
  }

  /** Ends the current line at or after i (skips the rest of it). */
  private endLine(i: number, kind: LineKind): LineKind {
    const buf = this.buf;
    const end = this.end;
    while (i < end && buf[i] !== NL) i++;
    this.lineEnd = i > this.lineStart && buf[i - 1] === CR ? i - 1 : i;
    this.pos = i + 1;
    return kind;
  }

  /**
   * Splits and checks the fields of the record from i to its line end, in one walk over its bytes (a lone CR was
   * made a line end by the chunker, so a CR here ends the line too).
   */
  private fields(i: number): LineKind {
    const buf = this.buf;
    const end = this.end;
    const { kinds, low, high } = this.layout;
    const expected = kinds.length;
    const starts = this.starts;
    const ends = this.ends;
    const nums = this.nums;
    if (i < this.lastLineFeed && this.compiledPath) {
      // Most lines: the compiled reader, which gives up (-1) on anything the walk below must decide.
      const lineFeed = this.compiled(buf, i, starts, ends, nums);
      if (lineFeed >= 0) {
        this.count = expected;
        this.lineEnd = lineFeed;
        this.pos = lineFeed + 1;
        return LineKind.Record;
      }
    }
    let k = 0;
    let good = true;
    let c = buf[i];
    while (i < end && c !== NL && c !== CR) {
      if (c === HASH && k > 0) {
        // A trailing comment.
        while (i < end && buf[i] !== NL) i++;
        break;
      }
      if (k >= expected) {
        // Too many fields: malformed (their count still goes on, up to the buffer's size).
        good = false;
        if (k >= starts.length - 1) {
          while (i < end && buf[i] !== NL) i++;
          break;
        }
      }
      starts[k] = i;
      const kind = k < expected ? kinds[k] : FieldKind.Text;
      if (kind === FieldKind.Integer || kind === FieldKind.Bounded) {
        // A number: digits (a sign for Integer kinds), or `-` for NULL.
        const s = i;
        let negative = false;
        if (c === MINUS) {
          negative = true;
          c = buf[++i];
        }
        let v = 0;
        while (c >= 48 && c <= 57 && i < end) {
          v = v * 10 + (c - 48);
          c = buf[++i];
        }
        const digits = i - s - (negative ? 1 : 0);
        if (i < end && c !== SPACE && c !== NL && c !== CR) {
          good = false; // not a number: skip to the field's end
          while (i < end && c !== SPACE && c !== NL && c !== CR) c = buf[++i];
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
      } else {
        while (i < end && c !== SPACE && c !== NL && c !== CR) c = buf[++i];
        if (kind === FieldKind.Address) {
          // nums: the IPv4 value, -1 for IPv6, NaN for `-` (keys and CIDR tests use it without parsing again).
          const s = starts[k];
          if (i - s === 1 && buf[s] === MINUS) nums[k] = NaN;
          else {
            const v4 = ipv4Bytes(buf, s, i);
            nums[k] = v4;
            if (v4 < 0 && !isIPv6Bytes(buf, s, i)) good = false;
          }
        }
      }
      ends[k] = i;
      k++;
      // One separator, or several spaces read as one.
      while (c === SPACE && i < end) c = buf[++i];
    }
    this.count = k;
    this.lineEnd = k > 0 ? ends[k - 1] : i;
    while (i < end && buf[i] !== NL) i++;
    this.pos = i + 1;
    return good && k === expected ? LineKind.Record : LineKind.Malformed;
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
