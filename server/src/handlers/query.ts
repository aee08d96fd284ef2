// flowlog/query and flowlog/checkQuery: the core query engine over an open document, or over the file on disk
// when the document is not open here (VS Code never syncs files over 50 MB to extensions).
import { CancellationToken, Connection, ResponseError, WorkDoneProgressReporter } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { QueryError, QuerySource, checkQuery, runQuery } from '../core/query';
import { fileHeaderNames } from '../core/query/sources';
import { describeRecord } from '../core/explain';
import { makeFormat } from '../core/scan';
import { CheckQueryRequest, FlowLogSettings, QUERY_SYNTAX_ERROR, QueryErrorData, QueryParams, QueryRequest, QueryResultWire } from '../protocol';
import { DocumentStore } from './documents';

function errorData(e: QueryError, query: string): QueryErrorData {
  return { offset: e.offset, line: e.line, column: e.column, formatted: e.format(query) };
}

export async function executeQuery(
  documents: DocumentStore,
  params: QueryParams,
  settings: FlowLogSettings,
  token?: CancellationToken,
  progress?: WorkDoneProgressReporter,
): Promise<QueryResultWire> {
  const doc = documents.get(params.uri);
  let source: QuerySource;
  let header: string | undefined;
  if (doc) {
    source = { kind: 'text', text: doc.getText(), name: URI.parse(params.uri).fsPath };
    header = doc.hasHeader ? doc.headerText() : undefined;
  } else {
    const uri = URI.parse(params.uri);
    if (uri.scheme !== 'file') throw new ResponseError(-32602, `${params.uri} is not open and not a file on disk`);
    source = { kind: 'files', paths: [uri.fsPath] };
    header = uri.fsPath.endsWith('.gz') ? undefined : (await fileHeaderNames(uri.fsPath).catch(() => undefined))?.join(' ');
  }
  const abort = new AbortController();
  const cancel = token?.onCancellationRequested(() => abort.abort());
  if (token?.isCancellationRequested) abort.abort(); // cancelled before it started
  progress?.begin('Flow log query', 0, params.query, true);
  let lastPercent = -1;
  try {
    const result = await runQuery(source, params.query, {
      limit: params.limit,
      signal: abort.signal,
      onProgress: (done, total) => {
        if (token?.isCancellationRequested) abort.abort();
        const percent = total > 0 ? Math.floor((done / total) * 100) : 0;
        if (percent !== lastPercent) {
          lastPercent = percent;
          progress?.report(percent, `${percent}%`);
        }
      },
    });
    const wire: QueryResultWire = { ...result, header };
    if (params.withReadings && result.kind === 'search') {
      const names = result.columns.filter((c) => c !== 'file' && c !== 'line');
      const format = makeFormat(names, 0);
      wire.readings = result.rows.map((row) => describeRecord(row.slice(0, names.length).map((v) => (v === null ? '-' : String(v))).join(' '), format, { timeZone: settings.timeZone }));
    }
    return wire;
  } catch (e) {
    if (e instanceof QueryError) throw new ResponseError(QUERY_SYNTAX_ERROR, e.message, errorData(e, params.query));
    throw e;
  } finally {
    cancel?.dispose();
    progress?.done();
  }
}

export function registerQueryHandlers(connection: Connection, documents: DocumentStore, settings: () => FlowLogSettings): void {
  connection.onRequest(QueryRequest, (params, token) => {
    const progress = params.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined;
    return executeQuery(documents, params, settings(), token, progress);
  });
  connection.onRequest(CheckQueryRequest, ({ query }) => {
    const e = checkQuery(query);
    return e ? { ...errorData(e, query), message: e.message } : null;
  });
}
