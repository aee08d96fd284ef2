// Lint of a run of lines (a whole file, or one worker's range of it): the scanner and validator of the language
// server, line by line over chunks, handing problems on in batches. Whoever takes a batch may make the linter
// wait (a slow terminal, a worker out of credit): memory holds one batch, whatever the file.
import type { Chunk } from '../query/sources';
import { DEFAULT_FORMAT, FieldSpans, LineKind, RecordFormat, classifyLine, headerNames, makeFormat, scanFields } from '../scan';
import { Problem, validateHeader, validateRecord } from '../validate';

/** One problem as `flowlog lint` reports it: 1-based line and columns (UTF-16, as editors count). */
export interface LintProblem {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Problem['severity'];
  code: string;
  message: string;
}

export interface LintCounts {
  errors: number;
  warnings: number;
  infos: number;
  lines: number;
  records: number;
  rejects: number;
}

export const zeroCounts = (): LintCounts => ({ errors: 0, warnings: 0, infos: 0, lines: 0, records: 0, rejects: 0 });

export function addCounts(into: LintCounts, more: LintCounts): void {
  into.errors += more.errors;
  into.warnings += more.warnings;
  into.infos += more.infos;
  into.lines += more.lines;
  into.records += more.records;
  into.rejects += more.rejects;
}

/** Problems handed on per batch at most. */
export const LINT_BATCH = 1024;

export interface RangeLinterOptions {
  /** Field names that bind the records before any header line (the file's header, for a later range). */
  headerNames?: string[];
  /** The range starts the file: a header on its first line is the file's header, not a late one. */
  startsFile: boolean;
  /** Lines of the file before the range, added to line numbers. */
  lineOffset?: number;
  /** Problems handed on at most (the rest are counted only). */
  keep?: number;
}

export class RangeLinter {
  readonly counts = zeroCounts();
  /** A header line after the file's first line was seen (later ranges, linted in parallel, bound the wrong one). */
  lateHeader = false;
  /** The field names of the last header line seen in the range. */
  lastHeaderNames: string[] | undefined;
  private format: RecordFormat;
  private readonly spans = new FieldSpans();
  private readonly found: Problem[] = [];
  private readonly keep: number;
  private kept = 0;
  private lineNo: number;

  constructor(private readonly file: string, private readonly options: RangeLinterOptions) {
    this.format = options.headerNames ? makeFormat(options.headerNames, 0) : DEFAULT_FORMAT;
    this.lineNo = options.lineOffset ?? 0;
    this.keep = options.keep ?? Infinity;
  }

  /** Lints the line text[start, end), appending its problems to `out`. */
  lintLine(text: string, start: number, end: number, out: LintProblem[]): void {
    const { spans, found, counts } = this;
    this.lineNo++;
    counts.lines++;
    scanFields(text, start, end, spans);
    const kind = classifyLine(text, spans);
    if (kind === LineKind.Record) {
      counts.records++;
      if (validateRecord(text, spans, this.format, found)) counts.rejects++;
    } else if (kind === LineKind.Header) {
      if (!this.options.startsFile || counts.lines > 1) this.lateHeader = true;
      validateHeader(text, spans, found);
      this.lastHeaderNames = headerNames(text, spans);
      this.format = makeFormat(this.lastHeaderNames, this.lineNo - 1);
    }
    if (found.length === 0) return;
    for (const p of found) {
      if (p.severity === 'error') counts.errors++;
      else if (p.severity === 'warning') counts.warnings++;
      else counts.infos++;
      if (this.kept < this.keep) {
        this.kept++;
        out.push({ file: this.file, line: this.lineNo, column: p.start - start + 1, endLine: this.lineNo, endColumn: p.end - start + 1, severity: p.severity, code: p.code, message: p.message });
      }
    }
    found.length = 0;
  }
}

/**
 * Lints every line of `chunks`, handing problems to `emit` in batches of LINT_BATCH at most, in line order, and
 * awaiting it when it returns a promise (back-pressure). Stops with the signal's reason when it is aborted.
 */
export async function lintChunks(
  chunks: AsyncIterable<Chunk>,
  linter: RangeLinter,
  emit: (batch: LintProblem[]) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let batch: LintProblem[] = [];
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    const text = chunk.text;
    let start = 0;
    while (start < text.length) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = text.length;
      linter.lintLine(text, start, nl, batch);
      if (batch.length >= LINT_BATCH) {
        const handed = batch;
        batch = [];
        const wait = emit(handed);
        if (wait) await wait;
        signal?.throwIfAborted();
      }
      start = nl + 1;
    }
  }
  if (batch.length > 0) await emit(batch);
}
