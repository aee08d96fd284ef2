// `.log` and `.txt` files belong to VS Code's own log/plaintext languages, whose extension associations win over
// a `firstLine` pattern. So the client looks at the first line of such files itself and, when it can only be a
// flow log (the same strict pattern as package.json's firstLine), switches the document to flowlog.
import * as vscode from 'vscode';

const CANDIDATE_LANGUAGES = new Set(['log', 'plaintext']);

export function registerLanguageDetection(context: vscode.ExtensionContext): void {
  const pattern = new RegExp(context.extension.packageJSON.contributes.languages[0].firstLine as string);
  const check = (doc: vscode.TextDocument) => {
    if (!CANDIDATE_LANGUAGES.has(doc.languageId) || doc.lineCount === 0) return;
    if (pattern.test(doc.lineAt(0).text)) void vscode.languages.setTextDocumentLanguage(doc, 'flowlog');
  };
  vscode.workspace.textDocuments.forEach(check);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(check));
}
