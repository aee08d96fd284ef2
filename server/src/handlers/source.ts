// What the query and summary handlers share. What a request's URI reads: the open document's text, or the file
// on disk when the document is not open here (VS Code never syncs files over 50 MB to extensions, so big files
// are always read from disk, streaming). Cancellation as an AbortSignal, and progress as whole percents.
import { LSPErrorCodes, ResponseError, WorkDoneProgressReporter } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { QuerySource } from '../core/query';
import { fileHeaderNames } from '../core/query/input';
import { stat } from 'node:fs/promises';
import { DocumentStore } from './documents';

export interface ResolvedSource {
  source: QuerySource;
  /** The header line, when the source has one. */
  header?: string;
}

/** The source of `uriText`; with `withHeader`, also its header line (a file on disk is read for it). */
export async function resolveSource(documents: DocumentStore, uriText: string, withHeader = false): Promise<ResolvedSource> {
  const doc = documents.get(uriText);
  const uri = URI.parse(uriText);
  if (doc) {
    return { source: { kind: 'text', text: doc.getText(), name: uri.fsPath }, header: withHeader && doc.hasHeader ? doc.headerText() : undefined };
  }
  if (uri.scheme !== 'file') throw new ResponseError(-32602, `${uriText} is not open and not a file on disk`);
  // A FIFO or device would block the request until something writes to it: the editor reads regular files only.
  const st = await stat(uri.fsPath).catch((e: NodeJS.ErrnoException) => {
    throw new ResponseError(-32602, `cannot read ${uri.fsPath}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
  });
  if (!st.isFile()) throw new ResponseError(-32602, `${uri.fsPath} is not a regular file (a pipe, FIFO or device): query it with \`flowlog query\` on the command line`);
  const header = !withHeader || uri.fsPath.endsWith('.gz') ? undefined : (await fileHeaderNames(uri.fsPath).catch(() => undefined))?.join(' ');
  return { source: { kind: 'files', paths: [uri.fsPath] }, header };
}

/** An AbortSignal that follows an LSP cancellation token. */
export function abortOn(token: { isCancellationRequested: boolean; onCancellationRequested(listener: () => void): { dispose(): void } } | undefined): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  const sub = token?.onCancellationRequested(() => abort.abort());
  if (token?.isCancellationRequested) abort.abort(); // cancelled before it started
  return { signal: abort.signal, dispose: () => sub?.dispose() };
}

/**
 * What a request that failed answers: RequestCancelled (-32800) when it was cancelled (whatever the engine threw on
 * its way out), else the error as it is.
 */
export function cancelledOr(e: unknown, signal: AbortSignal): unknown {
  if (signal.aborted || (e instanceof Error && e.name === 'AbortError')) return new ResponseError(LSPErrorCodes.RequestCancelled, 'the request was cancelled');
  return e;
}

/** An engine onProgress that reports whole percents to `progress`, each once. */
export function percentReporter(progress: WorkDoneProgressReporter | undefined): (done: number, total: number) => void {
  let lastPercent = -1;
  return (done, total) => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 0;
    if (percent !== lastPercent) {
      lastPercent = percent;
      progress?.report(percent, `${percent}%`);
    }
  };
}
