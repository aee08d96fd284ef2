// A flow log document with per-line state, so that an edit revalidates only the lines it touched (and, when a
// header line changes, the records that header governs).

import { DEFAULT_FORMAT, FieldSpans, LineKind, RecordFormat, classifyLine, headerNames, makeFormat, scanFields } from './scan';
import { Codes, Problem, validateHeader, validateRecord } from './validate';

export interface DocumentOptions {
  /** Problems reported at most (the rest are counted); default 1000. */
  maxProblems?: number;
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

export class FlowLogDocument {
  /** Line texts without their `\n` (a `\r` stays and is ignored by the scanner). */
  private lines: string[];
  private kinds: Uint8Array;
  private flags: Uint8Array;
  private problemsByLine: (Problem[] | undefined)[];
  /** The lines that have problems, ascending: listing them costs what they are, not what the file is. */
  private problemLines: number[] = [];
  /** 0-based lines of header lines, ascending, and the format each binds. */
  private headers: { line: number; format: RecordFormat }[] = [];
  private stats: DocumentStats = { records: 0, rejects: 0, problems: 0, errors: 0, headers: 0 };
  private readonly spans = new FieldSpans();
  maxProblems: number;

  constructor(text: string, options: DocumentOptions = {}) {
    this.maxProblems = options.maxProblems ?? 1000;
    this.lines = text.split('\n');
    const n = this.lines.length;
    this.kinds = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.problemsByLine = new Array(n);
    this.revalidate(0, n);
  }

  get lineCount(): number {
    return this.lines.length;
  }

  lineText(line: number): string {
    const t = this.lines[line] ?? '';
    return t.charCodeAt(t.length - 1) === 13 ? t.slice(0, -1) : t;
  }

  /** The whole text again (for engines that scan it); line ends as they were. */
  getText(): string {
    return this.lines.join('\n');
  }

  lineKind(line: number): LineKind {
    return this.kinds[line] as LineKind;
  }

  /** The format that binds the record on `line`. */
  formatAt(line: number): RecordFormat {
    const h = this.headers;
    let lo = 0;
    let hi = h.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (h[mid].line < line) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? DEFAULT_FORMAT : h[found].format;
  }

  /** The text of the first header line, if any. */
  headerText(): string | undefined {
    return this.headers.length > 0 ? this.lineText(this.headers[0].line) : undefined;
  }

  /** Whether any header line exists. */
  get hasHeader(): boolean {
    return this.headers.length > 0;
  }

  getStats(): DocumentStats {
    return { ...this.stats, headers: this.headers.length };
  }

  problemsOn(line: number): readonly Problem[] {
    return this.problemsByLine[line] ?? [];
  }

