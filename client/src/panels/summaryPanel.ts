// The summary panel's host: one dashboard per flow log (or per folder), computed by the language server (from disk
// for big files and folders), with its Diagnose section (flowlog/diagnose, a second request: after the summary, or
// first when Diagnose Connectivity opened it); every figure in it opens the query panel with the query behind it.
import * as vscode from 'vscode';
import { DiagnoseBarsRequest, DiagnoseRequest, DiagnoseResultWire, DiagnoseSpansRequest, SummaryRequest, SummaryResultWire, SummarySectionProgress } from '../../../server/src/protocol';
import { activeFlowLogUri } from '../activeFlowLog';
import { watchWorkDone } from '../query/queryClient';
import { SummaryFocus, SummaryViewState, ToSummaryView } from '../../webview/src/messages';
import { revealLine } from '../query/queryCommands';
import { viewUriOf } from '../decoded/decodedUri';
import { isInside } from './sameFile';
import { SummaryViewHost, routeSummaryViewMessage } from './routers';
import { PanelDeps, QueryPanel } from './queryPanel';
import { clickhouseOptionsFor } from '../clickhouse/access';
import { PanelTarget, ViewPort, loadPage, panelColumn, panelTargetOf, targetOf, webviewOptions } from './webviewPanel';

export const SUMMARY_PANEL_VIEW_TYPE = 'flowlog.summaryPanel';

/** The key of a panel's target: its URI, and a folder's glob. */
const keyOf = (t: PanelTarget) => `${t.uri.toString()}${t.folder ? `\u0000${t.folder.glob ?? ''}` : ''}`;

function openTabNamed(name: string): vscode.Uri | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputText && targetOf(tab.input.uri).name === name) return tab.input.uri;
    }
  }
  return undefined;
}

/** Tokens of the summary requests' sections (one per request). */
let nextSectionsToken = 0;

export class SummaryPanel implements SummaryViewHost {
  private static readonly open = new Map<string, SummaryPanel>();
  private readonly port: ViewPort<ToSummaryView>;
  private readonly disposables: vscode.Disposable[] = [];
  private cancel?: vscode.CancellationTokenSource;
  private loaded = false;
  private last?: SummaryResultWire;
  private lastDiagnosis?: DiagnoseResultWire;
  /** The section a command opened the panel at: computed first, and scrolled to. */
  private focus?: SummaryFocus;

  /** The summary of `target` (a flow log, or a folder), or of the active flow log; `focus` opens it at that section. */
  static show(deps: PanelDeps, target: vscode.Uri | PanelTarget | undefined = activeFlowLogUri(), focus?: SummaryFocus): SummaryPanel | undefined {
    if (!target) {
      void vscode.window.showWarningMessage('Open a flow log (.flowlog) first.');
      return undefined;
    }
    const bound: PanelTarget = target instanceof vscode.Uri ? { uri: target } : target;
    const existing = SummaryPanel.open.get(keyOf(bound));
    if (existing) {
      existing.panel.reveal();
      existing.setFocus(focus);
      existing.refresh();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SUMMARY_PANEL_VIEW_TYPE, 'Summary', { viewColumn: panelColumn(), preserveFocus: false }, webviewOptions(deps.context.extensionUri));
    return new SummaryPanel(panel, deps, bound, focus);
  }

