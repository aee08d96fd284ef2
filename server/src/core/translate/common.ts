// What every translator of our queries needs from the AST: canonical keys of expressions, aggregates, the SELECT
// list's aliases and ordinals resolved as SQL resolves them, and the error for what a dialect cannot say.
import { Expr, FieldTest, SearchNode, SelectItem, SqlQuery, forEachChild, mapChildren } from '../query/ast';
import { isAggregateName } from '../query/functions';
import { QueryError } from '../query/errors';
import { lookupField } from '../schema';

/** Canonical text of an expression (positions out, field names canonical): equal keys, equal expressions. */
export function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v) => (k === 'offset' ? undefined : k === 'name' && typeof v === 'string' ? lookupField(v)?.name ?? v.toLowerCase() : v));
}

export function containsAggregate(e: Expr): boolean {
  if (e.kind === 'call' && isAggregateName(e.name)) return true;
  let found = false;
  forEachChild(e, (c) => {
    found ||= containsAggregate(c);
  });
  return found;
}

/** Whether the SQL part aggregates (GROUP BY, HAVING, or an aggregate in SELECT or ORDER BY). */
export function isAggregate(sql: SqlQuery): boolean {
  return sql.groupBy.length > 0 || sql.having !== undefined
    || sql.select.some((s) => s.expr.kind !== 'star' && containsAggregate(s.expr))
    || sql.orderBy.some((o) => containsAggregate(o.expr));
}

/**
 * GROUP BY and ORDER BY name a SELECT item by its ordinal or alias (ORDER BY: an alias before a field, as SQL;
 * GROUP BY: a field before an alias). Fails on an ordinal past the SELECT list.
 */
export function resolveAlias(e: Expr, select: SelectItem[], aliasFirst: boolean, query: string): Expr {
  if (e.kind === 'number' && Number.isInteger(e.value)) {
    const item = select[e.value - 1];
    if (!item) throw new QueryError(`there is no column ${e.value} in the SELECT list`, query, e.offset);
    return item.expr;
  }
  if (e.kind === 'column') {
    const item = select.find((s) => s.alias !== undefined && s.alias.toLowerCase() === e.name.toLowerCase());
    if (item && (aliasFirst || !lookupField(e.name))) return item.expr;
  }
  return e;
}

/** HAVING: a name that is a SELECT alias is the aliased expression, even when it is also a field (issue 10). */
export function substituteAliases(e: Expr, select: SelectItem[]): Expr {
  if (e.kind === 'column') {
    const item = select.find((s) => s.alias !== undefined && s.alias.toLowerCase() === e.name.toLowerCase());
    if (item) return item.expr;
  }
  return mapChildren(e, (c) => substituteAliases(c, select));
}

/** `dialect` cannot express a part of the query: a positioned error naming it. */
export function notExpressible(dialect: string, what: string, query: string, offset: number): QueryError {
  return new QueryError(`${what} has no ${dialect} equivalent`, query, offset);
}

export interface RangeBounds {
  from: string;
  to: string;
  fromInclusive: boolean;
  toInclusive: boolean;
}

/**
 * A range's bounds and whether each end is inclusive: `[a TO b]`, `{a TO b}` (exclusive, as Lucene and CLS), or
 * mixed. The parser's AST does not carry the brackets yet: they are read from the query text at the term's
 * position (and from the AST when it gains `fromInclusive`/`toInclusive`).
 */
export function rangeBounds(node: Extract<SearchNode, { kind: 'field' }>, query: string): RangeBounds {
  const test = node.test as Extract<FieldTest, { op: 'range' }> & { fromInclusive?: boolean; toInclusive?: boolean };
  if (test.fromInclusive !== undefined && test.toInclusive !== undefined) {
    return { from: test.from, to: test.to, fromInclusive: test.fromInclusive, toInclusive: test.toInclusive };
  }
  const open = query.indexOf(':', node.offset + node.field.length) + 1;
  let close = open + 1;
  while (close < query.length && query[close] !== ']' && query[close] !== '}') close++;
  return { from: test.from, to: test.to, fromInclusive: query[open] !== '{', toInclusive: query[close] !== '}' };
}
