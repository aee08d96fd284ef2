// A query of ours (`[search] [| SQL]`) as ClickHouse SQL whose answer is the local engine's answer: same columns,
// same values and NULLs, same row order where the engine defines one. Runs on ClickHouse 18.16 and current
// releases. What cannot be translated exactly is refused with a QueryError naming it.
//
// Semantics are the engine's intended ones (issue 10) where they differ from today's engine: `{a TO b}` is
// exclusive, NOT BETWEEN with a NULL bound is SQL's, HAVING resolves an alias before a field, an explicit LIMIT
// is not capped, a column neither grouped nor aggregated is an error, numbers in a search are decimal.
import { parseQuery } from '../query/parser';
import { checkQuery } from '../query/run';
import { Expr, Query, SearchNode } from '../query/ast';
import { aggregateFunction, isAggregateName } from '../query/functions';
import { containsAggregate, exprKey, isAggregate, resolveAlias, substituteAliases } from '../translate/common';
import { QueryError } from '../query/errors';
import { FieldDef, lookupField } from '../schema';
import { isNumericField } from '../query/values';
import { CLICKHOUSE_FUNCTIONS, FunctionContext, histogramBucketSql, isoUtcSql } from './functions';
import { FILE_COLUMN, LINE_COLUMN, START_KEY_COLUMN, columnOf, quoteIdent, quoteTable } from './schema';
import { SearchTranslator } from './search';
import { NULL_VALUE, TRI_NULL, Tri, Tx, Val, and, boolTri, float, not, num, or, str, text, toTri, toVal, tri, val } from './sqlValues';
import { TableInfo, unionColumns } from './tableInfo';

export interface ClickHouseQuery {
  kind: 'search' | 'sql';
  /** The result's column names, as the local engine names them. */
  columns: string[];
  /** The query: its columns are the result's (a search adds `_file` and `_line`). */
  sql: string;
  /** One row: the table's record count and the records the search and WHERE take. */
  countSql: string;
  /** Rows returned at most when the result is capped (a search, or plain SQL rows without LIMIT). */
  cap?: number;
}

export const DEFAULT_CAP = 10_000;

interface GroupKey {
  key: string;
  /** The GROUP BY expression (a histogram's bucket number), and the value SELECT shows (its ISO text). */
  groupSql: string;
  out: Val;
}

type Mode = { kind: 'row' } | { kind: 'group'; keys: GroupKey[] };

export class ClickHouseTranslator {
  private readonly parsed: Query;

  constructor(private readonly query: string, private readonly info: TableInfo) {
    const error = checkQuery(query);
    if (error) throw error;
    this.parsed = parseQuery(query);
  }

  private fail(message: string, offset: number): never {
    throw new QueryError(message, this.query, offset);
  }

