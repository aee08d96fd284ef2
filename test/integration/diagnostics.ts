// Waiting for a document's diagnostics in the real editor (shared by the integration tests).
import * as vscode from 'vscode';

/** The problems of the file itself, not the connectivity findings about the traffic it records. */
export function ownProblems(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source !== 'flowlog connectivity');
}

/** Resolves with the file's own problems once `accept` holds, awaiting onDidChangeDiagnostics (no sleeps). */
export function diagnosticsWhen(uri: vscode.Uri, accept: (d: readonly vscode.Diagnostic[]) => boolean): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve) => {
    const now = ownProblems(uri);
    if (accept(now)) return resolve(now);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const d = ownProblems(uri);
      if (accept(d)) {
        sub.dispose();
        resolve(d);
      }
    });
  });
}
