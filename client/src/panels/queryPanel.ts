// The query panel's host: binds the panel to a flow log (or to the flow logs under a folder), routes the view's
// messages, runs queries through the language server and does what a browser page cannot (reveal a line of the
// right file, save a file, write the clipboard).
import * as vscode from 'vscode';
import { FlowLogClient } from '../languageClient';
import { RecentQueries } from '../query/recentQueries';
import { languageServerBackend } from '../query/queryClient';
import { revealLine } from '../query/queryCommands';
import { activeFlowLogUri, currentFlowLogUri } from '../activeFlowLog';
import { Cell, ExportFormat, QueryViewState, ToQueryView } from '../../webview/src/messages';
import { QueryViewHost, routeQueryViewMessage } from './routers';
import { QueryRunner } from './queryRunner';
import { formatResult } from './exportFormat';
import { isSameFile } from './sameFile';
import { PanelTarget, ViewPort, loadPage, panelColumn, panelTargetOf, sameTarget, targetOf, webviewOptions } from './webviewPanel';
import { SourceInfoRequest } from '../../../server/src/protocol';
import { viewUriOf } from '../decoded/decodedUri';
import { isInside } from './sameFile';
import { stat } from 'node:fs/promises';
import { notAFlowLog } from '../../../server/src/core/readers/inputs';

export const QUERY_PANEL_VIEW_TYPE = 'flowlog.queryPanel';

/** Rows a panel query returns at most (the table scrolls all of them; the match count stays exact). */
export const PANEL_ROW_LIMIT = 100_000;

export interface PanelDeps {
  context: vscode.ExtensionContext;
  client: FlowLogClient;
  recent: RecentQueries;
}

/** Whether writing `dest` would write the flow log `log`. */
async function wouldOverwrite(dest: vscode.Uri, log: vscode.Uri): Promise<boolean> {
  if (dest.scheme === 'file' && log.scheme === 'file') return isSameFile(dest.fsPath, log.fsPath);
  return dest.toString() === log.toString();
}

/** Whether writing `dest` would write a file under `folder` that may be a flow log (the readers' own judgement). */
async function wouldOverwriteLogIn(dest: vscode.Uri, folder: vscode.Uri): Promise<boolean> {
  if (dest.scheme !== 'file' || !isInside(dest.fsPath, folder.fsPath)) return false;
  const size = await stat(dest.fsPath).then((st) => (st.isFile() ? st.size : -1), () => -1);
  return size >= 0 && (await notAFlowLog(dest.fsPath, size).catch(() => undefined)) === undefined;
}

export class QueryPanel implements QueryViewHost {
  private static current?: QueryPanel;
  private target?: PanelTarget;
  private pinned = false;
  private loaded = false;
  private readonly port: ViewPort<ToQueryView>;
  private readonly runner: QueryRunner;
  private readonly disposables: vscode.Disposable[] = [];

  /**
   * Opens (or reveals) the panel; bound to `target` (a folder), `uri` or the active flow log; with `query`, puts it
   * in the box and, with `run`, runs it.
   */
  static show(deps: PanelDeps, options: { uri?: vscode.Uri; target?: PanelTarget; query?: string; run?: boolean } = {}): QueryPanel {
    let panel = QueryPanel.current;
    const explicit = options.target ?? (options.uri ? { uri: options.uri } : undefined);
    if (!panel) {
      const webviewPanel = vscode.window.createWebviewPanel(QUERY_PANEL_VIEW_TYPE, 'Flow Log Query', { viewColumn: panelColumn(), preserveFocus: false }, webviewOptions(deps.context.extensionUri));
      const active = activeFlowLogUri();
      panel = new QueryPanel(webviewPanel, deps, explicit ?? (active ? { uri: active } : undefined), false);
    } else {
      panel.panel.reveal(undefined, false);
      // An explicit file or folder (CodeLens, summary, Query Folder) wins over the pin.
      if (explicit && !sameTarget(explicit, panel.target)) panel.bind(explicit);
    }
    if (options.query !== undefined) panel.port.post({ type: 'setQuery', query: options.query, run: options.run ?? false });
    return panel;
  }

