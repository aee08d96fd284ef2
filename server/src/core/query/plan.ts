// The planner: checks a parsed query once (names, functions, aggregates, grouping) with positioned errors, and
// says what a scan must compute: which records (search, WHERE), and either their rows or their groups (keys and
// aggregates), then what to make of the groups (SELECT, HAVING, ORDER BY, LIMIT). Record-level evaluation is
// compiled per record format elsewhere (recordEval.ts); group-level evaluation is compiled here.
import { FIELDS, FieldDef, closestFieldName, lookupField } from '../schema';
import { parseCidr } from '../address';
import { protocolByName } from '../decode';
import { forEachChild, mapChildren } from './ast';
import type { Expr, Query, SearchNode, SelectItem, SqlQuery } from './ast';
import { AggregateFunction, SQL_FUNCTION_NAMES, aggregateFunction, isAggregateName, scalarFunction } from './functions';
import { compileScalar } from './expr';
import { QueryError } from './errors';
import { parseQuery } from './parser';
import { Value, isNumericField } from './values';

type Call = Extract<Expr, { kind: 'call' }>;

/** One aggregate of the query, e.g. sum(bytes) or count(distinct srcaddr). */
export interface AggSpec {
  fn: AggregateFunction['name'];
  distinct: boolean;
  /** count(*) */
  star: boolean;
  arg?: Expr;
  /** Canonical text: equal aggregates are computed once. */
  key: string;
}

/** A group after aggregation: its key values and aggregate values, in plan order. */
export interface GroupView {
  keys: Value[];
  aggs: Value[];
}

export type GroupExpr = (g: GroupView) => Value;

/** Canonical text of an expression (positions left out, field names canonical): equal texts, equal expressions. */
export function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v) => {
    if (k === 'offset') return undefined;
    if (k === 'name' && typeof v === 'string') return lookupField(v)?.name ?? v.toLowerCase();
    return v;
  });
}

/**
 * `file`: the path of the file a record comes from, a text column beside the record's fields (a folder's files, or
 * several files, grouped or filtered by file). Not a flow-log field, so no format has it.
 */
export function isFileColumn(name: string): boolean {
  return name.toLowerCase() === 'file' && lookupField(name) === undefined;
}

/** Numbers in a search are decimal integers (a sign allowed): `0x16`, `1e3` and `2.5` are not. */
const DECIMAL_INTEGER = /^-?\d+$/;

export class QueryPlan {
  readonly kind: 'search' | 'sql';
  /** The query groups records (GROUP BY, or aggregates): a result row per group. */
  readonly aggregate: boolean = false;
  readonly search: SearchNode;
  readonly where?: Expr;
  readonly selectItems: readonly SelectItem[] = [];
  /** Result column names; `*` stands for the fields of the record format. */
  readonly columns: readonly string[] = [];
  readonly groupBy: readonly Expr[] = [];
  readonly aggs: AggSpec[] = [];
  readonly orderBy: readonly { expr: Expr; descending: boolean }[] = [];
  /** The SQL LIMIT, as written (no cap: the row cap of searches does not apply to it). */
  readonly limit?: number;
  /** After aggregation: the SELECT list, the ORDER BY keys and HAVING, over a group. */
  readonly groupSelect: readonly GroupExpr[] = [];
  readonly groupOrder: readonly GroupExpr[] = [];
  readonly groupHaving?: GroupExpr;
  /**
   * A top-N by a sum or count, descending (GROUP BY, ORDER BY sum(x)/count(…) DESC first, a LIMIT, no HAVING, no
   * DISTINCT): the aggregate's index. Such a query can find its groups in two passes with a sketch instead of
   * holding every group (groups/topN.ts), and stay exact.
   */
  readonly rankAggregate?: number;
  /** HAVING or ORDER BY read a group key (else groups are filtered and ranked without decoding their keys). */
  readonly rankingReadsKeys: boolean = false;
  private readsKeys = false;

  constructor(readonly query: Query, readonly text: string) {
    this.search = query.search;
    this.checkSearch(query.search);
    const sql = query.sql;
    if (!sql) {
      this.kind = 'search';
      return;
    }
    this.kind = 'sql';
    this.limit = sql.limit;
    this.selectItems = sql.select;
    this.where = sql.where;
    this.groupBy = sql.groupBy.map((g) => this.resolve(g, sql, 'group'));
    this.orderBy = sql.orderBy.map((o) => ({ expr: this.resolve(o.expr, sql, 'order'), descending: o.descending }));
    const having = sql.having ? this.withAliases(sql.having, sql) : undefined;

    for (const item of sql.select) if (item.expr.kind !== 'star') this.checkExpr(item.expr, true);
    if (sql.where) this.checkExpr(sql.where, false, 'WHERE');
    this.groupBy.forEach((g) => this.checkExpr(g, false, 'GROUP BY'));
    if (having) this.checkExpr(having, true);
    this.orderBy.forEach((o) => this.checkExpr(o.expr, true));

    this.aggregate = this.groupBy.length > 0 || having !== undefined
      || sql.select.some((s) => containsAggregate(s.expr)) || this.orderBy.some((o) => containsAggregate(o.expr));
    this.columns = sql.select.map((s) => (s.expr.kind === 'star' ? '*' : s.alias ?? s.text));
    if (!this.aggregate) return;

    const star = sql.select.find((s) => s.expr.kind === 'star');
    if (star) this.fail('SELECT * cannot be used with aggregates or GROUP BY', star.expr.offset);
    this.groupSelect = sql.select.map((s) => this.compileGroup(s.expr));
    this.readsKeys = false;
    this.groupHaving = having ? this.compileGroup(having) : undefined;
    this.groupOrder = this.orderBy.map((o) => this.compileGroup(o.expr));
    this.rankingReadsKeys = this.readsKeys;
    this.rankAggregate = this.rankingAggregate();
  }

