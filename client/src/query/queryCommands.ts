// The command-palette searches: Search…, Filter to New Editor, Run Query….
import * as vscode from 'vscode';
import { FlowLogClient } from '../languageClient';
import { DECODED_SCHEME, QueryResultWire } from '../../../server/src/protocol';
import { activeFlowLogUri, requireActiveFlowLog } from '../activeFlowLog';
import { clickhouseTargetOf } from '../../../server/src/clickhouseTarget';
import { notAFlowLog } from '../../../server/src/core/readers/inputs';
import { viewUriOf } from '../decoded/decodedUri';
import { stat } from 'node:fs/promises';
import { askQuery } from './askQuery';
import { runQueryWithProgress } from './queryClient';
import { RecentQueries } from './recentQueries';
import { toCsv } from '../../../server/src/core/query/csv';
import { labelText } from './labelText';

/** Commands may be given the query as an argument (tests, keybindings, links). */
type QueryArg = string | undefined;

/**
 * `boundTable`: the ClickHouse table the query panel is bound to, which Search searches when no flow log is active.
 */
export function registerQueryCommands(context: vscode.ExtensionContext, client: FlowLogClient, recent: RecentQueries, boundTable: () => vscode.Uri | undefined = () => undefined): void {

  const obtain = async (arg: QueryArg, title: string, prompt: string) => {
    if (typeof arg === 'string') {
      await recent.add(arg);
      return arg;
    }
    return askQuery(client, recent, title, prompt);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('flowlog.search', async (arg: QueryArg) => {
      const uri = activeFlowLogUri() ?? boundTable() ?? await requireActiveFlowLog();
      if (!uri) return;
      const query = await obtain(arg, 'Flow Logs: Search', 'Search the records (e.g. action:REJECT dstport:3389)');
      if (query === undefined) return;
      const result = await runQueryWithProgress(client, { uri: uri.toString(), query, withReadings: true, limit: 10_000 });
      if (!result) return;
      if (result.kind !== 'search') return showCsv(result);
      if (result.stats.conversations !== undefined) return pickConversation(uri, result);
      return pickRecord(uri, result);
    }),
    vscode.commands.registerCommand('flowlog.filterToNewEditor', async (arg: QueryArg) => {
      const uri = await requireActiveFlowLog();
      if (!uri) return;
      const query = await obtain(arg, 'Flow Logs: Filter to New Editor', 'Records matching this search go to a new editor');
      if (query === undefined) return;
      const result = await runQueryWithProgress(client, { uri: uri.toString(), query, limit: 1_000_000 });
      if (!result) return;
      if (result.kind !== 'search') {
        void vscode.window.showWarningMessage('Filter takes a search without SQL; use Run Query for SQL.');
        return;
      }
      if (result.stats.conversations !== undefined) {
        void vscode.window.showWarningMessage('Filter writes records; a search over conversations (verdict:…) runs with Search or in the query panel.');
        return;
      }
      const fields = result.columns.filter((c) => c !== 'file' && c !== 'line').length;
      const lines = result.rows.map((r) => r.slice(0, fields).map((v) => (v === null ? '-' : String(v))).join(' '));
      if (result.header) lines.unshift(result.header);
      const doc = await vscode.workspace.openTextDocument({ language: 'flowlog', content: lines.join('\n') + '\n' });
      await vscode.window.showTextDocument(doc, { preview: false });
      if (result.stats.matched > result.rows.length) {
        void vscode.window.showInformationMessage(`Showing the first ${result.rows.length.toLocaleString('en-US')} of ${result.stats.matched.toLocaleString('en-US')} matching records.`);
      }
    }),
    vscode.commands.registerCommand('flowlog.runQuery', async (arg: QueryArg) => {
      const uri = await requireActiveFlowLog();
      if (!uri) return;
      const query = await obtain(arg, 'Flow Logs: Run Query', 'search | SQL, e.g. * | select srcaddr, sum(bytes) as b group by srcaddr order by b desc limit 10');
      if (query === undefined) return;
      const result = await runQueryWithProgress(client, { uri: uri.toString(), query });
      if (result) await showCsv(result);
    }),
  );
}

async function showCsv(result: QueryResultWire): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'csv', content: toCsv(result.columns, result.rows) });
  await vscode.window.showTextDocument(doc, { preview: false });
}

