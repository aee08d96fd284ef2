// Open flow log documents, kept as FlowLogDocument (per-line state) under incremental sync. No full-text copy.
// An edit updates the text at once; validation runs afterwards in slices between messages, so that a burst of
// edits is validated once (each edit only marks lines pending) and hover, checkQuery and the rest are answered
// while a big document is revalidated. Listeners hear of a document when it is fully validated again.
import { Connection, TextDocumentSyncKind } from 'vscode-languageserver';
import { FlowLogDocument } from '../core/document';

export const textDocumentSync = TextDocumentSyncKind.Incremental;

/** Lines validated per slice at most, and the slice's time budget: a message waits for one slice at most. */
const SLICE_LINES = 16_384;
const SLICE_MS = 12;

export class DocumentStore {
  private readonly docs = new Map<string, FlowLogDocument>();
  private readonly validateListeners: ((uri: string) => void)[] = [];
  private readonly openListeners: ((uri: string) => void)[] = [];
  private readonly closeListeners: ((uri: string) => void)[] = [];
  /** Documents with pending validation, served in turn one slice each per turn of the event loop. */
  private readonly unsettled = new Set<string>();
  private timer: NodeJS.Immediate | undefined;

  constructor(connection: Connection, maxProblems: () => number) {
    connection.onDidOpenTextDocument(({ textDocument }) => {
      this.docs.set(textDocument.uri, new FlowLogDocument(textDocument.text, { maxProblems: maxProblems() }));
      for (const l of this.openListeners) l(textDocument.uri);
      this.unsettled.delete(textDocument.uri);
      this.validated(textDocument.uri);
    });
    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      const uri = textDocument.uri;
      const doc = this.docs.get(uri);
      if (!doc) return;
      for (const change of contentChanges) {
        if ('range' in change) {
          this.docs.get(uri)!.applyEdit(
            { startLine: change.range.start.line, startCharacter: change.range.start.character, endLine: change.range.end.line, endCharacter: change.range.end.character },
            change.text,
          );
        } else {
          this.docs.set(uri, new FlowLogDocument(change.text, { maxProblems: maxProblems() }));
        }
      }
      this.unsettled.add(uri);
      this.schedule();
    });
    connection.onDidCloseTextDocument(({ textDocument }) => {
      this.docs.delete(textDocument.uri);
      this.unsettled.delete(textDocument.uri);
      for (const l of this.closeListeners) l(textDocument.uri);
    });
  }

  get(uri: string): FlowLogDocument | undefined {
    return this.docs.get(uri);
  }

  all(): IterableIterator<[string, FlowLogDocument]> {
    return this.docs.entries();
  }

  /** Called when a document is open and validated, and again each time it is validated after changes. */
  onDidValidate(listener: (uri: string) => void): void {
    this.validateListeners.push(listener);
  }

  /** Called when a document is opened (before its first onDidValidate). */
  onDidOpen(listener: (uri: string) => void): void {
    this.openListeners.push(listener);
  }

  onDidClose(listener: (uri: string) => void): void {
    this.closeListeners.push(listener);
  }

  private schedule(): void {
    this.timer ??= setImmediate(() => this.validateSlice());
  }

  /** One slice of each unsettled document; again on the next turn while any is left. */
  private validateSlice(): void {
    this.timer = undefined;
    for (const uri of [...this.unsettled]) {
      const doc = this.docs.get(uri);
      if (!doc || doc.validatePending(SLICE_LINES, performance.now() + SLICE_MS)) {
        this.unsettled.delete(uri);
        if (doc) this.validated(uri);
      }
    }
    if (this.unsettled.size > 0) this.schedule();
  }

  private validated(uri: string): void {
    for (const l of this.validateListeners) l(uri);
  }
}
