// The validator's rules for a header line (a line of field names that binds the records after it).
import { DEFAULT_HEADER_LINE, closestFieldName, fieldByName } from '../schema';
import { FieldSpans } from '../scan';
import { Codes, Problem, QuickFix } from './problems';

/** Validates a header line: every name known, none repeated. */
export function validateHeader(text: string, spans: FieldSpans, out: Problem[]): void {
  const seen = new Map<string, number>();
  for (let k = 0; k < spans.count; k++) {
    const s = spans.starts[k];
    const e = spans.ends[k];
    const name = text.slice(s, e);
    const field = fieldByName(name);
    if (!field) {
      const guess = closestFieldName(name);
      out.push({
        code: Codes.headerUnknownField,
        severity: 'error',
        message: `unknown field name ${name} in the header${guess ? `; did you mean ${guess}?` : ''}`,
        start: s,
        end: e,
        fix: guess ? { title: `Change to ${guess}`, edits: [{ start: s, end: e, newText: guess }] } : undefined,
      });
      continue;
    }
    const before = seen.get(field.name);
    if (before !== undefined) {
      out.push({ code: Codes.headerDuplicateField, severity: 'error', message: `field ${field.name} is named twice in the header (first at field ${before + 1})`, start: s, end: e });
    } else {
      seen.set(field.name, k);
    }
  }
  for (let g = 0; g < Math.min(spans.gapCount, spans.gapStarts.length); g++) {
    out.push({
      code: Codes.multipleSpaces, severity: 'warning', message: `${spans.gapEnds[g] - spans.gapStarts[g]} spaces between two field names; the format uses one`,
      start: spans.gapStarts[g], end: spans.gapEnds[g],
      fix: { title: 'Replace with a single space', edits: [{ start: spans.gapStarts[g], end: spans.gapEnds[g], newText: ' ' }] },
    });
  }
}

/** The quick fix that inserts the default header line at the top of the document. */
export const insertDefaultHeaderFix: QuickFix = {
  title: 'Insert the default header line',
  edits: [{ line: 0, start: 0, end: 0, newText: DEFAULT_HEADER_LINE + '\n' }],
};
