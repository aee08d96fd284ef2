// A line of a document read as a record, whatever its delivery: the text the validator, hover and inlay hints read
// (the source line itself, or the canonical line made of a JSON object's or a CSV row's values) and where each value
// sits in the source line, so that a problem, a hover or a hint lands on the JSON value or the CSV cell.
import { FieldSpans, LineKind, RecordFormat, classifyLine, scanFields } from '../scan';
import { Problem } from '../validate';

/**
 * A line read as a record, and where each of its values sits in the source line; reused from line to line.
 * recordLine.ts's RecordLine reads a line into it by the document's encoding.
 */
export class MappedLine {
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

  protected reset(source: string): void {
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

// --- Canonical lines made of values -------------------------------------------------------------------------

/** Builds a mapped line: values appended one by one, each with where it is in the source. */
export class ValueWriter {
  private parts: string[] = [];
  private at = 0;

  constructor(private readonly line: MappedLine) {
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
export function holdsBlank(s: string, from = 0, to = s.length): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 0x85 || c === 0xa0 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

export function unreadable(line: MappedLine, code: string, message: string, start: number, end: number): LineKind {
  line.unreadable = { code, severity: 'error', message, start, end: Math.max(end, start + 1) };
  line.kind = LineKind.Record;
  line.spans.count = 0;
  return line.kind;
}

