// Which chart a result gets, and its data: a time series when the first column is a time bucket (histogram()
// gives ISO UTC times), else a top-N bar chart of one numeric column against the label columns before it.
// Pure: the unit tests check the shaping, the views only draw it. Labels and series names are values from the log:
// shown with their control and bidi characters as escapes, as the table shows them.
import type { Cell } from './messages';
import { terminalText } from '../../../server/src/core/terminalText';

/** What a value column counts: bytes (shown as KiB, MiB…) or things (records, packets, ports: plain numbers). */
export type Unit = 'bytes' | 'count';

/** The unit of a column, from its name: `bytes`, `sum(bytes)`, `avg_bytes` are bytes; everything else counts. */
export function unitOf(column: string): Unit {
  return /bytes/i.test(column) ? 'bytes' : 'count';
}

export interface TimeSeries {
  name: string;
  /** One per x; null where the series has no value (an empty bucket between two that are not adjacent). */
  values: (number | null)[];
  unit: Unit;
}

export type ChartData =
  | {
    kind: 'time'; xColumn: string;
    /** Bucket starts (Unix seconds), and one more after each bucket whose next bucket is missing (all values null there). */
    xs: number[];
    /** The bucket size as the data shows it (the greatest common divisor of the gaps), 0 with one bucket. */
    step: number;
    series: TimeSeries[]; valueColumns: string[]; valueColumn: string;
  }
  | { kind: 'bars'; labels: string[]; values: number[]; rowIndex: number[]; valueColumns: string[]; valueColumn: string };

/** Bars drawn at most: a top-N chart past this reads as noise (the table has them all). */
export const MAX_BARS = 50;
/** Series of a pivoted time chart at most (the largest by total). */
export const MAX_SERIES = 8;

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/;

function isTimeColumn(rows: Cell[][], i: number): boolean {
  let seen = 0;
  for (const r of rows) {
    const v = r[i];
    if (v === null) continue;
    if (typeof v !== 'string' || !ISO_TIME.test(v)) return false;
    seen++;
  }
  return seen > 0;
}

function isNumericColumn(rows: Cell[][], i: number): boolean {
  let seen = 0;
  for (const r of rows) {
    const v = r[i];
    if (v === null) continue;
    if (typeof v !== 'number') return false;
    seen++;
  }
  return seen > 0;
}

const gcd = (a: number, b: number): number => {
  while (b > 0) [a, b] = [b, a % b];
  return a;
};

/**
 * Breaks the lines where buckets are missing: a histogram has no row for an empty bucket, and a line drawn straight
 * from one bucket to the next would show traffic where there was none. After each bucket not followed by the next
 * one, an x one step later with null values ends the line there (uPlot leaves a gap at null).
 */
function withGaps(xs: number[], series: TimeSeries[]): { xs: number[]; step: number; series: TimeSeries[] } {
  let step = 0;
  for (let i = 1; i < xs.length; i++) {
    const d = xs[i] - xs[i - 1];
    if (!Number.isInteger(d)) return { xs, step: 0, series }; // not whole-second buckets: no gaps to find
    step = gcd(step, d);
  }
  if (step === 0) return { xs, step, series };
  const out: number[] = [];
  const values: (number | null)[][] = series.map(() => []);
  for (let i = 0; i < xs.length; i++) {
    out.push(xs[i]);
    series.forEach((s, k) => values[k].push(s.values[i]));
    if (i + 1 < xs.length && xs[i + 1] - xs[i] > step) {
      out.push(xs[i] + step);
      for (const v of values) v.push(null);
    }
  }
  return { xs: out, step, series: series.map((s, k) => ({ ...s, values: values[k] })) };
}

/**
 * The indices of the values with no value beside them (null or the end on both sides): a line has nothing to draw
 * for them, so they are drawn as points, or a bucket alone in a sparse histogram would not show at all.
 */
