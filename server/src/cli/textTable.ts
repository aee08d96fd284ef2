// Results as an aligned text table for a terminal: values with their control characters escaped, numbers to the
// right, columns at most 60 characters wide (what `flowlog query` and `flowlog diagnose --query` print).
import { terminalText } from '../core/terminalText';
import { Value } from '../core/query/values';

/** The header, a rule and the rows, each line ending with a line feed; `footer` goes after a blank line. */
export function alignedTable(columns: string[], rows: Value[][], footer: string): string {
  const text = rows.map((r) => r.map((v) => (v === null ? 'NULL' : terminalText(String(v)))));
  const heads = columns.map(terminalText);
  // A loop, not Math.max(...lengths): a spread of 130,000 rows overflows the call stack.
  const widths = heads.map((c, i) => {
    let w = c.length;
    for (const r of text) if (r[i].length > w) w = r[i].length;
    return Math.min(60, w);
  });
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const fmt = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const lines = [fmt(heads), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(fmt)];
  lines.push('', footer);
  return lines.join('\n') + '\n';
}
