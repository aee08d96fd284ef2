// Comparing the engine's rows with an oracle's (DuckDB, ClickHouse): values normalised to numbers, text and NULL,
// numbers equal within 1e-9 (relative) when either is not an exact integer, and a short diff when they differ.
import type { Value } from '../../server/src/core/query';

/** An oracle's value as the engine's: integers of any width as numbers, booleans as 1/0, NULL as null. */
export function normalize(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return String(v);
}

export function sameValue(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return true;
    // Integer sums past 2^53 are exact in the oracle and rounded in a double; quotients round differently.
    const exact = Number.isSafeInteger(a) && Number.isSafeInteger(b);
    return !exact && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

export function sameRow(a: Value[], b: Value[]): boolean {
  return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
}

export function showRow(r: Value[] | undefined): string {
  // NaN and ±Infinity spelt out (JSON would print null).
  return r === undefined ? '(none)' : JSON.stringify(r, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** A sort key that puts equal rows (within the tolerance) together: numbers rounded to 9 significant digits. */
function rowKey(r: Value[]): string {
  return JSON.stringify(r.map((v) => (typeof v === 'number' && !Number.isSafeInteger(v) ? Number(v.toPrecision(9)) : v)));
}

/**
 * The first difference between two row lists, or undefined when they agree. `ordered`: row i against row i;
 * otherwise as multisets (the engine leaves group order unspecified without ORDER BY).
 */
export function diffRows(actual: Value[][], expected: Value[][], ordered: boolean): string | undefined {
  if (!ordered) {
    const a = [...actual].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : rowKey(x) > rowKey(y) ? 1 : 0));
    const e = [...expected].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : rowKey(x) > rowKey(y) ? 1 : 0));
    const d = diffRows(a, e, true);
    if (!d) return undefined;
    const extra = missingFrom(actual, expected).slice(0, 3);
    const missing = missingFrom(expected, actual).slice(0, 3);
    return `${actual.length} rows, expected ${expected.length} (compared as multisets)\n  unexpected: ${extra.map(showRow).join(' ') || '(none)'}\n  missing:    ${missing.map(showRow).join(' ') || '(none)'}`;
  }
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] === undefined || expected[i] === undefined || !sameRow(actual[i], expected[i])) {
      const col = actual[i] && expected[i] ? actual[i].findIndex((v, j) => !sameValue(v, expected[i][j])) : -1;
      return `${actual.length} rows, expected ${expected.length}; first difference at row ${i}${col >= 0 ? ` column ${col}` : ''}\n  actual:   ${showRow(actual[i])}\n  expected: ${showRow(expected[i])}`;
    }
  }
  return undefined;
}

/** The rows of `rows` that have no equal row left in `other` (multiset difference). */
export function missingFrom(rows: Value[][], other: Value[][]): Value[][] {
  const pool = new Map<string, number>();
  for (const r of other) pool.set(rowKey(r), (pool.get(rowKey(r)) ?? 0) + 1);
  const out: Value[][] = [];
  for (const r of rows) {
    const k = rowKey(r);
    const n = pool.get(k) ?? 0;
    if (n > 0) pool.set(k, n - 1);
    else out.push(r);
  }
  return out;
}
