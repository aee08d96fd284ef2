// flowlog/summary: the dashboard of a flow log, from the open document or streamed from the file on disk, or of
// every flow log under a folder (with a section per file).
import { CancellationToken, Connection, WorkDoneProgressReporter } from 'vscode-languageserver';
import { computeSummary } from '../core/summary';
import { FlowLogSettings, SummaryParams, SummaryRequest, SummaryResultWire, SummarySectionProgress, SummarySectionWire } from '../protocol';
import { DocumentStore } from './documents';
import { abortOn, cancelledOr, percentReporter, resolveSource } from './source';
import { clickhouseTargetOf } from '../clickhouseTarget';
import { executeClickHouseSummary } from './clickhouse';

export async function executeSummary(documents: DocumentStore, params: SummaryParams, settings: FlowLogSettings, token?: CancellationToken, progress?: WorkDoneProgressReporter, onSection?: (s: SummarySectionWire) => void): Promise<SummaryResultWire> {
  const clickhouse = clickhouseTargetOf(params.uri);
  if (clickhouse) return executeClickHouseSummary(clickhouse, params.clickhouse, token, progress);
  const started = performance.now();
  const { source, info, sizes } = await resolveSource(documents, params.uri, false, params.glob);
  const abort = abortOn(token);
  progress?.begin('Flow log summary', 0, undefined, true);
  try {
    const summary = await computeSummary(source, {
      signal: abort.signal, memoryBudget: settings.query.memoryBudgetMB * (1 << 20), onProgress: percentReporter(progress, sizes), onSection: onSection && ((section, table) => onSection({ section, table })),
      onPartial: onSection && ((section, table, partial) => onSection({ section, table, partial })),
      files: info ? source.kind === 'files' ? source.paths.map((path, i) => ({ path, size: sizes![i] })) : undefined : undefined,
    });
    return abort.answer({ summary, elapsedMs: Math.round(performance.now() - started), source: info });
  } catch (e) {
    throw cancelledOr(e, abort.signal);
  } finally {
    abort.dispose();
    progress?.done();
  }
}

export function registerSummaryHandler(connection: Connection, documents: DocumentStore, settings: () => FlowLogSettings): void {
  connection.onRequest(SummaryRequest, (params, token) => {
    const sectionsToken = params.partialResultToken;
    const onSection = sectionsToken !== undefined ? (s: SummarySectionWire) => void connection.sendProgress(SummarySectionProgress, sectionsToken, s) : undefined;
    return executeSummary(documents, params, settings(), token, params.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined, onSection);
  });
}
