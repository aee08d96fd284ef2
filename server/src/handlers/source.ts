// What the query and summary handlers share. What a request's URI reads: the open document's text (as the readers
// would read its bytes: a JSON or CSV document's values, with the document's line numbers kept), the file on disk
// when the document is not open here (VS Code never syncs files over 50 MB to extensions, so big files are always
// read from disk, streaming), the file behind a decoded view (flowlog-decoded:), or every flow log under a folder
// (and a glob). Cancellation as an AbortSignal, and progress as whole percents (with files and bytes for a folder).
import { CancellationToken, LSPErrorCodes, ResponseError, WorkDoneProgressReporter } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { QuerySource } from '../core/query';
import { fileHeaderNames } from '../core/query/input';
import { expandInputs } from '../core/readers/inputs';
import { detectFile } from '../core/readers';
import { formatBytes } from '../core/decode';
import { DECODED_SCHEME, QUERY_SYNTAX_ERROR, QueryErrorData, SourceInfoWire } from '../protocol';
import { QueryError } from '../core/query';
import { DocumentStore } from './documents';
import { isTruncatedView } from './decoded';

export interface ResolvedSource {
  source: QuerySource;
  /** The header line, when the source has one. */
  header?: string;
  /** Line n of the engine's text is document line lines[n - 1] (a JSON document's header lines are made up). */
  lines?: Int32Array;
  /** Lines of the engine's rows are this many lines up from the view's (a Parquet file read for its view). */
  lineShift?: number;
  /** A folder source: what it held. */
  info?: SourceInfoWire;
  /** Sizes of the source's files, in the order the engine reads them (progress by files). */
  sizes?: number[];
}

const badRequest = (message: string) => new ResponseError(-32602, message);

function statError(path: string, e: NodeJS.ErrnoException): ResponseError<void> {
  return badRequest(`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file or folder' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
}

/** The source of `uriText` (and `glob`, for a folder); with `withHeader`, also its header line. */
export async function resolveSource(documents: DocumentStore, uriText: string, withHeader = false, glob?: string): Promise<ResolvedSource> {
  const uri = URI.parse(uriText);
  const decodedView = uri.scheme === DECODED_SCHEME;
  const doc = documents.get(uriText);
  // A decoded view that stops before the end of its file is no source: the file is.
  if (doc && !(decodedView && isTruncatedView(uri.fsPath))) {
    const name = uri.fsPath;
    if (doc.shape.encoding === 'text') {
      return { source: { kind: 'text', text: doc.getText(), name }, header: withHeader && doc.hasHeader ? doc.headerText() : undefined };
    }
    const canonical = doc.engineText();
    return { source: { kind: 'text', text: canonical.text, name }, lines: canonical.lines, header: withHeader ? canonical.header ?? doc.headerText() : undefined };
  }
  if (uri.scheme !== 'file' && !decodedView) throw badRequest(`${uriText} is not open and not a file on disk`);
  const path = uri.fsPath;
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw statError(path, e);
  });
  if (st.isDirectory() && !decodedView) return resolveFolder(path, glob);
  // A FIFO or device would block the request until something writes to it: the editor reads regular files only.
  if (!st.isFile()) throw badRequest(`${path} is not a regular file (a pipe, FIFO or device): query it with \`flowlog query\` on the command line`);
  const header = !withHeader || decodedView || path.endsWith('.gz') ? undefined : (await fileHeaderNames(path).catch(() => undefined))?.join(' ');
  // The view of a Parquet file starts with a header line of its columns: its rows are one line down.
  const lineShift = decodedView && (await detectFile(path).catch(() => undefined))?.encoding === 'parquet' ? 1 : undefined;
  return { source: { kind: 'files', paths: [path] }, header, sizes: [st.size], lineShift };
}

/** Every flow log under `folder` (matching `glob`, relative to it, when given), in the readers' sorted order. */
export async function resolveFolder(folder: string, glob?: string): Promise<ResolvedSource> {
  const info = await describeFolder(folder, glob);
  if (info.paths.length === 0) {
    const why = info.wire.skipped.length > 0 ? ` (${info.wire.skipped.length} other file${info.wire.skipped.length === 1 ? '' : 's'} left out: not flow logs)` : '';
    throw badRequest(`no flow log under ${folder}${glob ? ` matching ${glob}` : ''}${why}`);
  }
  return { source: { kind: 'files', paths: info.paths }, info: info.wire, sizes: info.sizes };
}

