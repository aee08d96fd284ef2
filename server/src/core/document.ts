// A flow log document with per-line state, so that an edit costs what it touched. Text and line kinds (and so
// the header lines and the format each binds) are brought up to date by every edit; validation is deferred: the
// edited lines, and the records whose header changed, are marked pending and validated by validatePending(),
// which the language server runs in slices between messages. A burst of edits thus costs one validation, and
// nothing in an edit is proportional to the number of problems. Per line, only counts are kept: a line's
// problems are found again when they are listed (at most maxProblems of them) or asked for.

import { DEFAULT_FORMAT, LineKind, RecordFormat, headerNames, makeFormat, ownCopy } from './scan';
import { Codes, Problem, validateHeader, validateRecord } from './validate';
import { LineColumns, spliceArray } from './lineColumns';
import { LineShape, RecordLine } from './recordLine';
import { CanonicalText, canonicalText, detectShapeOfLines, sameShape } from './documentShape';

export interface DocumentOptions {
  /** Problems reported at most (the rest are counted); default 1000. */
  maxProblems?: number;
  /** The file's name: `.json`/`.csv` help tell how its records are written when its first lines do not. */
  name?: string;
  /** How the records are written, when known; else detected from the first lines (and the name). */
  shape?: LineShape;
}

export interface EditRange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

export interface DocumentStats {
  records: number;
  rejects: number;
  problems: number;
  errors: number;
  headers: number;
}

export interface LineProblem extends Problem {
  line: number;
}

const FLAG_REJECT = 1;
/** The line's counts are stale: validate it again. */
const FLAG_PENDING = 2;

interface HeaderEntry {
  line: number;
  format: RecordFormat;
}

export class FlowLogDocument {
  /** Line texts without their `\n` (a `\r` stays and is ignored by the scanner). */
  private readonly lines: string[];
  private columns: LineColumns;
  /** Header lines, ascending, and the format each binds. */
  private headers: HeaderEntry[] = [];
  /** Sums of the per-line counts; records from line kinds, the rest from the last validation of each line. */
  private readonly counts = { records: 0, rejects: 0, problems: 0, errors: 0 };
  private pending = 0;
  /** No pending line before this one. */
  private pendingFrom = 0;
  /** How the lines are written: space-separated text, a CloudWatch export, CLS JSON lines or CSV. */
  shape: LineShape;
  private readonly name: string;
  /** The shape was given (not detected): edits never change it. */
  private readonly fixedShape: boolean;
  /** The last line detection read: an edit at or before it may change the shape. */
  private detectedUpTo = -1;
  private readonly rec = new RecordLine();
  private scratch: Problem[] = [];
  /** engineText() until the next edit. */
  private canonical: CanonicalText | undefined;
  maxProblems: number;
  /** Lines validated since the document was made: a measure of work, for tests and benchmarks. */
  validatedLines = 0;

