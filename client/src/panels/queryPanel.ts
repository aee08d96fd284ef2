// The query panel's host: binds the panel to a flow log, routes the view's messages, runs queries through the
// language server and does what a browser page cannot (reveal a line, save a file, write the clipboard).
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
import { ViewPort, loadPage, panelColumn, targetOf, webviewOptions } from './webviewPanel';

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

export class QueryPanel implements QueryViewHost {
  private static current?: QueryPanel;
  private target?: vscode.Uri;
  private pinned = false;
  private loaded = false;
  private readonly port: ViewPort<ToQueryView>;
  private readonly runner: QueryRunner;
  private readonly disposables: vscode.Disposable[] = [];

  /** Opens (or reveals) the panel; with `query`, puts it in the box and, with `run`, runs it. */
  static show(deps: PanelDeps, options: { uri?: vscode.Uri; query?: string; run?: boolean } = {}): QueryPanel {
    let panel = QueryPanel.current;
    if (!panel) {
      const webviewPanel = vscode.window.createWebviewPanel(QUERY_PANEL_VIEW_TYPE, 'Flow Log Query', { viewColumn: panelColumn(), preserveFocus: false }, webviewOptions(deps.context.extensionUri));
      panel = new QueryPanel(webviewPanel, deps, options.uri ?? activeFlowLogUri(), false);
    } else {
      panel.panel.reveal(undefined, false);
      // An explicit file (CodeLens, summary) wins over the pin.
      if (options.uri && options.uri.toString() !== panel.target?.toString()) panel.bind(options.uri);
    }
    if (options.query !== undefined) panel.port.post({ type: 'setQuery', query: options.query, run: options.run ?? false });
    return panel;
  }

  /** A panel VS Code kept across a reload (the serializer). */
  static revive(webviewPanel: vscode.WebviewPanel, deps: PanelDeps, state: QueryViewState | undefined): QueryPanel {
    const uri = state?.target ? vscode.Uri.parse(state.target.uri) : activeFlowLogUri();
    return new QueryPanel(webviewPanel, deps, uri, state?.pinned ?? false);
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly deps: PanelDeps, uri: vscode.Uri | undefined, pinned: boolean) {
    QueryPanel.current = this;
    this.pinned = pinned;
    this.port = new ViewPort(panel);
    this.runner = new QueryRunner(languageServerBackend(deps.client, () => this.target, PANEL_ROW_LIMIT), (m) => this.port.post(m));
    loadPage(panel, deps.context.extensionUri, 'query', 'Flow Log Query');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => routeQueryViewMessage(m, this)),
      this.port,
      panel.onDidDispose(() => this.dispose()),
      // Tabs too: a file over 50 MB has a tab but no text editor for extensions.
      vscode.window.onDidChangeActiveTextEditor(() => this.follow()),
      vscode.window.tabGroups.onDidChangeTabs(() => this.follow()),
    );
    this.bind(uri);
    this.port.post({ type: 'history', queries: deps.recent.list() });
  }

  /** Follows the active flow log unless pinned. */
  private follow(): void {
    const uri = currentFlowLogUri();
    if (!this.pinned && uri && uri.toString() !== this.target?.toString()) this.bind(uri);
  }

  private bind(uri: vscode.Uri | undefined): void {
    this.target = uri;
    const target = uri ? targetOf(uri) : null;
    this.panel.title = target ? `Query: ${target.name}` : 'Flow Log Query';
    this.port.post({ type: 'target', target, pinned: this.pinned });
  }

  /** The page says it is ready after each load: again after a reload (a panel VS Code did not keep alive). */
  ready(): void {
    if (this.loaded) {
      // It restores its query and result from its own state; the binding and the history come from here.
      this.port.post({ type: 'target', target: this.target ? targetOf(this.target) : null, pinned: this.pinned });
      this.port.post({ type: 'history', queries: this.deps.recent.list() });
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

  reveal(line: number): void {
    if (this.target) void revealLine(this.target, line - 1, this.panel.viewColumn);
  }

  async exportResult(format: ExportFormat, columns: string[], rows: Cell[][]): Promise<void> {
    const base = this.target ? vscode.Uri.joinPath(this.target, '..', `${targetOf(this.target).name}-query.${format}`) : undefined;
    const dest = await vscode.window.showSaveDialog({
      title: `Export ${rows.length.toLocaleString('en-US')} rows as ${format.toUpperCase()}`,
      defaultUri: base,
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!dest) return;
    // The extension never writes to a log file, even when asked to (through a symlink or another case of its name).
    if (this.target && (await wouldOverwrite(dest, this.target))) {
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
