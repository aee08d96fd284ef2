// Query results as CSV (RFC 4180 quoting; NULL as an empty cell). Used by the CLI and the editor commands.
import { Value } from './values';

export function toCsv(columns: string[], rows: Value[][]): string {
  const cell = (v: Value) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}
