// A grammar-based random query generator over the whole documented query language (README "Query language"):
// searches (terms, quoted terms, field:value, prefix wildcards, comparisons, [inclusive], {exclusive} and mixed
// ranges with `*` ends, presence, IPv4/IPv6 CIDR, protocol names, AND/OR/NOT/parentheses) and SQL (SELECT with
// aliases, WHERE, GROUP BY by expression, alias and ordinal, HAVING, ORDER BY several keys ASC/DESC, LIMIT; every
// function and aggregate; arithmetic, comparisons, IN, LIKE, BETWEEN with NULL bounds, IS [NOT] NULL, strings with
// doubled quotes). Typed, so every query is valid (or invalid on purpose: `error`), seeded, weighted per construct
// and bounded in size. The tree (queryAst.ts) is printed in the engine's syntax and translated for an oracle
// (queryToDuckdb.ts; a ClickHouse translation can read the same tree).
import { Rng, mixSeed } from './rng';
import { Dataset, FieldKind, QUERY_FIELDS, QueryField, SOURCE_NAMES, SourceName, sourceFields } from './qgenData';
import { AggFn, Ex, FieldTest, OrderKey, QueryAst, SearchNode, SelectItem, SqlAst, Ty, children, containsAgg, exKey } from './queryAst';

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
export function generateCase(seed: number, index: number, ds: Dataset, opts: GenOptions = {}): QueryAst {
  return new QueryGenerator(new Rng(mixSeed(seed, index)), ds, opts).query();
}

export const NON_FIELD_ALIASES = ['n', 'total', 'cnt', 'hits', 'b', 'x', 'k', 't', 'sz', 'share', 'bucket', 'who', 'svc', 'net', 'avg_b', 'Top', 'x2', 'flows'];
export const FIELD_ALIASES = ['bytes', 'packets', 'srcaddr', 'dstport', 'action', 'start', 'protocol'];
export const QUOTED_ALIASES = ['my col', 'Bytes Sum', 'n', 'a-b'];
const PROTOCOL_NAMES = ['tcp', 'TCP', 'udp', 'Udp', 'icmp', 'icmpv6', 'ipv6-icmp', 'gre', 'esp'];
const UNITS = ['second', 'seconds', 'minute', 'minutes', 'hour', 'hours', 'day', 'days', 'MINUTE', 'Hour'];
const SUBNET_PREFIXES = [0, 8, 12, 16, 20, 24, 28, 32];
const BAD_NUMBERS = ['0x16', '22.5', '1e3', '1_000', '+22', '0b101', '5.', '.5', 'Infinity', 'NaN'];
const ABSENT_WORDS = ['nothing', 'two words', 'eni-00000000', '999999'];

/** Ways to write a field name: in search (`log-status`, `log_status`, `logStatus`) and in SQL (no hyphen unquoted). */
function spellings(name: string, sql: boolean): string[] {
  const snake = name.replace(/-/g, '_');
  const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const out = [snake, snake, camel];
  // SQL names are case-insensitive; a hyphen needs quotes there.
  if (sql) out.push(snake.toUpperCase());
  if (name.includes('-')) out.push(sql ? `"${name}"` : name, sql ? `"${name}"` : name);
  else out.push(name);
  return out;
}

interface GroupCtx {
  /** The GROUP BY expressions (resolved: no alias or ordinal). */
  keys: Ex[];
}

class QueryGenerator {
  private readonly w: Weights;
  private readonly maxDepth: number;
  private source: SourceName = 'a';
  private present: QueryField[] = [];
  private aliases = new Set<string>();

  constructor(private readonly rng: Rng, private readonly ds: Dataset, opts: GenOptions) {
    this.w = { ...DEFAULT_WEIGHTS, ...opts.weights };
    this.maxDepth = opts.maxDepth ?? 3;
  }

