// A CLS CSV row read as a record, as the readers' CsvSink reads it (core/readers/csv.ts): quotes, blanks around
// values, `""` inside quotes; a row of field names is the header row.
import { LineKind, scanFields } from '../scan';
import { lookupField } from '../schema';
import { Codes } from '../validate';
import { headerName } from '../readers/json';
import { MappedLine, ValueWriter, holdsBlank, unreadable } from './mappedLine';

const isBlank = (c: number, sep: number) => (c === 32 || c === 9) && c !== sep;

/** A row of cells, as CsvSink reads it (readers/csv.ts): quotes, blanks around values, `""` inside quotes. */
export function readCsv(line: MappedLine, source: string, separator: string, quote: string): LineKind {
  let end = source.length;
  if (end > 0 && source.charCodeAt(end - 1) === 13) end--;
  if (end === 0) return (line.kind = LineKind.Blank);
  const sep = separator.charCodeAt(0);
  const q = quote.charCodeAt(0);
  const out = new ValueWriter(line);
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  let column = 0;
  for (;;) {
    column++;
    let open = i;
    while (open < end && isBlank(source.charCodeAt(open), sep)) open++;
    if (open < end && source.charCodeAt(open) === q) {
      let j = open + 1;
      let value = '';
      let piece = j;
      let doubled = false;
      for (;;) {
        if (j >= end) return unreadable(line, Codes.csvRecord, `column ${column}: unterminated quote`, open, end);
        const c = source.charCodeAt(j);
        if (c === q) {
          if (j + 1 < end && source.charCodeAt(j + 1) === q) {
            value += source.slice(piece, j + 1);
            j += 2;
            piece = j;
            doubled = true;
            continue;
          }
          break;
        }
        j++;
      }
      value += source.slice(piece, j);
      if (holdsBlank(value)) return unreadable(line, Codes.csvRecord, `column ${column}: the value holds a space or control character, which a flow log record cannot hold`, open + 1, j);
      if (value === '') out.value('', open, j + 1, j + 1, false);
      else out.value(value, open + 1, j, j + 1, !doubled);
      i = j + 1;
      while (i < end && isBlank(source.charCodeAt(i), sep)) i++;
      if (i >= end) break;
      if (source.charCodeAt(i) !== sep) return unreadable(line, Codes.csvRecord, `column ${column}: text after the closing quote`, i, end);
      i++;
      continue;
    }
    let j = i;
    while (j < end && source.charCodeAt(j) !== sep) j++;
    let s = i;
    let e = j;
    while (s < e && isBlank(source.charCodeAt(s), sep)) s++;
    while (e > s && isBlank(source.charCodeAt(e - 1), sep)) e--;
    if (holdsBlank(source, s, e)) return unreadable(line, Codes.csvRecord, `column ${column}: the value holds a space or control character, which a flow log record cannot hold`, s, e);
    // An empty cell is `-`; its problems go on the separator after it (or before it, at the end of the row).
    if (e === s) out.value('', Math.min(s, end - 1), Math.min(s + 1, end), Math.min(s + 1, end), false);
    else out.value(source.slice(s, e), s, e, e, true);
    if (j >= end) break;
    i = j + 1;
  }
  out.finish();
  // A row of field names is the header row (as a header line of a text file: at least two names, half known).
  let known = 0;
  for (let k = 0; k < line.spans.count; k++) if (lookupField(line.text.slice(line.spans.starts[k], line.spans.ends[k]))) known++;
  if (known >= 2 && known * 2 >= line.spans.count) {
    const names: string[] = [];
    for (let k = 0; k < line.spans.count; k++) names.push(headerName(line.text.slice(line.spans.starts[k], line.spans.ends[k])));
    const joined = names.join(' ');
    if (joined.length === line.text.length) {
      line.text = joined;
      scanFields(joined, 0, joined.length, line.spans);
    } else {
      // Renamed spellings (log_status → log-status) change the lengths: the cells keep their source columns.
      rewriteNames(line, names);
    }
    return (line.kind = LineKind.Header);
  }
  return (line.kind = LineKind.Record);
}

function rewriteNames(line: MappedLine, names: string[]): void {
  const spans = line.spans;
  let at = 0;
  for (let k = 0; k < names.length; k++) {
    spans.starts[k] = at;
    spans.ends[k] = at + names[k].length;
    if (names[k].length !== line.valueEnd[k] - line.valueStart[k]) line.verbatim[k] = 0;
    at += names[k].length + 1;
  }
  line.text = names.join(' ');
  spans.contentEnd = line.text.length;
}