  /** The first `maxProblems` problems in line order, and how many were left out. */
  problems(limit = this.maxProblems): { problems: LineProblem[]; omitted: number } {
    const problems: LineProblem[] = [];
    const total = this.stats.problems;
    for (let j = 0; j < this.problemLines.length && problems.length < limit; j++) {
      const i = this.problemLines[j];
      const ps = this.problemsByLine[i];
      if (!ps) continue;
      for (const p of ps) {
        if (problems.length >= limit) break;
        problems.push({ ...p, line: i });
      }
    }
    return { problems, omitted: total - problems.length };
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

  /** Applies one text change (LSP incremental sync) and revalidates what it touched. */
  applyEdit(range: EditRange, text: string): void {
    const { startLine, startCharacter, endLine, endCharacter } = range;
    const first = this.lines[startLine] ?? '';
    const last = this.lines[endLine] ?? '';
    const replaced = first.slice(0, startCharacter) + text + last.slice(endCharacter);
    const newLines = replaced.split('\n');
    const removed = endLine - startLine + 1;

    for (let i = startLine; i <= endLine && i < this.lines.length; i++) this.forget(i);
    const headerTouched = this.headers.some((h) => h.line >= startLine && h.line <= endLine);
    this.spliceLines(startLine, removed, newLines);

    // Headers inside the replaced lines are gone (found again when those lines are validated); later ones move.
    const delta = newLines.length - removed;
    this.headers = this.headers.filter((h) => h.line < startLine || h.line > endLine);
    if (delta !== 0) {
      for (const h of this.headers) if (h.line > endLine) h.line += delta;
      const pl = this.problemLines;
      for (let j = lowerBound(pl, endLine + 1); j < pl.length; j++) pl[j] += delta;
    }

    let to = startLine + newLines.length;
    const headerAdded = this.validateRange(startLine, to);
    if (headerTouched || headerAdded) {
      // The records up to the next header are bound by a different format now.
      const next = this.headers.find((h) => h.line >= to);
      const stop = next ? next.line : this.lines.length;
      for (let i = to; i < stop; i++) this.forget(i);
      this.validateRange(to, stop);
      to = stop;
    }
  }

  private spliceLines(at: number, removed: number, added: string[]): void {
    const delta = added.length - removed;
    if (delta === 0) {
      for (let k = 0; k < added.length; k++) this.lines[at + k] = added[k];
      return;
    }
    if (added.length < 10_000) {
      this.lines.splice(at, removed, ...added);
      this.problemsByLine.splice(at, removed, ...new Array<undefined>(added.length));
    } else {
      // A paste of many lines would exceed splice's argument limit.
      this.lines = this.lines.slice(0, at).concat(added, this.lines.slice(at + removed));
      this.problemsByLine = this.problemsByLine.slice(0, at).concat(new Array<undefined>(added.length), this.problemsByLine.slice(at + removed));
    }
    this.kinds = spliceBytes(this.kinds, at, removed, added.length);
    this.flags = spliceBytes(this.flags, at, removed, added.length);
  }

  /** Drops the contribution of `line` to the counters. */
  private forget(line: number): void {
    const ps = this.problemsByLine[line];
    if (ps) {
      this.stats.problems -= ps.length;
      for (const p of ps) if (p.severity === 'error') this.stats.errors--;
      this.problemsByLine[line] = undefined;
      this.problemLines.splice(lowerBound(this.problemLines, line), 1);
    }
    if (this.kinds[line] === LineKind.Record) {
      this.stats.records--;
      if (this.flags[line] & FLAG_REJECT) this.stats.rejects--;
    }
    this.kinds[line] = LineKind.Blank;
    this.flags[line] = 0;
  }

  private revalidate(from: number, to: number): void {
    this.headers = [];
    this.stats = { records: 0, rejects: 0, problems: 0, errors: 0, headers: 0 };
    this.validateRange(from, to);
  }

  /** Validates lines [from, to) (already forgotten); returns whether a header line was found among them. */
  private validateRange(from: number, to: number): boolean {
    const spans = this.spans;
    let format = this.formatAt(from);
    let headerFound = false;
    let scratch: Problem[] = [];
    for (let i = from; i < to; i++) {
      const text = this.lines[i];
      scanFields(text, 0, text.length, spans);
      const kind = classifyLine(text, spans);
      this.kinds[i] = kind;
      if (kind === LineKind.Record) {
        this.stats.records++;
        if (validateRecord(text, spans, format, scratch)) {
          this.flags[i] = FLAG_REJECT;
          this.stats.rejects++;
        }
      } else if (kind === LineKind.Header) {
        validateHeader(text, spans, scratch);
        format = makeFormat(headerNames(text, spans), i);
        this.insertHeader(i, format);
        headerFound = true;
      }
      if (scratch.length > 0) {
        this.problemsByLine[i] = scratch;
        this.problemLines.splice(lowerBound(this.problemLines, i), 0, i);
        this.stats.problems += scratch.length;
        for (const p of scratch) if (p.severity === 'error') this.stats.errors++;
        scratch = [];
      }
    }
    return headerFound;
  }

  private insertHeader(line: number, format: RecordFormat): void {
    const h = this.headers;
    let k = h.length;
    while (k > 0 && h[k - 1].line > line) k--;
    h.splice(k, 0, { line, format });
  }
}

/** The first index of `a` (ascending) whose value is at least `v`. */
function lowerBound(a: number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function spliceBytes(a: Uint8Array, at: number, removed: number, added: number): Uint8Array {
  const out = new Uint8Array(a.length - removed + added);
  out.set(a.subarray(0, at), 0);
  out.set(a.subarray(at + removed), at + added);
  return out;
}
