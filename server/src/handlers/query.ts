// flowlog/query, flowlog/checkQuery and flowlog/sourceInfo: the core query engine over an open document, the file
// on disk when the document is not open here (VS Code never syncs files over 50 MB to extensions), or every flow
// log under a folder. A search streams its first rows as partial results while the scan goes on. Rows of a JSON or
// CSV document carry the document's line numbers (its engine text may hold header lines made of its keys).
import { CancellationToken, Connection, ResponseError, WorkDoneProgressReporter } from 'vscode-languageserver';
import { QueryError, checkQuery, runQuery } from '../core/query';
import { abortOn, cancelledOr, describeFolder, percentReporter, resolveSource } from './source';
import { remapLineColumn } from '../core/documentShape';
import { URI } from 'vscode-uri';
import { describeRecord } from '../core/explain';
import { makeFormat } from '../core/scan';
import { CheckQueryRequest, FlowLogSettings, QUERY_SYNTAX_ERROR, QueryErrorData, QueryParams, QueryRequest, QueryResultWire, QueryRowsBatch, QueryRowsProgress, SourceInfoRequest } from '../protocol';
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
  onRows?: (batch: QueryRowsBatch) => void,
): Promise<QueryResultWire> {
  const { source, header, lines, lineShift, info, sizes } = await resolveSource(documents, params.uri, true, params.glob);
  const toDocumentLines = (columns: string[], rows: QueryRowsBatch['rows']) => {
    remapLineColumn(columns, rows, lines);
    if (lineShift) shiftLineColumn(columns, rows, lineShift);
  };
  const abort = abortOn(token);
  progress?.begin('Flow log query', 0, params.query, true);
  try {
    const result = await runQuery(source, params.query, {
      limit: params.limit,
      signal: abort.signal,
      onRows: onRows ? (rows, columns) => {
        toDocumentLines(columns, rows);
        onRows({ columns, rows });
      } : undefined,
      onProgress: percentReporter(progress, sizes),
    });
    toDocumentLines(result.columns, result.rows);
    const wire: QueryResultWire = { ...result, header, source: info };
    if (params.withReadings && result.kind === 'search') {
      const names = result.columns.filter((c) => c !== 'file' && c !== 'line');
      const format = makeFormat(names, 0);
      wire.readings = result.rows.map((row) => describeRecord(row.slice(0, names.length).map((v) => (v === null ? '-' : String(v))).join(' '), format, { timeZone: settings.timeZone }));
    }
    return wire;
  } catch (e) {
    if (e instanceof QueryError) throw new ResponseError(QUERY_SYNTAX_ERROR, e.message, errorData(e, params.query));
    throw cancelledOr(e, abort.signal);
  } finally {
    abort.dispose();
    progress?.done();
  }
}

/** `line` values of result rows moved `shift` lines down, in place. */
function shiftLineColumn(columns: readonly string[], rows: QueryRowsBatch['rows'], shift: number): void {
  const at = columns.indexOf('line');
  if (at >= 0) for (const row of rows) if (typeof row[at] === 'number') row[at] = (row[at] as number) + shift;
}

export function registerQueryHandlers(connection: Connection, documents: DocumentStore, settings: () => FlowLogSettings): void {
  connection.onRequest(QueryRequest, (params, token) => {
    const progress = params.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined;
    const rowsToken = params.partialResultToken;
    const rows = rowsToken !== undefined ? (batch: QueryRowsBatch) => void connection.sendProgress(QueryRowsProgress, rowsToken, batch) : undefined;
    return executeQuery(documents, params, settings(), token, progress, rows);
  });
  connection.onRequest(SourceInfoRequest, async ({ uri, glob }) => (await describeFolder(URI.parse(uri).fsPath, glob)).wire);
  connection.onRequest(CheckQueryRequest, ({ query }) => {
    const e = checkQuery(query);
    return e ? { ...errorData(e, query), message: e.message } : null;
  });
}
