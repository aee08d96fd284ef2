// The flow log the user is looking at. Files over 50 MB are never handed to extensions as documents, so the
// active tab's URI is the fallback: the server then reads that file from disk.
import * as vscode from 'vscode';

const FLOWLOG_FILE = /\.flowlog(\.gz)?$/i;

export function activeFlowLogUri(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.languageId === 'flowlog') return editor.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText && (FLOWLOG_FILE.test(input.uri.path) || !vscode.workspace.textDocuments.some((d) => d.uri.toString() === input.uri.toString()))) {
    return input.uri;
  }
  return undefined;
}

export async function requireActiveFlowLog(): Promise<vscode.Uri | undefined> {
  const uri = activeFlowLogUri();
  if (!uri) void vscode.window.showWarningMessage('Open a flow log (.flowlog) first.');
  return uri;
}
