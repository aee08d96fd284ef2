// CSV as Tencent CLS ships it to COS: the fields in a configured order, a configured separator (comma, tab,
// space, `|`), an optional first row of keys, values quoted with `"` (or `'`, CLS's other "escape character")
// when they hold the separator, a doubled quote inside a quoted value (RFC 4180).
//
// One row a line: a quoted value cannot hold a line break here, because a space-separated record cannot either, so
// a quote still open at the end of a line is that row's problem and the next line is read as the next row (a
// stray quote never swallows the rest of the file). An empty value, or the configured filler of missing fields,
// becomes `-`; a value holding a space or control character is a problem (the record could not be split again).
import { ChunkWriter } from './chunkWriter';
import { headerName } from './json';
import { LineSink } from './lineSplitter';
import { utf16Length } from './sourceColumns';

export interface CsvOptions {
  /** `,` (default), `\t`, ` ` or `|`. */
  separator?: string;
  /** The first row names the fields. */
  header?: boolean;
  /** The field names, for files without a header row (CLS's configured keys); overrides a header row. */
  fields?: string[];
  /** The quote character: `"` (default) or `'`. */
  quote?: string;
  /** The filler CLS writes for a missing key (its "invalid field" setting), read as `-`. */
  missing?: string;
}

export class CsvSink implements LineSink {
  private readonly sep: number;
  private readonly quote: number;
  private readonly missing: Uint8Array | undefined;
  private headerPending: boolean;
  private fieldsWritten = false;

  constructor(private readonly out: ChunkWriter, private readonly options: CsvOptions = {}) {
    const sep = options.separator ?? ',';
    if (sep.length !== 1) throw new Error(`CSV separator must be one character, not ${JSON.stringify(sep)}`);
    this.sep = sep.charCodeAt(0);
    this.quote = (options.quote ?? '"').charCodeAt(0);
    this.missing = options.missing ? new TextEncoder().encode(options.missing) : undefined;
    this.headerPending = options.header ?? false;
  }

  longLine(lineNo: number, cap: number): void {
    this.out.longLine(lineNo, cap);
  }

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const out = this.out;
    if (start === end) {
      out.line(lineNo, buf, start, start);
      return;
    }
    if (this.options.fields && !this.fieldsWritten) {
      this.fieldsWritten = true;
      out.header(this.options.fields.map(headerName));
    }
    if (this.headerPending) {
      this.headerPending = false;
      const names = this.cells(buf, start, end);
      if (typeof names === 'string') {
        out.problem(lineNo, `header row: ${names}`);
        return;
      }
      if (this.options.fields) {
        // The configured names win; the row itself is not a record.
        out.line(lineNo, buf, start, start);
        return;
      }
      const bad = names.find((n) => n === '' || /[\s\x00-\x1f\x7f]/.test(n));
      if (bad !== undefined) {
        out.problem(lineNo, `header row: ${JSON.stringify(bad)} cannot be a field name`);
        return;
      }
      out.begin(lineNo);
      out.text(names.map(headerName).join(' '));
      out.end();
      return;
    }
    out.begin(lineNo);
    const problem = this.writeRow(buf, start, end);
    if (problem) out.abandon(lineNo, problem);
    else out.end();
  }

  /** Writes a row's values as a canonical line; returns a problem instead when there is one. */
  private writeRow(buf: Uint8Array, start: number, end: number): string {
    const out = this.out;
    const sep = this.sep;
    const q = this.quote;
    let i = start;
    let column = 0;
    // Where each cell is in the source line, when asked for (lint and the editor show problems there).
    let ascii = true;
    if (out.columns) for (let k = start; k < end && ascii; k++) if (buf[k] >= 0x80) ascii = false;
    const place = out.columns && ((a: number, b: number) => out.columns!.span(ascii ? a - start : utf16Length(buf, start, a), ascii ? b - start : utf16Length(buf, start, b)));
    for (;;) {
      if (column > 0) out.space();
      column++;
      // Blanks before an opening quote are not part of the value (`a, "b"`).
      let open = i;
      while (open < end && isBlank(buf[open]) && buf[open] !== sep) open++;
      if (open < end && buf[open] === q) i = open;
      if (i < end && buf[i] === q) {
        // Quoted: up to the closing quote; a doubled quote is one quote character.
        let j = i + 1;
        const valueStart = out.size;
        let piece = j;
        for (;;) {
          if (j >= end) return `column ${column}: unterminated quote`;
          const c = buf[j];
          if (c === q) {
            if (j + 1 < end && buf[j + 1] === q) {
              out.bytes(buf, piece, j + 1);
              j += 2;
              piece = j;
              continue;
            }
            break;
          }
          if (c <= 32 || c === 127) return `column ${column}: the value holds a space or control character`;
          j++;
        }
        out.bytes(buf, piece, j);
        place?.(i + 1, j);
        if (out.size === valueStart) out.dash();
        else if (this.isMissing(buf, i + 1, j)) {
          out.truncate(valueStart);
          out.dash();
        }
        i = j + 1;
        while (i < end && isBlank(buf[i]) && buf[i] !== sep) i++;
        if (i === end) return '';
        if (buf[i] !== sep) return `column ${column}: text after the closing quote`;
        i++;
        continue;
      }
      let j = i;
      while (j < end && buf[j] !== sep) j++;
      // Blanks around an unquoted value are not part of it (`a, b`); inside it they are a problem.
      let s = i;
      let e = j;
      while (s < e && isBlank(buf[s])) s++;
      while (e > s && isBlank(buf[e - 1])) e--;
      for (let k = s; k < e; k++) {
        if (buf[k] <= 32 || buf[k] === 127) return `column ${column}: the value holds a space or control character`;
      }
      if (e === s || this.isMissing(buf, s, e)) out.dash();
      else out.bytes(buf, s, e);
      place?.(s, e);
      if (j >= end) return '';
      i = j + 1;
    }
  }

  private isMissing(buf: Uint8Array, start: number, end: number): boolean {
    const m = this.missing;
    if (!m || end - start !== m.length) return false;
    for (let k = 0; k < m.length; k++) if (buf[start + k] !== m[k]) return false;
    return true;
  }

  /** The cells of a row as strings (for a header row), or a problem. */
  private cells(buf: Uint8Array, start: number, end: number): string[] | string {
    const text = new TextDecoder().decode(buf.subarray(start, end));
    const sep = String.fromCharCode(this.sep);
    const q = String.fromCharCode(this.quote);
    const cells: string[] = [];
    let i = 0;
    for (;;) {
      if (text[i] === q) {
        let value = '';
        let j = i + 1;
        for (;;) {
          if (j >= text.length) return 'unterminated quote';
          if (text[j] === q) {
            if (text[j + 1] === q) {
              value += q;
              j += 2;
              continue;
            }
            break;
          }
          value += text[j++];
        }
        cells.push(value);
        i = j + 1;
        if (i >= text.length) return cells;
        if (text[i] !== sep) return 'text after the closing quote';
        i++;
        continue;
      }
      const j = text.indexOf(sep, i);
      cells.push((j < 0 ? text.slice(i) : text.slice(i, j)).trim());
      if (j < 0) return cells;
      i = j + 1;
    }
  }
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}
