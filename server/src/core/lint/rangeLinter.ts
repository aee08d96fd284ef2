// Lint of a run of lines (a whole file, or one worker's range of it): the scanner and validator of the language
// server, line by line over the readers' chunks of canonical lines, handing problems on in batches. Whoever takes a
// batch may make the linter wait (a slow terminal, a worker out of credit): memory holds one batch, whatever the file.
// JSON, CSV and Parquet records are checked as the canonical lines the readers make of them; each problem is put at
// its SOURCE line, on the JSON value or CSV cell it comes from (DecodedChunk.sourceColumns), and a source line the
// reader could not make a record of is one error with the reader's reason.
import { DEFAULT_FORMAT, FieldSpans, LineKind, RecordFormat, classifyLine, headerNames, makeFormat, scanFields } from '../scan';
import { Problem, validateHeader, validateRecord } from '../validate';
import { DecodeProblem, DecodedChunk, SourceColumns } from '../readers/types';
import { sourceRange } from '../readers/sourceColumns';
import { CLEAN_REJECT, CleanPlan, NOT_CLEAN, cleanPlanOf } from './cleanRecord';

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
  /** Source lines (the last line number seen). */
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

/** The code of a source line over the line cap (skipped, never read). */
export const LINE_TOO_LONG = 'line-too-long';
/** The code of a source line the reader could not make a record of (a JSON line that is not an object…). */
export const UNREADABLE_RECORD = 'unreadable-record';

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
  private readonly lineOffset: number;
  /** Problems of a header line the reader made up (no line of its own): reported at the next source line. */
  private pending: Problem[] = [];
  private pendingText = '';

  constructor(private readonly file: string, private readonly options: RangeLinterOptions) {
    this.format = options.headerNames ? makeFormat(options.headerNames, 0) : DEFAULT_FORMAT;
    this.lineOffset = options.lineOffset ?? 0;
    this.keep = options.keep ?? Infinity;
  }

  /**
   * Lints canonical line text[start, end), source line `sourceLine` (0: a header line the reader made up), line k
   * of its chunk; `decodeProblem` when it is the stand-in of a source line that is not a record.
   */
  lintLine(text: string, start: number, end: number, sourceLine: number, out: LintProblem[], columns?: SourceColumns, k = 0, decodeProblem?: DecodeProblem): void {
    const { spans, found, counts } = this;
    if (sourceLine > counts.lines) counts.lines = sourceLine;
    const lineNo = this.lineOffset + sourceLine;
    if (decodeProblem) {
      this.emit(out, lineNo, 1, 2, 'error', decodeProblem.longLine ? LINE_TOO_LONG : UNREADABLE_RECORD, decodeProblem.message);
      return;
    }
    scanFields(text, start, end, spans);
    const kind = classifyLine(text, spans);
    if (kind === LineKind.Record) {
      counts.records++;
      if (validateRecord(text, spans, this.format, found)) counts.rejects++;
    } else if (kind === LineKind.Header) {
      if (sourceLine !== 0 && !(this.options.startsFile && sourceLine === 1)) this.lateHeader = true;
      validateHeader(text, spans, found);
      this.lastHeaderNames = headerNames(text, spans);
      this.format = makeFormat(this.lastHeaderNames, Math.max(0, lineNo - 1));
    }
    if (sourceLine === 0) {
      // A made-up header (JSON keys, CSV key names, Parquet columns): its problems go with the next source line.
      this.pending.push(...found);
      found.length = 0;
      return;
    }
    for (const p of this.pending) this.emit(out, lineNo, 1, 2, p.severity, p.code, p.message);
    this.pending.length = 0;
    if (found.length === 0) return;
    for (const p of found) {
      const at = sourceRange(columns, k, text, start, p.start - start, p.end - start);
      this.emit(out, lineNo, at.start, at.end, p.severity, p.code, p.message);
    }
    found.length = 0;
  }

  /** The format records are bound to now (the last header line's, or the default). */
  get currentFormat(): RecordFormat {
    return this.format;
  }

  /** Counts a clean record (cleanRecord.ts) at `sourceLine`: what lintLine does for a record without problems. */
  cleanLine(sourceLine: number, reject: boolean): void {
    const counts = this.counts;
    if (sourceLine > counts.lines) counts.lines = sourceLine;
    counts.records++;
    if (reject) counts.rejects++;
  }

  /** Problems of a made-up header wait for the next source line: that line takes the full path. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** At the end: problems of a made-up header with no line after it. */
  flush(out: LintProblem[]): void {
    for (const p of this.pending) this.emit(out, this.lineOffset + Math.max(1, this.counts.lines), 1, 2, p.severity, p.code, p.message);
    this.pending.length = 0;
  }

  private emit(out: LintProblem[], line: number, column: number, endColumn: number, severity: Problem['severity'], code: string, message: string): void {
    const counts = this.counts;
    if (severity === 'error') counts.errors++;
    else if (severity === 'warning') counts.warnings++;
    else counts.infos++;
    if (this.kept < this.keep) {
      this.kept++;
      out.push({ file: this.file, line, column, endLine: line, endColumn, severity, code, message });
    }
  }
}

/**
 * Lints every canonical line of `chunks` (the readers' output), handing problems to `emit` in batches of
 * LINT_BATCH at most, in line order, and awaiting it when it returns a promise (back-pressure). Stops with the
 * signal's reason when it is aborted.
 */
export async function lintChunks(
  chunks: AsyncIterable<DecodedChunk>,
  linter: RangeLinter,
  emit: (batch: LintProblem[]) => void | Promise<void>,
  signal?: AbortSignal,
  fastPath = true,
): Promise<void> {
  let batch: LintProblem[] = [];
  let planFormat: RecordFormat | undefined;
  let plan: CleanPlan | null = null;
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    const b = chunk.bytes;
    const bytes = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    const problems = chunk.problems ? new Map(chunk.problems.map((p) => [p.line, p])) : undefined;
    const lines = chunk.lines;
    // A clean record (cleanRecord.ts) is checked on its bytes and only counted; every other line is made a string
    // and linted in full.
    for (let k = 0, start = 0; start < bytes.length; k++) {
      let nl = bytes.indexOf(10, start);
      if (nl < 0) nl = bytes.length;
      const sourceLine = lines ? lines[k] : chunk.firstLine + k;
      if (linter.currentFormat !== planFormat) {
        planFormat = linter.currentFormat;
        plan = fastPath ? cleanPlanOf(planFormat) : null;
      }
      // The fast path reads up to the line feed (a last line without one takes the full path).
      const clean = plan && !linter.hasPending && nl < bytes.length ? plan.cleanLine(bytes, start, nl) : NOT_CLEAN;
      if (clean !== NOT_CLEAN) linter.cleanLine(sourceLine, clean === CLEAN_REJECT);
      else {
        const text = bytes.toString('utf8', start, nl);
        // A `!` line stands for a source line the reader could not read as a record.
        const problem = problems && text === '!' ? problems.get(sourceLine) : undefined;
        linter.lintLine(text, 0, text.length, sourceLine, batch, chunk.sourceColumns, k, problem);
        if (batch.length >= LINT_BATCH) {
          const handed = batch;
          batch = [];
          const wait = emit(handed);
          if (wait) await wait;
          signal?.throwIfAborted();
        }
      }
      start = nl + 1;
    }
  }
  linter.flush(batch);
  if (batch.length > 0) await emit(batch);
}
