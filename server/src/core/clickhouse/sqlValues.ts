// Typed pieces of ClickHouse SQL for the translator, and SQL's three-valued logic on ClickHouse 18.16.
//
// 18.16's `and`/`or` are not three-valued (`NULL AND 0` is NULL, `NULL OR 1` is 1), and a comparison with a
// NULL is NULL. So a condition is carried as a "tri": an unsigned integer, never NULL: 0 false, 1 unknown (NULL),
// 2 true. AND is least(), OR greatest(), NOT 2 − x: SQL's truth tables exactly, each operand written once.
// (Never the `NOT` operator: 18.16 drops the parentheses of `(NOT x) * 2` when it sends a query to the shards.)

/** A value expression: its SQL, what it holds (as the local engine's Value: number, text or NULL). */
export interface Val {
  kind: 'value';
  sql: string;
  type: 'number' | 'text' | 'null';
  /** Whole numbers only (columns of integer types, sums and counts of them): `%` stays integer. */
  int: boolean;
}

/** A condition: SQL evaluating to 0 (false), 1 (NULL) or 2 (true), never NULL itself. */
export interface Tri {
  kind: 'tri';
  sql: string;
}

export type Tx = Val | Tri;

export const NULL_VALUE: Val = { kind: 'value', sql: 'NULL', type: 'null', int: false };
export const TRI_NULL: Tri = { kind: 'tri', sql: '1' };

export const val = (sql: string, type: Val['type'], int = false): Val => ({ kind: 'value', sql, type, int });
export const tri = (sql: string): Tri => ({ kind: 'tri', sql });

/** A ClickHouse string literal. */
export function str(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** A number literal (JavaScript's text of it: what the local engine compares and prints). */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  const s = String(n);
  return n < 0 || Object.is(n, -0) ? `(${s})` : s;
}

/** A value as SQL's truth: NULL unknown, 0 and '' false, anything else true (the local engine's truthy). */
export function toTri(x: Tx): Tri {
  if (x.kind === 'tri') return x;
  if (x.type === 'null') return TRI_NULL;
  return tri(`ifNull((${x.sql} != ${x.type === 'text' ? "''" : '0'}) * 2, 1)`);
}

/** A condition as a value: 1, 0 or NULL (the local engine's result of a comparison). */
export function toVal(x: Tx): Val {
  if (x.kind === 'value') return x;
  if (x.sql === '1') return NULL_VALUE;
  return val(`intDiv(nullIf(${x.sql}, 1), 2)`, 'number', true);
}

/** A boolean (0/1, NULL allowed) as a tri: NULL unknown. */
export function boolTri(sql: string): Tri {
  return tri(`ifNull((${sql}) * 2, 1)`);
}

export function and(items: Tri[]): Tri {
  if (items.length === 1) return items[0];
  return tri(`least(${items.map((i) => i.sql).join(', ')})`);
}

export function or(items: Tri[]): Tri {
  if (items.length === 1) return items[0];
  return tri(`greatest(${items.map((i) => i.sql).join(', ')})`);
}

export function not(x: Tri): Tri {
  return tri(`(2 - ${x.sql})`);
}

/** A number value as Float64 (the local engine computes in doubles). */
export function float(x: Val): string {
  if (x.type === 'null') return 'NULL';
  if (x.type === 'text') return `toFloat64OrNull(${x.sql})`;
  return `toFloat64(${x.sql})`;
}

/** A value as text, as String(v) gives it for whole numbers. */
export function text(x: Val): string {
  if (x.type === 'text') return x.sql;
  if (x.type === 'null') return 'NULL';
  return `toString(${x.sql})`;
}
