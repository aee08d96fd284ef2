// Open flow log documents, kept as FlowLogDocument (per-line state) under incremental sync. No full-text copy.
// An edit updates the text at once and only marks lines pending; validation starts once edits pause (a few ms:
// edits queued behind each other are one burst) and runs in slices between messages, each new edit stopping it
// until the next pause. So a burst of edits is validated once, and hover, checkQuery and the rest are answered
// while a big document is revalidated. Listeners hear of a document when it is fully validated again.
import { Connection, TextDocumentSyncKind } from 'vscode-languageserver';
import { FlowLogDocument } from '../core/document';

export const textDocumentSync = TextDocumentSyncKind.Incremental;

/** Lines validated per slice at most, and the slice's time budget: a message waits for one slice at most. */
const SLICE_LINES = 16_384;
const SLICE_MS = 12;
/** Validation waits for a pause this long in the edits, but never longer than MAX_WAIT_MS after the first. */
const PAUSE_MS = 8;
const MAX_WAIT_MS = 150;

export class DocumentStore {
  private readonly docs = new Map<string, FlowLogDocument>();
  private readonly validateListeners: ((uri: string) => void)[] = [];
  private readonly openListeners: ((uri: string) => void)[] = [];
  private readonly closeListeners: ((uri: string) => void)[] = [];
  /** Documents with pending validation, served in turn one slice each per turn of the event loop. */
  private readonly unsettled = new Set<string>();
  private slice: NodeJS.Immediate | undefined;
  private pause: NodeJS.Timeout | undefined;
  /** When the edits being waited for began (performance.now()), or undefined when none is waited for. */
  private waitingSince: number | undefined;

  constructor(connection: Connection, maxProblems: () => number) {
    // The name helps tell how records are written (`.json`, `.csv`) when the first lines do not.
    const nameOf = (uri: string) => decodeURIComponent(uri.replace(/[?#].*$/, '').replace(/^.*\//, ''));
    connection.onDidOpenTextDocument(({ textDocument }) => {
      this.docs.set(textDocument.uri, new FlowLogDocument(textDocument.text, { maxProblems: maxProblems(), name: nameOf(textDocument.uri) }));
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
          this.docs.set(uri, new FlowLogDocument(change.text, { maxProblems: maxProblems(), name: nameOf(uri) }));
        }
      }
      this.unsettled.add(uri);
      this.afterEdit();
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

  /** Stops validating until the edits pause (unless they have kept it waiting for MAX_WAIT_MS already). */
  private afterEdit(): void {
    const now = performance.now();
    this.waitingSince ??= now;
    if (now - this.waitingSince >= MAX_WAIT_MS) {
      this.schedule();
      return;
    }
    if (this.slice) clearImmediate(this.slice);
    this.slice = undefined;
    clearTimeout(this.pause);
    this.pause = setTimeout(() => {
      this.pause = undefined;
      this.schedule();
    }, PAUSE_MS);
  }

  private schedule(): void {
    this.slice ??= setImmediate(() => this.validateSlice());
  }

  /** One slice of each unsettled document; again on the next turn while any is left. */
  private validateSlice(): void {
    this.slice = undefined;
    this.waitingSince = undefined;
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
