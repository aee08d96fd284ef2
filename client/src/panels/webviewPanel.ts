// What both panels share: the webview options (scripts on, resources only from the bundle folder), the page, and
// a typed post that holds messages until the view says it is ready.
import * as vscode from 'vscode';
import { WebviewKind, renderWebviewHtml } from './webviewHtml';
export { ViewPort } from './viewPort';

/** The options a panel is created with (retainContextWhenHidden counts only there); loadPage sets the webview's again. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    // Rows keep arriving while the panel is hidden behind another tab; getState and the serializer cover reloads.
    retainContextWhenHidden: true,
  };
}

const openPanels = new Set<vscode.WebviewPanel>();

/** Where a new panel goes: beside the editor, or in the group that already holds one of ours. */
export function panelColumn(): vscode.ViewColumn {
  for (const p of openPanels) if (p.viewColumn !== undefined) return p.viewColumn;
  return vscode.ViewColumn.Beside;
}

export function loadPage(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, kind: WebviewKind, title: string): void {
  openPanels.add(panel);
  panel.onDidDispose(() => openPanels.delete(panel));
  const asUri = (file: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file)).toString();
  panel.webview.options = webviewOptions(extensionUri);
  panel.webview.html = renderWebviewHtml({ kind, title, cspSource: panel.webview.cspSource, scriptUri: asUri('webview.js'), styleUri: asUri('webview.css') });
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
}

export function targetOf(uri: vscode.Uri): { uri: string; name: string } {
  return { uri: uri.toString(), name: uri.path.split('/').pop() || uri.toString() };
}
