// The flow log the user is looking at. Files over 50 MB are never handed to extensions as documents, so the
// active tab's URI is the fallback: the server then reads that file from disk. With a panel focused (no active
// text editor), it is the flow log that was active last, while it is still open.
import * as vscode from 'vscode';

const FLOWLOG_FILE = /\.flowlog(\.gz)?$/i;

let lastActive: vscode.Uri | undefined;

function isOpen(uri: vscode.Uri): boolean {
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString()));
}

/** The flow log in the active editor or tab, if that is one (no fallback to the last one). */
export function currentFlowLogUri(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.languageId === 'flowlog') return editor.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText && (FLOWLOG_FILE.test(input.uri.path) || !vscode.workspace.textDocuments.some((d) => d.uri.toString() === input.uri.toString()))) {
    return input.uri;
  }
  return undefined;
}

/** Remembers the last active flow log, for commands run while a panel has the focus. */
export function trackActiveFlowLog(context: vscode.ExtensionContext): void {
  lastActive = currentFlowLogUri();
  context.subscriptions.push(vscode.window.tabGroups.onDidChangeTabs(() => {
    lastActive = currentFlowLogUri() ?? lastActive;
  }));
}

export function activeFlowLogUri(): vscode.Uri | undefined {
  const uri = currentFlowLogUri();
  if (uri) return uri;
  return lastActive && isOpen(lastActive) ? lastActive : undefined;
}

export async function requireActiveFlowLog(): Promise<vscode.Uri | undefined> {
  const uri = activeFlowLogUri();
  if (!uri) void vscode.window.showWarningMessage('Open a flow log (.flowlog) first.');
  return uri;
}
