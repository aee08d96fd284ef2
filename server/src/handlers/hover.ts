// Hover: the field's name, description and decoded value, and a one-line reading of the whole record.
import { Hover, HoverParams, MarkupKind } from 'vscode-languageserver';
import { FlowLogDocument } from '../core/document';
import { LineKind } from '../core/scan';
import { fieldByName } from '../core/schema';
import { decodeValue, describeRecord, fieldAt, recordValues } from '../core/explain';
import { FlowLogSettings } from '../protocol';

/** Markdown-escapes a value from a log file (it is data, never markup). */
function code(value: string): string {
  const ticks = value.includes('`') ? '``' : '`';
  return `${ticks}${value}${ticks}`;
}

export function hoverAt(doc: FlowLogDocument, params: HoverParams, settings: FlowLogSettings): Hover | null {
  const { line, character } = params.position;
  if (line >= doc.lineCount) return null;
  const kind = doc.lineKind(line);
  const text = doc.lineText(line);
  if (kind === LineKind.Header) {
    const at = fieldAt(text, doc.formatAt(line + 1), character);
    const field = at && fieldByName(at.value);
    if (!at) return null;
    const body = field
      ? `**${field.name}** · header field ${at.index + 1} · since version ${field.since}\n\n${field.description}`
      : `${code(at.value)} is not a known field name`;
    return hover(body, line, at.start, at.end);
  }
  if (kind !== LineKind.Record) return null;
  const format = doc.formatAt(line);
  const at = fieldAt(text, format, character);
  const options = { timeZone: settings.timeZone };
  const reading = describeRecord(text, format, options);
  if (!at) return hover(reading, line, 0, text.length);
  const parts: string[] = [];
  if (at.field) {
    parts.push(`**${at.field.name}** · field ${at.index + 1} of ${format.fields.length} · since version ${at.field.since}`);
    parts.push(at.field.description);
    const decoded = decodeValue(at.field, at.value, options, recordValues(text, format));
    parts.push(decoded ? `${code(at.value)} → ${decoded}` : code(at.value));
  } else {
    parts.push(at.index >= format.fields.length
      ? `Extra field ${at.index + 1}: the format has ${format.fields.length} fields`
      : `**${format.names[at.index]}** (unknown field name)`);
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
