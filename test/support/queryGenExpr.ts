// The expression half of the query generator (queryGen.ts): fields spelt every accepted way, literals that hit the
// data, and typed expressions over records (WHERE, SELECT, aggregate arguments) or over groups (GROUP BY keys,
// aggregates and literals only, so no field is read outside a key or an aggregate).
import { Rng } from './rng';
import { Dataset, FieldKind, QUERY_FIELDS, QueryField, SourceName } from './qgenData';
import { AggFn, Ex, SelectItem, Ty, children } from './queryAst';

/** Relative weights of the constructs (0 turns one off). */
export interface Weights {
  // query shapes
  searchOnly: number; plainSql: number; aggregate: number; invalid: number;
  /** The analyses users run most (top talkers, a timeline, top pairs), with random fields and filters. */
  typical: number;
  // sources
  sourceA: number; sourceB: number; sourceC: number; sourceAB: number; sourceABC: number;
  // search atoms
  term: number; quotedTerm: number; fieldEq: number; prefix: number; compare: number; range: number; present: number;
  cidr: number; protocolName: number;
  // range brackets: [a TO b], {a TO b}, [a TO b} or {a TO b]
  rangeInclusive: number; rangeExclusive: number; rangeMixed: number;
  // SQL clauses (probabilities 0..1)
  where: number; having: number; orderBy: number; limit: number; bigLimit: number; selectStar: number; from: number;
  // expressions
  arithmetic: number; division: number; functions: number; textFunctions: number; histogram: number; fromUnixtime: number;
  /** Share of histogram intervals with a fraction (`1.5 minute`). */
  fractionalInterval: number;
  inList: number; like: number; between: number; isNull: number; nullLiteral: number; logic: number;
  // aliases
  alias: number; fieldNamedAlias: number;
}

export const DEFAULT_WEIGHTS: Weights = {
  searchOnly: 2, plainSql: 3, aggregate: 5, invalid: 0.8, typical: 1.5,
  sourceA: 3, sourceB: 2, sourceC: 2, sourceAB: 3, sourceABC: 1.5,
  term: 1.2, quotedTerm: 0.4, fieldEq: 3, prefix: 0.8, compare: 1.5, range: 2, present: 1, cidr: 1.5, protocolName: 1,
  rangeInclusive: 2, rangeExclusive: 1, rangeMixed: 1,
  where: 0.5, having: 0.35, orderBy: 0.6, limit: 0.45, bigLimit: 0.04, selectStar: 0.08, from: 0.1,
  arithmetic: 1.5, division: 0.8, functions: 1, textFunctions: 1, histogram: 0.6, fromUnixtime: 0.4, fractionalInterval: 0.15,
  inList: 1, like: 1.2, between: 1.4, isNull: 1.2, nullLiteral: 0.4, logic: 1.5,
  alias: 0.5, fieldNamedAlias: 0.25,
};

export interface GenOptions {
  weights?: Partial<Weights>;
  /** Depth of expressions and searches; default 3. */
  maxDepth?: number;
}

/** The query of case `index` of a run with `seed`: the same (seed, index) always gives the same query. */
export const PROTOCOL_NAMES = ['tcp', 'TCP', 'udp', 'Udp', 'icmp', 'icmpv6', 'ipv6-icmp', 'gre', 'esp'];
const UNITS = ['second', 'seconds', 'minute', 'minutes', 'hour', 'hours', 'day', 'days', 'MINUTE', 'Hour'];
export const SUBNET_PREFIXES = [0, 8, 12, 16, 20, 24, 28, 32];
const ABSENT_WORDS = ['nothing', 'two words', 'eni-00000000', '999999'];

/** Ways to write a field name: in search (`log-status`, `log_status`, `logStatus`) and in SQL (no hyphen unquoted). */
export function spellings(name: string, sql: boolean): string[] {
  const snake = name.replace(/-/g, '_');
  const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const out = [snake, snake, camel];
  // SQL names are case-insensitive; a hyphen needs quotes there.
  if (sql) out.push(snake.toUpperCase());
  if (name.includes('-')) out.push(sql ? `"${name}"` : name, sql ? `"${name}"` : name);
  else out.push(name);
  return out;
}

export interface GroupCtx {
  /** The GROUP BY expressions (resolved: no alias or ordinal). */
  keys: Ex[];
}