export function isolatedPoints(values: (number | null)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] == null) continue;
    if ((i === 0 || values[i - 1] == null) && (i === values.length - 1 || values[i + 1] == null)) out.push(i);
  }
  return out;
}

const label = (row: Cell[], from: number, to: number) => row.slice(from, to).map((v) => (v === null ? '-' : String(v))).join(' · ');

/**
 * The chart of an aggregate result, or undefined when a chart would say nothing (one value, no numbers).
 * `valueColumn` picks which numeric column to draw (default: the first one after the labels).
 */
export function chartFor(columns: string[], rows: Cell[][], valueColumn?: string): ChartData | undefined {
  if (rows.length === 0 || columns.length < 2) return undefined;
  const numeric = columns.map((_, i) => isNumericColumn(rows, i));
  if (isTimeColumn(rows, 0)) {
    // Label columns between the time and the first number (`t, action, bytes`) split the values into series.
    let firstValue = 1;
    while (firstValue < columns.length && !numeric[firstValue]) firstValue++;
    const valueIdx = [...columns.keys()].filter((i) => i >= firstValue && numeric[i]);
    if (valueIdx.length === 0) return undefined;
    const valueColumns = valueIdx.map((i) => columns[i]);
    const xsSet = new Set<number>();
    for (const r of rows) if (r[0] !== null) xsSet.add(Date.parse(String(r[0])) / 1000);
    const xs = [...xsSet].sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    if (firstValue === 1) {
      const series = valueIdx.map((c) => {
        const values: (number | null)[] = xs.map(() => null);
        for (const r of rows) if (r[0] !== null) values[at.get(Date.parse(String(r[0])) / 1000)!] = r[c] as number | null;
        return { name: columns[c], values, unit: unitOf(columns[c]) };
      });
      return { kind: 'time', xColumn: columns[0], ...withGaps(xs, series), valueColumns, valueColumn: valueColumn ?? valueColumns[0] };
    }
    // Pivot: one series per label combination, of the chosen value column.
    const chosen = valueColumn && valueColumns.includes(valueColumn) ? valueColumn : valueColumns[0];
    const c = columns.indexOf(chosen);
    const byKey = new Map<string, { values: (number | null)[]; total: number }>();
    for (const r of rows) {
      if (r[0] === null) continue;
      const key = label(r, 1, firstValue);
      let s = byKey.get(key);
      if (!s) byKey.set(key, (s = { values: xs.map(() => 0), total: 0 }));
      const v = typeof r[c] === 'number' ? (r[c] as number) : 0;
      s.values[at.get(Date.parse(String(r[0])) / 1000)!]! += v;
      s.total += v;
    }
    const series = [...byKey].sort((a, b) => b[1].total - a[1].total).slice(0, MAX_SERIES).map(([name, s]) => ({ name: terminalText(`${name} ${chosen}`), values: s.values, unit: unitOf(chosen) }));
    return { kind: 'time', xColumn: columns[0], ...withGaps(xs, series), valueColumns, valueColumn: chosen };
  }
  // Bars: labels are the columns up to the last non-numeric one (at least the first column).
  let lastLabel = 0;
  for (let i = 0; i < columns.length; i++) if (!numeric[i]) lastLabel = i;
  const valueColumns = columns.filter((_, i) => i > lastLabel && numeric[i]);
  if (valueColumns.length === 0) return undefined;
  const chosen = valueColumn && valueColumns.includes(valueColumn) ? valueColumn : valueColumns[0];
  const c = columns.indexOf(chosen);
  const shown = rows.slice(0, MAX_BARS);
  return {
    kind: 'bars',
    labels: shown.map((r) => terminalText(label(r, 0, lastLabel + 1))),
    values: shown.map((r) => (typeof r[c] === 'number' ? (r[c] as number) : 0)),
    rowIndex: shown.map((_, i) => i),
    valueColumns,
    valueColumn: chosen,
  };
}
