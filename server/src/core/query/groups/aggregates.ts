// Aggregate states, one kind per function, each with its update (a record's value), merge (another table's
// state for the same group) and finish (the result value). States live in one Float64Array, two numbers per
// aggregate per group side by side (a group's update touches one cache line), plus a value column for the
// kinds whose state is a value (min/max of text, any_value).
import type { AggSpec } from '../plan';
import { Value, compareValues } from '../values';
import { outgrown, pooledFloat64, release } from './arrayPool';

export const enum AggKind {
  /** count(*): a = records. */
  CountStar = 0,
  /** count(x): a = values not NULL. */
  Count = 1,
  /** sum(x), avg(x): a = values, b = their sum. */
  Sum = 2,
  Avg = 3,
  /** min/max of numbers: a = values, b = the extreme. */
  MinNumber = 4,
  MaxNumber = 5,
  /** min/max of any value: a = values, the extreme in the value column. */
  Min = 6,
  Max = 7,
  /** any_value(x): a = 1 once set, b = the sequence of the record kept, the value in the value column. */
  Any = 8,
}

/** The kind of an aggregate (DISTINCT ones get their state from the distinct values at the end: same kinds). */
export function aggKind(spec: AggSpec, numericArg: boolean): AggKind {
  if (spec.star) return AggKind.CountStar;
  switch (spec.fn) {
    case 'count': return AggKind.Count;
    case 'sum': return AggKind.Sum;
    case 'avg': return AggKind.Avg;
    case 'min': return numericArg ? AggKind.MinNumber : AggKind.Min;
    case 'max': return numericArg ? AggKind.MaxNumber : AggKind.Max;
    case 'any_value': return AggKind.Any;
  }
}

function needsValues(kind: AggKind): boolean {
  return kind === AggKind.Min || kind === AggKind.Max || kind === AggKind.Any;
}

/** The states of a plan's aggregates for every group of one table. */
export class AggregateStates {
  readonly width: number;
  /** acc[(g × width + i) × 2] and [… + 1]: the two numbers of aggregate i of group g. */
  acc: Float64Array;
  /** values[g × width + i]: the value state, for the kinds that have one (else empty). */
  values: Value[];
  private readonly withValues: boolean;

  constructor(readonly kinds: Uint8Array, capacity: number) {
    this.width = kinds.length;
    this.acc = pooledFloat64(Math.max(1, capacity * this.width * 2));
    this.withValues = Array.from(kinds).some((k) => needsValues(k as AggKind));
    this.values = [];
  }

  /** States made elsewhere (another thread's arrays), to merge or finish here. */
  static of(kinds: Uint8Array, acc: Float64Array, values: Value[]): AggregateStates {
    const states = new AggregateStates(kinds, 0);
    states.acc = acc;
    states.values = values;
    return states;
  }

  grow(capacity: number): void {
    const acc = pooledFloat64(capacity * this.width * 2, false);
    acc.set(this.acc);
    acc.fill(0, this.acc.length);
    outgrown(this.acc);
    this.acc = acc;
  }

  /** Gives the states' memory back to the pool (they are not used after). */
  release(): void {
    release(this.acc);
  }

  byteSize(): number {
    return this.acc.byteLength + this.values.length * 16;
  }

  /** Adds a record's value v of aggregate i to group g (`seq`: the record's, for any_value). */
  add(g: number, i: number, v: Value, seq: number): void {
    const kind = this.kinds[i] as AggKind;
    const slot = g * this.width + i;
    const at = slot * 2;
    const acc = this.acc;
    switch (kind) {
      case AggKind.CountStar:
        acc[at]++;
        return;
      case AggKind.Count:
        if (v !== null) acc[at]++;
        return;
      case AggKind.Sum:
      case AggKind.Avg:
        if (v === null) return;
        acc[at]++;
        acc[at + 1] += typeof v === 'number' ? v : Number(v);
        return;
      case AggKind.MinNumber:
      case AggKind.MaxNumber: {
        if (v === null) return;
        const x = typeof v === 'number' ? v : Number(v);
        if (acc[at]++ === 0 || (kind === AggKind.MinNumber ? x < acc[at + 1] : x > acc[at + 1])) acc[at + 1] = x;
        return;
      }
      case AggKind.Min:
      case AggKind.Max: {
        if (v === null) return;
        const values = this.valueColumn(slot);
        if (acc[at]++ === 0) values[slot] = v;
        else {
          const c = compareValues(v, values[slot]);
          if (kind === AggKind.Min ? c < 0 : c > 0) values[slot] = v;
        }
        return;
      }
      case AggKind.Any: {
        if (v === null) return;
        if (acc[at] === 0 || seq < acc[at + 1]) {
          acc[at] = 1;
          acc[at + 1] = seq;
          this.valueColumn(slot)[slot] = v;
        }
        return;
      }
    }
  }

