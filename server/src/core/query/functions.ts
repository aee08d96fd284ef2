// The SQL functions of the query language, in one registry: what each takes, what it does, how it is checked
// when the query is planned, and the names the query box offers. The planner, the evaluators and the webview's
// completion read this table; nothing else lists functions.
import { subnetOf } from '../address';
import { isoUtc, protocolName, serviceName } from '../decode';
import type { Expr } from './ast';
import type { Value } from './values';

export type Evaluator<C> = (ctx: C) => Value;
type Call = Extract<Expr, { kind: 'call' }>;

export interface ScalarFunction {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** One line for completion and errors: how it is called and what it gives. */
  readonly signature: string;
  /** Extra checks at plan time; `fail` throws a positioned QueryError. */
  check?(call: Call, fail: (message: string, offset: number) => never): void;
  /** The evaluator of a call, from its arguments' evaluators. */
  compile<C>(args: Evaluator<C>[], call: Call): Evaluator<C>;
}

export interface AggregateFunction {
  readonly name: 'count' | 'sum' | 'avg' | 'min' | 'max' | 'any_value';
  /** Other names it answers to (`arbitrary` is Trino's and ClickHouse's name for any_value). */
  readonly aliases: readonly string[];
  readonly signature: string;
  /** Whether DISTINCT is allowed (and meaningful) in it. */
  readonly distinct: boolean;
}

const num = (v: Value): number | null => (v === null ? null : typeof v === 'number' ? v : Number(v));

function unary<C>(f: (x: number) => Value): (args: Evaluator<C>[]) => Evaluator<C> {
  return ([a]) => (c) => {
    const v = num(a(c));
    return v === null || Number.isNaN(v) ? null : f(v);
  };
}

function text<C>(f: (s: string) => Value): (args: Evaluator<C>[]) => Evaluator<C> {
  return ([a]) => (c) => {
    const v = a(c);
    return v === null ? null : f(String(v));
  };
}

/** The seconds of histogram()'s second argument (an interval, or a number of seconds). */
export function histogramSeconds(call: Call): number {
  const a = call.args[1];
  return a.kind === 'interval' ? a.seconds : a.kind === 'number' ? a.value : NaN;
}

/** The start of the bucket of `t` (epoch-aligned buckets of `seconds`). */
export function bucketStart(t: number, seconds: number): number {
  return Math.floor(t / seconds) * seconds;
}

/**
 * Bucket texts of histogram(): logs come in time order, so consecutive records fall in the same few buckets;
 * their texts are kept (the same string for the same bucket).
 */
export function bucketTexts(seconds: number): (t: number) => string | null {
  let lastBucket = NaN;
  let lastText = '';
  const recent = new Map<number, string>();
  return (t) => {
    if (t !== t) return null;
    const bucket = bucketStart(t, seconds);
    if (bucket !== lastBucket) {
      lastBucket = bucket;
      let s = recent.get(bucket);
      if (s === undefined) {
        if (recent.size >= 64) recent.clear();
        s = isoUtc(bucket);
        recent.set(bucket, s);
      }
      lastText = s;
    }
    return lastText;
  };
}

function literalNumber(e: Expr): number | undefined {
  if (e.kind === 'number') return e.value;
  if (e.kind === 'unary' && e.op === '-' && e.operand.kind === 'number') return -e.operand.value;
  return undefined;
}

