// The ClickHouse and translation commands: Query ClickHouse Table (binds the query panel and the summary to a
// table, as Query Folder binds them to a folder), Load into ClickHouse (files or folders, with progress and the
// malformed lines reported), Set ClickHouse Credentials (SecretStorage only) and Copy Query As….
import * as vscode from 'vscode';
import { ResponseError, WorkDoneProgress } from 'vscode-languageclient/node';
import {
  ClickHouseLoadRequest, QUERY_SYNTAX_ERROR, QueryDialect, QueryErrorData, TranslateRequest,
} from '../../../server/src/protocol';
import { clickhouseTargetOf, clickhouseTargetUri, clickhouseUrlProblem } from '../../../server/src/clickhouseTarget';
import { checkTableName } from '../../../server/src/core/clickhouse/schema';
import { activeFlowLogUri } from '../activeFlowLog';
import { askQuery } from '../query/askQuery';
import { PanelDeps, QueryPanel } from '../panels/queryPanel';
import { SummaryPanel } from '../panels/summaryPanel';
import { openInTurn } from '../panels/pageLoads';
import { DECODED_SCHEME } from '../../../server/src/protocol';
import { clickhouseSettings, requestOptions, storeCredentials, storedCredentials } from './access';
import { loadReportText, loadSummary } from './loadReport';
import { DIALECT_CHOICES, clipboardText, dialectLabel } from './dialects';

let output: vscode.OutputChannel | undefined;
const channel = () => (output ??= vscode.window.createOutputChannel('Flow Logs: ClickHouse'));

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The server's URL: `arg`, else the setting, else asked for (and saved to the setting when the user agrees). */
async function serverUrl(arg: unknown, title: string): Promise<string | undefined> {
  const given = str(arg);
  if (given) {
    const problem = clickhouseUrlProblem(given);
    if (problem) void vscode.window.showErrorMessage(`${title}: ${problem}.`);
    return problem ? undefined : given;
  }
  const configured = clickhouseSettings().url;
  if (configured && !clickhouseUrlProblem(configured)) return configured;
  const url = await vscode.window.showInputBox({
    title: `${title}: the ClickHouse server`,
    prompt: 'Its HTTP interface: http://host:8123 or https://host:8443 (saved as flowlog.clickhouse.url). User and password: Flow Logs: Set ClickHouse Credentials',
    value: configured || 'http://127.0.0.1:8123',
    ignoreFocusOut: true,
    validateInput: (v) => clickhouseUrlProblem(v),
  });
  if (url === undefined) return undefined;
  await vscode.workspace.getConfiguration('flowlog.clickhouse').update('url', url.trim(), vscode.ConfigurationTarget.Global);
  return url.trim();
}

