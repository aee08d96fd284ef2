// The panels' commands and serializers (so open panels come back after a window reload).
import * as vscode from 'vscode';
import { QUERY_PANEL_VIEW_TYPE, PanelDeps, QueryPanel } from './queryPanel';
import { SUMMARY_PANEL_VIEW_TYPE, SummaryPanel } from './summaryPanel';
import { QueryViewState, SummaryViewState } from '../../webview/src/messages';
import { askFolderTarget } from './queryFolder';
import { activeFlowLogUri } from '../activeFlowLog';
import { openInTurn } from './pageLoads';

/** Commands get a URI from the CodeLens (a string) or the editor title menu (a Uri). */
const asUri = (arg: unknown): vscode.Uri | undefined =>
  arg instanceof vscode.Uri ? arg : typeof arg === 'string' && arg.length > 0 ? vscode.Uri.parse(arg) : undefined;

export function registerPanels(deps: PanelDeps): void {
  deps.context.subscriptions.push(
    vscode.commands.registerCommand('flowlog.openQueryPanel', (arg?: unknown, query?: unknown) => {
      QueryPanel.show(deps, { uri: asUri(arg), query: typeof query === 'string' ? query : undefined, run: typeof query === 'string' });
    }),
    vscode.commands.registerCommand('flowlog.showSummary', (arg?: unknown) => {
      SummaryPanel.show(deps, asUri(arg));
    }),
    // The summary opened at its Diagnose section, the diagnosis computed first.
    vscode.commands.registerCommand('flowlog.diagnose', (arg?: unknown) => {
      SummaryPanel.show(deps, asUri(arg) ?? activeFlowLogUri(), 'diagnose');
    }),
    // (folder, glob) from the Explorer or a call; asked for otherwise. The summary first, the query panel in front,
    // created once the summary's page has loaded (two pages loading at once can leave one blank: pageLoads.ts).
    vscode.commands.registerCommand('flowlog.queryFolder', async (folder?: unknown, glob?: unknown) => {
      const target = await askFolderTarget(folder, glob);
      if (!target) return;
      await openInTurn(() => SummaryPanel.show(deps, target), () => QueryPanel.show(deps, { target }));
    }),
    vscode.window.registerWebviewPanelSerializer(QUERY_PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: QueryViewState | undefined) {
        QueryPanel.revive(panel, deps, state);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(SUMMARY_PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: SummaryViewState | undefined) {
        SummaryPanel.revive(panel, deps, state);
      },
    }),
  );
}
