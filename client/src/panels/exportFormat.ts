// Query results as files or clipboard text: CSV (RFC 4180, as the CLI writes it) or JSON (an array of objects).
import { toCsv } from '../../../server/src/core/query/csv';
import { Cell, ExportFormat } from '../../webview/src/messages';

export function formatResult(format: ExportFormat, columns: string[], rows: Cell[][]): string {
  if (format === 'csv') return toCsv(columns, rows);
  const objects = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null])));
  return JSON.stringify(objects, null, 2) + '\n';
}
