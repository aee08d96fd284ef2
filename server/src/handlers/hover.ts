// Hover: the field's name, description and decoded value, and a one-line reading of the whole record.
// Everything that comes from the file (values, header names, the reading built from them) is escaped: it is data,
// never Markdown (see core/markdown.ts). Only our own texts (names and descriptions of the schema) are Markdown.
import { Hover, HoverParams, MarkupKind } from 'vscode-languageserver';
import { FlowLogDocument } from '../core/document';
import { LineKind } from '../core/scan';
import { fieldByName } from '../core/schema';
import { decodeValue, describeRecord, fieldAt, recordValues } from '../core/explain';
import { valueCode as code, valueText as text } from '../core/markdown';
import { FlowLogSettings } from '../protocol';

export function hoverAt(doc: FlowLogDocument, params: HoverParams, settings: FlowLogSettings): Hover | null {
  const { line, character } = params.position;
  if (line >= doc.lineCount) return null;
  const kind = doc.lineKind(line);
  const lineText = doc.lineText(line);
  if (kind === LineKind.Header) {
    const at = fieldAt(lineText, doc.formatAt(line + 1), character);
    const field = at && fieldByName(at.value);
    if (!at) return null;
    const body = field
      ? `**${field.name}** · header field ${at.index + 1} · since version ${field.since}\n\n${field.description}`
      : `${code(at.value)} is not a known field name`;
    return hover(body, line, at.start, at.end);
  }
  if (kind !== LineKind.Record) return null;
  const format = doc.formatAt(line);
  const at = fieldAt(lineText, format, character);
  const options = { timeZone: settings.timeZone };
  const reading = text(describeRecord(lineText, format, options));
  if (!at) return hover(reading, line, 0, lineText.length);
  const parts: string[] = [];
  if (at.field) {
    parts.push(`**${at.field.name}** · field ${at.index + 1} of ${format.fields.length} · since version ${at.field.since}`);
    parts.push(at.field.description);
    const decoded = decodeValue(at.field, at.value, options, recordValues(lineText, format));
    parts.push(decoded ? `${code(at.value)} → ${text(decoded)}` : code(at.value));
  } else {
    parts.push(at.index >= format.fields.length
      ? `Extra field ${at.index + 1}: the format has ${format.fields.length} fields`
      : `**${text(format.names[at.index])}** (unknown field name)`);
  }
  parts.push('---', reading);
  return hover(parts.join('\n\n'), line, at.start, at.end);
}

function hover(value: string, line: number, start: number, end: number): Hover {
  return {
    contents: { kind: MarkupKind.Markdown, value },
    range: { start: { line, character: start }, end: { line, character: end } },
  };
}
