// Query results as CSV (RFC 4180 quoting; NULL as an empty cell). Used by the CLI and the editor commands (the
// panel's Export and Copy, Run Query).
//
// Log values are hostile, and CSV goes to spreadsheets: a cell that begins with = + - @ tab or CR is read there as
// a formula (`=HYPERLINK(…)` leaks data on a click, `=cmd|…` runs a program through DDE). Such a text cell is
// written the way OWASP recommends: prefixed with a single quote and quoted, so a spreadsheet shows it as text. A
// number stays a number (-2 stays -2), and so does text that is exactly a number ("-1" cannot be a formula).
import { Value } from './values';

/** What a spreadsheet would read as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number, which a spreadsheet reads as that number and nothing else. */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell; `display` rewrites the text first (escaping controls for a terminal). */
export function csvCell(v: Value, display?: (text: string) => string): string {
  if (v === null) return '';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  let s = String(v);
  if (display) s = display(s);
  if (FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) return `"'${s.replace(/"/g, '""')}"`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (a header of column names, or a row), ending with \n. */
export function csvLine(r: readonly Value[], display?: (text: string) => string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) out += (i > 0 ? ',' : '') + csvCell(r[i], display);
  return out + '\n';
}

/** The result as CSV: a header line of column names, then one line per row, each ending with \n. */
export function toCsv(columns: string[], rows: Value[][], display?: (text: string) => string): string {
  const parts: string[] = [csvLine(columns, display)];
  for (const r of rows) parts.push(csvLine(r, display));
  return parts.join('');
}
