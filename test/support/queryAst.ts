// The generated queries as a tree (the generator's own, independent of the engine's parser), and its printer to
// the engine's syntax `[search] [| SQL]`. The translations to other engines (queryToDuckdb.ts) read the same tree.
import type { SourceName } from './qgenData';

/** SQL value types of the generator: exact integers, floating numbers, text and SQL booleans (with NULL in each). */
export type Ty = 'int' | 'float' | 'str' | 'bool';

export type ArithOp = '+' | '-' | '*' | '/' | '%';
export type CmpOp = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=';
export type AggFn = 'count' | 'sum' | 'avg' | 'min' | 'max';

export type Ex =
  /** A field: `text` is how it is written (`log_status`, `"log-status"`, `logStatus`). */
  | { k: 'col'; field: string; text: string }
  | { k: 'int'; v: number }
  /** A decimal literal with a fraction (`1.5`). */
  | { k: 'float'; text: string }
  | { k: 'str'; v: string }
  | { k: 'null' }
  | { k: 'neg'; e: Ex }
  | { k: 'arith'; op: ArithOp; l: Ex; r: Ex }
  | { k: 'cmp'; op: CmpOp; l: Ex; r: Ex }
  | { k: 'logic'; op: 'and' | 'or'; l: Ex; r: Ex }
  | { k: 'not'; e: Ex }
  /** Scalar functions: lower, upper, length, abs, round, floor, ceil, coalesce, protocol_name, service_name, subnet, from_unixtime. */
  | { k: 'call'; name: string; args: Ex[] }
  | { k: 'agg'; fn: AggFn; arg: Ex | '*'; distinct: boolean }
  /** histogram(arg, interval …): `amount` as written (`5`, `1.5`), the unit as written, and which parts are quoted. */
  | { k: 'hist'; arg: Ex; amount: string; unit: string; form: 'plain' | 'quoted' | 'quotedAmount' }
  | { k: 'in'; e: Ex; list: Ex[]; neg: boolean }
  | { k: 'between'; e: Ex; lo: Ex; hi: Ex; neg: boolean }
  | { k: 'like'; e: Ex; pattern: string; neg: boolean }
  | { k: 'isnull'; e: Ex; neg: boolean }
  /** Parentheses the user wrote (they are part of a column's name). */
  | { k: 'paren'; e: Ex }
  /** A SELECT item named by its alias (GROUP BY, HAVING, ORDER BY); `text` as written. */
  | { k: 'alias'; item: number; text: string }
  /** A SELECT item by its 1-based position (GROUP BY, ORDER BY). */
  | { k: 'ordinal'; item: number };

export interface SelectItem {
  e: Ex;
  /** The alias as written after the expression (`as n`, `n`, `as "my col"`), and the name it gives. */
  alias?: { name: string; text: string };
}

export interface OrderKey {
  e: Ex;
  dir: '' | 'asc' | 'desc';
}

export interface SqlAst {
  /** `*`: every field of the records' formats. */
  select: SelectItem[] | '*';
  from: boolean;
  where?: Ex;
  groupBy: Ex[];
  having?: Ex;
  /** The keys the generator chose; the printer appends every other SELECT item as a tie-breaker (see orderKeys). */
  orderBy: OrderKey[];
  limit?: number;
}

export type SearchNode =
  | { k: 'star' }
  /** `joiner` is how the items are joined: `AND`, `and` or a space (several terms: AND). */
  | { k: 'and'; items: SearchNode[]; joiner: string }
  | { k: 'or'; items: SearchNode[]; joiner: string }
  | { k: 'not'; item: SearchNode; kw: string }
  | { k: 'paren'; item: SearchNode }
  | { k: 'term'; value: string; quoted: boolean }
  | { k: 'field'; field: string; text: string; test: FieldTest };

