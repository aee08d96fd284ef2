// The planner: checks names once, then compiles the query into closures per record format. The executor calls
// them in its loop; they read only the fields the query uses, straight from the line's field spans.
import { FIELDS, FieldDef, closestFieldName, lookupField } from '../schema';
import { FieldSpans, RecordFormat, makeFormat, spanEquals } from '../scan';
import { cidrContainsAt, parseCidr, subnetOf, parseAddress } from '../address';
import { protocolByName, protocolName, serviceName, isoUtc } from '../decode';
import { AGGREGATES, Expr, Query, SearchNode, SelectItem, SqlQuery } from './ast';
import { QueryError } from './errors';
import { TextCache, Value, compareForPredicate, compareValues, intAt, isNumericField, truthy } from './values';

/** The record under evaluation: the text of its chunk and its field spans (one object, updated per row). */
export interface RowCtx {
  t: string;
  sp: FieldSpans;
  /** The numeric fields the query uses, parsed once per record by the executor (NaN for `-`). */
  nums: Float64Array;
  /** Text fields of the record, read once and interned (the executor calls `next()` per record). */
  tc: TextCache;
}

export type RowTest = (row: RowCtx) => boolean;
export type RowExpr = (row: RowCtx) => Value;

export type AggFn = 'count' | 'sum' | 'avg' | 'min' | 'max';

export interface AggSpec {
  fn: AggFn;
  distinct: boolean;
  /** count(*) */
  star: boolean;
  arg?: Expr;
  key: string;
}

/** What one record format needs compiled. */
export interface FormatPlan {
  format: RecordFormat;
  search: RowTest;
  where?: RowTest;
  /** Positions of numeric fields the query reads: a line where one does not parse is malformed. */
  numericPositions: number[];
  /** Raw search / plain SQL: the output values of a record. */
  project: RowExpr[];
  /** Plain SQL ORDER BY keys per record. */
  orderKeys: RowExpr[];
  /** Aggregation: group keys and aggregate arguments per record, and the referenced columns of a group's first row. */
  groupKeys: RowExpr[];
  aggArgs: (RowExpr | undefined)[];
  firstRow: RowExpr[];
  /** The search matches every record (`*`): the executor skips calling it. */
  matchesAll: boolean;
  /** Per group key: the field position when the key is a plain field of this format, else -1 (and whether numeric). */
  groupFields: number[];
  groupFieldNumeric: boolean[];
  /** Per aggregate: the field position when its argument is a plain numeric field of this format, else -1. */
  aggFields: number[];
  /** Per aggregate: the field position when its argument is a plain text field of this format, else -1. */
  aggTextFields: number[];
}

export interface GroupView {
  keys: Value[];
  aggs: Value[];
  first: Value[];
}

export type GroupExpr = (g: GroupView) => Value;

/** Canonical text of an expression (positions left out, field names canonical), to match GROUP BY keys and aggregates. */
export function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v) => (k === 'offset' ? undefined : k === 'name' && typeof v === 'string' ? lookupField(v)?.name ?? v.toLowerCase() : v));
}

export class QueryPlan {
  readonly kind: 'search' | 'sql';
  readonly aggregate: boolean;
  readonly columns: string[] = [];
  readonly aggs: AggSpec[] = [];
  /** Canonical names of the fields a group's first row keeps (for non-grouped column references). */
  readonly firstRowFields: string[] = [];
  readonly groupBy: Expr[] = [];
  readonly selectItems: SelectItem[] = [];
  readonly orderBy: { expr: Expr; descending: boolean }[] = [];
  readonly limit?: number;
  readonly having?: Expr;
  /** Post-aggregation evaluators. */
  groupSelect: GroupExpr[] = [];
  groupOrder: GroupExpr[] = [];
  groupHaving?: GroupExpr;
  private readonly perFormat = new Map<RecordFormat, FormatPlan>();

