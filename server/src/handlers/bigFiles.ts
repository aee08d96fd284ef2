// Diagnostics of flow logs too big for VS Code to hand to extensions (over 50 MB): the client says which such
// files are open in tabs (flowlog/unsyncedFiles); each flow log among them is linted from disk in the
// background, streaming (memory holds maxProblems problems, whatever the file), and its diagnostics published;
// closing the tab cancels the lint and clears them. A file that changes on disk is linted again. A decoded view
// (flowlog-decoded:) over 50 MB is the same: its file is linted, and the problems published on the view (a
// Parquet view starts with a header line of its columns, so its rows are one line down).
import { FSWatcher, watch } from 'node:fs';
import { readAt } from '../core/query/input';
import { Connection, Diagnostic } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { FlowLogDocument } from '../core/document';
import { isFlowLogFirstLine } from '../core/firstLine';
import { lintFile } from '../core/lint/lintFile';
import { LintProblem } from '../core/lint/rangeLinter';
import { DECODED_SCHEME, UnsyncedFilesNotification } from '../protocol';
import { detectFile } from '../core/readers';
import { toDiagnostic } from './diagnostics';
import { DocumentStore } from './documents';

/** Names that are flow logs whatever their first line (the language's extension and filename patterns). */
const FLOWLOG_NAME = /\.flowlog(\.txt|\.log|\.json|\.jsonl|\.csv|\.tsv)?$/i;
/** A file that changes on disk is linted again once it has been quiet this long. */
const CHANGE_QUIET_MS = 1000;

interface Job {
  path: string;
  abort: AbortController;
  watcher?: FSWatcher;
  relint?: NodeJS.Timeout;
  /** Diagnostics were published for it (to clear when it goes). */
  published: boolean;
  /** The view of a compressed or binary file: a flow log by the user's choice, its problems placed in the view. */
  decoded: boolean;
}

/** Whether the file is a flow log: by name, or (a .log, a .txt, a .json…) by a first line that can only be one. */
async function isFlowLogFile(path: string): Promise<boolean> {
  if (FLOWLOG_NAME.test(path)) return true;
  if (/\.(gz|zip|bz2|xz|zst|parquet)$/i.test(path)) return false;
  const head = (await readAt(path, 0, 1 << 16)).toString('utf8');
  const nl = head.indexOf('\n');
  return isFlowLogFirstLine((nl < 0 ? head : head.slice(0, nl)).replace(/\r$/, ''));
}

/** A lint problem as a diagnostic (lint positions are 1-based), `lineOffset` lines down. */
function diagnosticOf(p: LintProblem, lineOffset = 0): Diagnostic {
  return toDiagnostic({ line: p.line - 1 + lineOffset, start: p.column - 1, end: p.endColumn - 1, code: p.code, severity: p.severity, message: p.message });
}

export function registerBigFileDiagnostics(connection: Connection, documents: DocumentStore, maxProblems: () => number): { relintAll(): void } {
  const jobs = new Map<string, Job>();

  const run = async (uri: string, job: Job) => {
    const { signal } = job.abort;
    try {
      if (!job.decoded && !(await isFlowLogFile(job.path))) return;
      const lineOffset = job.decoded && (await detectFile(job.path)).encoding === 'parquet' ? 1 : 0;
      const limit = maxProblems();
      const kept: LintProblem[] = [];
      const keep = (batch: LintProblem[]) => {
        for (const p of batch) if (kept.length < limit) kept.push(p);
      };
      const counts = await lintFile(job.path, { write: keep }, { signal, keep: limit });
      if (signal.aborted) return;
      if (counts.error) connection.console.warn(`flowlog: cannot check ${job.path}${counts.error.line !== undefined ? ` past line ${counts.error.line}` : ''}: ${counts.error.message}`);
      const diagnostics = kept.map((p) => diagnosticOf(p, lineOffset));
      const omitted = counts.errors + counts.warnings + counts.infos - kept.length;
      if (omitted > 0) diagnostics.push(toDiagnostic({ ...FlowLogDocument.omittedProblem(omitted), line: 0 }));
      job.published = true;
      await connection.sendDiagnostics({ uri, diagnostics });
    } catch (e) {
      if (signal.aborted) return;
      connection.console.warn(`flowlog: cannot check ${job.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const start = (uri: string, path: string) => {
    const job: Job = { path, abort: new AbortController(), published: false, decoded: uri.startsWith(`${DECODED_SCHEME}:`) };
    jobs.set(uri, job);
    try {
      job.watcher = watch(path, () => {
        clearTimeout(job.relint);
        job.relint = setTimeout(() => restart(uri), CHANGE_QUIET_MS);
      });
      job.watcher.on('error', () => undefined);
      job.watcher.unref();
    } catch {
      // Not watchable (gone already): the lint reports it.
    }
    void run(uri, job);
  };

  const stop = (uri: string, clear: boolean) => {
    const job = jobs.get(uri);
    if (!job) return;
    jobs.delete(uri);
    job.abort.abort();
    job.watcher?.close();
    clearTimeout(job.relint);
    if (clear && job.published) void connection.sendDiagnostics({ uri, diagnostics: [] });
  };

  const restart = (uri: string) => {
    const job = jobs.get(uri);
    if (!job) return;
    stop(uri, false);
    start(uri, job.path);
  };

  connection.onNotification(UnsyncedFilesNotification, ({ uris }) => {
    const wanted = new Map<string, string>();
    for (const uri of uris) {
      const parsed = URI.parse(uri);
      if (parsed.scheme === 'file' || parsed.scheme === DECODED_SCHEME) wanted.set(uri, parsed.fsPath);
    }
    for (const uri of [...jobs.keys()]) if (!wanted.has(uri)) stop(uri, true);
    for (const [uri, path] of wanted) if (!jobs.has(uri) && !documents.get(uri)) start(uri, path);
  });
  // A file handed over after all (it shrank): its document's own diagnostics take over.
  documents.onDidOpen((uri) => stop(uri, false));

  return {
    relintAll() {
      for (const uri of [...jobs.keys()]) restart(uri);
    },
  };
}
