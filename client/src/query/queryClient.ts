// Typed calls of the server's query requests, with VS Code progress and cancellation.
import * as vscode from 'vscode';
import { LanguageClient, ResponseError, WorkDoneProgress } from 'vscode-languageclient/node';
import { FlowLogClient } from '../languageClient';
import { CheckQueryRequest, QUERY_SYNTAX_ERROR, QueryErrorData, QueryParams, QueryRequest, QueryResultWire, QueryRowsProgress, rowsOfBatch } from '../../../server/src/protocol';
import { QueryBackend, QueryFailure } from '../panels/queryRunner';
import { clickhouseOptionsFor } from '../clickhouse/access';

let nextToken = 0;

/** A fresh progress token for a request, and a subscription to the percents the server reports against it. */
export function watchWorkDone(client: LanguageClient, onPercent: (percent: number, message?: string) => void): { token: string; dispose(): void } {
  const token = `flowlog-progress-${++nextToken}`;
  const sub = client.onProgress(WorkDoneProgress.type, token, (p) => {
    if (p.kind === 'report' && typeof p.percentage === 'number') onPercent(p.percentage, p.message);
  });
  return { token, dispose: () => sub.dispose() };
}

/** Runs a query with a cancellable progress notification; undefined when cancelled or failed (after telling why). */
export async function runQueryWithProgress(clients: FlowLogClient, params: Omit<QueryParams, 'workDoneToken'>): Promise<QueryResultWire | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Flow log query', cancellable: true },
    async (progress, token) => {
      const client = await clients.get();
      let last = 0;
      const work = watchWorkDone(client, (percent, message) => {
        progress.report({ increment: percent - last, message });
        last = percent;
      });
      try {
        return await client.sendRequest(QueryRequest, { ...params, clickhouse: await clickhouseOptionsFor(client, params.uri), workDoneToken: work.token }, token);
      } catch (e) {
        if (token.isCancellationRequested) return undefined;
        if (e instanceof ResponseError && e.code === QUERY_SYNTAX_ERROR) {
          const data = e.data as QueryErrorData | undefined;
          void vscode.window.showErrorMessage(`Query error at ${data?.line}:${data?.column}: ${e.message}`);
        } else {
          void vscode.window.showErrorMessage(`Flow log query failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        return undefined;
      } finally {
        work.dispose();
      }
    },
  );
}

/** The message to show under an input box, or undefined when the query parses. */
export async function queryProblem(clients: FlowLogClient, query: string): Promise<string | undefined> {
  const e = await (await clients.get()).sendRequest(CheckQueryRequest, { query });
  return e ? `${e.line}:${e.column}: ${e.message}` : undefined;
}

/** The query panel's backend: the language server, with first rows, progress and cancellation. */
export function languageServerBackend(clients: FlowLogClient, source: () => { uri: vscode.Uri; glob?: string } | undefined, limit: number): QueryBackend {
  return {
    async run(query, hooks, signal) {
      const target = source();
      if (!target) throw new QueryFailure('No flow log is bound to this panel: open a .flowlog file.');
      const client = await clients.get();
      const partialResultToken = `flowlog-panel-rows-${++nextToken}`;
      const cancel = new vscode.CancellationTokenSource();
      const onAbort = () => cancel.cancel();
      signal.addEventListener('abort', onAbort);
      const work = watchWorkDone(client, (percent, message) => hooks.onProgress(percent, message));
      // Rows the server sent as the text its workers wrote are parsed here, off the server's main thread.
      const rows = client.onProgress(QueryRowsProgress, partialResultToken, (batch) => hooks.onRows({ columns: batch.columns, rows: rowsOfBatch(batch) }));
      try {
        const uri = target.uri.toString();
        const clickhouse = await clickhouseOptionsFor(client, uri);
        return await client.sendRequest(QueryRequest, { uri, glob: target.glob, query, limit, clickhouse, workDoneToken: work.token, partialResultToken }, cancel.token);
      } catch (e) {
        if (e instanceof ResponseError && e.code === QUERY_SYNTAX_ERROR) {
          const data = e.data as QueryErrorData;
          throw new QueryFailure(e.message, { ...data, message: e.message });
        }
        throw e;
      } finally {
        signal.removeEventListener('abort', onAbort);
        work.dispose();
        rows.dispose();
        cancel.dispose();
      }
    },
    async check(query) {
      return (await clients.get()).sendRequest(CheckQueryRequest, { query });
    },
  };
}