  private rankingAggregate(): number | undefined {
    const first = this.orderBy[0];
    if (!first || !first.descending || this.groupBy.length === 0 || this.groupHaving || this.limit === undefined || this.limit > 100_000) return undefined;
    if (this.aggs.some((a) => a.distinct)) return undefined;
    const e = first.expr;
    if (e.kind !== 'call') return undefined;
    const key = exprKey({ ...e, name: aggregateFunction(e.name)?.name ?? e.name });
    const i = this.aggs.findIndex((a) => a.key === key);
    if (i < 0) return undefined;
    const a = this.aggs[i];
    const numericField = a.arg?.kind === 'column' && isNumericField(lookupField(a.arg.name));
    return a.fn === 'count' || (a.fn === 'sum' && numericField) ? i : undefined;
  }

  private fail(message: string, offset: number, expected?: string[]): never {
    throw new QueryError(message, this.text, offset, expected);
  }

  /**
   * A GROUP BY or ORDER BY item: an ordinal names a SELECT item; a name that is a SELECT alias is that item
   * (ORDER BY: the alias wins over a field of the same name, as in SQL; GROUP BY: the field wins).
   */
  private resolve(e: Expr, sql: SqlQuery, clause: 'group' | 'order'): Expr {
    if (e.kind === 'number' && Number.isInteger(e.value)) {
      const item = sql.select[e.value - 1];
      if (!item || item.expr.kind === 'star') this.fail(`there is no column ${e.value} in the SELECT list`, e.offset);
      return item.expr;
    }
    if (e.kind === 'column') {
      const item = aliasItem(sql, e.name);
      if (item && (clause === 'order' || (!lookupField(e.name) && !isFileColumn(e.name)))) return item.expr;
    }
    return e;
  }

