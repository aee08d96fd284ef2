// A grammar-based random query generator over the whole documented query language (README "Query language"):
// searches (terms, quoted terms, field:value, prefix wildcards, comparisons, [inclusive], {exclusive} and mixed
// ranges with `*` ends, presence, IPv4/IPv6 CIDR, protocol names, AND/OR/NOT/parentheses) and SQL (SELECT with
// aliases, WHERE, GROUP BY by expression, alias and ordinal, HAVING, ORDER BY several keys ASC/DESC, LIMIT; every
// function and aggregate; arithmetic, comparisons, IN, LIKE, BETWEEN with NULL bounds, IS [NOT] NULL, strings with
// doubled quotes). Typed, so every query is valid (or invalid on purpose: `error`), seeded, weighted per construct
// and bounded in size. The tree (queryAst.ts) is printed in the engine's syntax and translated for an oracle
// (queryToDuckdb.ts; a ClickHouse translation can read the same tree).
import { Rng, mixSeed } from './rng';
import { expandV6, formatV6, maskV6 } from './address6';
import { Dataset, FieldKind, QUERY_FIELDS, QueryField, SourceName, sourceFields } from './qgenData';
import { Ex, FieldTest, OrderKey, QueryAst, SearchNode, SelectItem, SqlAst, Ty, avoidAmbiguousAliases, containsAgg, exKey } from './queryAst';
import { lookupField } from '../../server/src/core/schema';
import { ExprGenerator, GenOptions, GroupCtx, PROTOCOL_NAMES, SUBNET_PREFIXES, notConstant, resolveItem, spellings, typeOf } from './queryGenExpr';

export { DEFAULT_WEIGHTS, isConstant, resolveItem, typeOf } from './queryGenExpr';
export type { GenOptions, Weights } from './queryGenExpr';

/** The query of case `index` of a run with `seed`: the same (seed, index) always gives the same query. */
export function generateCase(seed: number, index: number, ds: Dataset, opts: GenOptions = {}): QueryAst {
  return new QueryGenerator(new Rng(mixSeed(seed, index)), ds, opts).query();
}

