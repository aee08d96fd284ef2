// flowlog/query over conversations (`FROM conversations`, or a column only conversations have: core/querySubject.ts):
// the diagnosis's conversations as rows, over the same sources as a query on records (the open document, the file on
// disk, a decoded view's file, a folder and its glob), with progress, cancellation and the document's line numbers
// in request_line and reply_line (the panel opens a row at its request's record, else its reply's).
// The query runs on the job host thread (core/threads/offThread.ts), rows and all: the server's main thread answers
// other requests meanwhile.
import { CancellationToken, WorkDoneProgressReporter } from 'vscode-languageserver';
import { runConversationQuery } from '../core/diagnose/conversationQuery';
import type { QuerySource, Value } from '../core/query';
import { registerJob, runOffThread } from '../core/threads/offThread';
import { QueryParams, QueryResultWire } from '../protocol';
import { DocumentStore } from './documents';
import { documentLine, percentReporter, queryRequest, resolveSource } from './source';

/** The job that runs a conversations query off the main thread. */
export const CONVERSATION_QUERY_JOB = 'flowlog.conversationQuery';

export interface ConversationQueryJob {
  source: QuerySource;
  query: string;
  limit?: number;
  lines?: Int32Array;
  lineShift?: number;
}

registerJob(CONVERSATION_QUERY_JOB, async (payload, ctx): Promise<QueryResultWire> => {
  const { source, query, limit, lines, lineShift } = payload as ConversationQueryJob;
  const result = await runConversationQuery(source, query, { limit, diagnose: { signal: ctx.signal, onProgress: ctx.onProgress, spillDir: ctx.spillDir } });
  toDocumentLines(result.columns, result.rows, documentLine(lines, lineShift));
  const { stats } = result;
  return {
    columns: result.columns,
    rows: result.rows,
    kind: result.kind,
    stats: {
      records: stats.inputRecords,
      conversations: stats.records,
      matched: stats.matched,
      malformed: stats.malformed,
      bytes: stats.bytes,
      elapsedMs: stats.elapsedMs,
      ...(stats.warnings.length > 0 ? { warnings: stats.warnings } : {}),
    },
  };
});

export async function executeConversationQuery(documents: DocumentStore, params: QueryParams, token?: CancellationToken, progress?: WorkDoneProgressReporter): Promise<QueryResultWire> {
  const { source, lines, lineShift, info, sizes } = await resolveSource(documents, params.uri, false, params.glob);
  return queryRequest('Conversation query', params.query, token, progress, async (signal) => {
    const job: ConversationQueryJob = { source, query: params.query, limit: params.limit, lines, lineShift };
    const wire = await runOffThread<QueryResultWire>(CONVERSATION_QUERY_JOB, job, { signal, onProgress: percentReporter(progress, sizes) });
    return { ...wire, source: info };
  });
}

/** request_line and reply_line as the editor's lines (documentLine), in place. */
function toDocumentLines(columns: readonly string[], rows: Value[][], lineOf: ((line: number) => number) | undefined): void {
  if (!lineOf) return;
  for (const name of ['request_line', 'reply_line']) {
    const at = columns.indexOf(name);
    if (at < 0) continue;
    for (const row of rows) {
      const line = row[at];
      if (typeof line === 'number') row[at] = lineOf(line);
    }
  }
}