  /** A panel VS Code kept across a reload (the serializer). */
  static revive(webviewPanel: vscode.WebviewPanel, deps: PanelDeps, state: QueryViewState | undefined): QueryPanel {
    const active = activeFlowLogUri();
    const target = state?.target ? panelTargetOf(state.target) : active ? { uri: active } : undefined;
    return new QueryPanel(webviewPanel, deps, target, state?.pinned ?? false);
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly deps: PanelDeps, target: PanelTarget | undefined, pinned: boolean) {
    QueryPanel.current = this;
    this.pinned = pinned;
    this.port = new ViewPort(panel);
    const source = () => this.target && { uri: this.target.uri, glob: this.target.folder?.glob };
    this.runner = new QueryRunner(languageServerBackend(deps.client, source, PANEL_ROW_LIMIT), (m) => this.port.post(m));
    loadPage(panel, deps.context.extensionUri, 'query', 'Flow Log Query');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => routeQueryViewMessage(m, this)),
      this.port,
      panel.onDidDispose(() => this.dispose()),
      // Tabs too: a file over 50 MB has a tab but no text editor for extensions.
      vscode.window.onDidChangeActiveTextEditor(() => this.follow()),
      vscode.window.tabGroups.onDidChangeTabs(() => this.follow()),
    );
    this.bind(target);
    this.port.post({ type: 'history', queries: deps.recent.list() });
  }

  /** Follows the active flow log unless pinned (a folder's panel stays on its folder). */
  private follow(): void {
    const uri = currentFlowLogUri();
    if (!this.pinned && !this.target?.folder && uri && uri.toString() !== this.target?.uri.toString()) this.bind({ uri });
  }

  private bind(target: PanelTarget | undefined): void {
    // A folder holds the panel (it never follows the active editor); a file after a folder follows again.
    if (target?.folder) this.pinned = true;
    else if (this.target?.folder) this.pinned = false;
    this.target = target;
    const view = target ? targetOf(target) : null;
    this.panel.title = view ? `Query: ${view.name}` : 'Flow Log Query';
    this.port.post({ type: 'target', target: view, pinned: this.pinned });
    if (target?.folder) void this.describeFolder(target);
  }

  /** What the folder holds (files, size, what is left out), for the panel's header before any query runs. */
  private async describeFolder(target: PanelTarget): Promise<void> {
    try {
      const info = await (await this.deps.client.get()).sendRequest(SourceInfoRequest, { uri: target.uri.toString(), glob: target.folder?.glob });
      if (sameTarget(target, this.target)) this.port.post({ type: 'source', info });
    } catch (e) {
      void vscode.window.showErrorMessage(`Query Folder: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The page says it is ready after each load: again after a reload (a panel VS Code did not keep alive). */
  ready(): void {
    if (this.loaded) {
      // It restores its query and result from its own state; the binding and the history come from here.
      this.port.post({ type: 'target', target: this.target ? targetOf(this.target) : null, pinned: this.pinned });
      this.port.post({ type: 'history', queries: this.deps.recent.list() });
      if (this.target?.folder) void this.describeFolder(this.target);
    }
    this.loaded = true;
    this.port.markReady();
  }

  run(id: number, query: string): void {
    void this.deps.recent.add(query).then(() => this.port.post({ type: 'history', queries: this.deps.recent.list() }));
    void this.runner.run(id, query);
  }

  cancel(id: number): void {
    this.runner.cancel(id);
  }

  check(id: number, query: string): void {
    void this.runner.check(id, query);
  }

  reveal(line: number, file?: string): void {
    const target = this.target;
    if (!target) return;
    if (!target.folder) {
      void revealLine(target.uri, line - 1, this.panel.viewColumn);
      return;
    }
    // A row of a folder's query names its file: opened only when it is under that folder (a page's message is data).
    if (!file || !isInside(file, target.uri.fsPath)) return;
    void viewUriOf(file).then(({ uri, lineOffset }) => revealLine(uri, line - 1 + lineOffset, this.panel.viewColumn));
  }

  async exportResult(format: ExportFormat, columns: string[], rows: Cell[][]): Promise<void> {
    const base = this.target ? vscode.Uri.joinPath(this.target.uri, '..', `${this.target.uri.path.split('/').filter(Boolean).pop()}-query.${format}`) : undefined;
    const dest = await vscode.window.showSaveDialog({
      title: `Export ${rows.length.toLocaleString('en-US')} rows as ${format.toUpperCase()}`,
      defaultUri: base,
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!dest) return;
    // The extension never writes to a log file, even when asked to (through a symlink or another case of its name).
    if (this.target && (this.target.folder ? await wouldOverwriteLogIn(dest, this.target.uri) : await wouldOverwrite(dest, this.target.uri))) {
      void vscode.window.showErrorMessage('Choose another file: exporting over the flow log itself would destroy it.');
      return;
    }
    await vscode.workspace.fs.writeFile(dest, Buffer.from(formatResult(format, columns, rows), 'utf8'));
    void vscode.window.showInformationMessage(`Exported ${rows.length.toLocaleString('en-US')} rows to ${dest.fsPath}`);
  }

  async copyResult(format: ExportFormat, columns: string[], rows: Cell[][]): Promise<void> {
    await vscode.env.clipboard.writeText(formatResult(format, columns, rows));
    void vscode.window.setStatusBarMessage(`Copied ${rows.length.toLocaleString('en-US')} rows as ${format.toUpperCase()}`, 3000);
  }

  pin(pinned: boolean): void {
    this.pinned = pinned;
    this.follow();
  }

  rejected(raw: unknown): void {
    console.warn('flowlog query panel: ignored a malformed message', raw);
  }

  private dispose(): void {
    this.runner.cancel();
    if (QueryPanel.current === this) QueryPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