  static revive(panel: vscode.WebviewPanel, deps: PanelDeps, state: SummaryViewState | undefined): void {
    // Without saved state (a browser reload that did not flush it), the title still names the file.
    const uri = state?.target ? undefined : openTabNamed(panel.title.replace(/^Summary: /, '')) ?? activeFlowLogUri();
    const target = state?.target ? panelTargetOf(state.target) : uri ? { uri } : undefined;
    if (target) new SummaryPanel(panel, deps, target);
    else panel.dispose();
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly deps: PanelDeps, private readonly bound: PanelTarget, focus?: SummaryFocus) {
    SummaryPanel.open.set(keyOf(bound), this);
    this.port = new ViewPort(panel);
    const target = targetOf(bound);
    loadPage(panel, deps.context.extensionUri, 'summary', `Summary: ${target.name}`);
    panel.title = `Summary: ${target.name}`;
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => routeSummaryViewMessage(m, this)),
      this.port,
      panel.onDidDispose(() => this.dispose()),
    );
    this.port.post({ type: 'target', target });
    this.setFocus(focus);
    this.refresh();
  }

  private setFocus(focus: SummaryFocus | undefined): void {
    this.focus = focus;
    if (focus) this.port.post({ type: 'focus', section: focus });
  }

  /** Resolves when the page first says ready (it has loaded its script and style), or when the panel is closed. */
  get pageLoaded(): Promise<void> {
    return this.port.loaded;
  }

  /** The page says it is ready after each load: again after a reload, when it needs the last summary again. */
  ready(): void {
    if (this.loaded) {
      this.port.post({ type: 'target', target: targetOf(this.bound) });
      this.port.post(this.last ? { type: 'summary', result: this.last } : { type: 'started' });
      this.port.post(this.lastDiagnosis ? { type: 'diagnosis', result: this.lastDiagnosis } : { type: 'diagnoseStarted' });
    }
    this.loaded = true;
    this.port.markReady();
  }

  refresh(): void {
    void this.compute();
  }

  openQuery(query: string): void {
    QueryPanel.show(this.deps, { target: this.bound, query, run: true });
  }

  /** An evidence line: of the bound file, or of a file under the bound folder (a page's message is data: checked). */
  openRecord(file: string, line: number): void {
    // Beside the panel, never over it.
    const column = this.panel.viewColumn;
    if (!this.bound.folder) {
      void revealLine(this.bound.uri, line - 1, column);
      return;
    }
    if (!isInside(file, this.bound.uri.fsPath)) return;
    void viewUriOf(file).then(({ uri, lineOffset }) => revealLine(uri, line - 1 + lineOffset, column));
  }

  diagnoseSpans(id: number, spansKey: string, interfaceId: string): void {
    void this.askServer(id, async (client) => ({ type: 'diagnoseSpans', id, result: await client.sendRequest(DiagnoseSpansRequest, { spansKey, interfaceId }) }));
  }

  diagnoseBars(id: number, spansKey: string, interfaceIds: string[]): void {
    void this.askServer(id, async (client) => ({ type: 'diagnoseBars', id, result: await client.sendRequest(DiagnoseBarsRequest, { spansKey, interfaceIds }) }));
  }

  /** A detail of the diagnosis shown, asked of the language server for the view; a failure is answered too. */
  private async askServer(id: number, ask: (client: Awaited<ReturnType<PanelDeps['client']['get']>>) => Promise<ToSummaryView>): Promise<void> {
    try {
      this.port.post(await ask(await this.deps.client.get()));
    } catch (e) {
      this.port.post({ type: 'diagnoseDetailFailed', id, message: e instanceof Error ? e.message : String(e) });
    }
  }

  rejected(raw: unknown): void {
    console.warn('flowlog summary: ignored a malformed message', raw);
  }

  /** The summary and the diagnosis, one after the other (they would only slow each other down on a big file). */
  private async compute(): Promise<void> {
    this.cancel?.cancel();
    const cancel = (this.cancel = new vscode.CancellationTokenSource());
    const steps = this.focus === 'diagnose' ? [() => this.diagnose(cancel), () => this.summarize(cancel)] : [() => this.summarize(cancel), () => this.diagnose(cancel)];
    for (const step of steps) {
      if (cancel.token.isCancellationRequested) return;
      await step();
    }
  }

  private async diagnose(cancel: vscode.CancellationTokenSource): Promise<void> {
    this.port.post({ type: 'diagnoseStarted' });
    const client = await this.deps.client.get();
    const work = watchWorkDone(client, (percent, message) => {
      if (cancel.token.isCancellationRequested) return;
      this.port.post(message && /files/.test(message) ? { type: 'diagnoseProgress', done: percent, total: 100, detail: message } : { type: 'diagnoseProgress', done: percent, total: 100 });
    });
    try {
      const result = await client.sendRequest(DiagnoseRequest, { uri: this.bound.uri.toString(), glob: this.bound.folder?.glob, workDoneToken: work.token }, cancel.token);
      if (!cancel.token.isCancellationRequested) {
        this.lastDiagnosis = result;
        this.port.post({ type: 'diagnosis', result });
      }
    } catch (e) {
      if (!cancel.token.isCancellationRequested) this.port.post({ type: 'diagnoseFailed', message: e instanceof Error ? e.message : String(e) });
    } finally {
      work.dispose();
    }
  }

  private async summarize(cancel: vscode.CancellationTokenSource): Promise<void> {
    this.port.post({ type: 'started' });
    const client = await this.deps.client.get();
    const work = watchWorkDone(client, (percent, message) => {
      if (cancel.token.isCancellationRequested) return;
      this.port.post(message && /files/.test(message) ? { type: 'progress', done: percent, total: 100, detail: message } : { type: 'progress', done: percent, total: 100 });
    });
    // Sections before the whole summary are drawn as they come: each one as it stands while the scan goes on
    // (partial), and each one that is final (a top list that takes a second pass leaves the others final after the first).
    const sectionsToken = `flowlog-summary-sections-${++nextSectionsToken}`;
    const sections = client.onProgress(SummarySectionProgress, sectionsToken, (s) => {
      if (cancel.token.isCancellationRequested) return;
      this.port.post(s.partial ? { type: 'section', section: s.section, table: s.table, partial: s.partial } : { type: 'section', section: s.section, table: s.table });
    });
    try {
      const uri = this.bound.uri.toString();
      const result = await client.sendRequest(SummaryRequest, { uri, glob: this.bound.folder?.glob, clickhouse: await clickhouseOptionsFor(client, uri), workDoneToken: work.token, partialResultToken: sectionsToken }, cancel.token);
      if (!cancel.token.isCancellationRequested) {
        this.last = result;
        this.port.post({ type: 'summary', result });
      }
    } catch (e) {
      if (!cancel.token.isCancellationRequested) this.port.post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    } finally {
      sections.dispose();
      work.dispose();
    }
  }

  private dispose(): void {
    this.cancel?.cancel();
    SummaryPanel.open.delete(keyOf(this.bound));
    for (const d of this.disposables) d.dispose();
  }
}
