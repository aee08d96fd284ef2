// Comparing our rows with DuckDB's. Every ORDER BY in the bench has tie-breakers up to a total order, so rows are
// compared in order; on a difference the message says whether only the order differs.
export type Cell = string | number | null;

/** DuckDB's values as JSON gives them (bigints already numbers), ours as the engine gives them. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return false;
}

const show = (row: unknown[] | undefined) => (row === undefined ? '(none)' : JSON.stringify(row));

/** undefined when equal, else what differs (the first differing row, counts, or the order alone). */
export function diffRows(ours: unknown[][], theirs: unknown[][]): string | undefined {
  const rowEqual = (x: unknown[] | undefined, y: unknown[] | undefined) =>
    x !== undefined && y !== undefined && x.length === y.length && x.every((v, i) => same(v, y[i]));
  let first = -1;
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    if (!rowEqual(ours[i], theirs[i])) {
      first = i;
      break;
    }
  }
  if (first < 0) return undefined;
  const key = (r: unknown[]) => JSON.stringify(r);
  const sortedEqual = ours.length === theirs.length && ours.map(key).sort().join('\n') === theirs.map(key).sort().join('\n');
  const counts = ours.length === theirs.length ? `${ours.length} rows each` : `${ours.length} rows vs DuckDB's ${theirs.length}`;
  return `${counts}${sortedEqual ? ', same rows in another order' : ''}; first difference at row ${first}: ours ${show(ours[first])} vs DuckDB ${show(theirs[first])}`;
}

/** Keeps the columns at `indexes` of every row (to leave out columns DuckDB has no function for). */
export function pick(rows: unknown[][], indexes: number[]): unknown[][] {
  return rows.map((r) => indexes.map((i) => r[i]));
}
