// How one line of a document reads as a record, whatever the delivery it came in: a space-separated line as it
// is, a CloudWatch export line after its time, a CLS JSON object by its values, a CLS CSV row by its cells. Each
// gives the text the validator, hover and inlay hints read (the canonical line the readers make of it: one space
// between values, `-` for a missing one) and where each value sits in the source line, so that a problem, a hover
// or a hint lands on the JSON value or the CSV cell. The rules are the readers' (core/readers/json.ts, csv.ts):
// a line the readers turn into a `!` line (which the engine counts as malformed) is `unreadable` here, with the
// reason, so the editor and the engine agree on which lines are records.
import { LineKind } from './scan';
import { MappedLine } from './recordLine/mappedLine';
import { readJson } from './recordLine/jsonLine';
import { readCsv } from './recordLine/csvLine';

/** How a document's records are written (detected once from its first lines and its name). */
export type LineEncoding = 'text' | 'cloudwatch' | 'json' | 'csv';

export interface LineShape {
  encoding: LineEncoding;
  /** CSV: the separator (`,` tab `|` `;` or space) and the quote character. */
  separator?: string;
  quote?: string;
}

export const TEXT_SHAPE: LineShape = { encoding: 'text' };

/** A line read as a record by its document's encoding; reused from line to line (read one line at a time). */
export class RecordLine extends MappedLine {
  /** Reads `source` (one line, without its line end) as `shape` says; returns the line's kind. */
  read(source: string, shape: LineShape): LineKind {
    this.reset(source);
    switch (shape.encoding) {
      case 'text':
        return this.readText(source, 0);
      case 'cloudwatch':
        return this.readText(source, Math.max(0, isoTimePrefixEnd(source)));
      case 'json':
        return readJson(this, source);
      case 'csv':
        return readCsv(this, source, shape.separator ?? ',', shape.quote ?? '"');
    }
  }
}

// --- CloudWatch ---------------------------------------------------------------------------------------------

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Where the record starts after a leading `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM) ` (a CloudWatch Logs export), or
 * -1; the string twin of readers/text.ts isoPrefixEnd.
 */
export function isoTimePrefixEnd(s: string): number {
  const pattern = 'dddd-dd-ddTdd:dd:dd';
  if (s.length < 21) return -1;
  for (let k = 0; k < pattern.length; k++) {
    const c = s.charCodeAt(k);
    const p = pattern.charCodeAt(k);
    if (p === 100 ? !isDigit(c) : c !== p) return -1;
  }
  let i = pattern.length;
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  }
  const z = s.charCodeAt(i);
  if (z === 90) i++;
  else if (z === 43 || z === 45) {
    i++;
    let digits = 0;
    while (i < s.length && (isDigit(s.charCodeAt(i)) || s.charCodeAt(i) === 58) && digits < 5) {
      i++;
      digits++;
    }
  }
  return i < s.length && s.charCodeAt(i) === 32 ? i + 1 : -1;
}

