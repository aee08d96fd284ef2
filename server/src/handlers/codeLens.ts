// The CodeLens on a flow log's first line: its counts, and the way into the summary and the query panel.
// The commands are the client's; the counts are the document's own, kept current by incremental validation.
import { CodeLens } from 'vscode-languageserver';
import { FlowLogDocument } from '../core/document';
import { countOf as count } from '../core/decode/counts';

export const SHOW_SUMMARY_COMMAND = 'flowlog.showSummary';
export const OPEN_QUERY_PANEL_COMMAND = 'flowlog.openQueryPanel';

export function codeLensesFor(doc: FlowLogDocument, uri: string): CodeLens[] {
  const stats = doc.statsSoFar(); // no validation here: a lens request must not wait for it
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const counts = `${count(stats.records, 'record')} · ${count(stats.rejects, 'rejected', 'rejected')} · ${count(stats.problems, 'problem')}`;
  return [
    { range, command: { title: counts, command: SHOW_SUMMARY_COMMAND, arguments: [uri] } },
    { range, command: { title: 'Summary', command: SHOW_SUMMARY_COMMAND, arguments: [uri] } },
    { range, command: { title: 'Query', command: OPEN_QUERY_PANEL_COMMAND, arguments: [uri] } },
  ];
}