async function pickRecord(uri: vscode.Uri, result: QueryResultWire): Promise<void> {
  const lineCol = result.columns.indexOf('line');
  const items = result.rows.map((row, i) => ({
    label: `$(symbol-event) line ${row[lineCol]}`,
    description: labelText(result.readings?.[i] ?? ''),
    line: Number(row[lineCol]) - 1,
  }));
  const more = result.stats.matched > result.rows.length ? ` (first ${result.rows.length.toLocaleString('en-US')})` : '';
  const choice = await vscode.window.showQuickPick(items, {
    title: `${result.stats.matched.toLocaleString('en-US')} matching records of ${result.stats.records.toLocaleString('en-US')}${more}`,
    matchOnDescription: true,
  });
  if (!choice) return;
  // A ClickHouse table's record names the file it was loaded from.
  const file = clickhouseTargetOf(uri.toString()) ? result.rows[items.indexOf(choice)][result.columns.indexOf('file')] : undefined;
  if (typeof file === 'string') await openLoadedFile(file, choice.line + 1);
  else await revealLine(uri, choice.line);
}

/** A search over conversations: one item per conversation, opening its request's record (else its reply's). */
async function pickConversation(uri: vscode.Uri, result: QueryResultWire): Promise<void> {
  const at = (name: string) => result.columns.indexOf(name);
  const value = (row: QueryResultWire['rows'][number], name: string) => row[at(name)];
  const items = result.rows.map((row) => {
    const side = typeof value(row, 'request_line') === 'number' ? 'request' : 'reply';
    return {
      label: `$(arrow-swap) ${labelText(String(value(row, 'verdict')))} · ${labelText(`${value(row, 'client_addr')}:${value(row, 'client_port')} → ${value(row, 'server_addr')}:${value(row, 'server_port')}`)}`,
      description: `${side} line ${value(row, `${side}_line`)} · ${labelText(String(value(row, 'interface_id')))}`,
      file: value(row, `${side}_file`),
      line: Number(value(row, `${side}_line`)) - 1,
    };
  });
  const more = result.stats.matched > result.rows.length ? ` (first ${result.rows.length.toLocaleString('en-US')})` : '';
  const choice = await vscode.window.showQuickPick(items, {
    title: `${result.stats.matched.toLocaleString('en-US')} matching conversations of ${(result.stats.conversations ?? 0).toLocaleString('en-US')}${more}`,
    matchOnDescription: true,
  });
  if (!choice || !(choice.line >= 0)) return;
  // A folder's conversation names its file; an open document's is the document.
  if (uri.scheme === 'file' && typeof choice.file === 'string' && choice.file !== uri.fsPath) {
    const { uri: view, lineOffset } = await viewUriOf(choice.file);
    await revealLine(view, choice.line + lineOffset);
  } else await revealLine(uri, choice.line);
}

/** Opens a file a ClickHouse row was loaded from at its line, when that file is a flow log on this machine. */
export async function openLoadedFile(file: string, line: number, avoid?: vscode.ViewColumn): Promise<void> {
  const size = await stat(file).then((st) => (st.isFile() ? st.size : -1), () => -1);
  if (size < 0 || (await notAFlowLog(file, size).catch(() => 'unreadable')) !== undefined) {
    void vscode.window.showInformationMessage(`This record was loaded from ${labelText(file)}, line ${line}, which is not a flow log on this machine.`);
    return;
  }
  const { uri, lineOffset } = await viewUriOf(file);
  await revealLine(uri, line - 1 + lineOffset, avoid);
}

/**
 * Opens `uri` at `line` through the editor service, which also works for files too big to sync to extensions.
 * It goes to the editor group already showing the file, else the first group that is not `avoid` (the panel the
 * click came from, which it would otherwise cover).
 */
export async function revealLine(uri: vscode.Uri, line: number, avoid?: vscode.ViewColumn): Promise<void> {
  const pos = new vscode.Position(line, 0);
  const viewColumn = columnShowing(uri) ?? (avoid === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
  // A decoded view (`x.log.gz`) by the text editor's name: its name alone would pick the custom editor that hands over.
  if (uri.scheme === DECODED_SCHEME) await vscode.commands.executeCommand('vscode.openWith', uri, 'default', { selection: new vscode.Range(pos, pos), preview: false, viewColumn });
  else await vscode.commands.executeCommand('vscode.open', uri, { selection: new vscode.Range(pos, pos), preview: false, viewColumn });
}

function columnShowing(uri: vscode.Uri): vscode.ViewColumn | undefined {
  const shows = (t: vscode.Tab) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString();
  const groups = vscode.window.tabGroups.all;
  return (groups.find((g) => g.activeTab && shows(g.activeTab)) ?? groups.find((g) => g.tabs.some(shows)))?.viewColumn;
}