  constructor(private readonly query: Query, private readonly text: string) {
    this.checkSearch(query.search);
    const sql = query.sql;
    if (!sql) {
      this.kind = 'search';
      this.aggregate = false;
      return;
    }
    this.kind = 'sql';
    this.limit = sql.limit;
    this.selectItems = sql.select;
    const resolveAlias = (e: Expr, aliasFirst: boolean): Expr => {
      if (e.kind === 'number' && Number.isInteger(e.value)) {
        const item = sql.select[e.value - 1];
        if (!item) this.fail(`there is no column ${e.value} in the SELECT list`, e.offset);
        return item.expr;
      }
      if (e.kind === 'column') {
        const byAlias = sql.select.find((s) => s.alias !== undefined && s.alias.toLowerCase() === e.name.toLowerCase());
        if (byAlias && (aliasFirst || !lookupField(e.name))) return byAlias.expr;
      }
      return e;
    };
    this.groupBy = sql.groupBy.map((g) => resolveAlias(g, false));
    this.orderBy = sql.orderBy.map((o) => ({ expr: resolveAlias(o.expr, true), descending: o.descending }));
    this.having = sql.having ? this.substituteAliases(sql.having, sql) : undefined;

    for (const item of sql.select) if (item.expr.kind !== 'star') this.checkExpr(item.expr, true);
    if (sql.where) {
      this.checkExpr(sql.where, false);
      if (containsAggregate(sql.where)) this.fail('aggregates are not allowed in WHERE (use HAVING)', sql.where.offset);
    }
    this.groupBy.forEach((g) => {
      this.checkExpr(g, false);
      if (containsAggregate(g)) this.fail('aggregates are not allowed in GROUP BY', g.offset);
    });
    if (this.having) this.checkExpr(this.having, true);
    this.orderBy.forEach((o) => this.checkExpr(o.expr, true));

    this.aggregate = this.groupBy.length > 0 || sql.select.some((s) => containsAggregate(s.expr)) || (this.having !== undefined);
    if (!this.aggregate && this.orderBy.some((o) => containsAggregate(o.expr))) this.aggregate = true;
    this.columns = this.expandColumns(sql.select);

    if (this.aggregate) {
      if (sql.select.some((s) => s.expr.kind === 'star')) this.fail('SELECT * cannot be used with aggregates', sql.select.find((s) => s.expr.kind === 'star')!.expr.offset);
      this.groupSelect = sql.select.map((s) => this.compileGroup(s.expr));
      this.groupOrder = this.orderBy.map((o) => this.compileGroup(o.expr));
      this.groupHaving = this.having ? this.compileGroup(this.having) : undefined;
    }
  }

  private fail(message: string, offset: number): never {
    throw new QueryError(message, this.text, offset);
  }

  private substituteAliases(e: Expr, sql: SqlQuery): Expr {
    const map = (x: Expr): Expr => {
      if (x.kind === 'column' && !lookupField(x.name)) {
        const item = sql.select.find((s) => s.alias !== undefined && s.alias.toLowerCase() === x.name.toLowerCase());
        if (item) return item.expr;
      }
      return mapChildren(x, map);
    };
    return map(e);
  }

  private expandColumns(select: SelectItem[]): string[] {
    const cols: string[] = [];
    for (const s of select) {
      if (s.expr.kind === 'star') cols.push('*');
      else cols.push(s.alias ?? s.text);
    }
    return cols;
  }

  private fieldOrFail(name: string, offset: number): FieldDef {
    const f = lookupField(name);
    if (!f) {
      const guess = closestFieldName(name);
      this.fail(`unknown field ${name}${guess ? `; did you mean ${guess}?` : ''}`, offset);
    }
    return f;
  }

  private checkSearch(n: SearchNode): void {
    switch (n.kind) {
      case 'and':
      case 'or':
        n.items.forEach((i) => this.checkSearch(i));
        return;
      case 'not':
        this.checkSearch(n.item);
        return;
      case 'field': {
        const f = this.fieldOrFail(n.field, n.offset);
        const t = n.test;
        if ((t.op === 'cmp' || t.op === 'range') && isNumericField(f)) {
          const values = t.op === 'cmp' ? [t.value] : [t.from, t.to];
          for (const v of values) if (v !== '*' && !Number.isFinite(Number(v))) this.fail(`${f.name} is a number: ${v} is not`, n.offset + n.field.length + 1);
        }
        if (t.op === 'eq' && f.type === 'protocol' && protocolByName(t.value) === undefined) {
          this.fail(`unknown protocol ${t.value} (a number 0–255 or a name such as tcp, udp, icmp)`, n.offset + n.field.length + 1);
        }
        if (t.op === 'eq' && f.type === 'address' && t.value.includes('/') && !parseCidr(t.value)) {
          this.fail(`${t.value} is not a valid CIDR block`, n.offset + n.field.length + 1);
        }
        return;
      }
      default:
        return;
    }
  }