/** The flow log files a folder (and glob) holds, and those it leaves out with why. */
export async function describeFolder(folder: string, glob?: string): Promise<{ wire: SourceInfoWire; paths: string[]; sizes: number[] }> {
  const pattern = glob?.trim();
  // A glob is relative to the folder; expandInputs takes it from its fixed leading folders.
  const input = pattern ? join(folder, pattern) : folder;
  const { files, skipped } = await expandInputs([input]);
  const wire: SourceInfoWire = {
    folder,
    glob: pattern || undefined,
    files: files.length,
    bytes: files.reduce((n, f) => n + f.size, 0),
    skipped: skipped.map((s) => ({ path: s.path, reason: s.reason })),
  };
  return { wire, paths: files.map((f) => f.path), sizes: files.map((f) => f.size) };
}

/**
 * An AbortSignal that follows an LSP cancellation token, and `answer`, which passes a result on unless the request was
 * cancelled before it was ready (a job that reached its end before it saw the cancel still answers RequestCancelled).
 */
export function abortOn(token: { isCancellationRequested: boolean; onCancellationRequested(listener: () => void): { dispose(): void } } | undefined): { signal: AbortSignal; answer<T>(result: T): T; dispose(): void } {
  const abort = new AbortController();
  const sub = token?.onCancellationRequested(() => abort.abort());
  if (token?.isCancellationRequested) abort.abort(); // cancelled before it started
  const answer = <T>(result: T): T => {
    if (abort.signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'the request was cancelled');
    return result;
  };
  return { signal: abort.signal, answer, dispose: () => sub?.dispose() };
}

/**
 * What a request that failed answers: RequestCancelled (-32800) when it was cancelled (whatever the engine threw on
 * its way out), else the error as it is.
 */
export function cancelledOr(e: unknown, signal: AbortSignal): unknown {
  if (signal.aborted || (e instanceof Error && e.name === 'AbortError')) return new ResponseError(LSPErrorCodes.RequestCancelled, 'the request was cancelled');
  return e;
}

/**
 * The frame of a query request: cancellation as an AbortSignal, work-done progress begun and ended, a query error as
 * the response error the panels show at its position, and RequestCancelled when it was cancelled.
 */
export async function queryRequest<T>(title: string, query: string, token: CancellationToken | undefined, progress: WorkDoneProgressReporter | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = abortOn(token);
  progress?.begin(title, 0, query, true);
  try {
    return abort.answer(await run(abort.signal));
  } catch (e) {
    if (e instanceof QueryError) throw queryErrorResponse(e, query);
    throw cancelledOr(e, abort.signal);
  } finally {
    abort.dispose();
    progress?.done();
  }
}

/**
 * An engine onProgress that reports whole percents to `progress`, each once. With the sizes of several files, the
 * message says how far in files and bytes (files are handed out in order, so the count of files read is exact on
 * one thread and behind by the threads' files in flight at most).
 */
export function percentReporter(progress: WorkDoneProgressReporter | undefined, sizes?: number[]): (done: number, total: number) => void {
  let lastPercent = -1;
  const ends = sizes && sizes.length > 1 ? cumulative(sizes) : undefined;
  return (done, total) => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 0;
    if (percent === lastPercent) return;
    lastPercent = percent;
    if (!ends) {
      progress?.report(percent, `${percent}%`);
      return;
    }
    let files = 0;
    while (files < ends.length && ends[files] <= done) files++;
    progress?.report(percent, `${files.toLocaleString('en-US')} of ${ends.length.toLocaleString('en-US')} files · ${formatBytes(done)} of ${formatBytes(total)}`);
  };
}

function cumulative(sizes: number[]): number[] {
  let sum = 0;
  return sizes.map((s) => (sum += s));
}

/** A query's error as LSP error data: 1-based position and the message with its caret. */
export function queryErrorData(e: QueryError, query: string): QueryErrorData {
  return { offset: e.offset, line: e.line, column: e.column, formatted: e.format(query) };
}

/** A query that does not parse (or names what is not there), as the response error the panels show at its position. */
function queryErrorResponse(e: QueryError, query: string): ResponseError<QueryErrorData> {
  return new ResponseError(QUERY_SYNTAX_ERROR, e.message, queryErrorData(e, query));
}

/** Line n of the engine's text as the editor's line: a JSON or CSV document's own line, a Parquet view's one down. */
export function documentLine(lines: Int32Array | undefined, shift = 0): ((line: number) => number) | undefined {
  if (!lines && !shift) return undefined;
  return (line) => (lines && line >= 1 && line <= lines.length ? lines[line - 1] : line) + shift;
}