  translate(options: { limit?: number } = {}): ClickHouseQuery {
    const cap = options.limit ?? DEFAULT_CAP;
    const table = quoteTable(this.info.table);
    const search = new SearchTranslator(this.query, this.info);
    const conditions: string[] = [];
    const searchSql = search.translate(this.parsed.search);
    if (searchSql !== '1') conditions.push(searchSql);
    const sql = this.parsed.sql;
    if (sql?.where) conditions.push(`${toTri(this.tx(sql.where, { kind: 'row' })).sql} = 2`);
    const filter = conditions.length === 0 ? '1' : conditions.join(' AND ');
    // Conditions on the sorting key the filter implies: the same records, fewer granules read.
    const keyConditions = this.info.columns.has(START_KEY_COLUMN) ? [...search.keyConditions(this.parsed.search), ...this.whereKeyConditions(sql?.where)] : [];
    const where = [...keyConditions, ...conditions];
    const whereSql = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const countSql = `SELECT (SELECT count() FROM ${table}), count() FROM ${table}${whereSql}`;
    const fileLine = `${quoteIdent(FILE_COLUMN)}, ${quoteIdent(LINE_COLUMN)}`;

    if (!sql) {
      const union = unionColumns(this.info);
      const select = union.map((c) => (this.info.columns.has(c.column) ? quoteIdent(c.column) : 'NULL')).concat([quoteIdent(FILE_COLUMN), quoteIdent(LINE_COLUMN)]);
      return {
        kind: 'search', columns: [...union.map((c) => c.name), 'file', 'line'], countSql, cap,
        sql: `SELECT ${select.join(', ')} FROM ${table}${whereSql} ORDER BY ${fileLine} LIMIT ${cap}`,
      };
    }

    const aggregate = isAggregate(sql);
    const groupBy = sql.groupBy.map((g) => resolveAlias(g, sql.select, false, this.query));
    const orderBy = sql.orderBy.map((o) => ({ expr: resolveAlias(o.expr, sql.select, true, this.query), descending: o.descending }));
    const columns: string[] = [];
    const selectSql: string[] = [];

    if (!aggregate) {
      const row: Mode = { kind: 'row' };
      for (const item of sql.select) {
        if (item.expr.kind === 'star') {
          for (const c of unionColumns(this.info)) {
            columns.push(c.name);
            selectSql.push(this.info.columns.has(c.column) ? quoteIdent(c.column) : 'NULL');
          }
        } else {
          columns.push(item.alias ?? item.text);
          selectSql.push(toVal(this.tx(item.expr, row)).sql);
        }
      }
      const order = orderBy.map((o) => `${toVal(this.tx(o.expr, row)).sql} ${o.descending ? 'DESC' : 'ASC'} NULLS LAST`);
      // Ties (and no ORDER BY) in file order, as the engine keeps them.
      order.push(fileLine);
      const limit = sql.limit ?? cap;
      return {
        kind: 'sql', columns, countSql, cap: sql.limit === undefined ? cap : undefined,
        sql: `SELECT ${selectSql.map((s, i) => `${s} AS __c${i}`).join(', ')} FROM ${table}${whereSql} ORDER BY ${order.join(', ')} LIMIT ${limit}`,
      };
    }

    if (sql.select.some((s) => s.expr.kind === 'star')) this.fail('SELECT * cannot be used with aggregates', sql.select.find((s) => s.expr.kind === 'star')!.expr.offset);
    const keys: GroupKey[] = groupBy.map((g) => this.groupKey(g));
    const mode: Mode = { kind: 'group', keys };
    for (const item of sql.select) {
      columns.push(item.alias ?? item.text);
      selectSql.push(toVal(this.tx(item.expr, mode)).sql);
    }
    const having = sql.having ? substituteAliases(sql.having, sql.select) : undefined;
    const havingSql = having ? ` HAVING ${toTri(this.tx(having, mode)).sql} = 2` : '';
    const order = orderBy.map((o) => `${toVal(this.tx(o.expr, mode)).sql} ${o.descending ? 'DESC' : 'ASC'} NULLS LAST`);
    // Groups in the order their first records come (the engine's order without ORDER BY, and of its ties), unless
    // the ORDER BY names every group key (then there are no ties, and the extra aggregate would cost a scan's worth).
    const ordered = new Set(orderBy.map((o) => exprKey(o.expr)));
    if (keys.length > 0 && !keys.every((k) => ordered.has(k.key))) order.push(`min(tuple(${fileLine}))`);
    const groupSql = keys.length > 0 ? ` GROUP BY ${keys.map((k) => k.groupSql).join(', ')}` : '';
    const orderSql = order.length > 0 ? ` ORDER BY ${order.join(', ')}` : '';
    const limitSql = sql.limit !== undefined ? ` LIMIT ${sql.limit}` : '';
    return {
      kind: 'sql', columns, countSql,
      sql: `SELECT ${selectSql.map((s, i) => `${s} AS __c${i}`).join(', ')} FROM ${table}${whereSql}${groupSql}${havingSql}${orderSql}${limitSql}`,
    };
  }

