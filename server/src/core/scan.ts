// The line scanner: walks characters of one line and yields field spans. No regex, no split: it runs
// on every line of files of any size.

import { FieldDef, fieldByName, DEFAULT_FIELD_NAMES } from './schema';

export const enum LineKind {
  Blank = 0,
  Comment = 1,
  Header = 2,
  Record = 3,
}

const SPACE = 32;
const HASH = 35;
const CR = 13;
const TAB = 9;

/** Reusable field-span buffer: offsets into the scanned text, `ends` exclusive. */
export class FieldSpans {
  count = 0;
  starts: Int32Array;
  ends: Int32Array;
  /** Separators of more than one space: [start, end) of each run, in order (at most `gapStarts.length`). */
  gapCount = 0;
  gapStarts: Int32Array;
  gapEnds: Int32Array;
  /** Offset of a trailing ` #comment` (AWS documentation writes them after records), or -1. */
  commentStart = -1;
  /** Offset where the line's content ends (before CR and trailing spaces/comment). */
  contentEnd = 0;

  constructor(capacity = 64) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.gapStarts = new Int32Array(16);
    this.gapEnds = new Int32Array(16);
  }

  private grow(): void {
    const n = this.starts.length * 2;
    const s = new Int32Array(n);
    s.set(this.starts);
    const e = new Int32Array(n);
    e.set(this.ends);
    this.starts = s;
    this.ends = e;
  }

  push(start: number, end: number): void {
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  pushGap(start: number, end: number): void {
    if (this.gapCount < this.gapStarts.length) {
      this.gapStarts[this.gapCount] = start;
      this.gapEnds[this.gapCount] = end;
    }
    this.gapCount++;
  }
}

/**
 * Splits `text[from, to)` into space-separated fields. A run of several spaces counts as one separator (AWS's
 * published examples have that typo) and is reported in `gap*`. Leading blanks and a CR before `to` are
 * ignored. A field starting with `#` after a space begins a trailing comment. Returns `spans.count`.
 */
export function scanFields(text: string, from: number, to: number, spans: FieldSpans): number {
  spans.count = 0;
  spans.gapCount = 0;
  spans.commentStart = -1;
  if (to > from && text.charCodeAt(to - 1) === CR) to--;
  let i = from;
  // Leading spaces (and a byte order mark) are not a separator: the first field starts after them.
  while (i < to && (isBlank(text.charCodeAt(i)) || text.charCodeAt(i) === 0xfeff)) i++;
  let lastEnd = -1;
  while (i < to) {
    if (text.charCodeAt(i) === HASH && spans.count > 0) {
      spans.commentStart = i;
      break;
    }
    // indexOf is native and much faster than a char loop on long lines; only spaces separate fields (a tab
    // inside a field makes that field invalid, which the validator reports).
    let end = text.indexOf(' ', i);
    if (end < 0 || end > to) end = to;
    spans.push(i, end);
    lastEnd = end;
    i = end;
    if (i < to) {
      i++;
      if (text.charCodeAt(i) === SPACE) {
        const gapStart = end;
        while (i < to && text.charCodeAt(i) === SPACE) i++;
        if (i < to) spans.pushGap(gapStart, i);
      }
    }
  }
  spans.contentEnd = lastEnd < 0 ? from : lastEnd;
  return spans.count;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** Whether the field `text[start, end)` equals `s`, without making a substring. */
export function spanEquals(text: string, start: number, end: number, s: string): boolean {
  if (end - start !== s.length) return false;
  for (let k = 0; k < s.length; k++) if (text.charCodeAt(start + k) !== s.charCodeAt(k)) return false;
  return true;
}

/** The bound field order for records: from a header line, or the default 14 fields. */
export interface RecordFormat {
  /** Field names as written in the header (or the default names). */
  readonly names: readonly string[];
  /** The schema entry for each position; undefined for an unknown name in a header. */
  readonly fields: readonly (FieldDef | undefined)[];
  /** Position of each canonical field name. */
  readonly positionOf: ReadonlyMap<string, number>;
  /** 0-based line of the header that bound this format, or -1 for the default format. */
  readonly headerLine: number;
}

/**
 * Formats made so far, by header line and names. Every range of a split file after the first binds its header's
 * format anew, and code compiled per format (the record reader, filters, lint's checker) is cached by the format
 * object: one object per distinct header keeps V8 from optimizing the same generated reader once per range (9 times
 * in a top-N over 190 MB, 20-35 ms each). Formats are immutable; past FORMATS_KEPT the cache starts over (a file of
 * many different headers must not grow it without bound), keeping the default format. A header longer than
 * KEPT_KEY_CHARS (no real one is: names are short) is made anew each time, so that what the cache keeps after a
 * query stays small whatever the file held (256 headers of a megabyte each would be kept otherwise).
 */
const formats = new Map<string, RecordFormat>();
const FORMATS_KEPT = 256;
const KEPT_KEY_CHARS = 4096;

/** The cache's key: JSON keeps names apart whatever they hold (a NUL, a line feed, a quote). */
function formatKey(names: readonly string[], headerLine: number): string {
  return `${headerLine} ${JSON.stringify(names)}`;
}

/** A copy of `s` that shares no storage with the string it was cut from (a kept format must not keep its line). */
export function ownCopy(s: string): string {
  // Flattening the concatenation copies the characters; the slice then refers to that copy only.
  return (' ' + s).slice(1);
}

export function makeFormat(names: readonly string[], headerLine: number): RecordFormat {
  const key = formatKey(names, headerLine);
  let format = formats.get(key);
  if (format) return format;
  const own = names.map(ownCopy);
  const fields = own.map((n) => fieldByName(n));
  const positionOf = new Map<string, number>();
  fields.forEach((f, i) => {
    if (f && !positionOf.has(f.name)) positionOf.set(f.name, i);
  });
  format = { names: own, fields, positionOf, headerLine };
  if (key.length > KEPT_KEY_CHARS) return format;
  if (formats.size >= FORMATS_KEPT) {
    formats.clear();
    formats.set(formatKey(DEFAULT_FORMAT.names, DEFAULT_FORMAT.headerLine), DEFAULT_FORMAT);
  }
  formats.set(key, format);
  return format;
}

export const DEFAULT_FORMAT: RecordFormat = makeFormat(DEFAULT_FIELD_NAMES, -1);

/**
 * A header line names fields: at least two fields, and at least half of them known field names (so one unknown
 * or misspelt name is still a header, and gets its own diagnostic). Record values are never field names.
 */
export function isHeaderLine(text: string, spans: FieldSpans): boolean {
  if (spans.count < 2) return false;
  // Fast exit for records: a header's first field starts with a letter.
  const c = text.charCodeAt(spans.starts[0]);
  if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90))) return false;
  let known = 0;
  for (let k = 0; k < spans.count; k++) {
    if (fieldByName(text.slice(spans.starts[k], spans.ends[k]))) known++;
  }
  return known >= 2 && known * 2 >= spans.count;
}

/** Classifies a scanned line. */
export function classifyLine(text: string, spans: FieldSpans): LineKind {
  if (spans.count === 0) return spans.commentStart >= 0 ? LineKind.Comment : LineKind.Blank;
  if (text.charCodeAt(spans.starts[0]) === HASH) return LineKind.Comment;
  if (isHeaderLine(text, spans)) return LineKind.Header;
  return LineKind.Record;
}

/** Field names of a scanned header line. */
export function headerNames(text: string, spans: FieldSpans): string[] {
  const names: string[] = [];
  for (let k = 0; k < spans.count; k++) names.push(text.slice(spans.starts[k], spans.ends[k]));
  return names;
}
