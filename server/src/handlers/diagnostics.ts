// Core problems -> LSP diagnostics, published (coalesced per tick) each time a document is validated, with the
// status counts. One publication per document is on its way at a time: a client that reads slowly gets the
// latest state once the previous one is written, not a queue of stale lists (which can be big: maxProblems).
import { Connection, Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import { FlowLogDocument, LineProblem } from '../core/document';
import { DocumentStatusNotification } from '../protocol';
import { DocumentStore } from './documents';

const severities = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toDiagnostic(p: LineProblem): Diagnostic {
  return {
    range: { start: { line: p.line, character: p.start }, end: { line: p.line, character: p.end } },
    severity: severities[p.severity],
    code: p.code,
    source: 'flowlog',
    message: p.message,
    data: p.fix,
  };
}

export function diagnosticsOf(doc: FlowLogDocument): Diagnostic[] {
  const { problems, omitted } = doc.problems();
  const diagnostics = problems.map(toDiagnostic);
  if (omitted > 0) diagnostics.push(toDiagnostic({ ...FlowLogDocument.omittedProblem(omitted), line: 0 }));
  return diagnostics;
}

/** Diagnostics from elsewhere (connectivity.ts) published with a document's own, once they are ready. */
export interface MoreDiagnostics {
  diagnosticsFor(uri: string): Promise<Diagnostic[]>;
}

export function registerDiagnostics(connection: Connection, documents: DocumentStore, more?: MoreDiagnostics): { republishAll(): void; republish(uri: string): void } {
  const pending = new Set<string>();
  /** Documents whose publication is being written, and those to publish again once it is. */
  const writing = new Set<string>();
  const again = new Set<string>();
  let scheduled = false;

  const publish = (uri: string) => {
    const doc = documents.get(uri);
    if (!doc) return;
    if (writing.has(uri)) {
      again.add(uri);
      return;
    }
    writing.add(uri);
    void (more ? more.diagnosticsFor(uri).catch(() => []) : Promise.resolve([])).then((extra) => {
      // Read after the wait: the document as it is now (and none when it was closed meanwhile).
      const current = documents.get(uri);
      if (!current) return;
      const stats = current.getStats();
      const own = diagnosticsOf(current);
      return Promise.all([
        connection.sendDiagnostics({ uri, diagnostics: extra.length > 0 ? own.concat(extra) : own }),
        connection.sendNotification(DocumentStatusNotification, { uri, records: stats.records, rejects: stats.rejects, problems: stats.problems, errors: stats.errors }),
      ]);
    }).catch(() => undefined).finally(() => {
      writing.delete(uri);
      if (again.delete(uri)) schedule(uri);
    });
  };

  const flush = () => {
    scheduled = false;
    const uris = [...pending];
    pending.clear();
    uris.forEach(publish);
  };

  const schedule = (uri: string) => {
    pending.add(uri);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  documents.onDidValidate(schedule);
  documents.onDidClose((uri) => {
    pending.delete(uri);
    again.delete(uri);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  });

  return {
    republishAll() {
      for (const [uri] of documents.all()) schedule(uri);
    },
    republish: schedule,
  };
}
