// The values of one scanned JSON object (jsonScan.ts) as a canonical line takes them: a value written (decoded where
// it was escaped; a problem where no space-separated field can hold it), a text record's text, where each value is
// in its source line (lint and the editor underline there), and why a line that is no flat object is not one.
import { ChunkWriter } from './chunkWriter';
import { FlatObjectScanner, Kind } from './jsonScan';
import { hasBlank } from './jsonProjection';
import { Layout } from './jsonLayout';
import { SourceColumnsBuilder, utf16Length } from './sourceColumns';

export const VALUE_HOLDS_BLANK = 'the value holds a space or control character';
export const VALUE_IS_NESTED = 'the value is an object or array, not a field value';

/** Writes scanned value k; returns a problem, or '' when written. */
export function writeValue(out: ChunkWriter, scan: FlatObjectScanner, buf: Uint8Array, k: number): string {
  switch (scan.valKind[k] as Kind) {
    case Kind.Missing:
      out.dash();
      return '';
    case Kind.Raw:
      out.bytes(buf, scan.valStart[k], scan.valEnd[k]);
      return '';
    case Kind.Blank:
      return VALUE_HOLDS_BLANK;
    case Kind.Decoded: {
      const v = scan.decoded[k];
      if (v === '') {
        out.dash();
        return '';
      }
      if (hasBlank(v)) return VALUE_HOLDS_BLANK;
      out.text(v);
      return '';
    }
    default:
      return VALUE_IS_NESTED;
  }
}

/** A text record (value k of the line starting at `lineStart`: `__CONTENT__`, `message`) as its own line. */
export function writeRawText(out: ChunkWriter, scan: FlatObjectScanner, buf: Uint8Array, lineStart: number, k: number, lineNo: number): void {
  const kind = scan.valKind[k] as Kind;
  if (kind === Kind.Raw || kind === Kind.Blank) out.line(lineNo, buf, scan.valStart[k], scan.valEnd[k], out.columns ? utf16Length(buf, lineStart, scan.valStart[k]) : 0);
  else if (kind === Kind.Decoded) {
    const v = scan.decoded[k];
    if (/[\r\n]/.test(v)) {
      out.problem(lineNo, 'the text record holds a line break');
      return;
    }
    out.begin(lineNo);
    out.text(v);
    out.end();
  } else if (kind === Kind.Missing) out.line(lineNo, buf, 0, 0);
  else out.problem(lineNo, 'the text record is an object or array');
}

/**
 * Records where each output column's value is in the source line `buf[start, end)`, in UTF-16 columns (lint and the
 * editor show problems there).
 */
export function placeValues(columns: SourceColumnsBuilder, scan: FlatObjectScanner, buf: Uint8Array, start: number, end: number, layout: Layout): void {
  let ascii = true;
  for (let i = start; i < end && ascii; i++) if (buf[i] >= 0x80) ascii = false;
  const col = (at: number) => (ascii ? at - start : utf16Length(buf, start, at));
  for (let c = 0; c < layout.sourceOf.length; c++) {
    const k = layout.identity ? c : layout.sourceOf[c];
    columns.span(col(scan.valStart[k]), col(scan.valEnd[k]));
  }
}

/** Why the line `buf[start, end)` is not one flat object, in the words of JSON.parse where it has them. */
export function describeBadLine(decoder: { decode(bytes: Uint8Array): string }, buf: Uint8Array, start: number, end: number): string {
  const text = decoder.decode(buf.subarray(start, end));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `not valid JSON: ${(e as Error).message}`;
  }
  if (value === null) return 'the JSON line is null, not an object';
  if (Array.isArray(value)) return 'the JSON line is an array, not an object';
  if (typeof value !== 'object') return `the JSON line is a ${typeof value}, not an object`;
  return 'not a flat JSON object';
}
