// What both panels share: the webview options (scripts on, resources only from the bundle folder), the page, and
// a typed post that holds messages until the view says it is ready.
import * as vscode from 'vscode';
import { WebviewKind, renderWebviewHtml } from './webviewHtml';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    // Rows keep arriving while the panel is hidden behind another tab; getState and the serializer cover reloads.
    retainContextWhenHidden: true,
  };
}

export function loadPage(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, kind: WebviewKind, title: string): void {
  const asUri = (file: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file)).toString();
  panel.webview.options = webviewOptions(extensionUri);
  panel.webview.html = renderWebviewHtml({ kind, title, cspSource: panel.webview.cspSource, scriptUri: asUri('webview.js'), styleUri: asUri('webview.css') });
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
}

/** Posts to a webview, holding messages until it has said `ready` (earlier ones would be lost). */
export class ViewPort<T> {
  private ready = false;
  private readonly queue: T[] = [];

  constructor(private readonly webview: vscode.Webview) {}

  post(msg: T): void {
    if (this.ready) void this.webview.postMessage(msg);
    else this.queue.push(msg);
  }

  /** The view (re)loaded: send what waited. */
  markReady(): void {
    this.ready = true;
    for (const m of this.queue.splice(0)) void this.webview.postMessage(m);
  }
}

export function targetOf(uri: vscode.Uri): { uri: string; name: string } {
  return { uri: uri.toString(), name: uri.path.split('/').pop() || uri.toString() };
}