export const SCALAR_FUNCTIONS: readonly ScalarFunction[] = [
  {
    name: 'histogram', minArgs: 2, maxArgs: 2, signature: 'histogram(time, interval N unit): the start of its time bucket, as ISO UTC text',
    check(call, fail) {
      const a = call.args[1];
      if (a.kind !== 'interval' && a.kind !== 'number') fail('histogram() takes an interval such as interval 5 minute', a.offset);
      const s = histogramSeconds(call);
      if (!(s > 0) || !Number.isFinite(s)) fail('histogram() needs a positive interval', a.offset);
    },
    compile([a], call) {
      const bucket = bucketTexts(histogramSeconds(call));
      return (c) => {
        const v = num(a(c));
        return v === null ? null : bucket(v);
      };
    },
  },
  {
    name: 'from_unixtime', minArgs: 1, maxArgs: 1, signature: 'from_unixtime(seconds): ISO UTC text',
    compile: unary((v) => isoUtc(Math.floor(v))),
  },
  {
    name: 'protocol_name', minArgs: 1, maxArgs: 1, signature: 'protocol_name(protocol): TCP, UDP, ICMP…',
    compile: unary((v) => (Number.isInteger(v) && v >= 0 && v <= 255 ? protocolName(v) : null)),
  },
  {
    name: 'service_name', minArgs: 1, maxArgs: 2, signature: 'service_name(port[, protocol]): ssh, https…',
    compile([a, b]) {
      return (c) => {
        const v = num(a(c));
        const p = b ? num(b(c)) : undefined;
        return v === null ? null : serviceName(v, p ?? undefined) ?? null;
      };
    },
  },
  {
    name: 'subnet', minArgs: 2, maxArgs: 2, signature: 'subnet(address, prefix): the network, e.g. 10.0.1.0/24',
    check(call, fail) {
      const p = literalNumber(call.args[1]);
      if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 128)) {
        fail(`subnet() takes a prefix length 0–32 (IPv4) or 0–128 (IPv6), not ${p}`, call.args[1].offset);
      }
    },
    compile([a, b]) {
      return (c) => {
        const v = a(c);
        const n = num(b(c));
        return v === null || n === null ? null : subnetOf(String(v), n) ?? null;
      };
    },
  },
  { name: 'lower', minArgs: 1, maxArgs: 1, signature: 'lower(text)', compile: text((s) => s.toLowerCase()) },
  { name: 'upper', minArgs: 1, maxArgs: 1, signature: 'upper(text)', compile: text((s) => s.toUpperCase()) },
  { name: 'length', minArgs: 1, maxArgs: 1, signature: 'length(text): characters', compile: text((s) => [...s].length) },
  { name: 'abs', minArgs: 1, maxArgs: 1, signature: 'abs(x)', compile: unary(Math.abs) },
  { name: 'floor', minArgs: 1, maxArgs: 1, signature: 'floor(x)', compile: unary(Math.floor) },
  { name: 'ceil', minArgs: 1, maxArgs: 1, signature: 'ceil(x)', compile: unary(Math.ceil) },
  {
    name: 'round', minArgs: 1, maxArgs: 2, signature: 'round(x[, digits]): half away from zero',
    compile([a, b]) {
      return (c) => {
        const v = num(a(c));
        const d = b ? num(b(c)) : 0;
        if (v === null || d === null || Number.isNaN(v)) return null;
        const k = 10 ** d;
        return (Math.sign(v) * Math.round(Math.abs(v) * k)) / k;
      };
    },
  },
  {
    name: 'coalesce', minArgs: 1, maxArgs: 16, signature: 'coalesce(a, b, …): the first that is not NULL',
    compile(args) {
      return (c) => {
        for (const a of args) {
          const v = a(c);
          if (v !== null) return v;
        }
        return null;
      };
    },
  },
];

export const AGGREGATE_FUNCTIONS: readonly AggregateFunction[] = [
  { name: 'count', aliases: [], signature: 'count(*), count(x), count(distinct x)', distinct: true },
  { name: 'sum', aliases: [], signature: 'sum(x)', distinct: true },
  { name: 'avg', aliases: [], signature: 'avg(x)', distinct: true },
  { name: 'min', aliases: [], signature: 'min(x)', distinct: true },
  { name: 'max', aliases: [], signature: 'max(x)', distinct: true },
  { name: 'any_value', aliases: ['arbitrary'], signature: "any_value(x): x of the group's first record", distinct: false },
];

const scalarByName = new Map(SCALAR_FUNCTIONS.map((f) => [f.name, f]));
const aggregateByName = new Map(AGGREGATE_FUNCTIONS.flatMap((f) => [[f.name, f] as const, ...f.aliases.map((a) => [a, f] as const)]));

export function scalarFunction(name: string): ScalarFunction | undefined {
  return scalarByName.get(name);
}

export function aggregateFunction(name: string): AggregateFunction | undefined {
  return aggregateByName.get(name);
}

export function isAggregateName(name: string): boolean {
  return aggregateByName.has(name);
}

/** Every function name, as the query box offers them. */
export const SQL_FUNCTION_NAMES: readonly string[] = [...AGGREGATE_FUNCTIONS.flatMap((f) => [f.name, ...f.aliases]), ...SCALAR_FUNCTIONS.map((f) => f.name)];