export const NON_FIELD_ALIASES = ['n', 'total', 'cnt', 'hits', 'b', 'x', 'k', 't', 'sz', 'share', 'bucket', 'who', 'svc', 'net', 'avg_b', 'Top', 'x2', 'flows'];
export const FIELD_ALIASES = ['bytes', 'packets', 'srcaddr', 'dstport', 'action', 'start', 'protocol'];
export const QUOTED_ALIASES = ['my col', 'Bytes Sum', 'n', 'a-b'];
/** SQL keywords: never a misspelt field (the parser would read them otherwise). */
const KEYWORDS = new Set(['SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'ASC', 'DESC', 'LIMIT', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'BETWEEN', 'AS', 'DISTINCT', 'INTERVAL', 'TRUE', 'FALSE', 'TO']);
const BAD_NUMBERS = ['0x16', '22.5', '1e3', '1_000', '0b101', '5.', '.5', 'Infinity', 'NaN', '2,000'];

/** Queries: a source, a search, and SQL clauses over the expressions of ExprGenerator. */
class QueryGenerator extends ExprGenerator {
  private aliases = new Set<string>();

  query(): QueryAst {
    const w = this.w;
    const r = this.rng;
    this.source = r.weighted({ a: w.sourceA, b: w.sourceB, c: w.sourceC, ab: w.sourceAB, abc: w.sourceABC } as Record<SourceName, number>);
    const fields = new Set(sourceFields(this.ds, this.source));
    this.present = QUERY_FIELDS.filter((f) => fields.has(f.name));
    const upper = r.chance(0.4);
    const newlines = r.chance(0.1);
    const shape = r.weighted({ searchOnly: w.searchOnly, plainSql: w.plainSql, aggregate: w.aggregate, invalid: w.invalid, typical: w.typical });
    const search = () => (r.chance(0.6) ? this.search(0) : r.chance(0.7) ? { k: 'star' as const } : undefined);
    switch (shape) {
      case 'searchOnly':
        return { source: this.source, search: this.search(0), upper };
      case 'plainSql':
        return { source: this.source, search: search(), sql: this.unambiguous(this.plainSql()), upper, newlines };
      case 'aggregate':
        return { source: this.source, search: search(), sql: this.unambiguous(this.aggregateSql()), upper, newlines };
      case 'typical':
        return { source: this.source, search: search(), sql: this.typicalSql(), upper, newlines };
      default:
        return this.invalidQuery(upper, search());
    }
  }

  /** Aliases renamed where a field of the same name is meant (see avoidAmbiguousAliases). */
  private unambiguous(sql: SqlAst, keep: string[] = []): SqlAst {
    avoidAmbiguousAliases(sql, NON_FIELD_ALIASES, keep);
    return sql;
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
        // Decimal integers (-1: Tencent's NODATA counts).
        let v = f.kind === 'int' ? String(Math.max(-1, this.intNear(f.name))) : this.value(f.name);
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
  private havingExpr(g: GroupCtx, items: SelectItem[]): Ex {
    const r = this.rng;
    // Often a comparison of an aliased item (a name that may also be a field: the alias wins).
    const named = items.map((it, i) => (it.alias && typeOf(it.e) === 'int' ? i : -1)).filter((i) => i >= 0);
    if (named.length && r.chance(0.5)) {
      const i = r.pick(named);
      return { k: 'cmp', op: r.pick(['>', '>=', '<', '=', '!='] as const), l: this.aliasRef(items, i), r: { k: 'int', v: r.pick([1, 2, 5, 10, 100, 1500, 10_000]) } };
    }
    return this.grouped('bool', 0, g, false);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Invalid queries: each must give a positioned QueryError.

  private invalidQuery(upper: boolean, search: SearchNode | undefined): QueryAst {
    const r = this.rng;
    const source = this.source;
    const kind = r.weighted({ ungroupedSelect: 3, ungroupedOrder: 1, ungroupedHaving: 1, searchNumber: 2.5, unknownField: 1, unknownFunction: 0.5 });
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
      const error = { rule: 'search numbers are decimal integers', at: bad, clause: 'search' as const, named: false, oracleRejects: false };
      return { source, search: node, sql: r.chance(0.4) ? this.unambiguous(this.plainSql()) : undefined, upper, error };
    }
    if (kind === 'unknownField' || kind === 'unknownFunction') {
      const f = this.field(['int', 'text', 'addr']);
      const wrong = kind === 'unknownField' ? this.misspell(f.name) : r.pick(['lenght', 'sumx', 'protocolname', 'servicename', 'counts', 'subnets']);
      if (kind === 'unknownField' && r.chance(0.5)) {
        const atom: SearchNode = { k: 'field', field: f.name, text: wrong, test: r.chance(0.5) ? { op: 'present' } : { op: 'eq', value: this.value(f.name), quoted: true } };
        return { source, search: atom, sql: r.chance(0.4) ? this.unambiguous(this.plainSql()) : undefined, upper, error: { rule: 'unknown field', at: wrong, clause: 'search', named: true, oracleRejects: false } };
      }
      const sql = this.unambiguous(this.plainSql());
      const bad: Ex = kind === 'unknownField' ? { k: 'col', field: f.name, text: wrong } : { k: 'call', name: wrong, args: [this.col(['int', 'text'])] };
      sql.select = [{ e: bad }, ...(sql.select === '*' ? [] : sql.select)];
      sql.orderBy = sql.orderBy.map((o) => ({ ...o, e: shiftItems(o.e, 1) }));
      return { source, search, sql, upper, error: { rule: kind === 'unknownField' ? 'unknown field' : 'unknown function', at: wrong, clause: 'select', named: true, oracleRejects: false } };
    }
    const sql = this.aggregateSql();
    const items = sql.select as SelectItem[];
    // A field that is no GROUP BY key (keys by meaning: `lower(action)` does not make `action` grouped).
    const keyFields = new Set(sql.groupBy.map((g) => resolveItem(g, items)).filter((e) => e.k === 'col').map((e) => (e as { field: string }).field));
    const candidates = this.present.filter((f) => !keyFields.has(f.name));
    const f = r.pick(candidates.length ? candidates : QUERY_FIELDS.filter((q) => !keyFields.has(q.name)));
    const colText = r.pick(spellings(f.name, true));
    const col: Ex = { k: 'col', field: f.name, text: colText };
    const error = (rule: string, clause: 'select' | 'order by' | 'having') => ({ rule, at: colText, clause, named: true, name: f.name, oracleRejects: true });
    if (kind === 'ungroupedSelect') {
      // First, so the error's position is easy to find; ordinals and aliases of the others shift by one.
      sql.select = [{ e: col }, ...items];
      sql.groupBy = sql.groupBy.map((g) => shiftItems(g, 1));
      sql.having = sql.having && shiftItems(sql.having, 1);
      sql.orderBy = sql.orderBy.map((o) => ({ ...o, e: shiftItems(o.e, 1) }));
      return { source, search, sql: this.unambiguous(sql), upper, error: error('a selected column is grouped or aggregated', 'select') };
    }
    if (kind === 'ungroupedOrder') {
      sql.orderBy = [{ e: col, dir: r.pick(['', 'desc'] as const) }];
      return { source, search, sql: this.unambiguous(sql, [colText]), upper, error: error('an ORDER BY column is grouped or aggregated', 'order by') };
    }
    sql.having = { k: 'isnull', e: col, neg: r.chance(0.5) };
    return { source, search, sql: this.unambiguous(sql, [colText]), upper, error: error('a HAVING column is grouped or aggregated', 'having') };
  }

  /** A field name with a letter dropped, swapped or replaced: no field's name (any spelling). */
  private misspell(name: string): string {
    const r = this.rng;
    const base = name.replace(/-/g, '_');
    for (;;) {
      const letters = [...base].map((c, i) => (/[a-z]/.test(c) ? i : -1)).filter((i) => i >= 0);
      const i = r.pick(letters);
      const how = r.int(3);
      const wrong = how === 0 ? base.slice(0, i) + base.slice(i + 1)
        : how === 1 && i + 1 < base.length ? base.slice(0, i) + base[i + 1] + base[i] + base.slice(i + 2)
        : base.slice(0, i) + 'q' + base.slice(i + 1);
      if (wrong !== base && /^[a-z_][a-z0-9_]*$/.test(wrong) && !lookupField(wrong) && !KEYWORDS.has(wrong.toUpperCase())) return wrong;
    }
  }
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
