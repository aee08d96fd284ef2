// What both panels share: the webview options (scripts on, resources only from the bundle folder), the page, and
// a typed post that holds messages until the view says it is ready.
import * as vscode from 'vscode';
import { WebviewKind, renderWebviewHtml } from './webviewHtml';
import type { FlowLogTarget } from '../../webview/src/messages';
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

/** What a panel is bound to: a flow log (a document, a file, a decoded view), or the flow logs under a folder. */
export interface PanelTarget {
  uri: vscode.Uri;
  /** A folder: every flow log under it, or those matching `glob` (relative to it). */
  folder?: { glob?: string };
}

export function targetOf(target: vscode.Uri | PanelTarget): FlowLogTarget {
  const { uri, folder } = target instanceof vscode.Uri ? { uri: target, folder: undefined } : target;
  const name = uri.path.split('/').filter(Boolean).pop() || uri.toString();
  if (!folder) return { uri: uri.toString(), name };
  return { uri: uri.toString(), name: folder.glob ? `${name} · ${folder.glob}` : name, folder: folder.glob ? { glob: folder.glob } : {} };
}

/** The panel target a view's state names. */
export function panelTargetOf(target: FlowLogTarget): PanelTarget {
  const uri = vscode.Uri.parse(target.uri);
  return target.folder ? { uri, folder: { glob: target.folder.glob } } : { uri };
}

export function sameTarget(a: PanelTarget | undefined, b: PanelTarget | undefined): boolean {
  return a?.uri.toString() === b?.uri.toString() && !!a?.folder === !!b?.folder && a?.folder?.glob === b?.folder?.glob;
}
