// Open flow log documents, kept as FlowLogDocument (per-line state) under incremental sync. No full-text copy.
import { Connection, TextDocumentSyncKind } from 'vscode-languageserver';
import { FlowLogDocument } from '../core/document';

export const textDocumentSync = TextDocumentSyncKind.Incremental;

export class DocumentStore {
  private readonly docs = new Map<string, FlowLogDocument>();
  private readonly changeListeners: ((uri: string) => void)[] = [];
  private readonly closeListeners: ((uri: string) => void)[] = [];

  constructor(connection: Connection, maxProblems: () => number) {
    connection.onDidOpenTextDocument(({ textDocument }) => {
      this.docs.set(textDocument.uri, new FlowLogDocument(textDocument.text, { maxProblems: maxProblems() }));
      this.changed(textDocument.uri);
    });
    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      const doc = this.docs.get(textDocument.uri);
      if (!doc) return;
      for (const change of contentChanges) {
        if ('range' in change) {
          doc.applyEdit(
            { startLine: change.range.start.line, startCharacter: change.range.start.character, endLine: change.range.end.line, endCharacter: change.range.end.character },
            change.text,
          );
        } else {
          this.docs.set(textDocument.uri, new FlowLogDocument(change.text, { maxProblems: maxProblems() }));
        }
      }
      this.changed(textDocument.uri);
    });
    connection.onDidCloseTextDocument(({ textDocument }) => {
      this.docs.delete(textDocument.uri);
      for (const l of this.closeListeners) l(textDocument.uri);
    });
  }

  get(uri: string): FlowLogDocument | undefined {
    return this.docs.get(uri);
  }

  all(): IterableIterator<[string, FlowLogDocument]> {
    return this.docs.entries();
  }

  onDidChange(listener: (uri: string) => void): void {
    this.changeListeners.push(listener);
  }

  onDidClose(listener: (uri: string) => void): void {
    this.closeListeners.push(listener);
  }

  private changed(uri: string): void {
    for (const l of this.changeListeners) l(uri);
  }
}
