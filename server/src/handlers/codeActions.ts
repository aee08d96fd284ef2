// Code actions: the quick fixes the validator attached to its problems, and "insert the default header line".
import { CodeAction, CodeActionKind, CodeActionParams, Diagnostic, TextEdit } from 'vscode-languageserver';
import { FlowLogDocument } from '../core/document';
import { LineKind } from '../core/scan';
import { QuickFix, insertDefaultHeaderFix } from '../core/validate';

function editsOf(fix: QuickFix, line: number): TextEdit[] {
  return fix.edits.map((e) => {
    const l = e.line ?? line;
    return TextEdit.replace({ start: { line: l, character: e.start }, end: { line: l, character: e.end } }, e.newText);
  });
}

export function codeActionsFor(doc: FlowLogDocument, params: CodeActionParams): CodeAction[] {
  const uri = params.textDocument.uri;
  const actions: CodeAction[] = [];
  for (const d of params.context.diagnostics as Diagnostic[]) {
    const fix = d.data as QuickFix | undefined;
    if (d.source !== 'flowlog' || !fix || !Array.isArray(fix.edits)) continue;
    actions.push({
      title: fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: { changes: { [uri]: editsOf(fix, d.range.start.line) } },
    });
  }
  const line = params.range.start.line;
  const spaceSeparated = doc.shape.encoding === 'text' || doc.shape.encoding === 'cloudwatch';
  if (spaceSeparated && !doc.hasHeader && line < doc.lineCount && doc.lineKind(line) === LineKind.Record) {
    // Files from object storage start with this line; adding it makes the format explicit for other tools.
    actions.push({
      title: insertDefaultHeaderFix.title,
      kind: CodeActionKind.Source,
      edit: { changes: { [uri]: editsOf(insertDefaultHeaderFix, 0) } },
    });
  }
  return actions;
}