/** Typed random expressions; the clauses and the search are in queryGen.ts. */
export class ExprGenerator {
  protected readonly w: Weights;
  protected readonly maxDepth: number;
  protected source: SourceName = 'a';
  protected present: QueryField[] = [];

  constructor(protected readonly rng: Rng, protected readonly ds: Dataset, opts: GenOptions) {
    this.w = { ...DEFAULT_WEIGHTS, ...opts.weights };
    this.maxDepth = opts.maxDepth ?? 3;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Fields and literals

  protected field(kinds: FieldKind[]): QueryField {
    const pool = this.rng.chance(0.93) ? this.present.filter((f) => kinds.includes(f.kind)) : [];
    const all = pool.length ? pool : QUERY_FIELDS.filter((f) => kinds.includes(f.kind));
    return this.rng.pick(all);
  }

  protected col(kinds: FieldKind[]): Extract<Ex, { k: 'col' }> {
    const f = this.field(kinds);
    return { k: 'col', field: f.name, text: this.rng.pick(spellings(f.name, true)) };
  }

  /** A value of the field as it appears in the files, or now and then one that does not. */
  protected value(field: string): string {
    const seen = this.ds.values[field] ?? [];
    if (seen.length && this.rng.chance(0.85)) return this.rng.pick(seen);
    const kind = QUERY_FIELDS.find((f) => f.name === field)?.kind ?? 'text';
    if (kind === 'int') return String(this.intNear(field));
    if (kind === 'addr') return this.rng.pick(['10.0.0.1', '2001:db8::1', '192.0.2.7']);
    return this.rng.pick(ABSENT_WORDS);
  }

  protected intNear(field: string): number {
    const seen = this.ds.values[field];
    if (seen?.length && this.rng.chance(0.6)) return Number(this.rng.pick(seen)) + this.rng.pick([0, 0, 1, -1]);
    switch (field) {
      case 'srcport': case 'dstport': return this.rng.pick([0, 22, 53, 80, 443, 1024, 3389, 8080, 32768, 65535]);
      case 'protocol': return this.rng.pick([0, 1, 6, 17, 47, 58]);
      case 'bytes': return this.rng.int(200_000);
      case 'packets': return this.rng.int(400);
      case 'start': case 'end': return 1_700_000_000 + this.rng.int(400_000);
      default: return this.rng.int(20);
    }
  }

  protected mixCase(v: string): string {
    switch (this.rng.int(4)) {
      case 0: return v.toLowerCase();
      case 1: return v.toUpperCase();
      default: return v;
    }
  }

  protected respell(e: Ex): Ex {
    if (e.k === 'col') return this.rng.chance(0.3) ? { ...e, text: this.rng.pick(spellings(e.field, true)) } : e;
    if (e.k === 'alias' || e.k === 'ordinal') return e;
    const c = { ...e } as Ex;
    switch (c.k) {
      case 'call': return { ...c, args: c.args.map((a) => this.respell(a)) };
      case 'hist': return { ...c, arg: this.respell(c.arg) };
      case 'arith': case 'cmp': return { ...c, l: this.respell(c.l), r: this.respell(c.r) };
      default: return c;
    }
  }

  protected grouped(ty: Ty, depth: number, g: GroupCtx, top: boolean): Ex {
    const r = this.rng;
    const w = this.w;
    const keys = g.keys.filter((k) => typeOf(k) === ty);
    const leafOnly = depth >= this.maxDepth;
    const leaf = (): Ex => {
      const choice = r.weighted({ key: keys.length ? 3 : 0, agg: ty === 'bool' ? 0 : 4, lit: top ? 0.2 : 0.6 });
      if (choice === 'key') return this.respell(r.pick(keys));
      if (choice === 'agg') return this.aggregate(ty);
      return this.literal(ty, 'bytes');
    };
    if (ty === 'bool') {
      const kind = r.weighted({ cmp: 4, logic: leafOnly ? 0 : w.logic, not: leafOnly ? 0 : 0.5, isnull: w.isNull * 0.5, between: w.between * 0.5, in: w.inList * 0.4, key: keys.length ? 1 : 0 });
      switch (kind) {
        case 'key': return this.respell(r.pick(keys));
        case 'logic': return { k: 'logic', op: r.pick(['and', 'or'] as const), l: this.grouped('bool', depth + 1, g, false), r: this.grouped('bool', depth + 1, g, false) };
        case 'not': return { k: 'not', e: this.grouped('bool', depth + 1, g, false) };
        case 'isnull': return { k: 'isnull', e: this.grouped(r.pick<Ty>(['int', 'str']), depth + 1, g, false), neg: r.chance(0.5) };
        case 'between': return { k: 'between', e: this.grouped('int', depth + 1, g, false), lo: this.boundOrNull(), hi: this.boundOrNull(), neg: r.chance(0.4) };
        case 'in': return { k: 'in', e: this.grouped('int', depth + 1, g, false), list: Array.from({ length: r.between(1, 3) }, () => this.literal('int', 'bytes')), neg: r.chance(0.4) };
        default: {
          const t = r.pick<Ty>(['int', 'int', 'float', 'str']);
          return { k: 'cmp', op: this.cmpOp(t), l: this.grouped(t, depth + 1, g, false), r: r.chance(0.7) ? this.literal(t === 'float' ? 'int' : t, 'bytes') : this.grouped(t, depth + 1, g, false) };
        }
      }
    }
    if (leafOnly || r.chance(0.55)) return leaf();
    // Composites over grouped operands (the scalar functions, as on records).
    return this.composite(ty, depth, (t, d) => this.grouped(t, d, g, false), leaf, true);
  }

  protected aggregate(ty: Ty): Ex {
    const r = this.rng;
    if (ty === 'int') {
      const fn = r.weighted({ countStar: 3, count: 1.5, countDistinct: 1.5, sum: 2.5, min: 1, max: 1 });
      if (fn === 'countStar') return { k: 'agg', fn: 'count', arg: '*', distinct: false };
      if (fn === 'count') return { k: 'agg', fn: 'count', arg: this.row(r.pick<Ty>(['int', 'str']), 2), distinct: false };
      if (fn === 'countDistinct') return { k: 'agg', fn: 'count', arg: r.chance(0.8) ? this.col(['int', 'text', 'addr']) : this.row('str', 2), distinct: true };
      return { k: 'agg', fn: fn as AggFn, arg: this.row('int', 2), distinct: false };
    }
    if (ty === 'float') {
      return r.chance(0.8) ? { k: 'agg', fn: 'avg', arg: this.row('int', 2), distinct: false } : { k: 'agg', fn: r.pick(['min', 'max'] as const), arg: this.row('float', 2), distinct: false };
    }
    return { k: 'agg', fn: r.pick(['min', 'max'] as const), arg: this.row('str', 2), distinct: false };
  }

  // -------------------------------------------------------------------------------------------------------------
  // SQL: expressions over records

  row(ty: Ty, depth: number): Ex {
    const r = this.rng;
    const w = this.w;
    const leafOnly = depth >= this.maxDepth;
    const leaf = (): Ex => {
      if (ty === 'bool') return this.simpleCondition();
      if (ty === 'float') return r.chance(0.7) ? { k: 'arith', op: '/', l: this.col(['int']), r: r.chance(0.5) ? this.col(['int']) : { k: 'int', v: r.pick([0, 1, 2, 3, 7, 60, 1000]) } } : this.literal('float', '');
      if (r.chance(0.88)) return this.col(ty === 'int' ? ['int'] : r.chance(0.75) ? ['text', 'addr'] : ['addr']);
      return this.literal(ty, ty === 'int' ? 'bytes' : 'action');
    };
    if (ty === 'bool') {
      const kind = r.weighted({
        cmp: 3, logic: leafOnly ? 0 : w.logic, not: leafOnly ? 0 : 0.6, in: w.inList, between: w.between, like: w.like, isnull: w.isNull,
      });
      switch (kind) {
        case 'logic': return { k: 'logic', op: r.pick(['and', 'or'] as const), l: this.row('bool', depth + 1), r: this.row('bool', depth + 1) };
        case 'not': return { k: 'not', e: this.row('bool', depth + 1) };
        case 'in': {
          const t = r.pick<Ty>(['int', 'str']);
          const e = t === 'int' ? this.row('int', depth + 1) : this.col(['text', 'addr']);
          const field = e.k === 'col' ? e.field : 'dstport';
          const list = Array.from({ length: r.between(1, 4) }, () => (r.chance(w.nullLiteral * 0.3) ? ({ k: 'null' } as Ex) : this.literal(t, field)));
          return { k: 'in', e, list, neg: r.chance(0.35) };
        }
        case 'between': {
          if (r.chance(0.15)) {
            const c = this.col(['text']);
            const [a, b] = [this.value(c.field), this.value(c.field)].sort();
            return { k: 'between', e: c, lo: { k: 'str', v: a }, hi: { k: 'str', v: b }, neg: r.chance(0.4) };
          }
          const e = this.row('int', depth + 1);
          const field = e.k === 'col' ? e.field : 'bytes';
          let lo = this.intNear(field);
          let hi = this.intNear(field);
          if (lo > hi && r.chance(0.8)) [lo, hi] = [hi, lo];
          const bound = (v: number): Ex => (r.chance(0.2) ? { k: 'null' } : { k: 'int', v: Math.max(0, v) });
          return { k: 'between', e, lo: bound(lo), hi: bound(hi), neg: r.chance(0.4) };
        }
        case 'like': {
          const e = r.chance(0.85) ? this.col(['text', 'addr']) : this.row('str', depth + 1);
          return { k: 'like', e, pattern: this.likePattern(e.k === 'col' ? e.field : 'action'), neg: r.chance(0.3) };
        }
        case 'isnull': return { k: 'isnull', e: this.row(r.pick<Ty>(['int', 'str', 'str', 'float']), depth + 1), neg: r.chance(0.5) };
        default: return this.simpleCondition(depth);
      }
    }
    if (leafOnly || r.chance(0.5)) return leaf();
    return this.composite(ty, depth, (t, d) => this.row(t, d), leaf, false);
  }

  /**
   * Arithmetic and scalar functions of type `ty` over operands made by `sub` (records or groups: over groups,
   * every operand comes from `sub`, so no field is read outside a key or an aggregate).
   */
  protected composite(ty: Ty, depth: number, sub: (t: Ty, depth: number) => Ex, leaf: () => Ex, grouped: boolean): Ex {
    const r = this.rng;
    const w = this.w;
    const d = depth + 1;
    if (ty === 'int') {
      const kind = r.weighted({ arith: w.arithmetic, mul: w.arithmetic * 0.5, mod: w.arithmetic * 0.4, neg: 0.3, abs: w.functions * 0.4, length: w.functions * 0.5, coalesce: w.functions * 0.5, leaf: 1 });
      switch (kind) {
        case 'arith': return { k: 'arith', op: r.pick(['+', '-'] as const), l: sub('int', d), r: r.chance(w.nullLiteral * 0.2) ? { k: 'null' } : r.chance(0.4) ? this.literal('int', '') : sub('int', d) };
        case 'mul': return { k: 'arith', op: '*', l: sub('int', d), r: { k: 'int', v: r.pick([0, 1, 2, 8, 10, 100]) } };
        case 'mod': return { k: 'arith', op: '%', l: sub('int', d), r: { k: 'int', v: r.pick([0, 2, 3, 10, 60, 1000]) } };
        case 'neg': return { k: 'neg', e: sub('int', d) };
        case 'abs': return { k: 'call', name: 'abs', args: [sub('int', d)] };
        case 'length': return { k: 'call', name: 'length', args: [sub('str', d)] };
        case 'coalesce': return { k: 'call', name: 'coalesce', args: [r.chance(w.nullLiteral) ? { k: 'null' } : sub('int', d), sub('int', d), ...(r.chance(0.3) ? [this.literal('int', 'bytes')] : [])] };
        default: return leaf();
      }
    }
    if (ty === 'float') {
      const kind = r.weighted({ div: w.division * 2, round: w.functions * 0.8, floorCeil: w.functions * 0.6, abs: 0.2, mulFloat: 0.3, leaf: 0.5 });
      switch (kind) {
        case 'div': return { k: 'arith', op: '/', l: sub('int', d), r: r.chance(0.5) ? sub('int', d) : { k: 'int', v: r.pick([0, 1, 2, 3, 7, 60, 1000]) } };
        case 'round': return { k: 'call', name: 'round', args: r.chance(0.6) ? [sub('float', d), { k: 'int', v: r.pick([0, 1, 2, 3]) }] : [sub('float', d)] };
        case 'floorCeil': return { k: 'call', name: r.pick(['floor', 'ceil']), args: [sub('float', d)] };
        case 'abs': return { k: 'call', name: 'abs', args: [sub('float', d)] };
        case 'mulFloat': return { k: 'arith', op: '*', l: sub('int', d), r: this.literal('float', '') };
        default: return leaf();
      }
    }
    // str
    const kind = r.weighted({
      case: w.textFunctions, protocol: w.functions * 0.6, service: w.functions * 0.6, subnet: w.functions * 0.7,
      time: w.fromUnixtime, hist: w.histogram * 0.5, coalesce: w.functions * 0.4, leaf: 1,
    });
    switch (kind) {
      case 'case': return { k: 'call', name: r.pick(['lower', 'upper']), args: [sub('str', d)] };
      case 'protocol': return { k: 'call', name: 'protocol_name', args: [grouped ? sub('int', d) : this.protocolCol()] };
      case 'service': return grouped ? { k: 'call', name: 'service_name', args: [sub('int', d)] } : this.serviceName();
      case 'subnet': return { k: 'call', name: 'subnet', args: [grouped ? sub('str', d) : this.col(['addr']), { k: 'int', v: r.pick(SUBNET_PREFIXES) }] };
      case 'time': return { k: 'call', name: 'from_unixtime', args: [grouped ? { k: 'agg', fn: r.pick(['min', 'max'] as const), arg: this.timeArg(), distinct: false } : this.timeArg()] };
      case 'hist': return grouped ? leaf() : this.hist();
      case 'coalesce': return { k: 'call', name: 'coalesce', args: [sub('str', d), r.chance(0.5) ? sub('str', d) : this.literal('str', 'action')] };
      default: return leaf();
    }
  }

  protected protocolCol(): Ex {
    return { k: 'col', field: 'protocol', text: this.rng.pick(['protocol', 'PROTOCOL', 'protocol']) };
  }

  protected serviceName(): Ex {
    const r = this.rng;
    const field = r.pick(['srcport', 'dstport', 'dstport']);
    const args: Ex[] = [{ k: 'col', field, text: r.pick(spellings(field, true)) }];
    if (r.chance(0.4)) args.push(r.chance(0.6) ? this.protocolCol() : { k: 'int', v: r.pick([6, 17]) });
    return { k: 'call', name: 'service_name', args };
  }

  protected timeArg(): Ex {
    const r = this.rng;
    const field = r.pick(['start', 'end']);
    const c: Ex = { k: 'col', field, text: r.chance(0.2) ? field.toUpperCase() : field };
    return r.chance(0.2) ? { k: 'arith', op: '+', l: c, r: { k: 'int', v: r.pick([1, 59, 3600]) } } : c;
  }

  protected hist(): Ex {
    const r = this.rng;
    const field = r.chance(0.8) ? 'start' : 'end';
    const c: Ex = { k: 'col', field, text: field };
    const unit = r.pick(UNITS);
    const base = unit.toLowerCase().replace(/s$/, '');
    // Whole seconds only: 1.5 minute is 90 s, 0.5 hour 1800 s.
    const amount = base === 'second' ? String(r.pick([1, 30, 45, 90, 600])) : r.chance(this.w.fractionalInterval) ? r.pick(['1.5', '0.5', '2.5']) : String(r.pick([1, 2, 5, 7, 10, 15, 30]));
    const form = r.weighted({ plain: 6, quoted: 1.5, quotedAmount: 1 });
    return { k: 'hist', arg: c, amount, unit, form };
  }

  protected cmpOp(t: Ty): Extract<Ex, { k: 'cmp' }>['op'] {
    return t === 'str' && this.rng.chance(0.7) ? this.rng.pick(['=', '!=', '<>'] as const) : this.rng.pick(['=', '!=', '<>', '<', '<=', '>', '>='] as const);
  }

  /** A comparison of a field (or an expression) with a literal, a NULL or another field. */
  protected simpleCondition(depth = this.maxDepth): Ex {
    const r = this.rng;
    const t = r.weighted({ int: 4, str: 2.5, float: 0.6 }) as Ty;
    if (t === 'float') return { k: 'cmp', op: this.cmpOp('int'), l: this.row('float', depth + 1), r: this.literal(r.chance(0.5) ? 'float' : 'int', 'bytes') };
    const l = depth < this.maxDepth && r.chance(0.3) ? this.row(t, depth + 1) : this.col(t === 'int' ? ['int'] : ['text', 'addr']);
    const field = l.k === 'col' ? l.field : t === 'int' ? 'bytes' : 'action';
    const right: Ex = r.chance(this.w.nullLiteral * 0.15) ? { k: 'null' } : r.chance(0.12) ? this.col(t === 'int' ? ['int'] : ['text', 'addr']) : this.literal(t, field);
    return { k: 'cmp', op: this.cmpOp(t), l, r: right };
  }

  protected literal(ty: Ty, field: string): Ex {
    const r = this.rng;
    switch (ty) {
      case 'int': return { k: 'int', v: Math.max(0, field ? this.intNear(field) : r.int(1000)) };
      case 'float': return { k: 'float', text: r.pick(['1.5', '0.5', '2.25', '100.0', '0.1', '1500.75']) };
      case 'bool': return this.simpleCondition();
      default: {
        const v = this.value(QUERY_FIELDS.some((f) => f.name === field && f.kind !== 'int') ? field : 'action');
        return { k: 'str', v: r.chance(0.1) ? this.mixCase(v) : r.chance(0.05) ? "it's" : v };
      }
    }
  }

  protected boundOrNull(): Ex {
    return this.rng.chance(0.25) ? { k: 'null' } : { k: 'int', v: this.rng.pick([0, 1, 2, 5, 10, 100, 1000, 100_000]) };
  }

  /** A LIKE pattern from a value of the field: letters replaced by `_`, runs by `%`. */
  protected likePattern(field: string): string {
    const r = this.rng;
    const v = this.value(field);
    let p = '';
    for (let i = 0; i < v.length; i++) {
      const x = r.next();
      if (x < 0.08) p += '_';
      else if (x < 0.12) {
        p += '%';
        i += r.int(4);
      } else p += v[i];
    }
    if (r.chance(0.3)) p = `%${p.slice(r.int(Math.max(1, p.length)))}`;
    if (r.chance(0.3)) p = `${p.slice(0, r.int(p.length + 1))}%`;
    if (r.chance(0.05)) p = this.mixCase(p);
    return p;
  }

}

/** An ORDER BY expression that reads something (a constant key orders nothing, and a number would be an ordinal). */
export function notConstant(make: () => Ex): Ex {
  for (let i = 0; i < 20; i++) {
    const e = make();
    if (!isConstant(e)) return e;
  }
  return { k: 'agg', fn: 'count', arg: '*', distinct: false };
}

export function isConstant(e: Ex): boolean {
  if (e.k === 'col' || e.k === 'agg' || e.k === 'alias' || e.k === 'ordinal') return false;
  return children(e).every(isConstant);
}

/** A GROUP BY/ORDER BY reference resolved to the SELECT item's expression. */
export function resolveItem(e: Ex, items: SelectItem[]): Ex {
  if (e.k === 'alias' || e.k === 'ordinal') return resolveItem(items[e.item].e, items);
  return e;
}

/** The type of an expression (alias and ordinal references are typed by the caller). */
export function typeOf(e: Ex): Ty {
  switch (e.k) {
    case 'col': return QUERY_FIELDS.find((f) => f.name === e.field)?.kind === 'int' ? 'int' : 'str';
    case 'int': return 'int';
    case 'float': return 'float';
    case 'str': return 'str';
    case 'null': return 'int';
    case 'neg': case 'paren': return typeOf(e.e);
    case 'arith': return e.op === '/' ? 'float' : typeOf(e.l) === 'float' || typeOf(e.r) === 'float' ? 'float' : 'int';
    case 'cmp': case 'logic': case 'not': case 'in': case 'between': case 'like': case 'isnull': return 'bool';
    case 'call':
      switch (e.name) {
        case 'length': return 'int';
        case 'abs': return typeOf(e.args[0]);
        case 'round': case 'floor': case 'ceil': return 'float';
        case 'coalesce': return e.args.map(typeOf).find((t, i) => e.args[i].k !== 'null') ?? 'int';
        default: return 'str';
      }
    case 'agg': return e.fn === 'avg' ? 'float' : e.fn === 'count' || e.fn === 'sum' ? 'int' : e.arg === '*' ? 'int' : typeOf(e.arg);
    case 'hist': return 'str';
    default: return 'int';
  }
}
