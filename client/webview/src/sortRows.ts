// Sort order of table rows by one column: numbers as numbers, text as text, NULLs last in both directions,
// ties in original order (so a second click on the same column is a true reverse of the first only for keys).
import type { Cell } from './messages';

function compareCells(a: Cell, b: Cell): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

export function sortedOrder(rows: Cell[][], column: number, descending: boolean): number[] {
  const order = rows.map((_, i) => i);
  order.sort((i, j) => {
    const a = rows[i][column];
    const b = rows[j][column];
    if (a === null || b === null) return a === b ? i - j : a === null ? 1 : -1;
    const c = compareCells(a, b);
    return c === 0 ? i - j : descending ? -c : c;
  });
  return order;
}