  query(): QueryAst {
    const w = this.w;
    const r = this.rng;
    this.source = r.weighted({ a: w.sourceA, b: w.sourceB, c: w.sourceC, ab: w.sourceAB, abc: w.sourceABC } as Record<SourceName, number>);
    const fields = new Set(sourceFields(this.ds, this.source));
    this.present = QUERY_FIELDS.filter((f) => fields.has(f.name));
    const upper = r.chance(0.4);
    const shape = r.weighted({ searchOnly: w.searchOnly, plainSql: w.plainSql, aggregate: w.aggregate, invalid: w.invalid, typical: w.typical });
    const search = () => (r.chance(0.6) ? this.search(0) : r.chance(0.7) ? { k: 'star' as const } : undefined);
    switch (shape) {
      case 'searchOnly':
        return { source: this.source, search: this.search(0), upper };
      case 'plainSql':
        return { source: this.source, search: search(), sql: this.plainSql(), upper };
      case 'aggregate':
        return { source: this.source, search: search(), sql: this.aggregateSql(), upper };
      case 'typical':
        return { source: this.source, search: search(), sql: this.typicalSql(), upper };
      default:
        return this.invalidQuery(upper, search());
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Fields and literals

  private field(kinds: FieldKind[]): QueryField {
    const pool = this.rng.chance(0.93) ? this.present.filter((f) => kinds.includes(f.kind)) : [];
    const all = pool.length ? pool : QUERY_FIELDS.filter((f) => kinds.includes(f.kind));
    return this.rng.pick(all);
  }

  private col(kinds: FieldKind[]): Extract<Ex, { k: 'col' }> {
    const f = this.field(kinds);
    return { k: 'col', field: f.name, text: this.rng.pick(spellings(f.name, true)) };
  }

  /** A value of the field as it appears in the files, or now and then one that does not. */
  private value(field: string): string {
    const seen = this.ds.values[field] ?? [];
    if (seen.length && this.rng.chance(0.85)) return this.rng.pick(seen);
    const kind = QUERY_FIELDS.find((f) => f.name === field)?.kind ?? 'text';
    if (kind === 'int') return String(this.intNear(field));
    if (kind === 'addr') return this.rng.pick(['10.0.0.1', '2001:db8::1', '192.0.2.7']);
    return this.rng.pick(ABSENT_WORDS);
  }

  private intNear(field: string): number {
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

  private mixCase(v: string): string {
    switch (this.rng.int(4)) {
      case 0: return v.toLowerCase();
      case 1: return v.toUpperCase();
      default: return v;
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Search

  search(depth: number): SearchNode {
    const r = this.rng;
    const deeper = depth < this.maxDepth;
    const kind = r.weighted({ atom: 5, and: deeper ? 1.6 : 0, or: deeper ? 1.2 : 0, not: deeper ? 0.8 : 0, paren: deeper ? 0.3 : 0 });
    switch (kind) {
      case 'and': {
        const items = Array.from({ length: r.between(2, 3) }, () => this.search(depth + 1));
        return { k: 'and', items, joiner: r.pick(['AND', 'AND', 'and', ' ']) };
      }
      case 'or': return { k: 'or', items: Array.from({ length: r.between(2, 3) }, () => this.search(depth + 1)), joiner: r.pick(['OR', 'OR', 'or']) };
      case 'not': return { k: 'not', item: this.search(depth + 1), kw: r.pick(['NOT', 'NOT', 'not']) };
      case 'paren': return { k: 'paren', item: this.search(depth + 1) };
      default: return this.searchAtom();
    }
  }

  private searchAtom(): SearchNode {
    const r = this.rng;
    const w = this.w;
    const kind = r.weighted({
      term: w.term, quotedTerm: w.quotedTerm, fieldEq: w.fieldEq, prefix: w.prefix, compare: w.compare, range: w.range,
      present: w.present, cidr: w.cidr, protocolName: w.protocolName,
    });
    const at = (f: QueryField, test: FieldTest): SearchNode => ({ k: 'field', field: f.name, text: r.pick(spellings(f.name, false)), test });
    switch (kind) {
      case 'term':
      case 'quotedTerm': {
        const f = this.field(['int', 'text', 'addr']);
        let v = this.value(f.name);
        if (f.kind === 'text') v = this.mixCase(v);
        // Words the search reads otherwise (keywords, `-…`, quotes, spaces) are quoted.
        const plain = /^[A-Za-z0-9._=%/:]+$/.test(v) && !/^(and|or|not)$/i.test(v) && !v.startsWith('-') && (!v.includes(':') || f.kind === 'addr');
        return { k: 'term', value: v, quoted: kind === 'quotedTerm' || !plain };
      }
      case 'fieldEq': {
        const f = this.field(['int', 'text', 'addr']);
        let v = f.kind === 'int' ? String(this.intNear(f.name)) : this.value(f.name);
        if (f.kind === 'text') v = this.mixCase(v);
        const plain = /^[A-Za-z0-9._=%/:-]+$/.test(v) && !v.endsWith('*');
        return at(f, { op: 'eq', value: v, quoted: !plain || (f.kind !== 'int' && r.chance(0.12)) });
      }
      case 'prefix': {
        const f = this.field(['text', 'addr']);
        const v = this.value(f.name);
        const prefix = v.slice(0, r.between(1, Math.max(1, v.length - 1)));
        if (!/^[A-Za-z0-9._=:-]+$/.test(prefix)) return at(f, { op: 'present' });
        return at(f, { op: 'prefix', prefix: f.kind === 'text' ? this.mixCase(prefix) : prefix });
      }
      case 'compare': {
        const f = this.field(['int']);
        return at(f, { op: 'cmp', cmp: r.pick(['>', '>=', '<', '<='] as const), value: String(Math.max(0, this.intNear(f.name))) });
      }
      case 'range': {
        const f = this.field(['int']);
        let lo = Math.max(0, this.intNear(f.name));
        let hi = Math.max(0, this.intNear(f.name));
        if (lo > hi && r.chance(0.85)) [lo, hi] = [hi, lo];
        if (r.chance(0.15)) hi = lo;
        const brackets = r.weighted({ inclusive: w.rangeInclusive, exclusive: w.rangeExclusive, mixed: w.rangeMixed });
        const loIncl = brackets === 'mixed' ? r.chance(0.5) : brackets === 'inclusive';
        const hiIncl = brackets === 'mixed' ? !loIncl : brackets === 'inclusive';
        return at(f, { op: 'range', lo: r.chance(0.15) ? '*' : String(lo), hi: r.chance(0.15) ? '*' : String(hi), loIncl, hiIncl, to: 'TO' });
      }
      case 'present':
        return at(this.field(['int', 'text', 'addr']), { op: 'present' });
      case 'cidr': {
        const f = this.field(['addr']);
        return at(f, { op: 'cidr', cidr: this.cidr(f.name) });
      }
      default: {
        const f = QUERY_FIELDS.find((q) => q.name === 'protocol')!;
        return at(f, { op: 'eq', value: r.chance(0.8) ? r.pick(PROTOCOL_NAMES) : String(r.pick([1, 6, 17, 58])), quoted: false });
      }
    }
  }

  private cidr(field: string): string {
    const r = this.rng;
    if (r.chance(0.08)) return r.pick(['0.0.0.0/0', '::/0']);
    const a = this.value(field);
    if (a.includes(':')) {
      const groups = expandV6(a);
      if (!groups) return '2001:db8::/32';
      const prefix = r.pick([16, 32, 48, 56, 64, 128]);
      return `${formatV6(maskV6(groups, prefix))}/${prefix}`;
    }
    const octets = a.split('.').map(Number);
    if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) return '10.0.0.0/8';
    const prefix = r.pick([8, 12, 16, 20, 24, 32]);
    const value = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const net = (value & mask) >>> 0;
    return `${[net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.')}/${prefix}`;
  }

  // -------------------------------------------------------------------------------------------------------------
  // SQL: plain rows

  private plainSql(): SqlAst {
    const r = this.rng;
    const w = this.w;
    this.aliases.clear();
    const sql: SqlAst = { select: [], from: r.chance(w.from), groupBy: [], orderBy: [] };
    if (r.chance(w.selectStar)) {
      sql.select = '*';
    } else {
      sql.select = Array.from({ length: r.between(1, 4) }, () => this.item(this.row(this.anyTy(), 0)));
    }
    if (r.chance(w.where)) sql.where = this.row('bool', 0);
    if (sql.select !== '*' && r.chance(w.orderBy)) {
      const items = sql.select;
      sql.orderBy = Array.from({ length: r.between(1, 2) }, () => this.orderKey(items, () => notConstant(() => this.row(r.pick<Ty>(['int', 'str', 'int', 'float']), 1))));
    }
    if (r.chance(w.limit)) sql.limit = this.limit();
    else if (this.source === 'abc' && r.chance(w.bigLimit * 5)) sql.limit = 12_000;
    return sql;
  }

  private limit(): number {
    const r = this.rng;
    if (this.source === 'abc' && r.chance(this.w.bigLimit)) return 12_000;
    return r.chance(0.05) ? 0 : r.chance(0.8) ? r.between(1, 15) : r.between(16, 400);
  }

  private anyTy(): Ty {
    return this.rng.weighted({ int: 4, str: 4, float: 1, bool: 1 });
  }

  private item(e: Ex): SelectItem {
    const r = this.rng;
    if (!r.chance(this.w.alias)) return { e };
    let name: string;
    let text: string;
    const style = r.weighted({ plain: 6, field: this.w.fieldNamedAlias * 10, quoted: 1, bare: 1.5 });
    const fresh = (pool: string[]) => pool.find((n) => !this.aliases.has(n.toLowerCase()) && r.chance(0.5)) ?? pool.find((n) => !this.aliases.has(n.toLowerCase()));
    if (style === 'quoted') {
      const n = fresh(r.shuffle(QUOTED_ALIASES));
      if (!n) return { e };
      name = n;
      text = `${r.pick(['as', 'AS'])} "${n}"`;
    } else {
      const n = fresh(r.shuffle(style === 'field' ? FIELD_ALIASES : NON_FIELD_ALIASES));
      if (!n) return { e };
      name = n;
      text = style === 'bare' ? n : `${r.pick(['as', 'AS'])} ${n}`;
    }
    this.aliases.add(name.toLowerCase());
    return { e, alias: { name, text } };
  }

  /** An ORDER BY key: an alias, an ordinal or an expression. */
  private orderKey(items: SelectItem[], expr: () => Ex): OrderKey {
    const r = this.rng;
    const dir = r.pick(['', 'asc', 'desc', 'desc'] as const);
    const named = items.map((it, i) => (it.alias ? i : -1)).filter((i) => i >= 0);
    const how = r.weighted({ alias: named.length ? 3 : 0, ordinal: 2, expr: 3 });
    if (how === 'alias') {
      const i = r.pick(named);
      return { e: this.aliasRef(items, i), dir };
    }
    if (how === 'ordinal') return { e: { k: 'ordinal', item: r.int(items.length) }, dir };
    return { e: expr(), dir };
  }

  private aliasRef(items: SelectItem[], i: number): Ex {
    const a = items[i].alias!;
    const quoted = a.text.includes('"');
    const text = quoted ? `"${a.name}"` : this.rng.chance(0.15) ? a.name.toUpperCase() : a.name;
    return { k: 'alias', item: i, text };
  }

  // -------------------------------------------------------------------------------------------------------------
  // SQL: aggregation

  private aggregateSql(): SqlAst {
    const r = this.rng;
    const w = this.w;
    this.aliases.clear();
    const keyCount = r.weighted({ 0: 1.2, 1: 3, 2: 2, 3: 0.6 } as Record<string, number>);
    const keys: Ex[] = [];
    for (let i = 0; i < Number(keyCount); i++) {
      const k = this.groupKey();
      if (!keys.some((x) => exKey(x) === exKey(k))) keys.push(k);
    }
    const g: GroupCtx = { keys };
    // Items: some keys (written again, maybe spelt otherwise), and aggregates or expressions over them.
    const items: SelectItem[] = [];
    const keyItem: (number | undefined)[] = [];
    for (const k of keys) {
      if (r.chance(0.75)) {
        keyItem.push(items.length);
        items.push(this.item(this.respell(k)));
      } else keyItem.push(undefined);
    }
    const more = r.between(1, 3);
    for (let i = 0; i < more; i++) items.push(this.item(this.grouped(r.weighted({ int: 5, float: 1.5, str: 1, bool: 0.5 }), 0, g, true)));
    // Without GROUP BY, an aggregate makes it an aggregation.
    if (keys.length === 0 && !items.some((it) => containsAgg(it.e))) items.push(this.item({ k: 'agg', fn: 'count', arg: '*', distinct: false }));
    const shuffled = r.shuffle(items.map((it, i) => ({ it, i })));
    const select = shuffled.map((x) => x.it);
    const position = new Map(shuffled.map((x, j) => [x.i, j]));
    // GROUP BY each key as an expression, by a selected item's alias (not a field name) or by its ordinal.
    const groupBy = keys.map((k, i) => {
      const j = keyItem[i] === undefined ? undefined : position.get(keyItem[i]!)!;
      if (j === undefined) return this.respell(k);
      const alias = select[j].alias;
      const how = r.weighted({ expr: 4, alias: alias && !FIELD_ALIASES.includes(alias.name) ? 2 : 0, ordinal: 1.5 });
      if (how === 'alias') return this.aliasRef(select, j);
      if (how === 'ordinal') return { k: 'ordinal', item: j } as Ex;
      return this.respell(k);
    });
    const sql: SqlAst = { select, from: r.chance(w.from), groupBy, orderBy: [] };
    if (r.chance(w.where)) sql.where = this.row('bool', 1);
    if (r.chance(w.having)) sql.having = this.havingExpr(g, select);
    if (r.chance(w.orderBy)) {
      sql.orderBy = Array.from({ length: r.between(1, 2) }, () => this.orderKey(select, () => notConstant(() => this.grouped(r.pick<Ty>(['int', 'int', 'str', 'float']), 1, g, true))));
    }
    if (r.chance(w.limit)) sql.limit = this.limit();
    return sql;
  }

  /** Top talkers, a timeline, top pairs or the biggest flows, as users write them (README examples). */
  private typicalSql(): SqlAst {
    const r = this.rng;
    this.aliases.clear();
    const count: Ex = { k: 'agg', fn: 'count', arg: '*', distinct: false };
    const sum = (field: string): Ex => ({ k: 'agg', fn: 'sum', arg: { k: 'col', field, text: field }, distinct: false });
    const named = (e: Ex, name: string): SelectItem => ({ e, alias: { name, text: `as ${name}` } });
    const limit = r.pick([5, 10, 10, 20]);
    switch (r.int(4)) {
      case 0: {
        const key = this.col(r.pick([['text'], ['addr'], ['int']] as FieldKind[][]));
        const select = [{ e: key }, named(count, 'n'), ...(r.chance(0.5) ? [named(sum('bytes'), 'b')] : [])];
        const by: Ex = r.chance(0.5) ? { k: 'alias', item: 1, text: 'n' } : { k: 'ordinal', item: 1 };
        return { select, from: false, groupBy: [r.chance(0.5) ? key : { k: 'ordinal', item: 0 }], orderBy: [{ e: by, dir: 'desc' }], limit };
      }
      case 1: {
        const select = [named(this.hist(), 't'), named(count, 'records'), named(sum('bytes'), 'bytes')];
        return { select, from: false, groupBy: [{ k: 'alias', item: 0, text: 't' }], orderBy: [{ e: { k: 'alias', item: 0, text: 't' }, dir: '' }] };
      }
      case 2: {
        const select = [{ e: this.col(['addr']) }, { e: this.col(['addr']) }, named(sum(r.pick(['bytes', 'packets'])), 'b')];
        return { select, from: false, groupBy: [select[0].e, select[1].e], orderBy: [{ e: { k: 'alias', item: 2, text: 'b' }, dir: 'desc' }], limit };
      }
      default: {
        const select = ['srcaddr', 'dstaddr', 'dstport', 'bytes'].map((f): SelectItem => ({ e: { k: 'col', field: f, text: f } }));
        return { select, from: false, where: r.chance(0.5) ? this.row('bool', 1) : undefined, groupBy: [], orderBy: [{ e: { k: 'ordinal', item: 3 }, dir: 'desc' }], limit };
      }
    }
  }

  private groupKey(): Ex {
    const r = this.rng;
    const kind = r.weighted({ col: 8, hist: this.w.histogram * 3, fn: this.w.functions * 1.5, arith: 0.6, bool: 0.4, time: 0.3 });
    switch (kind) {
      case 'hist': return this.hist();
      case 'fn': {
        const f = r.pick(['lower', 'subnet', 'protocol_name', 'service_name'] as const);
        if (f === 'lower') return { k: 'call', name: 'lower', args: [this.col(['text'])] };
        if (f === 'subnet') return { k: 'call', name: 'subnet', args: [this.col(['addr']), { k: 'int', v: r.pick(SUBNET_PREFIXES) }] };
        if (f === 'protocol_name') return { k: 'call', name: 'protocol_name', args: [this.protocolCol()] };
        return this.serviceName();
      }
      case 'arith': return { k: 'arith', op: r.pick(['%', '/'] as const), l: this.col(['int']), r: { k: 'int', v: r.pick([10, 100, 1000, 7]) } };
      case 'bool': return { k: 'cmp', op: r.pick(['>', '<=', '='] as const), l: this.col(['int']), r: { k: 'int', v: this.intNear('bytes') } };
      case 'time': return { k: 'call', name: 'from_unixtime', args: [this.col(['int'])] };
      default: return this.col(r.pick([['text'], ['int'], ['addr']] as FieldKind[][]));
    }
  }

  /** The same expression with its fields spelt another way now and then (GROUP BY keys match by meaning). */
  private respell(e: Ex): Ex {
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

  private havingExpr(g: GroupCtx, items: SelectItem[]): Ex {
    const r = this.rng;
    // Often a comparison of an aliased item (a name that may also be a field: the alias wins).
    const named = items.map((it, i) => (it.alias && this.tyOf(it.e) === 'int' ? i : -1)).filter((i) => i >= 0);
    if (named.length && r.chance(0.5)) {
      const i = r.pick(named);
      return { k: 'cmp', op: r.pick(['>', '>=', '<', '=', '!='] as const), l: this.aliasRef(items, i), r: { k: 'int', v: r.pick([1, 2, 5, 10, 100, 1500, 10_000]) } };
    }
    return this.grouped('bool', 0, g, false);
  }

  private tyOf(e: Ex): Ty {
    return typeOf(e);
  }

  /** An expression over groups: GROUP BY keys, aggregates of records and literals. */
  private grouped(ty: Ty, depth: number, g: GroupCtx, top: boolean): Ex {
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

  private aggregate(ty: Ty): Ex {
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
  private composite(ty: Ty, depth: number, sub: (t: Ty, depth: number) => Ex, leaf: () => Ex, grouped: boolean): Ex {
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

  private protocolCol(): Ex {
    return { k: 'col', field: 'protocol', text: this.rng.pick(['protocol', 'PROTOCOL', 'protocol']) };
  }

  private serviceName(): Ex {
    const r = this.rng;
    const field = r.pick(['srcport', 'dstport', 'dstport']);
    const args: Ex[] = [{ k: 'col', field, text: r.pick(spellings(field, true)) }];
    if (r.chance(0.4)) args.push(r.chance(0.6) ? this.protocolCol() : { k: 'int', v: r.pick([6, 17]) });
    return { k: 'call', name: 'service_name', args };
  }

  private timeArg(): Ex {
    const r = this.rng;
    const field = r.pick(['start', 'end']);
    const c: Ex = { k: 'col', field, text: r.chance(0.2) ? field.toUpperCase() : field };
    return r.chance(0.2) ? { k: 'arith', op: '+', l: c, r: { k: 'int', v: r.pick([1, 59, 3600]) } } : c;
  }

  private hist(): Ex {
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

  private cmpOp(t: Ty): Extract<Ex, { k: 'cmp' }>['op'] {
    return t === 'str' && this.rng.chance(0.7) ? this.rng.pick(['=', '!=', '<>'] as const) : this.rng.pick(['=', '!=', '<>', '<', '<=', '>', '>='] as const);
  }

  /** A comparison of a field (or an expression) with a literal, a NULL or another field. */
  private simpleCondition(depth = this.maxDepth): Ex {
    const r = this.rng;
    const t = r.weighted({ int: 4, str: 2.5, float: 0.6 }) as Ty;
    if (t === 'float') return { k: 'cmp', op: this.cmpOp('int'), l: this.row('float', depth + 1), r: this.literal(r.chance(0.5) ? 'float' : 'int', 'bytes') };
    const l = depth < this.maxDepth && r.chance(0.3) ? this.row(t, depth + 1) : this.col(t === 'int' ? ['int'] : ['text', 'addr']);
    const field = l.k === 'col' ? l.field : t === 'int' ? 'bytes' : 'action';
    const right: Ex = r.chance(this.w.nullLiteral * 0.15) ? { k: 'null' } : r.chance(0.12) ? this.col(t === 'int' ? ['int'] : ['text', 'addr']) : this.literal(t, field);
    return { k: 'cmp', op: this.cmpOp(t), l, r: right };
  }

  private literal(ty: Ty, field: string): Ex {
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

  private boundOrNull(): Ex {
    return this.rng.chance(0.25) ? { k: 'null' } : { k: 'int', v: this.rng.pick([0, 1, 2, 5, 10, 100, 1000, 100_000]) };
  }

  /** A LIKE pattern from a value of the field: letters replaced by `_`, runs by `%`. */
  private likePattern(field: string): string {
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

  // -------------------------------------------------------------------------------------------------------------
  // Invalid queries: each must give a positioned QueryError.

  private invalidQuery(upper: boolean, search: SearchNode | undefined): QueryAst {
    const r = this.rng;
    const kind = r.weighted({ ungroupedSelect: 3, ungroupedOrder: 1, ungroupedHaving: 1, searchNumber: 2.5 });
    if (kind === 'searchNumber') {
      const f = this.field(['int']);
      const bad = r.pick(BAD_NUMBERS);
      const form = r.pick(['eq', 'cmp', 'range'] as const);
      const text = r.pick(spellings(f.name, false));
      const test: FieldTest = form === 'eq' ? { op: 'eq', value: bad, quoted: false }
        : form === 'cmp' ? { op: 'cmp', cmp: r.pick(['>', '>=', '<', '<='] as const), value: bad }
        : { op: 'range', lo: r.chance(0.5) ? bad : '1', hi: r.chance(0.5) ? '100' : bad, loIncl: r.chance(0.5), hiIncl: r.chance(0.5), to: 'TO' };
      if (test.op === 'range' && test.lo !== bad && test.hi !== bad) test.lo = bad;
      const atom: SearchNode = { k: 'field', field: f.name, text, test };
      const node: SearchNode = search && search.k !== 'star' && r.chance(0.5) ? { k: 'and', items: [search, atom], joiner: 'AND' } : atom;
      return { source: this.source, search: node, sql: r.chance(0.4) ? this.plainSql() : undefined, upper, error: { rule: 'search numbers are decimal integers', at: bad } };
    }
    const sql = this.aggregateSql();
    const items = sql.select as SelectItem[];
    // A field that is no GROUP BY key (keys by meaning: `lower(action)` does not make `action` grouped).
    const keyFields = new Set(sql.groupBy.map((g) => resolveItem(g, items)).filter((e) => e.k === 'col').map((e) => (e as { field: string }).field));
    const candidates = this.present.filter((f) => !keyFields.has(f.name));
    const f = r.pick(candidates.length ? candidates : QUERY_FIELDS.filter((q) => !keyFields.has(q.name)));
    const colText = r.pick(spellings(f.name, true));
    const col: Ex = { k: 'col', field: f.name, text: colText };
    if (kind === 'ungroupedSelect') {
      // First, so the error's position is easy to find; ordinals and aliases of the others shift by one.
      sql.select = [{ e: col }, ...items];
      sql.groupBy = sql.groupBy.map((g) => shiftItems(g, 1));
      sql.having = sql.having && shiftItems(sql.having, 1);
      sql.orderBy = sql.orderBy.map((o) => ({ ...o, e: shiftItems(o.e, 1) }));
      return { source: this.source, search, sql, upper, error: { rule: 'a selected column is grouped or aggregated', at: colText, name: f.name } };
    }
    if (kind === 'ungroupedOrder') {
      sql.orderBy = [{ e: col, dir: r.pick(['', 'desc'] as const) }];
      return { source: this.source, search, sql, upper, error: { rule: 'an ORDER BY column is grouped or aggregated', at: colText, name: f.name } };
    }
    sql.having = { k: 'isnull', e: col, neg: r.chance(0.5) };
    return { source: this.source, search, sql, upper, error: { rule: 'a HAVING column is grouped or aggregated', at: colText, name: f.name } };
  }
}

/** An ORDER BY expression that reads something (a constant key orders nothing, and a number would be an ordinal). */
function notConstant(make: () => Ex): Ex {
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

function shiftItems(e: Ex, by: number): Ex {
  if (e.k === 'alias' || e.k === 'ordinal') return { ...e, item: e.item + by };
  if (e.k === 'agg') return e;
  const c = { ...e } as Ex;
  switch (c.k) {
    case 'neg': case 'not': case 'paren': case 'isnull': case 'like': return { ...c, e: shiftItems(c.e, by) } as Ex;
    case 'arith': case 'cmp': case 'logic': return { ...c, l: shiftItems(c.l, by), r: shiftItems(c.r, by) } as Ex;
    case 'call': return { ...c, args: c.args.map((a) => shiftItems(a, by)) };
    case 'in': return { ...c, e: shiftItems(c.e, by), list: c.list.map((a) => shiftItems(a, by)) };
    case 'between': return { ...c, e: shiftItems(c.e, by), lo: shiftItems(c.lo, by), hi: shiftItems(c.hi, by) };
    default: return c;
  }
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

// IPv6 helpers for CIDR literals (independent of the engine's address module).

export function expandV6(a: string): number[] | undefined {
  const halves = a.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<number>(Math.max(0, fill)).fill(0), ...tail];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g)) || (halves.length === 2 && fill < 1)) return undefined;
  return groups;
}

export function maskV6(groups: number[], prefix: number): number[] {
  return groups.map((g, i) => {
    const bits = Math.max(0, Math.min(16, prefix - i * 16));
    return bits === 0 ? 0 : g & ((0xffff << (16 - bits)) & 0xffff);
  });
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (first on a tie) of two or more zero groups as `::`. */
export function formatV6(groups: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

export { SOURCE_NAMES };
