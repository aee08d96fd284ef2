// `flowlog lint PATH...`: files, folders and globs of any delivery shape (and streams), each streamed (constant
// memory) through the same scanner and validator as the language server, problems in file order as they are found;
// a big uncompressed file is split at line starts across worker threads, one per core (server/src/core/lint/).
// Output waits for stdout to drain, so a slow reader slows the lint down instead of filling memory. A file that
// cannot be read (or not to its end) is told on stderr and the others are linted; the exit status says so.
import { LintProblem } from '../core/lint/rangeLinter';
import { lintFile, lintStreamStats, maybeRunAsLintWorker } from '../core/lint/lintFile';
import { expandSource } from '../core/query/input';
import { terminalJson, terminalText } from '../core/terminalText';
import { CliIO, OutputClosedError, UsageError } from './io';
import { INPUT_OPTIONS, InputHints, parseInputOption, reportFileError, reportSkipped, reportWarning } from './inputs';

export type { LintProblem } from '../core/lint/rangeLinter';
export { maybeRunAsLintWorker };

/** A problem as a line of text: `file:line:col: severity code message`, the values in it with controls escaped. */
export function problemLine(p: LintProblem): string {
  return `${terminalText(p.file)}:${p.line}:${p.column}: ${p.severity} ${p.code} ${terminalText(p.message)}\n`;
}

/** A problem as JSON, with the controls JSON.stringify leaves raw (C1, bidi) escaped too. */
export function problemJson(p: LintProblem): string {
  return terminalJson(JSON.stringify(p));
}

const LINT_USAGE = `usage: flowlog lint [--format text|json] [--format-hint FORMAT] PATH...\n${INPUT_OPTIONS}`;

export async function runLintCommand(argv: string[], io: CliIO): Promise<number> {
  let format: 'text' | 'json' = 'text';
  const paths: string[] = [];
  const hints: InputHints = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const hint = parseInputOption(argv, i, hints, LINT_USAGE);
    if (hint >= 0) i = hint;
    else if (a === '--format' || a.startsWith('--format=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json, not ${v ?? 'nothing'}\n${LINT_USAGE}`);
      format = v;
    } else if (a === '-h' || a === '--help') {
      io.stdout(LINT_USAGE + '\n');
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option ${a}\n${LINT_USAGE}`);
    } else paths.push(a);
  }
  if (paths.length === 0) throw new UsageError(`no files given\n${LINT_USAGE}`);

  // JSON is one array, written element by element as the problems come.
  let firstJson = true;
  let errors = 0;
  const sink = {
    write: (batch: LintProblem[]) => {
      for (const p of batch) {
        if (p.severity === 'error') errors++;
        if (format === 'json') {
          io.stdout((firstJson ? '\n' : ',\n') + problemJson(p));
          firstJson = false;
        } else {
          io.stdout(problemLine(p));
        }
      }
      return io.flushed?.();
    },
  };
  // Something could not be checked as it is (unreadable, corrupt, changed while read): exit 2 whatever was found.
  let incomplete = false;
  if (format === 'json') io.stdout('[');
  const { files, skipped, errors: missing } = await expandSource({ kind: 'files', paths });
  for (const e of missing) reportFileError(io, e);
  for (const s of skipped) reportSkipped(io, s);
  if (missing.length > 0) incomplete = true;
  let closed = false;
  for (const file of files) {
    try {
      const result = await lintFile(file.path, sink, { ...hints, onlyFlowLogs: file.found });
      if (result.skipped) reportSkipped(io, { file: file.path, reason: result.skipped });
      if (result.error) {
        reportFileError(io, { file: file.path, message: result.error.message, line: result.error.line });
        incomplete = true;
      }
      if (result.changed) {
        reportWarning(io, result.changed);
        incomplete = true;
      }
    } catch (e) {
      if (e instanceof OutputClosedError) {
        closed = true;
        break;
      }
      throw e;
    }
  }
  if (format === 'json' && !closed) io.stdout(firstJson ? ']\n' : '\n]\n');
  if (process.env.FLOWLOG_LINT_STATS) {
    io.stderr(`flowlog: lint stats ${JSON.stringify({ ...lintStreamStats, ...io.outputStats?.(), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  }
  return incomplete ? 2 : errors > 0 ? 1 : 0;
}