/** The table: `arg`, else asked for with the setting's name filled in. */
async function tableName(arg: unknown, title: string, url: string): Promise<string | undefined> {
  const given = str(arg);
  if (given) {
    const problem = checkTableName(given);
    if (problem) void vscode.window.showErrorMessage(`${title}: ${problem}.`);
    return problem ? undefined : given;
  }
  const table = await vscode.window.showInputBox({
    title: `${title}: the table on ${new URL(url).host}`,
    prompt: 'name or database.name (the setting flowlog.clickhouse.table is the default)',
    value: clickhouseSettings().table || 'flows',
    ignoreFocusOut: true,
    validateInput: (v) => checkTableName(v.trim()),
  });
  return table?.trim() || undefined;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function registerClickHouseCommands(deps: PanelDeps): void {
  const { context, client } = deps;

  const queryTable = async (urlArg?: unknown, tableArg?: unknown) => {
    const title = 'Query ClickHouse Table';
    const url = await serverUrl(urlArg, title);
    if (!url) return;
    const table = await tableName(tableArg, title, url);
    if (!table) return;
    const target = { uri: vscode.Uri.parse(clickhouseTargetUri({ url, table })) };
    // The query panel once the summary's page has loaded (two pages loading at once can leave one blank).
    await openInTurn(() => SummaryPanel.show(deps, target), () => QueryPanel.show(deps, { target }));
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('flowlog.queryClickHouseTable', queryTable),

    vscode.commands.registerCommand('flowlog.setClickHouseCredentials', async (urlArg?: unknown) => {
      const title = 'Set ClickHouse Credentials';
      const url = await serverUrl(urlArg, title);
      if (!url) return;
      const host = new URL(url).host;
      const existing = await storedCredentials(url);
      if (existing) {
        const action = await vscode.window.showQuickPick(
          [{ label: 'Change the user and password…', id: 'set' }, { label: `Forget the credentials of ${host}`, description: `user ${existing.user}`, id: 'clear' }],
          { title: `${title}: ${host}` },
        );
        if (!action) return;
        if (action.id === 'clear') {
          await storeCredentials(url, undefined);
          void vscode.window.showInformationMessage(`Forgot the ClickHouse credentials of ${host}.`);
          return;
        }
      }
      const user = await vscode.window.showInputBox({ title: `${title}: ${host}`, prompt: 'User', value: existing?.user ?? 'default', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'a user name') });
      if (user === undefined) return;
      const password = await vscode.window.showInputBox({ title: `${title}: ${host}`, prompt: `Password of ${user.trim()} (kept in VS Code's secret storage; empty: none)`, password: true, ignoreFocusOut: true });
      if (password === undefined) return;
      await storeCredentials(url, { user: user.trim(), password });
      void vscode.window.showInformationMessage(`ClickHouse credentials of ${host} saved in VS Code's secret storage (user ${user.trim()}).`);
    }),

    // (uri, table, url) from a call; (uri, selected uris) from the Explorer's menu on a multiple selection.
    vscode.commands.registerCommand('flowlog.loadIntoClickHouse', async (arg?: unknown, tableArg?: unknown, urlArg?: unknown) => {
      const title = 'Load into ClickHouse';
      const selection = Array.isArray(tableArg) && tableArg.length > 0 ? tableArg : undefined;
      const inputs = await loadInputs(selection ?? arg);
      if (!inputs) return;
      const url = await serverUrl(selection ? undefined : urlArg, title);
      if (!url) return;
      const table = await tableName(selection ? undefined : tableArg, title, url);
      if (!table) return;
      const lc = await client.get();
      const what = inputs.length === 1 ? inputs[0].path.split('/').filter(Boolean).pop() : `${inputs.length} files and folders`;
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Loading ${what} into ${table}`, cancellable: true },
          async (progress, token) => {
            const workDoneToken = `flowlog-load-${Date.now()}-${Math.random().toString(36).slice(2)}`;
            let last = 0;
            const sub = lc.onProgress(WorkDoneProgress.type, workDoneToken, (p) => {
              if (p.kind !== 'report') return;
              const percent = typeof p.percentage === 'number' ? p.percentage : last;
              progress.report({ increment: percent - last, message: p.message });
              last = percent;
            });
            try {
              return await lc.sendRequest(ClickHouseLoadRequest, { uris: inputs.map((u) => u.toString()), url, table, clickhouse: await requestOptions(lc, url), workDoneToken }, token);
            } catch (e) {
              if (token.isCancellationRequested) return undefined;
              throw e;
            } finally {
              sub.dispose();
            }
          },
        );
        if (!result) {
          void vscode.window.showWarningMessage(`${title}: cancelled. The batches that were sent stay in ${table}; loading again goes on where it stopped.`);
          return;
        }
        channel().appendLine(loadReportText(result, new URL(url).origin));
        const failed = result.files.some((f) => f.status === 'failed');
        const show = failed || result.malformed > 0 ? (m: string, ...items: string[]) => vscode.window.showWarningMessage(m, ...items) : (m: string, ...items: string[]) => vscode.window.showInformationMessage(m, ...items);
        const choice = await show(loadSummary(result), 'Query Table', 'Show Report');
        if (choice === 'Show Report') channel().show(true);
        else if (choice === 'Query Table') await queryTable(url, table);
      } catch (e) {
        void vscode.window.showErrorMessage(`${title}: ${errorText(e)}`);
      }
    }),

    vscode.commands.registerCommand('flowlog.copyQueryAs', async (queryArg?: unknown, dialectArg?: unknown) => {
      const title = 'Copy Query As…';
      const query = str(queryArg) ?? QueryPanel.currentQuery()?.trim() ?? await askQuery(client, deps.recent, title, 'The query to write for another engine');
      if (!query) {
        if (query === '') void vscode.window.showWarningMessage(`${title}: the query panel's query is empty.`);
        return;
      }
      let dialect = DIALECT_CHOICES.find((c) => c.dialect === dialectArg)?.dialect;
      if (!dialect) {
        const pick = await vscode.window.showQuickPick(DIALECT_CHOICES.map((c) => ({ ...c, description: undefined })), { title: `${title} ${query.length > 60 ? `${query.slice(0, 60)}…` : query}`, matchOnDetail: true });
        if (!pick) return;
        dialect = pick.dialect;
      }
      await copyAs(deps, query, dialect);
    }),
  );
}

