// Values of the SQL side: numbers, strings and NULL, with SQL's comparison and ordering rules.
import { FieldDef, FieldType } from '../schema';

export type Value = number | string | null;

const NUMERIC: ReadonlySet<FieldType> = new Set<FieldType>(['port', 'protocol', 'count', 'timestamp', 'tcpFlags', 'trafficPath', 'integer']);

/** Whether a field's values are numbers in SQL (`-` is NULL). */
export function isNumericField(f: FieldDef | undefined): boolean {
  return f !== undefined && NUMERIC.has(f.type);
}

/** Signed decimal integer in text[s, e), or NaN. Char walk: no substring on the hot path. */
export function intAt(text: string, s: number, e: number): number {
  if (e <= s) return NaN;
  let i = s;
  let sign = 1;
  if (text.charCodeAt(i) === 45) {
    sign = -1;
    i++;
    if (i === e) return NaN;
  }
  if (e - i > 15) return NaN;
  let v = 0;
  for (; i < e; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return sign * v;
}

/** SQL ordering: NULLs last (as DuckDB does, in both directions), numbers before strings. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SQL comparison for predicates: NULL when either side is NULL; a numeric string compares as a number. */
export function compareForPredicate(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function truthy(v: Value): boolean {
  return v !== null && v !== 0 && v !== '';
}

/**
 * A copy of a string value that does not pin the chunk it was cut from. V8 keeps substrings of 13+ characters as
 * views of their parent, so a value kept past its chunk (group key, result row) would keep the whole 1 MB chunk.
 */
export function detach(v: Value): Value {
  return typeof v === 'string' && v.length >= 13 ? (' ' + v).slice(1) : v;
}
