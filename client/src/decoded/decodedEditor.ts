// Opening a compressed or binary flow log: VS Code would show "binary file". A custom editor claims such files
// (by default for names only flow log deliveries have, such as `*.log.gz`; as "Reopen Editor With…" for any
// `.gz`, `.parquet`, `.snappy` or `.lzo`) and hands over at once to the decoded view, an ordinary read-only text
// editor in the same place, then closes itself. `Flow Logs: Open Decoded View` does the same from the Explorer.
import * as vscode from 'vscode';
import { decodedUriOf, fileOfDecoded, isDecodedUri } from './decodedUri';

export const DECODED_EDITOR_VIEW_TYPES = ['flowlog.decodedView', 'flowlog.decodedViewOption'];

/** Shows the decoded view of `file` (its text decompressed, read-only); `line` (0-based) selected when given. */
export async function openDecodedView(file: vscode.Uri, options: { viewColumn?: vscode.ViewColumn; preview?: boolean; line?: number } = {}): Promise<void> {
  const view = isDecodedUri(file) ? file : decodedUriOf(file);
  const selection = options.line !== undefined ? new vscode.Range(options.line, 0, options.line, 0) : undefined;
  // With the text editor by name: the view's name (`x.log.gz`) would pick this custom editor again. (And not
  // showTextDocument: this also opens views over 50 MB, which VS Code never hands to extensions.)
  await vscode.commands.executeCommand('vscode.openWith', view, 'default', { viewColumn: options.viewColumn, preview: options.preview ?? true, selection });
}

class HandOver implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly viewType: string) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = { enableScripts: false, enableCommandUris: false, localResourceRoots: [] };
    panel.webview.html = '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\';"></head><body>Opening the decoded view…</body></html>';
    // After this editor is resolved: the group is busy opening it until then, and would wait for the view forever.
    setTimeout(() => void this.handOver(document.uri, panel), 0);
  }

  private async handOver(uri: vscode.Uri, panel: vscode.WebviewPanel): Promise<void> {
    const tab = this.tabOf(uri);
    try {
      await openDecodedView(uri, { viewColumn: panel.viewColumn, preview: tab?.isPreview ?? true });
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot open the decoded view of ${uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // A preview tab was replaced by the view; a pinned one is still there.
    const left = this.tabOf(uri);
    if (left) await vscode.window.tabGroups.close(left).then(undefined, () => undefined);
  }

  private tabOf(uri: vscode.Uri): vscode.Tab | undefined {
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputCustom && tab.input.viewType === this.viewType && tab.input.uri.toString() === uri.toString()) return tab;
      }
    }
    return undefined;
  }
}

export function registerDecodedEditors(context: vscode.ExtensionContext): void {
  for (const viewType of DECODED_EDITOR_VIEW_TYPES) {
    context.subscriptions.push(vscode.window.registerCustomEditorProvider(viewType, new HandOver(viewType), { supportsMultipleEditorsPerDocument: true }));
  }
  context.subscriptions.push(vscode.commands.registerCommand('flowlog.openDecodedView', async (arg?: unknown) => {
    let file = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'A compressed or Parquet flow log to view', filters: { 'Flow logs': ['gz', 'snappy', 'lzo', 'lzop', 'parquet'] } });
      file = picked?.[0];
    }
    if (!file) return;
    if (isDecodedUri(file)) file = fileOfDecoded(file);
    await openDecodedView(file, { preview: false });
  }));
}
