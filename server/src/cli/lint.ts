// `flowlog lint FILE...`: streams each file (constant memory) through the same scanner and validator as the
// language server; a big file is split at line starts across worker threads, one per core.
import { statSync } from 'node:fs';
import { FileRange, maybeRunWorkerJob, planRanges, runWorkerJobs } from '../core/query/workers';
import { readFileRange } from '../core/query/sources';
import { DEFAULT_FORMAT, FieldSpans, LineKind, RecordFormat, classifyLine, headerNames, makeFormat, scanFields } from '../core/scan';
import { Problem, validateHeader, validateRecord } from '../core/validate';
import { terminalJson, terminalText } from '../core/terminalText';
import { CliIO, UsageError } from './io';

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

export interface LintSummary {
  errors: number;
  warnings: number;
  lines: number;
}

export interface RangeLint extends LintSummary {
  /** A header line after the first line of the file: a parallel run bound the wrong format, lint on one thread. */
  lateHeader: boolean;
}

/**
 * Lints bytes [start, end) of a file (line starts), calling `report` for each problem in order. Line numbers count
 * from the range's first line; `headerNames` binds the records when the range does not start the file.
 */
export async function lintRange(range: FileRange, report: (p: LintProblem) => void): Promise<RangeLint> {
  const summary: RangeLint = { errors: 0, warnings: 0, lines: 0, lateHeader: false };
  const spans = new FieldSpans();
  const problems: Problem[] = [];
  let format: RecordFormat = range.headerNames && range.start > 0 ? makeFormat(range.headerNames, 0) : DEFAULT_FORMAT;
  let lineNo = 0;
  for await (const chunk of readFileRange(range.path, range.start, range.end, 0, 0)) {
    const text = chunk.text;
    let start = 0;
    while (start < text.length) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = text.length;
      lineNo++;
      scanFields(text, start, nl, spans);
      const kind = classifyLine(text, spans);
      if (kind === LineKind.Record) validateRecord(text, spans, format, problems);
      else if (kind === LineKind.Header) {
        if (range.start > 0 || lineNo > 1) summary.lateHeader = true;
        validateHeader(text, spans, problems);
        format = makeFormat(headerNames(text, spans), lineNo - 1);
      }
      if (problems.length > 0) {
        for (const p of problems) {
          if (p.severity === 'error') summary.errors++;
          else if (p.severity === 'warning') summary.warnings++;
          report({ file: range.path, line: lineNo, column: p.start - start + 1, endLine: lineNo, endColumn: p.end - start + 1, severity: p.severity, code: p.code, message: p.message });
        }
        problems.length = 0;
      }
      start = nl + 1;
    }
  }
  summary.lines = lineNo;
  return summary;
}

const LINT_JOB = 'flowlogLintWorker';

interface RangeReport {
  summary: RangeLint;
  problems: LintProblem[];
}

/** Lints one file: on every core for a big plain file (in order, with the right line numbers), else streaming. */
export async function lintFile(path: string, report: (p: LintProblem) => void): Promise<LintSummary> {
  const size = statSync(path).size;
  const ranges = await planRanges([path]);
  if (ranges && ranges.length > 1) {
    const parts = await runWorkerJobs<RangeReport>(LINT_JOB, ranges);
    if (!parts.some((p) => p.summary.lateHeader)) {
      const total: LintSummary = { errors: 0, warnings: 0, lines: 0 };
      for (const part of parts) {
        for (const p of part.problems) report({ ...p, line: p.line + total.lines, endLine: p.endLine + total.lines });
        total.errors += part.summary.errors;
        total.warnings += part.summary.warnings;
        total.lines += part.summary.lines;
      }
      return total;
    }
  }
  return lintRange({ path, start: 0, end: size, before: 0, total: size }, report);
}

/** In a lint worker thread: lints its range and returns true; elsewhere returns false at once. */
export function maybeRunAsLintWorker(): boolean {
  return maybeRunWorkerJob<FileRange, RangeReport>(LINT_JOB, async (range) => {
    const problems: LintProblem[] = [];
    const summary = await lintRange(range, (p) => problems.push(p));
    return { summary, problems };
  });
}

/** A problem as a line of text: `file:line:col: severity code message`, the values in it with controls escaped. */
export function problemLine(p: LintProblem): string {
  return `${terminalText(p.file)}:${p.line}:${p.column}: ${p.severity} ${p.code} ${terminalText(p.message)}\n`;
}

/** A problem as JSON, with the controls JSON.stringify leaves raw (C1, bidi) escaped too. */
export function problemJson(p: LintProblem): string {
  return terminalJson(JSON.stringify(p));
}

const LINT_USAGE = 'usage: flowlog lint [--format text|json] FILE...';

export async function runLintCommand(argv: string[], io: CliIO): Promise<number> {
  let format: 'text' | 'json' = 'text';
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--format' || a.startsWith('--format=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json, not ${v ?? 'nothing'}\n${LINT_USAGE}`);
      format = v;
    } else if (a === '-h' || a === '--help') {
      io.stdout(LINT_USAGE + '\n');
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option ${a}\n${LINT_USAGE}`);
    } else files.push(a);
  }
  if (files.length === 0) throw new UsageError(`no files given\n${LINT_USAGE}`);

  let errors = 0;
  let firstJson = true;
  if (format === 'json') io.stdout('[');
  for (const file of files) {
    try {
      const summary = await lintFile(file, (p) => {
        if (format === 'json') {
          io.stdout((firstJson ? '\n' : ',\n') + problemJson(p));
          firstJson = false;
        } else {
          io.stdout(problemLine(p));
        }
      });
      errors += summary.errors;
    } catch (e) {
      if (format === 'json') io.stdout('\n]\n');
      const err = e as NodeJS.ErrnoException;
      io.stderr(`flowlog: cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message}\n`);
      return 2;
    }
  }
  if (format === 'json') io.stdout(firstJson ? ']\n' : '\n]\n');
  return errors > 0 ? 1 : 0;
}
