// `flowlog lint FILE...`: streams each file (constant memory) through the same scanner and validator as the
// language server, problems in file order as they are found; a big file is split at line starts across worker
// threads, one per core (server/src/core/lint/). Output waits for stdout to drain, so a slow reader slows the
// lint down instead of filling memory.
import { LintProblem } from '../core/lint/rangeLinter';
import { lintFile, lintStreamStats, maybeRunAsLintWorker } from '../core/lint/lintFile';
import { terminalJson, terminalText } from '../core/terminalText';
import { CliIO, OutputClosedError, UsageError } from './io';

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
  let code: number | undefined;
  if (format === 'json') io.stdout('[');
  for (const file of files) {
    try {
      await lintFile(file, sink);
    } catch (e) {
      if (e instanceof OutputClosedError) break;
      const err = e as NodeJS.ErrnoException;
      io.stderr(`flowlog: cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message}\n`);
      code = 2;
      break;
    }
  }
  if (format === 'json') io.stdout(firstJson ? ']\n' : '\n]\n');
  if (process.env.FLOWLOG_LINT_STATS) {
    io.stderr(`flowlog: lint stats ${JSON.stringify({ ...lintStreamStats, ...io.outputStats?.(), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  }
  return code ?? (errors > 0 ? 1 : 0);
}
