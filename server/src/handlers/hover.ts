// Hover: the field's name, description and decoded value, and a one-line reading of the whole record. A JSON
// object's value (or key) and a CSV cell read as the field they hold (core/recordLine.ts).
// Everything that comes from the file (values, header names, the reading built from them) is escaped: it is data,
// never Markdown (see core/markdown.ts). Only our own texts (names and descriptions of the schema) are Markdown.
import { Hover, HoverParams, MarkupKind } from 'vscode-languageserver';
import { FlowLogDocument } from '../core/document';
import { LineKind } from '../core/scan';
import { fieldByName } from '../core/schema';
import { decodeValue, describeRecord, recordValues } from '../core/explain';
import { valueCode as code, valueText as text } from '../core/markdown';
import { FlowLogSettings } from '../protocol';

export function hoverAt(doc: FlowLogDocument, params: HoverParams, settings: FlowLogSettings): Hover | null {
  const { line, character } = params.position;
  if (line >= doc.lineCount) return null;
  const kind = doc.lineKind(line);
  if (kind !== LineKind.Header && kind !== LineKind.Record) return null;
  const { record, format } = doc.recordAt(line);
  if (record.unreadable) return null; // its diagnostic says why
  const k = record.fieldAtColumn(character);
  const valueOf = (i: number) => record.text.slice(record.spans.starts[i], record.spans.ends[i]);
  if (kind === LineKind.Header) {
    if (k < 0) return null;
    const name = valueOf(k);
    const field = fieldByName(name);
    const body = field
      ? `**${field.name}** · header field ${k + 1} · since version ${field.since}\n\n${field.description}`
      : `${code(name)} is not a known field name`;
    return hover(body, line, record.valueRange(k));
  }
  const options = { timeZone: settings.timeZone };
  const readingText = record.reading();
  const reading = text(describeRecord(readingText, format, options));
  if (k < 0) return hover(reading, line, [0, doc.lineText(line).length]);
  const field = format.fields[k];
  const value = valueOf(k);
  const parts: string[] = [];
  if (field) {
    parts.push(`**${field.name}** · field ${k + 1} of ${format.fields.length} · since version ${field.since}`);
    parts.push(field.description);
    const decoded = decodeValue(field, value, options, recordValues(readingText, format));
    parts.push(decoded ? `${code(value)} → ${text(decoded)}` : code(value));
  } else {
    parts.push(k >= format.fields.length
      ? `Extra field ${k + 1}: the format has ${format.fields.length} fields`
      : `**${text(format.names[k])}** (unknown field name)`);
  }
  parts.push('---', reading);
  return hover(parts.join('\n\n'), line, record.valueRange(k));
}

function hover(value: string, line: number, [start, end]: [number, number]): Hover {
  return {
    contents: { kind: MarkupKind.Markdown, value },
    range: { start: { line, character: start }, end: { line, character: end } },
  };
}
