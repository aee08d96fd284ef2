// Status bar: record, REJECT and problem counts of the active flow log, as the server last reported them.
import * as vscode from 'vscode';
import { FlowLogClient } from './languageClient';
import { DocumentStatusNotification, DocumentStatusParams } from '../../server/src/protocol';
import { countOf } from '../../server/src/core/decode/counts';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('flowlog.status', vscode.StatusBarAlignment.Left, 100);
  private readonly byUri = new Map<string, DocumentStatusParams>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(client: FlowLogClient) {
    this.item.name = 'Flow Log';
    this.item.command = 'flowlog.showSummary';
    this.item.tooltip = 'Flow log records, REJECT records and problems. Click for the summary.';
    this.disposables.push(
      client.whenStarted((c) => c.onNotification(DocumentStatusNotification, (status) => {
        this.byUri.set(status.uri, status);
        this.update();
      })),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidCloseTextDocument((d) => this.byUri.delete(d.uri.toString())),
    );
    this.update();
  }

  private update(): void {
    const editor = vscode.window.activeTextEditor;
    const status = editor && editor.document.languageId === 'flowlog' ? this.byUri.get(editor.document.uri.toString()) : undefined;
    if (!status) {
      this.item.hide();
      return;
    }
    this.item.text = `$(pulse) ${countOf(status.records, 'record')} · ${countOf(status.rejects, 'rejected', 'rejected')} · ${countOf(status.problems, 'problem')}`;
    this.item.backgroundColor = status.errors > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