  private checkExpr(e: Expr, aggregatesAllowed: boolean, insideAggregate = false): void {
    switch (e.kind) {
      case 'column':
        this.fieldOrFail(e.name, e.offset);
        return;
      case 'star':
        this.fail('* is only allowed as SELECT * or count(*)', e.offset);
        return;
      case 'interval':
        this.fail('an interval is only allowed inside histogram()', e.offset);
        return;
      case 'call': {
        if (AGGREGATES.has(e.name)) {
          if (insideAggregate) this.fail('aggregates cannot be nested', e.offset);
          if (!aggregatesAllowed) this.fail(`${e.name}() is an aggregate: not allowed in WHERE or GROUP BY (filter groups with HAVING)`, e.offset);
          if (e.name === 'count' && e.args.length === 1 && e.args[0].kind === 'star') {
            if (e.distinct) this.fail('count(distinct *) is not supported', e.offset);
            return;
          }
          if (e.args.length !== 1) this.fail(`${e.name}() takes one argument`, e.offset);
          this.checkExpr(e.args[0], false, true);
          return;
        }
        const arity = FUNCTION_ARITY[e.name];
        if (!arity) this.fail(`unknown function ${e.name}() (functions: ${Object.keys(FUNCTION_ARITY).concat([...AGGREGATES]).join(', ')})`, e.offset);
        if (e.args.length < arity[0] || e.args.length > arity[1]) this.fail(`${e.name}() takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]}–${arity[1]}`} arguments`, e.offset);
        e.args.forEach((a, i) => {
          if (e.name === 'histogram' && i === 1) {
            if (a.kind !== 'interval' && a.kind !== 'number') this.fail('histogram() takes an interval such as interval 5 minute', a.offset);
            return;
          }
          this.checkExpr(a, aggregatesAllowed, insideAggregate);
        });
        return;
      }
      default:
        forEachChild(e, (c) => this.checkExpr(c, aggregatesAllowed, insideAggregate));
    }
  }

  /** Which records the query takes (search and WHERE), as text: equal texts take the same records. */
  filterKey(): string {
    const search = JSON.stringify(this.query.search, (k, v) => (k === 'offset' ? undefined : v));
    return `${search}|${this.query.sql?.where ? exprKey(this.query.sql.where) : ''}`;
  }

  /** The numeric fields the query reads (a record where one does not parse is malformed for it). */
  numericFields(): string {
    return this.forFormat(ALL_FIELDS).numericPositions.map((k) => ALL_FIELDS.names[k]).join(' ');
  }

  /** The compiled closures for records bound by `format`. */
  forFormat(format: RecordFormat): FormatPlan {
    let p = this.perFormat.get(format);
    if (!p) {
      p = new FormatCompiler(format, this).compile(this.query);
      this.perFormat.set(format, p);
    }
    return p;
  }

  /** The aggregate index of a call, registering it on first sight. */
  aggIndex(e: Extract<Expr, { kind: 'call' }>): number {
    const key = exprKey(e);
    let i = this.aggs.findIndex((a) => a.key === key);
    if (i < 0) {
      const star = e.args.length === 1 && e.args[0].kind === 'star';
      this.aggs.push({ fn: e.name as AggFn, distinct: e.distinct, star, arg: star ? undefined : e.args[0], key });
      i = this.aggs.length - 1;
    }
    return i;
  }

  private firstRowIndex(name: string): number {
    const f = lookupField(name)!;
    let i = this.firstRowFields.indexOf(f.name);
    if (i < 0) {
      this.firstRowFields.push(f.name);
      i = this.firstRowFields.length - 1;
    }
    return i;
  }

  /** Compiles an expression evaluated once per group, after the scan. */
  private compileGroup(e: Expr): GroupExpr {
    const gi = this.groupBy.findIndex((g) => exprKey(g) === exprKey(e));
    if (gi >= 0) return (g) => g.keys[gi];
    switch (e.kind) {
      case 'call':
        if (AGGREGATES.has(e.name)) {
          const i = this.aggIndex(e);
          return (g) => g.aggs[i];
        }
        break;
      case 'column': {
        const i = this.firstRowIndex(e.name);
        return (g) => g.first[i];
      }
      default:
        break;
    }
    return compileExpr(e, (c) => this.compileGroup(c), () => {
      throw new Error('unreachable: columns resolved above');
    });
  }
}

/** A format with every field, to ask which fields a query reads. */
const ALL_FIELDS = makeFormat(FIELDS.map((f) => f.name), -1);

const FUNCTION_ARITY: Record<string, [number, number]> = {
  histogram: [2, 2], from_unixtime: [1, 1], protocol_name: [1, 1], service_name: [1, 2], subnet: [2, 2],
  lower: [1, 1], upper: [1, 1], length: [1, 1], abs: [1, 1], round: [1, 2], floor: [1, 1], ceil: [1, 1],
  coalesce: [1, 16],
};

function forEachChild(e: Expr, f: (c: Expr) => void): void {
  switch (e.kind) {
    case 'unary': f(e.operand); break;
    case 'binary': f(e.left); f(e.right); break;
    case 'call': e.args.forEach(f); break;
    case 'in': f(e.operand); e.list.forEach(f); break;
    case 'between': f(e.operand); f(e.low); f(e.high); break;
    case 'like': f(e.operand); f(e.pattern); break;
    case 'isNull': f(e.operand); break;
    default: break;
  }
}

function mapChildren(e: Expr, f: (c: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'unary': return { ...e, operand: f(e.operand) };
    case 'binary': return { ...e, left: f(e.left), right: f(e.right) };
    case 'call': return { ...e, args: e.args.map(f) };
    case 'in': return { ...e, operand: f(e.operand), list: e.list.map(f) };
    case 'between': return { ...e, operand: f(e.operand), low: f(e.low), high: f(e.high) };
    case 'like': return { ...e, operand: f(e.operand), pattern: f(e.pattern) };
    case 'isNull': return { ...e, operand: f(e.operand) };
    default: return e;
  }
}

export function containsAggregate(e: Expr): boolean {
  if (e.kind === 'call' && AGGREGATES.has(e.name)) return true;
  let found = false;
  forEachChild(e, (c) => {
    if (!found && containsAggregate(c)) found = true;
  });
  return found;
}

/**
 * Builds an evaluator of `e` over some context C (a record or a group): children are compiled with `child`,
 * column references with `column`. Scalar semantics live here once for both.
 */
function compileExpr<C>(e: Expr, child: (c: Expr) => (ctx: C) => Value, column: (e: Extract<Expr, { kind: 'column' }>) => (ctx: C) => Value): (ctx: C) => Value {
  switch (e.kind) {
    case 'number': {
      const v = e.value;
      return () => v;
    }
    case 'string': {
      const v = e.value;
      return () => v;
    }
    case 'null':
      return () => null;
    case 'interval': {
      const v = e.seconds;
      return () => v;
    }
    case 'star':
      return () => 1;
    case 'column':
      return column(e);
    case 'unary': {
      const x = child(e.operand);
      if (e.op === '-') return (c) => {
        const v = x(c);
        return v === null ? null : -Number(v);
      };
      return (c) => {
        const v = x(c);
        return v === null ? null : truthy(v) ? 0 : 1;
      };
    }
    case 'binary': {
      const l = child(e.left);
      const r = child(e.right);
      switch (e.op) {
        case 'and':
          return (c) => {
            const a = l(c);
            if (a !== null && !truthy(a)) return 0;
            const b = r(c);
            if (b !== null && !truthy(b)) return 0;
            return a === null || b === null ? null : 1;
          };
        case 'or':
          return (c) => {
            const a = l(c);
            if (a !== null && truthy(a)) return 1;
            const b = r(c);
            if (b !== null && truthy(b)) return 1;
            return a === null || b === null ? null : 0;
          };
        case '+': return arith(l, r, (a, b) => a + b);
        case '-': return arith(l, r, (a, b) => a - b);
        case '*': return arith(l, r, (a, b) => a * b);
        case '/': return arith(l, r, (a, b) => (b === 0 ? null : a / b));
        case '%': return arith(l, r, (a, b) => (b === 0 ? null : a % b));
        case '=':
        case '!=': {
          // Two strings are equal or not (one comparison); other pairs compare as the ordering operators do.
          const eq = e.op === '=' ? 1 : 0;
          return (c) => {
            const a = l(c);
            const b = r(c);
            if (typeof a === 'string' && typeof b === 'string') return a === b ? eq : 1 - eq;
            const cmp = compareForPredicate(a, b);
            return cmp === null ? null : cmp === 0 ? eq : 1 - eq;
          };
        }
        default: {
          const op = e.op;
          return (c) => {
            const cmp = compareForPredicate(l(c), r(c));
            if (cmp === null) return null;
            switch (op) {
              case '<': return cmp < 0 ? 1 : 0;
              case '<=': return cmp <= 0 ? 1 : 0;
              case '>': return cmp > 0 ? 1 : 0;
              default: return cmp >= 0 ? 1 : 0;
            }
          };
        }
      }
    }
    case 'in': {
      const x = child(e.operand);
      const list = e.list.map(child);
      const neg = e.negated;
      return (c) => {
        const v = x(c);
        if (v === null) return null;
        let sawNull = false;
        for (const item of list) {
          const w = item(c);
          if (w === null) sawNull = true;
          else if (compareForPredicate(v, w) === 0) return neg ? 0 : 1;
        }
        return sawNull ? null : neg ? 1 : 0;
      };
    }
    case 'between': {
      const x = child(e.operand);
      const lo = child(e.low);
      const hi = child(e.high);
      const neg = e.negated;
      return (c) => {
        const v = x(c);
        const a = compareForPredicate(v, lo(c));
        const b = compareForPredicate(v, hi(c));
        if (a === null || b === null) return null;
        const inside = a >= 0 && b <= 0;
        return inside !== neg ? 1 : 0;
      };
    }
    case 'like': {
      const x = child(e.operand);
      const p = child(e.pattern);
      const neg = e.negated;
      let cachedPattern: string | undefined;
      let cachedRegex: RegExp | undefined;
      return (c) => {
        const v = x(c);
        const pat = p(c);
        if (v === null || pat === null) return null;
        const ps = String(pat);
        if (ps !== cachedPattern) {
          cachedPattern = ps;
          cachedRegex = likeRegex(ps);
        }
        return cachedRegex!.test(String(v)) !== neg ? 1 : 0;
      };
    }
    case 'isNull': {
      const x = child(e.operand);
      const neg = e.negated;
      return (c) => ((x(c) === null) !== neg ? 1 : 0);
    }
    case 'call':
      return compileFunction(e, child);
  }
}

function arith<C>(l: (c: C) => Value, r: (c: C) => Value, f: (a: number, b: number) => number | null): (c: C) => Value {
  return (c) => {
    const a = l(c);
    const b = r(c);
    if (a === null || b === null) return null;
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return null;
    return f(x, y);
  };
}

export function likeRegex(pattern: string): RegExp {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

function histogramSeconds(e: Extract<Expr, { kind: 'call' }>): number {
  return e.args[1].kind === 'interval' ? e.args[1].seconds : (e.args[1] as { value: number }).value;
}

/**
 * The bucket text of a time, for histogram(). Logs come in time order: consecutive records mostly fall in the
 * same few buckets, so their texts are kept (the same string for the same bucket: group maps find it by its
 * cached hash).
 */
function histogramBuckets(secs: number): (v: number) => string | null {
  let lastBucket = NaN;
  let lastText = '';
  const recent = new Map<number, string>();
  return (v) => {
    if (Number.isNaN(v)) return null;
    const bucket = Math.floor(v / secs) * secs;
    if (bucket !== lastBucket) {
      lastBucket = bucket;
      let text = recent.get(bucket);
      if (text === undefined) {
        if (recent.size >= 64) recent.clear();
        text = isoUtc(bucket);
        recent.set(bucket, text);
      }
      lastText = text;
    }
    return lastText;
  };
}

function compileFunction<C>(e: Extract<Expr, { kind: 'call' }>, child: (c: Expr) => (ctx: C) => Value): (ctx: C) => Value {
  const args = e.args.map(child);
  const a0 = args[0];
  const a1 = args[1];
  const num = (v: Value) => (v === null ? null : Number(v));
  switch (e.name) {
    case 'histogram': {
      const bucketText = histogramBuckets(histogramSeconds(e));
      return (c) => {
        const v = num(a0(c));
        return v === null ? null : bucketText(v);
      };
    }
    case 'from_unixtime':
      return (c) => {
        const v = num(a0(c));
        return v === null || Number.isNaN(v) ? null : isoUtc(Math.floor(v));
      };
    case 'protocol_name':
      return (c) => {
        const v = num(a0(c));
        return v === null || !Number.isInteger(v) || v < 0 || v > 255 ? null : protocolName(v);
      };
    case 'service_name':
      return (c) => {
        const v = num(a0(c));
        const proto = a1 ? num(a1(c)) : undefined;
        return v === null ? null : serviceName(v, proto ?? undefined) ?? null;
      };
    case 'subnet':
      return (c) => {
        const a = a0(c);
        const n = num(a1(c));
        return a === null || n === null ? null : subnetOf(String(a), n) ?? null;
      };
    case 'lower':
      return (c) => {
        const v = a0(c);
        return v === null ? null : String(v).toLowerCase();
      };
    case 'upper':
      return (c) => {
        const v = a0(c);
        return v === null ? null : String(v).toUpperCase();
      };
    case 'length':
      return (c) => {
        const v = a0(c);
        return v === null ? null : String(v).length;
      };
    case 'abs':
      return (c) => {
        const v = num(a0(c));
        return v === null ? null : Math.abs(v);
      };
    case 'floor':
      return (c) => {
        const v = num(a0(c));
        return v === null ? null : Math.floor(v);
      };
    case 'ceil':
      return (c) => {
        const v = num(a0(c));
        return v === null ? null : Math.ceil(v);
      };
    case 'round':
      return (c) => {
        const v = num(a0(c));
        const d = a1 ? num(a1(c)) ?? 0 : 0;
        if (v === null) return null;
        const k = 10 ** d;
        return Math.sign(v) * Math.round(Math.abs(v) * k) / k;
      };
    case 'coalesce':
      return (c) => {
        for (const a of args) {
          const v = a(c);
          if (v !== null) return v;
        }
        return null;
      };
    default:
      throw new Error(`unreachable: function ${e.name} was checked`);
  }
}

/** Compiles the record-level closures of a plan for one format. */
class FormatCompiler {
  private readonly numeric = new Set<number>();

  constructor(private readonly format: RecordFormat, private readonly plan: QueryPlan) {}

  private position(name: string): number {
    const f = lookupField(name)!;
    return this.format.positionOf.get(f.name) ?? -1;
  }

  compile(query: Query): FormatPlan {
    const search = this.compileSearch(query.search);
    const plan = this.plan;
    const fp: FormatPlan = {
      format: this.format, search, numericPositions: [], project: [], orderKeys: [], groupKeys: [], aggArgs: [], firstRow: [],
      matchesAll: query.search.kind === 'all', groupFields: [], groupFieldNumeric: [], aggFields: [], aggTextFields: [],
    };
    const sql = query.sql;
    if (!sql) {
      fp.project = this.format.fields.map((_, k) => this.columnAt(k));
    } else {
      // Aggregation reads text fields interned (group keys repeat; see TextCache); plain rows cut substrings.
      const interned = plan.aggregate;
      if (sql.where) {
        const w = this.compileRow(sql.where, interned);
        fp.where = (row) => truthy(w(row));
      }
      if (plan.aggregate) {
        fp.groupKeys = plan.groupBy.map((g) => this.compileRow(g, true));
        // Registering aggregates happened while compiling group expressions in the plan.
        fp.aggArgs = plan.aggs.map((a) => (a.arg ? this.compileRow(a.arg, true) : undefined));
        fp.firstRow = plan.firstRowFields.map((n) => this.compileRow({ kind: 'column', name: n, offset: 0 }, true));
        // Plain fields, which the executor reads without the closures (field numbers, parsed numbers).
        const plain = (e: Expr | undefined) => (e?.kind === 'column' ? this.position(e.name) : -1);
        fp.groupFields = plan.groupBy.map(plain);
        fp.groupFieldNumeric = fp.groupFields.map((k) => k >= 0 && isNumericField(this.format.fields[k]));
        fp.aggFields = plan.aggs.map((a) => {
          const k = plain(a.arg);
          return k >= 0 && isNumericField(this.format.fields[k]) ? k : -1;
        });
        fp.aggTextFields = plan.aggs.map((a) => {
          const k = plain(a.arg);
          return k >= 0 && !isNumericField(this.format.fields[k]) ? k : -1;
        });
      } else {
        for (const s of sql.select) {
          if (s.expr.kind === 'star') this.format.fields.forEach((_, k) => fp.project.push(this.columnAt(k)));
          else fp.project.push(this.compileRow(s.expr, false));
        }
        fp.orderKeys = plan.orderBy.map((o) => this.compileRow(o.expr, false));
      }
    }
    fp.numericPositions = [...this.numeric].sort((a, b) => a - b);
    return fp;
  }

  /** The value of the field at position k: numbers for numeric fields, NULL for `-`; text interned when asked. */
  private columnAt(k: number, interned = false): RowExpr {
    const f = this.format.fields[k];
    if (isNumericField(f)) {
      this.numeric.add(k);
      return ({ nums }) => {
        const v = nums[k];
        return v !== v ? null : v;
      };
    }
    if (interned) return ({ t, sp, tc }) => tc.read(t, sp.starts, sp.ends, k);
    return ({ t, sp }) => {
      const s = sp.starts[k];
      const e = sp.ends[k];
      return e - s === 1 && t.charCodeAt(s) === 45 ? null : t.slice(s, e);
    };
  }

  private compileRow(e: Expr, interned: boolean): RowExpr {
    // histogram() of a numeric field (the timeline's key): the parsed number, without a closure per argument.
    if (e.kind === 'call' && e.name === 'histogram' && e.args[0].kind === 'column') {
      const k = this.position(e.args[0].name);
      if (k >= 0 && isNumericField(this.format.fields[k])) {
        this.numeric.add(k);
        const bucketText = histogramBuckets(histogramSeconds(e));
        return ({ nums }) => bucketText(nums[k]);
      }
    }
    if (e.kind === 'binary' && (e.op === '=' || e.op === '!=')) {
      const eq = this.textEquals(e.left, e.right, e.op) ?? this.textEquals(e.right, e.left, e.op);
      if (eq) return eq;
    }
    return compileExpr<RowCtx>(e, (c) => this.compileRow(c, interned), (col) => {
      const k = this.position(col.name);
      return k < 0 ? () => null : this.columnAt(k, interned);
    });
  }

  /**
   * `text field = 'literal'` (or !=): the field's characters compared in place, without reading (or interning)
   * its value. Undefined when the operands are not such a pair.
   */
  private textEquals(column: Expr, literal: Expr, op: '=' | '!='): RowExpr | undefined {
    if (column.kind !== 'column' || literal.kind !== 'string') return undefined;
    const k = this.position(column.name);
    if (k < 0 || isNumericField(this.format.fields[k])) return undefined;
    const lit = literal.value;
    const eq = op === '=' ? 1 : 0;
    return ({ t, sp }) => {
      const s = sp.starts[k];
      const e = sp.ends[k];
      if (e - s === 1 && t.charCodeAt(s) === 45) return null;
      return spanEquals(t, s, e, lit) ? eq : 1 - eq;
    };
  }

  private compileSearch(n: SearchNode): RowTest {
    switch (n.kind) {
      case 'all':
        return () => true;
      case 'and': {
        const items = n.items.map((i) => this.compileSearch(i));
        return (row) => {
          for (const i of items) if (!i(row)) return false;
          return true;
        };
      }
      case 'or': {
        const items = n.items.map((i) => this.compileSearch(i));
        return (row) => {
          for (const i of items) if (i(row)) return true;
          return false;
        };
      }
      case 'not': {
        const inner = this.compileSearch(n.item);
        return (row) => !inner(row);
      }
      case 'term':
        return this.compileTerm(n.value);
      case 'field':
        return this.compileFieldTest(n);
    }
  }

  /** A bare term matches a whole field value of any field (ASCII case-insensitive, as CLS full-text search). */
  private compileTerm(value: string): RowTest {
    const lower = value.toLowerCase();
    const n = this.format.fields.length;
    const len = lower.length;
    return ({ t, sp }) => {
      for (let k = 0; k < n; k++) {
        const s = sp.starts[k];
        if (sp.ends[k] - s !== len) continue;
        let i = 0;
        for (; i < len; i++) {
          let c = t.charCodeAt(s + i);
          if (c >= 65 && c <= 90) c += 32;
          if (c !== lower.charCodeAt(i)) break;
        }
        if (i === len) return true;
      }
      return false;
    };
  }

  private compileFieldTest(n: Extract<SearchNode, { kind: 'field' }>): RowTest {
    const f = lookupField(n.field)!;
    const k = this.format.positionOf.get(f.name) ?? -1;
    if (k < 0) return () => false; // the field is not in this format
    const test = n.test;
    const dash = (t: string, sp: FieldSpans) => sp.ends[k] - sp.starts[k] === 1 && t.charCodeAt(sp.starts[k]) === 45;
    if (test.op === 'present') return ({ t, sp }) => !dash(t, sp);
    const numeric = isNumericField(f);
    if (numeric) this.numeric.add(k);
    if (test.op === 'cmp' || test.op === 'range') {
      const lo = test.op === 'range' ? (test.from === '*' ? -Infinity : Number(test.from)) : -Infinity;
      const hi = test.op === 'range' ? (test.to === '*' ? Infinity : Number(test.to)) : Infinity;
      const v = test.op === 'cmp' ? Number(test.value) : 0;
      const cmp = test.op === 'cmp' ? test.cmp : undefined;
      if (numeric || (Number.isFinite(v) && (test.op === 'cmp' || (Number.isFinite(lo) || Number.isFinite(hi))))) {
        return ({ t, sp, nums }) => {
          if (dash(t, sp)) return false;
          const x = numeric ? nums[k] : intAt(t, sp.starts[k], sp.ends[k]);
          if (Number.isNaN(x)) return false;
          switch (cmp) {
            case '>': return x > v;
            case '>=': return x >= v;
            case '<': return x < v;
            case '<=': return x <= v;
            default: return x >= lo && x <= hi;
          }
        };
      }
      // Text ranges compare as strings.
      const cmpText = test.op === 'cmp' ? test.value : '';
      const from = test.op === 'range' ? test.from : '';
      const to = test.op === 'range' ? test.to : '';
      return ({ t, sp }) => {
        if (dash(t, sp)) return false;
        const s = t.slice(sp.starts[k], sp.ends[k]);
        if (cmp) {
          const c = s < cmpText ? -1 : s > cmpText ? 1 : 0;
          return cmp === '>' ? c > 0 : cmp === '>=' ? c >= 0 : cmp === '<' ? c < 0 : c <= 0;
        }
        return (from === '*' || s >= from) && (to === '*' || s <= to);
      };
    }
    if (test.op === 'prefix') {
      const p = test.value.toLowerCase();
      return ({ t, sp }) => {
        const s = sp.starts[k];
        if (sp.ends[k] - s < p.length) return false;
        for (let i = 0; i < p.length; i++) {
          let c = t.charCodeAt(s + i);
          if (c >= 65 && c <= 90) c += 32;
          if (c !== p.charCodeAt(i)) return false;
        }
        return true;
      };
    }
    // eq
    const value = test.value;
    if (f.type === 'protocol') {
      const p = protocolByName(value)!;
      return ({ nums }) => nums[k] === p;
    }
    if (numeric && Number.isFinite(Number(value)) && value.trim() !== '') {
      const v = Number(value);
      return ({ nums }) => nums[k] === v;
    }
    if (f.type === 'address') {
      const cidr = parseCidr(value);
      if (cidr) {
        const exact = !value.includes('/') && parseAddress(value)?.family === 4;
        if (exact) return ({ t, sp }) => spanEquals(t, sp.starts[k], sp.ends[k], value);
        return ({ t, sp }) => cidrContainsAt(cidr, t, sp.starts[k], sp.ends[k]);
      }
    }
    if (value === '-') return ({ t, sp }) => dash(t, sp);
    // Text and enum values: ASCII case-insensitive, whole value.
    const lower = value.toLowerCase();
    return ({ t, sp }) => {
      const s = sp.starts[k];
      if (sp.ends[k] - s !== lower.length) return false;
      for (let i = 0; i < lower.length; i++) {
        let c = t.charCodeAt(s + i);
        if (c >= 65 && c <= 90) c += 32;
        if (c !== lower.charCodeAt(i)) return false;
      }
      return true;
    };
  }
}

export { compareValues };