export type FieldTest =
  | { op: 'eq'; value: string; quoted: boolean }
  | { op: 'prefix'; prefix: string }
  | { op: 'cmp'; cmp: '>' | '>=' | '<' | '<='; value: string }
  /** `[lo TO hi]`, `{lo TO hi}` or mixed; `*` for an open end. */
  | { op: 'range'; lo: string; hi: string; loIncl: boolean; hiIncl: boolean; to: string }
  | { op: 'present' }
  | { op: 'cidr'; cidr: string };

export interface QueryAst {
  source: SourceName;
  /** Undefined: no search text at all (`| select …`). */
  search?: SearchNode;
  sql?: SqlAst;
  /** Keywords in upper case (SELECT) or lower (select). */
  upper: boolean;
  /** SQL clauses on lines of their own. */
  newlines?: boolean;
  /** An invalid query: it must get a QueryError. */
  error?: QueryErrorSpec;
}

export interface QueryErrorSpec {
  /** The rule the query breaks. */
  rule: string;
  /** The text the error is about, as written (a column, a bad number, a misspelt name). */
  at: string;
  /**
   * Where the error must point: inside the search atom holding `at`, or at the first key of a clause (the generator
   * puts the offending column there).
   */
  clause: 'search' | 'select' | 'order by' | 'having';
  /** The message must name `at` (or this canonical name). */
  named: boolean;
  name?: string;
  /** SQL engines reject the translation too (a check of the generator). */
  oracleRejects: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Printing (engine syntax)

/** Binding strength: OR 1, AND 2, NOT 3, comparisons 4, + - 5, * / % 6, unary minus 7, primaries 8. */
function level(e: Ex): number {
  switch (e.k) {
    case 'logic': return e.op === 'or' ? 1 : 2;
    case 'not': return 3;
    case 'cmp': case 'in': case 'between': case 'like': case 'isnull': return 4;
    case 'arith': return e.op === '+' || e.op === '-' ? 5 : 6;
    case 'neg': return 7;
    default: return 8;
  }
}

export function sqlString(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

export interface PrintStyle {
  upper: boolean;
  newlines?: boolean;
}

function kw(s: PrintStyle, word: string): string {
  return s.upper ? word.toUpperCase() : word.toLowerCase();
}

/** An expression in the engine's syntax, with the parentheses its tree needs (and those it has as `paren`). */
export function printEx(e: Ex, s: PrintStyle, items?: SelectItem[]): string {
  const at = (c: Ex, min: number) => (level(c) < min ? `(${printEx(c, s, items)})` : printEx(c, s, items));
  switch (e.k) {
    case 'col': return e.text;
    case 'int': return String(e.v);
    case 'float': return e.text;
    case 'str': return sqlString(e.v);
    case 'null': return kw(s, 'null');
    case 'neg': {
      // `- -5` would read as a comment in other SQL dialects: parenthesise a nested minus.
      const inner = e.e.k === 'neg' ? `(${printEx(e.e, s, items)})` : at(e.e, 7);
      return `-${inner}`;
    }
    case 'arith': {
      const lv = level(e);
      return `${at(e.l, lv)} ${e.op} ${at(e.r, lv + 1)}`;
    }
    case 'cmp': return `${at(e.l, 5)} ${e.op} ${at(e.r, 5)}`;
    case 'logic': {
      const lv = level(e);
      return `${at(e.l, lv)} ${kw(s, e.op)} ${at(e.r, lv + 1)}`;
    }
    case 'not': return `${kw(s, 'not')} ${at(e.e, 3)}`;
    case 'call': return `${e.name}(${e.args.map((a) => printEx(a, s, items)).join(', ')})`;
    case 'agg': {
      const arg = e.arg === '*' ? '*' : `${e.distinct ? `${kw(s, 'distinct')} ` : ''}${printEx(e.arg, s, items)}`;
      return `${e.fn}(${arg})`;
    }
    case 'hist': {
      const interval = e.form === 'plain' ? `${e.amount} ${e.unit}` : e.form === 'quoted' ? `'${e.amount} ${e.unit}'` : `'${e.amount}' ${e.unit}`;
      return `histogram(${printEx(e.arg, s, items)}, ${kw(s, 'interval')} ${interval})`;
    }
    case 'in': return `${at(e.e, 5)} ${e.neg ? `${kw(s, 'not')} ` : ''}${kw(s, 'in')} (${e.list.map((x) => at(x, 5)).join(', ')})`;
    case 'between': return `${at(e.e, 5)} ${e.neg ? `${kw(s, 'not')} ` : ''}${kw(s, 'between')} ${at(e.lo, 5)} ${kw(s, 'and')} ${at(e.hi, 5)}`;
    case 'like': return `${at(e.e, 5)} ${e.neg ? `${kw(s, 'not')} ` : ''}${kw(s, 'like')} ${sqlString(e.pattern)}`;
    case 'isnull': return `${at(e.e, 5)} ${kw(s, 'is')} ${e.neg ? `${kw(s, 'not')} ` : ''}${kw(s, 'null')}`;
    case 'paren': return `(${printEx(e.e, s, items)})`;
    case 'alias': return e.text;
    case 'ordinal': return String(e.item + 1);
  }
}

/** The ORDER BY keys as printed: the chosen ones, then every SELECT item not yet a key (ties give equal rows). */
export function orderKeys(sql: SqlAst): OrderKey[] {
  if (sql.orderBy.length === 0 || sql.select === '*') return sql.orderBy;
  const used = new Set<number>();
  for (const o of sql.orderBy) if (o.e.k === 'ordinal' || o.e.k === 'alias') used.add(o.e.item);
  const extra: OrderKey[] = [];
  sql.select.forEach((_, i) => {
    if (!used.has(i)) extra.push({ e: { k: 'ordinal', item: i }, dir: sql.orderBy[(i * 7) % sql.orderBy.length].dir === 'desc' ? 'asc' : 'desc' });
  });
  return [...sql.orderBy, ...extra];
}

/** The text of a SELECT item's expression: its column name when it has no alias. */
export function itemText(item: SelectItem, s: PrintStyle): string {
  return printEx(item.e, s);
}

/** The column names a SQL query's result must have (undefined for `select *`: the fields of the formats). */
export function expectedColumns(q: QueryAst): string[] | undefined {
  if (!q.sql || q.sql.select === '*') return undefined;
  return q.sql.select.map((it) => it.alias?.name ?? itemText(it, q));
}

export function printSql(sql: SqlAst, s: PrintStyle): string {
  const items = sql.select === '*' ? undefined : sql.select;
  const parts = [kw(s, 'select')];
  parts.push(sql.select === '*' ? '*' : sql.select.map((it) => `${printEx(it.e, s)}${it.alias ? ` ${it.alias.text}` : ''}`).join(', '));
  if (sql.from) parts.push(`${kw(s, 'from')} log`);
  if (sql.where) parts.push(`${kw(s, 'where')} ${printEx(sql.where, s, items)}`);
  if (sql.groupBy.length) parts.push(`${kw(s, 'group by')} ${sql.groupBy.map((g) => printEx(g, s, items)).join(', ')}`);
  if (sql.having) parts.push(`${kw(s, 'having')} ${printEx(sql.having, s, items)}`);
  const order = orderKeys(sql);
  if (order.length) parts.push(`${kw(s, 'order by')} ${order.map((o) => `${printEx(o.e, s, items)}${o.dir ? ` ${kw(s, o.dir)}` : ''}`).join(', ')}`);
  if (sql.limit !== undefined) parts.push(`${kw(s, 'limit')} ${sql.limit}`);
  return s.newlines ? `${parts[0]} ${parts[1]}${parts.slice(2).map((p) => `\n${p}`).join('')}` : parts.join(' ');
}

function printSearchAt(n: SearchNode, min: number): string {
  // Binding strength: OR 1, AND 2, NOT and atoms 3.
  const lv = n.k === 'or' ? 1 : n.k === 'and' ? 2 : 3;
  const text = printSearch(n);
  return lv < min ? `(${text})` : text;
}

export function quoteSearch(v: string): string {
  return `"${v.replace(/(["\\])/g, '\\$1')}"`;
}

export function printSearch(n: SearchNode): string {
  switch (n.k) {
    case 'star': return '*';
    case 'and': return n.items.map((i) => printSearchAt(i, 3)).join(n.joiner === ' ' ? ' ' : ` ${n.joiner} `);
    case 'or': return n.items.map((i) => printSearchAt(i, 2)).join(` ${n.joiner} `);
    case 'not': return `${n.kw} ${printSearchAt(n.item, 3)}`;
    case 'paren': return `(${printSearch(n.item)})`;
    case 'term': return n.quoted ? quoteSearch(n.value) : n.value;
    case 'field': {
      const t = n.test;
      switch (t.op) {
        case 'eq': return `${n.text}:${t.quoted ? quoteSearch(t.value) : t.value}`;
        case 'prefix': return `${n.text}:${t.prefix}*`;
        case 'cmp': return `${n.text}:${t.cmp}${t.value}`;
        case 'range': return `${n.text}:${t.loIncl ? '[' : '{'}${t.lo} ${t.to} ${t.hi}${t.hiIncl ? ']' : '}'}`;
        case 'present': return `${n.text}:*`;
        case 'cidr': return `${n.text}:${t.cidr}`;
      }
    }
  }
}

/** The whole query in the engine's syntax. */
export function printQuery(q: QueryAst): string {
  const search = q.search ? printSearch(q.search) : '';
  if (!q.sql) return search;
  return `${search}${search ? ' ' : ''}| ${printSql(q.sql, q)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Walking

export function children(e: Ex): Ex[] {
  switch (e.k) {
    case 'neg': case 'not': case 'paren': case 'isnull': return [e.e];
    case 'arith': case 'cmp': case 'logic': return [e.l, e.r];
    case 'call': return e.args;
    case 'agg': return e.arg === '*' ? [] : [e.arg];
    case 'hist': return [e.arg];
    case 'in': return [e.e, ...e.list];
    case 'between': return [e.e, e.lo, e.hi];
    case 'like': return [e.e];
    default: return [];
  }
}

/** A copy of `e` with its children replaced by `f` of each (same order as `children`). */
export function mapChildren(e: Ex, f: (c: Ex) => Ex): Ex {
  switch (e.k) {
    case 'neg': case 'not': case 'paren': case 'isnull': case 'like': return { ...e, e: f(e.e) } as Ex;
    case 'arith': case 'cmp': case 'logic': return { ...e, l: f(e.l), r: f(e.r) } as Ex;
    case 'call': return { ...e, args: e.args.map(f) };
    case 'agg': return e.arg === '*' ? e : { ...e, arg: f(e.arg) };
    case 'hist': return { ...e, arg: f(e.arg) };
    case 'in': return { ...e, e: f(e.e), list: e.list.map(f) };
    case 'between': return { ...e, e: f(e.e), lo: f(e.lo), hi: f(e.hi) };
    default: return e;
  }
}

export function containsAgg(e: Ex): boolean {
  return e.k === 'agg' || children(e).some(containsAgg);
}

/**
 * Structural key of an expression as the engine compares GROUP BY keys: field spellings and written parentheses
 * do not matter.
 */
export function exKey(e: Ex): string {
  switch (e.k) {
    case 'col': return `col:${e.field}`;
    case 'paren': return exKey(e.e);
    case 'int': return `int:${e.v}`;
    case 'float': return `float:${Number(e.text)}`;
    case 'str': return `str:${JSON.stringify(e.v)}`;
    case 'hist': return `hist(${exKey(e.arg)},${histSeconds(e)})`;
    case 'alias': case 'ordinal': return `item:${e.item}`;
    case 'null': return 'null';
    case 'neg': case 'not': return `${e.k}(${exKey(e.e)})`;
    case 'arith': case 'cmp': case 'logic': return `${e.op === '<>' ? '!=' : e.op}(${exKey(e.l)},${exKey(e.r)})`;
    case 'call': return `${e.name}(${e.args.map(exKey).join(',')})`;
    case 'agg': return `${e.fn}${e.distinct ? ' distinct' : ''}(${e.arg === '*' ? '*' : exKey(e.arg)})`;
    case 'in': return `${e.neg ? 'not ' : ''}in(${exKey(e.e)};${e.list.map(exKey).join(',')})`;
    case 'between': return `${e.neg ? 'not ' : ''}between(${exKey(e.e)},${exKey(e.lo)},${exKey(e.hi)})`;
    case 'like': return `${e.neg ? 'not ' : ''}like(${exKey(e.e)},${JSON.stringify(e.pattern)})`;
    case 'isnull': return `${e.neg ? 'not ' : ''}isnull(${exKey(e.e)})`;
  }
}

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

/** A histogram's bucket width in seconds. */
export function histSeconds(e: Extract<Ex, { k: 'hist' }>): number {
  const unit = e.unit.toLowerCase().replace(/s$/, '');
  return Number(e.amount) * UNIT_SECONDS[unit];
}

/** A column's name as the engine reads it (quotes removed), lower case: what an alias is matched against. */
export function nameOf(e: Extract<Ex, { k: 'col' }>): string {
  return e.text.replace(/"/g, '').toLowerCase();
}

/**
 * The engine's name rules written out: in HAVING (outside aggregates) and as a whole ORDER BY key, a name that is
 * both an alias and a field means the alias. (In WHERE, GROUP BY, inside aggregates and inside ORDER BY
 * expressions a name is a field; the generator never leaves an alias there that a field name could be taken for.)
 */
export function resolveNames(sql: SqlAst): SqlAst {
  if (sql.select === '*') return sql;
  const items = sql.select;
  const byName = (e: Ex): Ex | undefined => {
    if (e.k !== 'col') return undefined;
    const i = items.findIndex((it) => it.alias?.name.toLowerCase() === nameOf(e));
    return i < 0 ? undefined : { k: 'alias', item: i, text: e.text };
  };
  const having = (e: Ex): Ex => byName(e) ?? (e.k === 'agg' ? e : mapChildren(e, having));
  return {
    ...sql,
    having: sql.having && having(sql.having),
    orderBy: sql.orderBy.map((o) => ({ ...o, e: byName(o.e) ?? o.e })),
  };
}

function colsIn(e: Ex, out: Set<string>, insideAgg: boolean, onlyInsideAgg: boolean): void {
  if (e.k === 'col' && (insideAgg || !onlyInsideAgg)) out.add(nameOf(e));
  for (const c of children(e)) colsIn(c, out, insideAgg || e.k === 'agg', onlyInsideAgg);
}

/**
 * The names that must stay fields where an alias of the same name would be ambiguous (columns in HAVING
 * and ORDER BY, columns inside ORDER BY expressions, and `keep`): aliases with such a name are renamed from `fresh`.
 */
export function avoidAmbiguousAliases(sql: SqlAst, fresh: readonly string[], keep: string[] = []): void {
  if (sql.select === '*') return;
  const fields = new Set(keep.map((k) => k.replace(/"/g, '').toLowerCase()));
  if (sql.having) colsIn(sql.having, fields, false, false);
  for (const o of sql.orderBy) if (o.e.k !== 'col') colsIn(o.e, fields, false, false);
  const items = sql.select;
  const used = new Set(items.map((it) => it.alias?.name.toLowerCase()).filter((n) => n !== undefined));
  items.forEach((it, i) => {
    if (!it.alias || !fields.has(it.alias.name.toLowerCase())) return;
    const name = fresh.find((n) => !used.has(n.toLowerCase()) && !fields.has(n.toLowerCase()))!;
    used.add(name.toLowerCase());
    it.alias = { name, text: `as ${name}` };
    const rename = (e: Ex): Ex => (e.k === 'alias' && e.item === i ? { ...e, text: name } : mapChildren(e, rename));
    sql.groupBy = sql.groupBy.map(rename);
    if (sql.having) sql.having = rename(sql.having);
    sql.orderBy = sql.orderBy.map((o) => ({ ...o, e: rename(o.e) }));
  });
}