async function copyAs(deps: PanelDeps, query: string, dialect: QueryDialect): Promise<void> {
  const lc = await deps.client.get();
  // ClickHouse SQL names the table the panel is bound to, else the setting's.
  const bound = QueryPanel.boundTable();
  const table = dialect === 'clickhouse' ? (bound ? clickhouseTargetOf(bound.uri.toString())?.table : clickhouseSettings().table || undefined) : undefined;
  try {
    const t = await lc.sendRequest(TranslateRequest, { query, dialect, table });
    await vscode.env.clipboard.writeText(clipboardText(dialect, t.text));
    const notes = t.notes.length > 0 ? ` Note: ${t.notes.join('; ')}.` : '';
    void vscode.window.showInformationMessage(`Copied the query as ${dialectLabel(dialect)}.${notes}`);
  } catch (e) {
    if (e instanceof ResponseError && e.code === QUERY_SYNTAX_ERROR) {
      const at = e.data as QueryErrorData | undefined;
      void vscode.window.showErrorMessage(`Cannot write this query for ${dialectLabel(dialect)}: ${e.message}${at ? ` (at ${at.line}:${at.column})` : ''}`);
    } else {
      void vscode.window.showErrorMessage(`Copy Query As ${dialectLabel(dialect)}: ${errorText(e)}`);
    }
  }
}

/** The files and folders to load: the Explorer's selection (or a call's URIs), the active flow log, or chosen. */
async function loadInputs(arg: unknown): Promise<vscode.Uri[] | undefined> {
  const asFile = (u: vscode.Uri) => (u.scheme === DECODED_SCHEME ? vscode.Uri.file(u.fsPath) : u);
  const given = (Array.isArray(arg) ? arg : [arg]).flatMap((a) => (a instanceof vscode.Uri ? [a] : typeof a === 'string' && a ? [/^[a-z][\w+.-]*:/i.test(a) ? vscode.Uri.parse(a) : vscode.Uri.file(a)] : []));
  let uris = given.map(asFile);
  if (uris.length === 0) {
    const active = activeFlowLogUri();
    const items: (vscode.QuickPickItem & { id: string })[] = [];
    if (active?.scheme === 'file' || active?.scheme === DECODED_SCHEME) items.push({ label: `$(file) ${active.path.split('/').pop()}`, description: 'the active flow log', id: 'active' });
    items.push({ label: '$(folder-opened) Files or folders…', description: 'every file under a folder is read', id: 'choose' });
    const pick = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Load into ClickHouse: what to load' });
    if (!pick) return undefined;
    if (pick.id === 'active' && active) uris = [asFile(active)];
    else {
      uris = (await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, title: 'Load into ClickHouse', openLabel: 'Load', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri })) ?? [];
    }
  }
  const notOnDisk = uris.find((u) => u.scheme !== 'file');
  if (notOnDisk) {
    void vscode.window.showErrorMessage(`Load into ClickHouse: ${notOnDisk.toString()} is not a file on disk (save it first).`);
    return undefined;
  }
  return uris.length > 0 ? uris : undefined;
}
