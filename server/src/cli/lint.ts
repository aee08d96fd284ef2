// `flowlog lint FILE...`: streams each file (constant memory) through the same scanner and validator as the
// language server.
import { createReadStream } from 'node:fs';
import { DEFAULT_FORMAT, FieldSpans, LineKind, RecordFormat, classifyLine, headerNames, makeFormat, scanFields } from '../core/scan';
import { Problem, validateHeader, validateRecord } from '../core/validate';
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

/**
 * Lints one file, calling `report` for each problem in order. Chunks are decoded as latin1 (one char per byte,
 * the fastest decode); a line with a problem and non-ASCII bytes is decoded again as UTF-8 so its message
 * and columns are right.
 */
export async function lintFile(path: string, report: (p: LintProblem) => void): Promise<LintSummary> {
  const summary: LintSummary = { errors: 0, warnings: 0, lines: 0 };
  const spans = new FieldSpans();
  const problems: Problem[] = [];
  let format: RecordFormat = DEFAULT_FORMAT;
  let carry: Buffer | undefined;
  let lineNo = 0;
  let first = true;

  const lintLine = (text: string, from: number, to: number, buf: Buffer, bufFrom: number) => {
    lineNo++;
    scanFields(text, from, to, spans);
    const kind = classifyLine(text, spans);
    if (kind === LineKind.Record) validateRecord(text, spans, format, problems);
    else if (kind === LineKind.Header) {
      validateHeader(text, spans, problems);
      format = makeFormat(headerNames(text, spans), lineNo - 1);
    }
    if (problems.length === 0) return;
    let base = from;
    let lineText = text;
    const bytes = buf.subarray(bufFrom, bufFrom + (to - from));
    if (bytes.some((b) => b >= 0x80)) {
      // Re-run on the UTF-8 reading so that messages and columns match what an editor shows.
      lineText = bytes.toString('utf8');
      base = 0;
      problems.length = 0;
      scanFields(lineText, 0, lineText.length, spans);
      if (kind === LineKind.Record) validateRecord(lineText, spans, format, problems);
      else if (kind === LineKind.Header) validateHeader(lineText, spans, problems);
    }
    for (const p of problems) {
      if (p.severity === 'error') summary.errors++;
      else if (p.severity === 'warning') summary.warnings++;
      report({ file: path, line: lineNo, column: p.start - base + 1, endLine: lineNo, endColumn: p.end - base + 1, severity: p.severity, code: p.code, message: p.message });
    }
    problems.length = 0;
  };

  const stream = createReadStream(path, { highWaterMark: 1 << 18 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = undefined;
    if (first) {
      first = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    const lastNl = buf.lastIndexOf(10);
    if (lastNl < 0) {
      carry = buf;
      continue;
    }
    const text = buf.toString('latin1', 0, lastNl + 1);
    let start = 0;
    while (start <= lastNl) {
      const nl = text.indexOf('\n', start);
      lintLine(text, start, nl, buf, start);
      start = nl + 1;
    }
    if (lastNl + 1 < buf.length) carry = Buffer.from(buf.subarray(lastNl + 1));
  }
  if (carry && carry.length > 0) {
    const text = carry.toString('latin1');
    lintLine(text, 0, text.length, carry, 0);
  }
  summary.lines = lineNo;
  return summary;
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
          io.stdout((firstJson ? '\n' : ',\n') + JSON.stringify(p));
          firstJson = false;
        } else {
          io.stdout(`${p.file}:${p.line}:${p.column}: ${p.severity} ${p.code} ${p.message}\n`);
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