  private groupKey(g: Expr): GroupKey {
    if (containsAggregate(g)) this.fail('aggregates are not allowed in GROUP BY', g.offset);
    const key = exprKey(g);
    if (g.kind === 'call' && g.name === 'histogram') {
      const arg = toVal(this.tx(g.args[0], { kind: 'row' }));
      if (arg.type === 'text') this.fail('histogram() takes a number; in ClickHouse a text argument is not converted', g.offset);
      if (arg.type !== 'null') {
        const bucket = histogramBucketSql(arg, this.intervalSeconds(g));
        return { key, groupSql: bucket, out: val(isoUtcSql(bucket), 'text') };
      }
    }
    const out = toVal(this.tx(g, { kind: 'row' }));
    return { key, groupSql: out.sql, out };
  }

  private intervalSeconds(call: Extract<Expr, { kind: 'call' }>): number {
    const a = call.args[1];
    const seconds = a.kind === 'interval' ? a.seconds : a.kind === 'number' ? a.value : NaN;
    if (!(seconds > 0)) this.fail('histogram() needs a positive interval', a.offset);
    return seconds;
  }

  /** WHERE's top-level `start` comparisons with numbers, as conditions on the sorting key (see SearchTranslator). */
  private whereKeyConditions(where: Expr | undefined): string[] {
    const out: string[] = [];
    const walk = (e: Expr) => {
      if (e.kind === 'binary' && e.op === 'and') {
        walk(e.left);
        walk(e.right);
        return;
      }
      const isStart = (x: Expr) => x.kind === 'column' && lookupField(x.name)?.name === 'start';
      if (e.kind === 'binary' && ['<', '<=', '>', '>=', '='].includes(e.op)) {
        const flip: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };
        if (isStart(e.left) && e.right.kind === 'number') out.push(`${quoteIdent(START_KEY_COLUMN)} ${e.op} ${num(e.right.value)}`);
        else if (isStart(e.right) && e.left.kind === 'number') out.push(`${quoteIdent(START_KEY_COLUMN)} ${flip[e.op]} ${num(e.left.value)}`);
      } else if (e.kind === 'between' && !e.negated && isStart(e.operand) && e.low.kind === 'number' && e.high.kind === 'number') {
        out.push(`${quoteIdent(START_KEY_COLUMN)} BETWEEN ${num(e.low.value)} AND ${num(e.high.value)}`);
      }
    };
    if (where) walk(where);
    return out;
  }

  private field(name: string, offset: number): FieldDef {
    const f = lookupField(name);
    if (!f) this.fail(`unknown field ${name}`, offset);
    return f;
  }

  /** An expression's translation: a value or a condition. */
  private tx(e: Expr, mode: Mode, insideAggregate = false): Tx {
    if (mode.kind === 'group' && !insideAggregate) {
      const key = exprKey(e);
      const k = mode.keys.find((g) => g.key === key);
      if (k) return k.out;
    }
    const child = (c: Expr) => this.tx(c, mode, insideAggregate);
    switch (e.kind) {
      case 'number':
        return val(num(e.value), 'number', Number.isInteger(e.value));
      case 'string':
        return val(str(e.value), 'text');
      case 'null':
        return NULL_VALUE;
      case 'interval':
        return val(num(e.seconds), 'number', Number.isInteger(e.seconds));
      case 'star':
        return this.fail('* is only allowed as SELECT * or count(*)', e.offset);
      case 'column': {
        const f = this.field(e.name, e.offset);
        if (mode.kind === 'group' && !insideAggregate) {
          this.fail(`${e.name} is neither grouped nor aggregated: add it to GROUP BY or aggregate it (min, max, …)`, e.offset);
        }
        const c = columnOf(f).name;
        if (!this.info.columns.has(c)) return NULL_VALUE;
        return val(quoteIdent(c), isNumericField(f) ? 'number' : 'text', isNumericField(f));
      }
      case 'unary': {
        const x = child(e.operand);
        if (e.op === 'not') return not(toTri(x));
        const v = toVal(x);
        if (v.type === 'null') return v;
        if (v.type === 'text') this.fail('- takes a number; in ClickHouse a text value is not converted', e.offset);
        return val(`(-${float(v)})`, 'number', v.int);
      }
      case 'binary':
        return this.binary(e, child);
      case 'in': {
        const x = toVal(child(e.operand));
        const items = e.list.map((i) => toVal(child(i)));
        let r: Tri;
        if (x.type !== 'null' && items.every((i) => i.type === x.type && /^(\(?-?[\d.e+-]+\)?|'.*')$/s.test(i.sql))) {
          r = tri(`multiIf(isNull(${x.sql}), 1, ${x.sql} IN (${items.map((i) => i.sql).join(', ')}), 2, 0)`);
        } else {
          r = or(items.map((i) => this.compare('=', x, i)));
        }
        return e.negated ? not(r) : r;
      }
      case 'between': {
        const x = toVal(child(e.operand));
        const lo = toVal(child(e.low));
        const hi = toVal(child(e.high));
        return e.negated
          ? or([this.compare('<', x, lo), this.compare('>', x, hi)])
          : and([this.compare('>=', x, lo), this.compare('<=', x, hi)]);
      }
      case 'like': {
        const x = toVal(child(e.operand));
        if (e.pattern.kind !== 'string') {
          if (e.pattern.kind === 'null') return TRI_NULL;
          this.fail('LIKE in ClickHouse takes a pattern written as a string', e.pattern.offset);
        }
        if (x.type === 'null') return TRI_NULL;
        // The engine's LIKE has no escape character: ClickHouse's backslash is one, so it is doubled.
        const pattern = str(e.pattern.value.replace(/\\/g, '\\\\'));
        return boolTri(`${e.negated ? 'notLike' : 'like'}(${text(x)}, ${pattern})`);
      }
      case 'isNull': {
        const x = child(e.operand);
        // No `NOT`: 18.16 drops the parentheses of `(NOT x) * 2` when it sends a query on to the shards.
        if (x.kind === 'tri') return tri(`((${x.sql} ${e.negated ? '!=' : '='} 1) * 2)`);
        if (x.type === 'null') return tri(e.negated ? '0' : '2');
        return tri(`(${e.negated ? 'isNotNull' : 'isNull'}(${x.sql}) * 2)`);
      }
      case 'call':
        return isAggregateName(e.name) ? this.aggregate(e, mode, insideAggregate) : this.call(e, child);
    }
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>, child: (c: Expr) => Tx): Tx {
    const l = child(e.left);
    const r = child(e.right);
    switch (e.op) {
      case 'and':
        return and([toTri(l), toTri(r)]);
      case 'or':
        return or([toTri(l), toTri(r)]);
      case '=': case '!=': case '<': case '<=': case '>': case '>=':
        return this.compare(e.op, toVal(l), toVal(r));
      default:
        return this.arith(e.op, toVal(l), toVal(r));
    }
  }

  /** Arithmetic in doubles, as the engine: NULL for a NULL, a text that is no number, or a division by zero. */
  private arith(op: '+' | '-' | '*' | '/' | '%', a: Val, b: Val): Val {
    if (a.type === 'null' || b.type === 'null') return NULL_VALUE;
    const bothInt = a.int && b.int && a.type === 'number' && b.type === 'number';
    const fa = float(a);
    const fb = float(b);
    switch (op) {
      case '/':
        return val(`(${fa} / nullIf(${fb}, 0))`, 'number');
      case '%': {
        // ClickHouse's % truncates floats and throws on a zero divisor even where the row is NULL: guard both.
        const zero = `(ifNull(${fb}, 0) = 0)`;
        if (bothInt) return val(`if(${zero}, NULL, ${a.sql} % if(${zero}, 1, assumeNotNull(${b.sql})))`, 'number', true);
        const d = `if(${zero}, 1, assumeNotNull(${fb}))`;
        return val(`if(${zero}, NULL, ${fa} - ${d} * trunc(${fa} / ${d}))`, 'number');
      }
      default:
        return val(`(${fa} ${op} ${fb})`, 'number', bothInt);
    }
  }

  /**
   * A comparison as the engine makes it: NULL with a NULL; two numbers or two texts as they are; a text and a
   * number as numbers when the text is one, else as texts (the number written as JavaScript writes it).
   */
  private compare(op: string, a: Val, b: Val): Tri {
    if (a.type === 'null' || b.type === 'null') return TRI_NULL;
    if (a.type === b.type) return boolTri(`${a.sql} ${op} ${b.sql}`);
    const s = a.type === 'text' ? a : b;
    const n = a.type === 'text' ? b : a;
    const sNum = `toFloat64OrNull(${s.sql})`;
    const nText = /^\(?-?[\d.e+]+\)?$/.test(n.sql) ? str(String(Number(n.sql.replace(/[()]/g, '')))) : `toString(${n.sql})`;
    const numeric = a.type === 'text' ? `${sNum} ${op} ${n.sql}` : `${n.sql} ${op} ${sNum}`;
    const textual = a.type === 'text' ? `${s.sql} ${op} ${nText}` : `${nText} ${op} ${s.sql}`;
    return tri(`multiIf(isNull(${s.sql}) OR isNull(${n.sql}), 1, isNull(${sNum}), ifNull((${textual}) * 2, 1), ifNull((${numeric}) * 2, 1))`);
  }

  private call(e: Extract<Expr, { kind: 'call' }>, child: (c: Expr) => Tx): Tx {
    const fn = CLICKHOUSE_FUNCTIONS[e.name];
    if (!fn) this.fail(`${e.name}() has no ClickHouse translation`, e.offset);
    const ctx: FunctionContext = {
      fail: (message) => this.fail(message, e.offset),
      literal: (i) => e.args[i] as never,
      isAddressColumn: (i) => {
        const a = e.args[i];
        return a?.kind === 'column' && lookupField(a.name)?.type === 'address';
      },
    };
    return fn(e.args.map((a) => (a.kind === 'interval' ? val(num(a.seconds), 'number', true) : child(a))), ctx);
  }

  private aggregate(e: Extract<Expr, { kind: 'call' }>, mode: Mode, insideAggregate: boolean): Tx {
    if (insideAggregate) this.fail('aggregates cannot be nested', e.offset);
    if (mode.kind !== 'group') this.fail(`${e.name}() is an aggregate: not allowed here`, e.offset);
    const name = aggregateFunction(e.name)!.name;
    if (name === 'count' && e.args.length === 1 && e.args[0].kind === 'star') return val('count()', 'number', true);
    const v = toVal(this.tx(e.args[0], mode, true));
    // ClickHouse's any() skips NULLs, as any_value takes the first value a group has (DISTINCT is refused by the plan).
    if (name === 'any_value') return val(`any(${v.sql})`, v.type, v.int);
    if (name === 'count') return val(e.distinct ? `uniqExact(${v.sql})` : `count(${v.sql})`, 'number', true);
    if (v.type === 'null') return NULL_VALUE;
    if ((e.name === 'sum' || e.name === 'avg') && v.type === 'text') this.fail(`${e.name}() of a text value cannot be translated to ClickHouse`, e.offset);
    const none = `count(${v.sql}) = 0`;
    if (e.distinct && (e.name === 'sum' || e.name === 'avg')) {
      const values = `groupUniqArray(${v.sql})`;
      return e.name === 'sum'
        ? val(`if(${none}, NULL, arraySum(${values}))`, 'number', v.int)
        : val(`if(${none}, NULL, arraySum(${values}) / length(${values}))`, 'number');
    }
    switch (e.name) {
      case 'sum':
        return val(`if(${none}, NULL, sum(${v.sql}))`, 'number', v.int);
      case 'avg':
        return val(`if(${none}, NULL, avg(${v.sql}))`, 'number');
      default:
        return val(`if(${none}, NULL, ${e.name}(${v.sql}))`, v.type, v.int);
    }
  }
}

/** Translates `query` for `info`'s table. Throws QueryError (positioned) for what has no exact translation. */
export function translateToClickHouse(query: string, info: TableInfo, options: { limit?: number } = {}): ClickHouseQuery {
  return new ClickHouseTranslator(query, info).translate(options);
}

export type { SearchNode };
