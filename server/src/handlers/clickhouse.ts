// The ClickHouse requests: a query or summary whose source is a ClickHouse table (a `flowlog-clickhouse:` URI),
// loading files into a table, the key credentials are sealed with, and translation for `Copy Query As…`. Thin glue
// over core/clickhouse and core/translate: credentials are opened here, for the request, and kept nowhere; every
// failure of the server is one ResponseError (CLICKHOUSE_ERROR) whose message names the server and never the
// credentials. A ClickHouse search sends no first rows while it runs: an answer cut short is an error, never rows.
import { CancellationToken, Connection, ResponseError, WorkDoneProgressReporter } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { setMaxListeners } from 'node:events';
import { ClickHouseClient, computeClickHouseSummary, isClickHouseError, loadFiles, runClickHouseQuery } from '../core/clickhouse';
import type { ClickHouseCredentials } from '../core/clickhouse';
import { checkTableName } from '../core/clickhouse/schema';
import { QueryError } from '../core/query';
import { DIALECTS, translateQuery } from '../core/translate';
import { formatBytes } from '../core/decode';
import { ClickHouseTarget } from '../clickhouseTarget';
import { CredentialOpener } from '../sealedCredentials';
import {
  CLICKHOUSE_ERROR, ClickHouseErrorData, ClickHouseKeyRequest, ClickHouseLoadParams, ClickHouseLoadRequest, ClickHouseLoadResultWire,
  ClickHouseRequestOptions, QUERY_SYNTAX_ERROR, QueryParams, QueryResultWire, SummaryResultWire, TranslateRequest,
} from '../protocol';
import { abortOn, cancelledOr, percentReporter } from './source';

/** One key pair per server process: what a client sealed for an earlier server cannot be opened here. */
const opener = new CredentialOpener();

function credentialsOf(options: ClickHouseRequestOptions | undefined): ClickHouseCredentials | undefined {
  if (!options?.credentials) return undefined;
  try {
    return opener.open(options.credentials);
  } catch (e) {
    throw new ResponseError<ClickHouseErrorData>(CLICKHOUSE_ERROR, (e as Error).message, { kind: 'credentials' });
  }
}

const timeoutOf = (options: ClickHouseRequestOptions | undefined) =>
  options?.timeoutMs !== undefined && Number.isFinite(options.timeoutMs) && options.timeoutMs > 0 ? options.timeoutMs : undefined;

/** What a failed ClickHouse request answers: cancelled, a query error at its position, or the server's one message. */
function failure(e: unknown, signal: AbortSignal, query?: string): unknown {
  if (signal.aborted) return cancelledOr(e, signal);
  if (e instanceof QueryError && query !== undefined) {
    return new ResponseError(QUERY_SYNTAX_ERROR, e.message, { offset: e.offset, line: e.line, column: e.column, formatted: e.format(query) });
  }
  if (isClickHouseError(e)) return new ResponseError<ClickHouseErrorData>(CLICKHOUSE_ERROR, e.message, { kind: e.kind });
  return cancelledOr(e, signal);
}

export async function executeClickHouseQuery(target: ClickHouseTarget, params: QueryParams, token?: CancellationToken, progress?: WorkDoneProgressReporter): Promise<QueryResultWire> {
  const credentials = credentialsOf(params.clickhouse);
  const abort = abortOn(token);
  progress?.begin('Flow log query (ClickHouse)', 0, params.query, true);
  try {
    const result = await runClickHouseQuery({ kind: 'clickhouse', ...target }, params.query, {
      limit: params.limit, signal: abort.signal, credentials, timeoutMs: timeoutOf(params.clickhouse), onProgress: percentReporter(progress),
    });
    return abort.answer({ ...result });
  } catch (e) {
    throw failure(e, abort.signal, params.query);
  } finally {
    abort.dispose();
    progress?.done();
  }
}

export async function executeClickHouseSummary(target: ClickHouseTarget, options: ClickHouseRequestOptions | undefined, token?: CancellationToken, progress?: WorkDoneProgressReporter): Promise<SummaryResultWire> {
  const started = performance.now();
  const credentials = credentialsOf(options);
  const abort = abortOn(token);
  // The summary's ten queries (and their counts and progress) each listen to the one signal: no leak to warn of.
  setMaxListeners(64, abort.signal);
  progress?.begin('Flow log summary (ClickHouse)', undefined, undefined, true);
  try {
    const summary = await computeClickHouseSummary({ kind: 'clickhouse', ...target }, { credentials, signal: abort.signal, timeoutMs: timeoutOf(options) });
    return abort.answer({ summary, elapsedMs: Math.round(performance.now() - started) });
  } catch (e) {
    throw failure(e, abort.signal);
  } finally {
    abort.dispose();
    progress?.done();
  }
}

export async function executeClickHouseLoad(params: ClickHouseLoadParams, token?: CancellationToken, progress?: WorkDoneProgressReporter): Promise<ClickHouseLoadResultWire> {
  const problem = checkTableName(params.table);
  if (problem) throw new ResponseError(-32602, problem);
  const paths = params.uris.map((u) => {
    const uri = URI.parse(u);
    if (uri.scheme !== 'file') throw new ResponseError(-32602, `${u} is not a file on disk: only files and folders on disk can be loaded`);
    return uri.fsPath;
  });
  const credentials = credentialsOf(params.clickhouse);
  const abort = abortOn(token);
  progress?.begin(`Loading into ${params.table}`, 0, undefined, true);
  let lastReport = 0;
  try {
    const client = new ClickHouseClient({ url: params.url, credentials, timeoutMs: timeoutOf(params.clickhouse) });
    return await loadFiles(client, paths, {
      table: params.table,
      signal: abort.signal,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastReport < 200 && p.bytesDone < p.bytesTotal) return;
        lastReport = now;
        const fileShare = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 1;
        const percent = Math.min(100, Math.floor(((p.fileIndex + fileShare) / Math.max(1, p.files)) * 100));
        const files = p.files > 1 ? `file ${p.fileIndex + 1} of ${p.files} · ` : '';
        const malformed = p.malformed > 0 ? ` · ${p.malformed.toLocaleString('en-US')} malformed lines skipped` : '';
        progress?.report(percent, `${files}${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} · ${p.records.toLocaleString('en-US')} records${malformed}`);
      },
    });
  } catch (e) {
    if (typeof (e as NodeJS.ErrnoException).code === 'string' && !isClickHouseError(e)) {
      throw new ResponseError(-32602, `cannot read ${(e as NodeJS.ErrnoException).path ?? 'the input'}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message}`);
    }
    throw failure(e, abort.signal);
  } finally {
    abort.dispose();
    progress?.done();
  }
}

export function registerClickHouseHandlers(connection: Connection): void {
  connection.onRequest(ClickHouseKeyRequest, () => ({ publicKey: opener.publicKey }));
  connection.onRequest(ClickHouseLoadRequest, (params, token) =>
    executeClickHouseLoad(params, token, params.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined));
  connection.onRequest(TranslateRequest, ({ query, dialect, table }) => {
    if (!DIALECTS.includes(dialect)) throw new ResponseError(-32602, `no such dialect: ${String(dialect)} (${DIALECTS.join(', ')})`);
    if (table !== undefined && checkTableName(table)) throw new ResponseError(-32602, checkTableName(table)!);
    try {
      return translateQuery(query, dialect, { table });
    } catch (e) {
      if (e instanceof QueryError) throw new ResponseError(QUERY_SYNTAX_ERROR, e.message, { offset: e.offset, line: e.line, column: e.column, formatted: e.format(query) });
      throw e;
    }
  });
}
