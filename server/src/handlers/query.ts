// flowlog/query, flowlog/checkQuery and flowlog/sourceInfo: the core query engine over an open document, the file
// on disk when the document is not open here (VS Code never syncs files over 50 MB to extensions), or every flow
// log under a folder. A search streams its first rows as partial results while the scan goes on. Rows of a JSON or
// CSV document carry the document's line numbers (its engine text may hold header lines made of its keys).
import { CancellationToken, Connection, WorkDoneProgressReporter } from 'vscode-languageserver';
import { runQuery } from '../core/query';
import { describeFolder, percentReporter, queryErrorData, queryRequest, resolveSource } from './source';
import { checkAnyQuery, querySubjectOf } from '../core/querySubject';
import { executeConversationQuery } from './conversationQuery';
import { remapLineColumn } from '../core/documentShape';
import { URI } from 'vscode-uri';
import { describeRecord } from '../core/explain';
import { makeFormat } from '../core/scan';
import { CheckQueryRequest, FlowLogSettings, QueryParams, QueryRequest, QueryResultWire, QueryRowsBatch, QueryRowsProgress, SourceInfoRequest } from '../protocol';
import { DocumentStore } from './documents';
import { clickhouseTargetOf } from '../clickhouseTarget';
import { executeClickHouseQuery } from './clickhouse';
import { PacedRows, RowsToSend } from './pacedRows';
import { parseRowsJson } from '../core/query/rowsJson';

export async function executeQuery(
  documents: DocumentStore,
  params: QueryParams,
  settings: FlowLogSettings,
  token?: CancellationToken,
  progress?: WorkDoneProgressReporter,
  /** Rows as partial results; a promise returned holds the next ones back (PacedRows). */
  onRows?: (batch: RowsToSend) => void | Promise<void>,
): Promise<QueryResultWire> {
  const clickhouse = clickhouseTargetOf(params.uri);
  if (!clickhouse && querySubjectOf(params.query) === 'conversations') return executeConversationQuery(documents, params, token, progress);
  if (clickhouse) return withReadings(await executeClickHouseQuery(clickhouse, params, token, progress), params, settings);
  const { source, header, lines, lineShift, info, sizes } = await resolveSource(documents, params.uri, true, params.glob);
  const toDocumentLines = (columns: string[], rows: QueryRowsBatch['rows']) => {
    remapLineColumn(columns, rows, lines);
    if (lineShift) shiftLineColumn(columns, rows, lineShift);
  };
  // Rows sent as partial results are not sent again, nor kept here: the response holds the rest (the client puts
  // them together).
  let streamed = 0;
  return queryRequest('Flow log query', params.query, token, progress, async (signal) => {
    const result = await runQuery(source, params.query, {
      limit: params.limit,
      signal,
      onRows: onRows ? (rows, columns, texts) => {
        // Texts go on as the workers wrote them, unless their line numbers must be mapped to the document's.
        if (texts && (lines || lineShift)) {
          rows = [...rows, ...texts.flatMap(parseRowsJson)];
          texts = undefined;
        }
        toDocumentLines(columns, rows);
        streamed += rows.length;
        if (texts) for (const t of texts) streamed += t.count;
        return onRows({ columns, rows, texts });
      } : undefined,
      keepStreamedRows: onRows === undefined,
      rowsAsText: onRows !== undefined,
      onProgress: percentReporter(progress, sizes),
      memoryBudget: settings.query.memoryBudgetMB * (1 << 20),
    });
    const rest = result.rows;
    toDocumentLines(result.columns, rest);
    return withReadings({ ...result, rows: rest, ...(streamed > 0 ? { streamedRows: streamed } : {}), header, source: info }, params, settings);
  });
}

/** With `withReadings`, a search's rows each with its one-line reading. */
function withReadings(wire: QueryResultWire, params: QueryParams, settings: FlowLogSettings): QueryResultWire {
  if (params.withReadings && wire.kind === 'search') {
    const names = wire.columns.filter((c) => c !== 'file' && c !== 'line');
    const format = makeFormat(names, 0);
    wire.readings = wire.rows.map((row) => describeRecord(row.slice(0, names.length).map((v) => (v === null ? '-' : String(v))).join(' '), format, { timeZone: settings.timeZone }));
  }
  return wire;
}

/** `line` values of result rows moved `shift` lines down, in place. */
function shiftLineColumn(columns: readonly string[], rows: QueryRowsBatch['rows'], shift: number): void {
  const at = columns.indexOf('line');
  if (at >= 0) for (const row of rows) if (typeof row[at] === 'number') row[at] = (row[at] as number) + shift;
}

export function registerQueryHandlers(connection: Connection, documents: DocumentStore, settings: () => FlowLogSettings): void {
  connection.onRequest(QueryRequest, async (params, token) => {
    const progress = params.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined;
    const rowsToken = params.partialResultToken;
    const paced = rowsToken !== undefined ? new PacedRows((batch) => connection.sendProgress(QueryRowsProgress, rowsToken, batch)) : undefined;
    const cancelled = token.onCancellationRequested(() => paced?.stop());
    try {
      const result = await executeQuery(documents, params, settings(), token, progress, paced && ((batch) => paced.push(batch)));
      // The response comes after the rows sent as partial results (it holds only the rest).
      await paced?.flushed();
      return result;
    } catch (e) {
      paced?.stop();
      throw e;
    } finally {
      cancelled.dispose();
    }
  });
  connection.onRequest(SourceInfoRequest, async ({ uri, glob }) => (await describeFolder(URI.parse(uri).fsPath, glob)).wire);
  connection.onRequest(CheckQueryRequest, ({ query }) => {
    const e = checkAnyQuery(query);
    return e ? { ...queryErrorData(e, query), message: e.message } : null;
  });
}
