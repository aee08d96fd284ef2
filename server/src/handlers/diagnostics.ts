// Core problems -> LSP diagnostics, published (coalesced per tick) after each change, with the status counts.
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

export function registerDiagnostics(connection: Connection, documents: DocumentStore): { republishAll(): void } {
  const pending = new Set<string>();
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    for (const uri of pending) {
      const doc = documents.get(uri);
      if (!doc) continue;
      void connection.sendDiagnostics({ uri, diagnostics: diagnosticsOf(doc) });
      const stats = doc.getStats();
      void connection.sendNotification(DocumentStatusNotification, { uri, records: stats.records, rejects: stats.rejects, problems: stats.problems, errors: stats.errors });
    }
    pending.clear();
  };

  const schedule = (uri: string) => {
    pending.add(uri);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  documents.onDidChange(schedule);
  documents.onDidClose((uri) => {
    pending.delete(uri);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  });

  return {
    republishAll() {
      for (const [uri] of documents.all()) schedule(uri);
    },
  };
}