  /**
   * HAVING with SELECT aliases replaced by their expressions: an alias wins over a field of the same name (as in
   * ORDER BY), except inside an aggregate's argument, where names are fields (sum(bytes) is the field's sum).
   */
  private withAliases(e: Expr, sql: SqlQuery): Expr {
    const map = (x: Expr): Expr => {
      if (x.kind === 'column') return aliasItem(sql, x.name)?.expr ?? x;
      if (x.kind === 'call' && isAggregateName(x.name)) return x;
      return mapChildren(x, map);
    };
    return map(e);
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
        if (isFileColumn(n.field)) return;
        const f = this.fieldOrFail(n.field, n.offset);
        const t = n.test;
        const at = n.offset + n.field.length + 1;
        if ((t.op === 'cmp' || t.op === 'range') && isNumericField(f)) {
          const values = t.op === 'cmp' ? [t.value] : [t.from, t.to];
          for (const v of values) {
            if (v !== '*' && !DECIMAL_INTEGER.test(v)) this.fail(`${f.name} is a number: ${v} is not (write decimal integers)`, at);
          }
        }
        if (t.op === 'eq' && f.type === 'protocol') {
          if (protocolByName(t.value) === undefined || (/^\d/.test(t.value) && !DECIMAL_INTEGER.test(t.value))) {
            this.fail(`unknown protocol ${t.value} (a number 0–255 or a name such as tcp, udp, icmp)`, at);
          }
        } else if (t.op === 'eq' && isNumericField(f) && t.value !== '-' && !DECIMAL_INTEGER.test(t.value)) {
          this.fail(`${f.name} is a number: ${t.value} is not (write decimal integers)`, at);
        }
        if (t.op === 'eq' && f.type === 'address' && t.value.includes('/') && !parseCidr(t.value)) {
          this.fail(`${t.value} is not a valid CIDR block`, at);
        }
        return;
      }
      default:
        return;
    }
  }

  private checkExpr(e: Expr, aggregatesAllowed: boolean, clause = '', insideAggregate = false): void {
    switch (e.kind) {
      case 'column':
        if (!isFileColumn(e.name)) this.fieldOrFail(e.name, e.offset);
        return;
      case 'star':
        this.fail('* is only allowed as SELECT * or count(*)', e.offset);
        return;
      case 'interval':
        this.fail('an interval is only allowed inside histogram()', e.offset);
        return;
      case 'call': {
        const agg = aggregateFunction(e.name);
        if (agg) {
          if (insideAggregate) this.fail('aggregates cannot be nested', e.offset);
          if (!aggregatesAllowed) this.fail(`${e.name}() is an aggregate: not allowed in ${clause}${clause === 'WHERE' ? ' (filter groups with HAVING)' : ''}`, e.offset);
          if (e.distinct && !agg.distinct) this.fail(`${e.name}(distinct …) is not supported`, e.offset);
          if (agg.name === 'count' && e.args.length === 1 && e.args[0].kind === 'star') {
            if (e.distinct) this.fail('count(distinct *) is not supported', e.offset);
            return;
          }
          if (e.args.length !== 1) this.fail(`${e.name}() takes one argument`, e.offset);
          this.checkExpr(e.args[0], false, clause, true);
          return;
        }
        const fn = scalarFunction(e.name);
        if (!fn) this.fail(`unknown function ${e.name}() (functions: ${SQL_FUNCTION_NAMES.join(', ')})`, e.offset);
        if (e.distinct) this.fail(`DISTINCT is only allowed in aggregates, not in ${e.name}()`, e.offset);
        if (e.args.length < fn.minArgs || e.args.length > fn.maxArgs) {
          this.fail(`${e.name}() takes ${fn.minArgs === fn.maxArgs ? fn.minArgs : `${fn.minArgs}–${fn.maxArgs}`} argument${fn.maxArgs === 1 ? '' : 's'}: ${fn.signature}`, e.offset);
        }
        fn.check?.(e, (message, offset) => this.fail(message, offset));
        e.args.forEach((a, i) => {
          if (e.name === 'histogram' && i === 1) return;
          this.checkExpr(a, aggregatesAllowed, clause, insideAggregate);
        });
        return;
      }
      default:
        forEachChild(e, (c) => this.checkExpr(c, aggregatesAllowed, clause, insideAggregate));
    }
  }

  /** Which records the query takes (search and WHERE), as text: equal texts take the same records. */
  filterKey(): string {
    const search = JSON.stringify(this.query.search, (k, v) => (k === 'offset' ? undefined : v));
    return `${search}|${this.where ? exprKey(this.where) : ''}`;
  }

  /** The aggregate index of a call, registering it on first sight. */
  private aggIndex(e: Call): number {
    const key = exprKey({ ...e, name: aggregateFunction(e.name)!.name });
    let i = this.aggs.findIndex((a) => a.key === key);
    if (i < 0) {
      const star = e.args.length === 1 && e.args[0].kind === 'star';
      this.aggs.push({ fn: aggregateFunction(e.name)!.name, distinct: e.distinct, star, arg: star ? undefined : e.args[0], key });
      i = this.aggs.length - 1;
    }
    return i;
  }

  /**
   * Compiles an expression evaluated once per group: group keys and aggregates are read from the group; a field
   * that is neither grouped nor inside an aggregate is an error (as in SQL engines; any_value(x) takes the
   * group's first record's x).
   */
  private compileGroup(e: Expr): GroupExpr {
    const keyIndex = this.groupBy.findIndex((g) => exprKey(g) === exprKey(e));
    if (keyIndex >= 0) {
      this.readsKeys = true;
      return (g) => g.keys[keyIndex];
    }
    if (e.kind === 'call' && isAggregateName(e.name)) {
      const i = this.aggIndex(e);
      return (g) => g.aggs[i];
    }
    return compileScalar<GroupView>(e, (c) => this.compileGroup(c), (column) => {
      const name = lookupField(column.name)?.name ?? column.name;
      this.fail(`${name} is neither in GROUP BY nor inside an aggregate: group by it, or use an aggregate such as any_value(${column.name})`, column.offset);
    });
  }
}

function aliasItem(sql: SqlQuery, name: string): SelectItem | undefined {
  const lower = name.toLowerCase();
  return sql.select.find((s) => s.alias !== undefined && s.alias.toLowerCase() === lower);
}

export function containsAggregate(e: Expr): boolean {
  if (e.kind === 'call' && isAggregateName(e.name)) return true;
  let found = false;
  forEachChild(e, (c) => {
    if (!found && containsAggregate(c)) found = true;
  });
  return found;
}

/** Every field of the schema, as a format (to ask which fields a query reads, whatever the file's format). */
export const ALL_FIELD_NAMES: readonly string[] = FIELDS.map((f) => f.name);

/** Parses and plans a query (throws QueryError with the position of the first problem). */
export function planQuery(query: string): QueryPlan {
  const parsed = parseQuery(query);
  // Conversations are the diagnosis's rows (querySubject.ts sends such queries there): never records.
  const from = parsed.sql?.from;
  if (from?.name.toLowerCase() === 'conversations') throw new QueryError('FROM conversations is answered by the connectivity diagnosis of files and folders, not by this source', query, from.offset);
  return new QueryPlan(parsed, query);
}
