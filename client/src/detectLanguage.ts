// `.log` and `.txt` files belong to VS Code's own log/plaintext languages, whose extension associations win over
// a `firstLine` pattern; `.json` and `.csv` files to JSON and CSV. So the client looks at the first line of such
// files itself and, when it can only be a flow log (a header or record, a CLS JSON object keyed by field names, a
// CSV header row of field names: core/firstLine.ts), switches the document to flowlog. A decoded view of a
// compressed or Parquet file is switched the same way (its name, `x.log.gz`, says nothing of its text).
import * as vscode from 'vscode';
import { isFlowLogFirstLine } from '../../server/src/core/firstLine';
import { DECODED_SCHEME } from '../../server/src/protocol';

/** Languages VS Code (or a CSV extension) gives the files a flow log may be delivered as. */
const CANDIDATE_LANGUAGES = new Set(['log', 'plaintext', 'json', 'jsonl', 'jsonc', 'csv', 'tsv', 'csv (semicolon)', 'csv (pipe)', 'csv (whitespace)']);

/** The first non-blank line of a document (among its first 50 lines). */
function firstLine(doc: vscode.TextDocument): string | undefined {
  for (let i = 0; i < Math.min(doc.lineCount, 50); i++) {
    const text = doc.lineAt(i).text;
    if (text.trim() !== '') return text;
  }
  return undefined;
}

export function registerLanguageDetection(context: vscode.ExtensionContext): void {
  const check = (doc: vscode.TextDocument) => {
    if (doc.languageId === 'flowlog') return;
    if (!CANDIDATE_LANGUAGES.has(doc.languageId) && doc.uri.scheme !== DECODED_SCHEME) return;
    const line = firstLine(doc);
    if (line !== undefined && isFlowLogFirstLine(line)) void vscode.languages.setTextDocumentLanguage(doc, 'flowlog');
  };
  vscode.workspace.textDocuments.forEach(check);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(check));
}