  /** A number (NaN for NULL) of aggregate i to group g: the fast path for numeric fields. */
  addNumber(g: number, i: number, x: number, seq: number): void {
    const at = (g * this.width + i) * 2;
    const acc = this.acc;
    switch (this.kinds[i] as AggKind) {
      case AggKind.CountStar:
        acc[at]++;
        return;
      case AggKind.Count:
        if (x === x) acc[at]++;
        return;
      case AggKind.Sum:
      case AggKind.Avg:
        if (x === x) {
          acc[at]++;
          acc[at + 1] += x;
        }
        return;
      case AggKind.MinNumber:
        if (x === x && (acc[at]++ === 0 || x < acc[at + 1])) acc[at + 1] = x;
        return;
      case AggKind.MaxNumber:
        if (x === x && (acc[at]++ === 0 || x > acc[at + 1])) acc[at + 1] = x;
        return;
      default:
        this.add(g, i, x === x ? x : null, seq);
    }
  }

  private valueColumn(slot: number): Value[] {
    const values = this.values;
    while (values.length <= slot) values.push(null);
    return values;
  }

  /**
   * Adds one record to group g from its numbers src[at, at + width): per aggregate, its argument as addNumber
   * takes it (NaN for NULL; anything for count(*)). A record run's group (groups/recordRuns.ts).
   */
  addRecordAt(g: number, src: Float64Array, at: number, seq: number): void {
    for (let i = 0; i < this.width; i++) this.addNumber(g, i, src[at + i], seq);
  }

  /** Merges the states of group h of `from` into group g. */
  merge(g: number, from: { acc: Float64Array; values: Value[] }, h: number): void {
    this.mergeAt(g, from.acc, h * this.width * 2, from.values, h * this.width);
  }

  /**
   * Merges states read elsewhere into group g: their numbers from src[at…] (two per aggregate), their values from
   * values[valuesAt…] (a spill run's group, another table's).
   */
  mergeAt(g: number, src: Float64Array, at: number, values: Value[] | undefined, valuesAt: number): void {
    const width = this.width;
    const acc = this.acc;
    for (let i = 0; i < width; i++) {
      const a = (g * width + i) * 2;
      const b = at + i * 2;
      const n = src[b];
      if (n === 0) continue;
      const kind = this.kinds[i] as AggKind;
      switch (kind) {
        case AggKind.CountStar:
        case AggKind.Count:
          acc[a] += n;
          break;
        case AggKind.Sum:
        case AggKind.Avg:
          acc[a] += n;
          acc[a + 1] += src[b + 1];
          break;
        case AggKind.MinNumber:
        case AggKind.MaxNumber: {
          const x = src[b + 1];
          if (acc[a] === 0 || (kind === AggKind.MinNumber ? x < acc[a + 1] : x > acc[a + 1])) acc[a + 1] = x;
          acc[a] += n;
          break;
        }
        case AggKind.Min:
        case AggKind.Max: {
          const v = values ? values[valuesAt + i] : null;
          const slot = g * width + i;
          const mine = this.valueColumn(slot);
          if (acc[a] === 0) mine[slot] = v;
          else {
            const c = compareValues(v, mine[slot]);
            if (kind === AggKind.Min ? c < 0 : c > 0) mine[slot] = v;
          }
          acc[a] += n;
          break;
        }
        case AggKind.Any: {
          const seq = src[b + 1];
          if (acc[a] === 0 || seq < acc[a + 1]) {
            acc[a] = 1;
            acc[a + 1] = seq;
            this.valueColumn(g * width + i)[g * width + i] = values ? values[valuesAt + i] : null;
          }
          break;
        }
      }
    }
  }

  /** The result of aggregate i for group g. */
  finish(g: number, i: number): Value {
    const slot = g * this.width + i;
    const n = this.acc[slot * 2];
    switch (this.kinds[i] as AggKind) {
      case AggKind.CountStar:
      case AggKind.Count:
        return n;
      case AggKind.Sum:
        return n > 0 ? this.acc[slot * 2 + 1] : null;
      case AggKind.Avg:
        return n > 0 ? this.acc[slot * 2 + 1] / n : null;
      case AggKind.MinNumber:
      case AggKind.MaxNumber:
        return n > 0 ? this.acc[slot * 2 + 1] : null;
      default:
        return n > 0 ? this.values[slot] ?? null : null;
    }
  }

  /** The value column of these states, when the kinds have one (for posting to another thread). */
  hasValues(): boolean {
    return this.withValues;
  }
}