  constructor(text: string, options: DocumentOptions = {}) {
    this.maxProblems = options.maxProblems ?? 1000;
    this.lines = text.split('\n');
    this.name = options.name ?? '';
    this.fixedShape = options.shape !== undefined;
    if (options.shape) this.shape = options.shape;
    else ({ shape: this.shape, lastLine: this.detectedUpTo } = detectShapeOfLines(this.lines, this.name));
    this.columns = new LineColumns(this.lines.length);
    this.validateFresh();
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Lines whose validation is still to do (validatePending does it). */
  get pendingLines(): number {
    return this.pending;
  }

  lineText(line: number): string {
    const t = this.lines[line] ?? '';
    return t.charCodeAt(t.length - 1) === 13 ? t.slice(0, -1) : t;
  }

  /** The whole text again (for engines that scan it); line ends as they were. */
  getText(): string {
    return this.lines.join('\n');
  }

  /**
   * The records as the query engine reads them: the text itself for space-separated lines, else what the readers
   * make of the same bytes on disk (JSON values, CSV cells), with the document line of each engine line.
   */
  engineText(): CanonicalText {
    this.canonical ??= canonicalText(this.getText(), this.shape);
    return this.canonical;
  }

  lineKind(line: number): LineKind {
    return this.columns.kinds[line] as LineKind;
  }

  /** The format that binds records on `line`: the default, or the last header line's before it. */
  formatAt(line: number): RecordFormat {
    const k = this.headerIndexFrom(line);
    return k === 0 ? DEFAULT_FORMAT : this.headers[k - 1].format;
  }

  /**
   * Line `line` read as a record (a fresh RecordLine: the values of a JSON object or CSV row, and where they are),
   * with the format that binds it (a JSON line's own keys, else formatAt).
   */
  recordAt(line: number): { record: RecordLine; format: RecordFormat } {
    const record = new RecordLine();
    record.read(this.lines[line] ?? '', this.shape);
    return { record, format: record.format ?? this.formatAt(line) };
  }

  /** The first header line, as a space-separated line of field names (a CSV header row too), if any. */
  headerText(): string | undefined {
    if (this.headers.length === 0) return undefined;
    const line = this.headers[0].line;
    return this.shape.encoding === 'text' ? this.lineText(line) : this.recordAt(line).record.reading();
  }

  /** Whether any header line exists. */
  get hasHeader(): boolean {
    return this.headers.length > 0;
  }

  /** The counts, after validating what is pending. */
  getStats(): DocumentStats {
    this.validatePending();
    return this.statsSoFar();
  }

  /** The counts as validated so far, without doing pending work (pending lines count as they last did). */
  statsSoFar(): DocumentStats {
    return { ...this.counts, headers: this.headers.length };
  }

  /** The problems of one line, found again from its text (exact even while the line is pending). */
  problemsOn(line: number): readonly Problem[] {
    if (line < 0 || line >= this.lines.length) return [];
    if (this.columns.problems[line] === 0 && !(this.columns.flags[line] & FLAG_PENDING)) return [];
    return this.findProblems(line, this.formatAt(line)).slice();
  }

  /** The first `limit` problems in line order, and how many were left out (after validating what is pending). */
  problems(limit = this.maxProblems): { problems: LineProblem[]; omitted: number } {
    this.validatePending();
    const problems: LineProblem[] = [];
    const counts = this.columns.problems;
    let h = 0;
    let format = DEFAULT_FORMAT;
    for (let i = 0; i < this.lines.length && problems.length < limit; i++) {
      if (counts[i] === 0) continue;
      while (h < this.headers.length && this.headers[h].line < i) format = this.headers[h++].format;
      for (const p of this.findProblems(i, format)) {
        if (problems.length >= limit) break;
        problems.push({ ...p, line: i });
      }
    }
    return { problems, omitted: this.counts.problems - problems.length };
  }

  /** The summary problem that says how many were left out, for the diagnostics list. */
  static omittedProblem(omitted: number): Problem {
    return {
      code: Codes.tooManyProblems,
      severity: 'info',
      message: `${omitted} more problems not shown (flowlog.maxProblems)`,
      start: 0,
      end: 0,
    };
  }

  /**
   * Applies one text change (LSP incremental sync). The text, line kinds and header lines are current when it
   * returns; the changed lines, and the records bound by a header whose fields changed, are left pending.
   */
  applyEdit(range: EditRange, text: string): void {
    this.canonical = undefined;
    const lineCount = this.lines.length;
    const startLine = Math.min(range.startLine, lineCount - 1);
    const endLine = Math.min(Math.max(range.endLine, startLine), lineCount - 1);
    const first = this.lines[startLine];
    const last = this.lines[endLine];
    const replaced = first.slice(0, range.startCharacter) + text + last.slice(range.endCharacter);
    let newLines = replaced.split('\n');
    // Lines split from one big string share it: one of them surviving would keep all of it alive (a paste
    // deleted again but for its last line). Lines of a big replacement get their own copies.
    if (newLines.length > 1 && replaced.length > 4096) newLines = newLines.map(ownCopy);
    const removed = endLine - startLine + 1;
    const delta = newLines.length - removed;
    // The format that bound the line after the edited ones, to compare with the one that binds it afterwards.
    const formatAfterBefore = this.formatAt(endLine + 1);

    for (let i = startLine; i <= endLine; i++) this.forget(i);
    const firstGone = this.headerIndexFrom(startLine);
    const lastGone = this.headerIndexFrom(endLine + 1);
    for (let k = lastGone; k < this.headers.length; k++) this.headers[k].line += delta;
    this.headers.splice(firstGone, lastGone - firstGone);
    spliceArray(this.lines, startLine, removed, newLines);
    this.columns.splice(startLine, removed, newLines.length);
    if (this.pendingFrom > endLine) this.pendingFrom += delta;

    // Classify the new lines now: hover, inlay hints and formatAt need kinds and headers.
    const found: HeaderEntry[] = [];
    const { kinds, flags } = this.columns;
    const to = startLine + newLines.length;
    for (let i = startLine; i < to; i++) {
      const kind = this.classify(i);
      if (kind === LineKind.Header) found.push({ line: i, format: makeFormat(headerNames(this.rec.text, this.rec.spans), i) });
      if (kind === LineKind.Record) this.counts.records++;
      if (kind === LineKind.Record || kind === LineKind.Header) {
        flags[i] = FLAG_PENDING;
        this.pending++;
      }
      kinds[i] = kind;
    }
    if (found.length > 0) spliceArray(this.headers, firstGone, 0, found);
    this.pendingFrom = Math.min(this.pendingFrom, startLine);

    if (!this.fixedShape && startLine <= this.detectedUpTo) {
      // The lines that tell how records are written changed: a document typed into (or pasted) as JSON or CSV
      // reads as such, exactly as if it had been opened so.
      const detected = detectShapeOfLines(this.lines, this.name);
      this.detectedUpTo = detected.lastLine;
      if (!sameShape(detected.shape, this.shape)) {
        this.shape = detected.shape;
        this.rebuild();
        return;
      }
    }

    if (!sameFields(formatAfterBefore, this.formatAt(to))) {
      // The records up to the next header are bound by other fields now.
      const k = this.headerIndexFrom(to);
      const stop = k < this.headers.length ? this.headers[k].line : this.lines.length;
      for (let i = to; i < stop; i++) {
        if (kinds[i] === LineKind.Record && !(flags[i] & FLAG_PENDING)) {
          flags[i] |= FLAG_PENDING;
          this.pending++;
        }
      }
    }
  }

  /**
   * Validates pending lines in order, at most `maxLines` of them and until `deadline` (performance.now()),
   * whichever comes first. Returns whether nothing is pending any more.
   */
  validatePending(maxLines = Infinity, deadline = Infinity): boolean {
    const { kinds, flags } = this.columns;
    const n = this.lines.length;
    let budget = maxLines;
    let sinceClock = 0;
    let i = this.pendingFrom;
    let h = this.headerIndexFrom(i);
    let format = h === 0 ? DEFAULT_FORMAT : this.headers[h - 1].format;
    while (this.pending > 0 && i < n && budget > 0) {
      if (flags[i] & FLAG_PENDING) {
        this.validateLine(i, format);
        this.pending--;
        budget--;
        if (++sinceClock === 256) {
          sinceClock = 0;
          if (performance.now() >= deadline) {
            i++;
            break;
          }
        }
      }
      if (kinds[i] === LineKind.Header && h < this.headers.length && this.headers[h].line === i) format = this.headers[h++].format;
      i++;
    }
    if (this.pending === 0) i = n;
    this.pendingFrom = i;
    return this.pending === 0;
  }

  /** Every line read again (the shape changed): per-line state from scratch, then the first full validation. */
  private rebuild(): void {
    this.columns = new LineColumns(this.lines.length);
    this.headers = [];
    this.counts.records = this.counts.rejects = this.counts.problems = this.counts.errors = 0;
    this.pending = 0;
    this.validateFresh();
  }

  /** The first full validation: one pass, the format carried along. */
  private validateFresh(): void {
    const { kinds } = this.columns;
    let format = DEFAULT_FORMAT;
    for (let i = 0; i < this.lines.length; i++) {
      const kind = this.classify(i);
      kinds[i] = kind;
      if (kind === LineKind.Record) {
        this.counts.records++;
        this.validateScanned(i, kind, format);
      } else if (kind === LineKind.Header) {
        this.validateScanned(i, kind, format);
        format = makeFormat(headerNames(this.rec.text, this.rec.spans), i);
        this.headers.push({ line: i, format });
      }
    }
    this.pendingFrom = this.lines.length;
  }

  /** Reads and classifies line `i`; `rec` holds it afterwards. */
  private classify(i: number): LineKind {
    return this.rec.read(this.lines[i], this.shape);
  }

  private validateLine(i: number, format: RecordFormat): void {
    this.rec.read(this.lines[i], this.shape);
    this.validateScanned(i, this.columns.kinds[i] as LineKind, format);
  }

  /**
   * The problems of the line `rec` holds, of kind `kind`, bound by `format`, in source columns (appended to
   * `out`); returns whether it is a REJECT record.
   */
  private check(kind: LineKind, format: RecordFormat, out: Problem[]): boolean {
    const rec = this.rec;
    if (rec.unreadable) {
      out.push(rec.unreadable);
      return false;
    }
    const before = out.length;
    let reject = false;
    if (kind === LineKind.Record) reject = validateRecord(rec.text, rec.spans, rec.format ?? format, out);
    else if (kind === LineKind.Header) validateHeader(rec.text, rec.spans, out);
    else return false;
    if (rec.mapped) for (let k = before; k < out.length; k++) out[k] = rec.toSource(out[k]);
    if (rec.keyProblems.length > 0) {
      const mine = [...out.splice(before), ...rec.keyProblems].sort((a, b) => a.start - b.start);
      for (const p of mine) out.push(p);
    }
    return reject;
  }

  /** Validates the scanned line `i` and replaces its counts in the sums. */
  private validateScanned(i: number, kind: LineKind, format: RecordFormat): void {
    const c = this.columns;
    const out = this.scratch;
    out.length = 0;
    const reject = this.check(kind, format, out);
    let errors = 0;
    for (const p of out) if (p.severity === 'error') errors++;
    this.counts.problems += out.length - c.problems[i];
    this.counts.errors += errors - c.errors[i];
    if (c.flags[i] & FLAG_REJECT) this.counts.rejects--;
    if (reject) this.counts.rejects++;
    c.problems[i] = out.length;
    c.errors[i] = errors;
    c.flags[i] = reject ? FLAG_REJECT : 0;
    this.validatedLines++;
  }

  /** The problems of line `i` under `format`, found again (a scratch array: copy to keep). */
  private findProblems(i: number, format: RecordFormat): Problem[] {
    const out: Problem[] = [];
    this.rec.read(this.lines[i], this.shape);
    this.check(this.columns.kinds[i] as LineKind, format, out);
    return out;
  }

  /** Drops the contribution of `line` to the sums (it is being replaced). */
  private forget(line: number): void {
    const c = this.columns;
    this.counts.problems -= c.problems[line];
    this.counts.errors -= c.errors[line];
    if (c.kinds[line] === LineKind.Record) this.counts.records--;
    if (c.flags[line] & FLAG_REJECT) this.counts.rejects--;
    if (c.flags[line] & FLAG_PENDING) this.pending--;
  }

  /** The index of the first header line at or after `line`. */
  private headerIndexFrom(line: number): number {
    const h = this.headers;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (h[mid].line < line) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Whether two formats validate a record alike: the same names, and both from a header or both the default. */
function sameFields(a: RecordFormat, b: RecordFormat): boolean {
  if (a === b) return true;
  if ((a.headerLine < 0) !== (b.headerLine < 0) || a.names.length !== b.names.length) return false;
  for (let k = 0; k < a.names.length; k++) if (a.names[k] !== b.names[k]) return false;
  return true;
}
