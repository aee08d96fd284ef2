// Inlay hints: decoded values after protocol, port, timestamp, tcp-flags and byte fields (after a JSON value's or a
// CSV cell's closing quote).
import { InlayHint, InlayHintParams } from 'vscode-languageserver';
import { FlowLogDocument } from '../core/document';
import { FieldSpans, LineKind } from '../core/scan';
import { inlayHintsForLine } from '../core/explain';
import { FlowLogSettings } from '../protocol';

export function inlayHintsIn(doc: FlowLogDocument, params: InlayHintParams, settings: FlowLogSettings): InlayHint[] {
  const hints: InlayHint[] = [];
  const spans = new FieldSpans();
  const last = Math.min(params.range.end.line, doc.lineCount - 1);
  const options = { timeZone: settings.timeZone, ...settings.inlayHints };
  for (let line = params.range.start.line; line <= last; line++) {
    if (doc.lineKind(line) !== LineKind.Record) continue;
    const { record, format } = doc.recordAt(line);
    if (record.unreadable) continue;
    for (const h of inlayHintsForLine(record.reading(), format, options, spans)) {
      hints.push({ position: { line, character: record.sourceOfReadingEnd(h.character) }, label: h.label, paddingLeft: true });
    }
  }
  return hints;
}
