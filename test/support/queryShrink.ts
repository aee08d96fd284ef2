// Smaller versions of a generated query, for shrinking a failure to a minimal one: drop a clause, an item, a key or a
// search branch, or replace an expression by one of its operands of the same type. Candidates that break the
// query's rules (a reference to a dropped item, a column neither grouped nor aggregated) are left out.
import { Ex, QueryAst, SearchNode, SelectItem, SqlAst, children, containsAgg, exKey, mapChildren, resolveNames } from './queryAst';
import { isConstant, resolveItem, typeOf } from './queryGen';
import type { SourceName } from './qgenData';

const SMALLER_SOURCES: Record<SourceName, SourceName[]> = { abc: ['a', 'b', 'c', 'ab'], ab: ['a', 'b'], a: [], b: [], c: [] };

export function shrinkCandidates(q: QueryAst): QueryAst[] {
  const out: QueryAst[] = [];
  for (const s of SMALLER_SOURCES[q.source]) out.push({ ...q, source: s });
  if (q.search && q.search.k !== 'star') {
    out.push({ ...q, search: q.sql ? undefined : { k: 'star' } });
    for (const s of searchSmaller(q.search)) out.push({ ...q, search: s });
  }
  if (q.sql) for (const sql of sqlSmaller(q.sql)) out.push({ ...q, sql });
  return out.filter(isValidQuery);
}

function searchSmaller(n: SearchNode): SearchNode[] {
  switch (n.k) {
    case 'and': case 'or': {
      const out: SearchNode[] = [...n.items];
      if (n.items.length > 2) n.items.forEach((_, i) => out.push({ ...n, items: n.items.filter((__, j) => j !== i) }));
      n.items.forEach((item, i) => {
        for (const s of searchSmaller(item)) out.push({ ...n, items: n.items.map((x, j) => (j === i ? s : x)) });
      });
      return out;
    }
    case 'not': return [n.item, ...searchSmaller(n.item).map((s) => ({ ...n, item: s }))];
    case 'paren': return [n.item, ...searchSmaller(n.item).map((s) => ({ ...n, item: s }))];
    default: return [];
  }
}

function sqlSmaller(s: SqlAst): SqlAst[] {
  const out: SqlAst[] = [];
  if (s.limit !== undefined) out.push({ ...s, limit: undefined });
  if (s.having) {
    out.push({ ...s, having: undefined });
    for (const h of exSmaller(s.having)) out.push({ ...s, having: h });
  }
  if (s.where) {
    out.push({ ...s, where: undefined });
    for (const w of exSmaller(s.where)) out.push({ ...s, where: w });
  }
  s.orderBy.forEach((_, i) => out.push({ ...s, orderBy: s.orderBy.filter((__, j) => j !== i) }));
  s.orderBy.forEach((o, i) => {
    for (const e of exSmaller(o.e)) out.push({ ...s, orderBy: s.orderBy.map((x, j) => (j === i ? { ...x, e } : x)) });
  });
  s.groupBy.forEach((_, i) => out.push({ ...s, groupBy: s.groupBy.filter((__, j) => j !== i) }));
  if (s.from) out.push({ ...s, from: false });
  if (s.select !== '*') {
    const items = s.select;
    if (items.length > 1) items.forEach((_, i) => out.push(dropItem(s, items, i)));
    items.forEach((it, i) => {
      if (it.alias && !referenced(s, i)) out.push({ ...s, select: items.map((x, j) => (j === i ? { e: x.e } : x)) });
      for (const e of exSmaller(it.e)) out.push({ ...s, select: items.map((x, j) => (j === i ? { ...x, e } : x)) });
    });
  }
  return out;
}

/** Every tree one replacement smaller: a node replaced by one of its operands of the same type. */
export function exSmaller(e: Ex): Ex[] {
  const out: Ex[] = [];
  const ty = typeOf(e);
  for (const c of children(e)) if (c.k !== 'null' && typeOf(c) === ty && c.k !== 'alias' && c.k !== 'ordinal') out.push(c);
  const cs = children(e);
  cs.forEach((c, i) => {
    for (const s of exSmaller(c)) {
      let k = 0;
      out.push(mapChildren(e, (x) => (k++ === i ? s : x)));
    }
  });
  return out;
}

function refersTo(e: Ex, i: number): boolean {
  if ((e.k === 'alias' || e.k === 'ordinal') && e.item === i) return true;
  return children(e).some((c) => refersTo(c, i));
}

function referenced(s: SqlAst, i: number): boolean {
  return s.groupBy.some((g) => refersTo(g, i)) || (s.having ? refersTo(s.having, i) : false) || s.orderBy.some((o) => refersTo(o.e, i));
}

function shift(e: Ex, from: number): Ex {
  if ((e.k === 'alias' || e.k === 'ordinal') && e.item > from) return { ...e, item: e.item - 1 };
  return mapChildren(e, (c) => shift(c, from));
}

/** The query without SELECT item i (references to later items renumbered); invalid if i is referenced. */
function dropItem(s: SqlAst, items: SelectItem[], i: number): SqlAst {
  if (referenced(s, i)) return { ...s, select: [] };
  return {
    ...s,
    select: items.filter((_, j) => j !== i),
    groupBy: s.groupBy.map((g) => shift(g, i)),
    having: s.having && shift(s.having, i),
    orderBy: s.orderBy.map((o) => ({ ...o, e: shift(o.e, i) })),
  };
}

/** Whether the query keeps the rules the generator follows (so the engine must answer it as DuckDB does). */
export function isValidQuery(q: QueryAst): boolean {
  if (q.error?.clause === 'search' && !keepsBad(q.search, q.error.at)) return false;
  const s = q.sql && resolveNames(q.sql);
  if (!s) return q.search !== undefined;
  if (s.select !== '*' && s.select.length === 0) return false;
  const items = s.select === '*' ? [] : s.select;
  const refsOk = (e: Ex): boolean => ((e.k === 'alias' || e.k === 'ordinal') ? e.item < items.length && (e.k === 'ordinal' || items[e.item].alias !== undefined) : children(e).every(refsOk));
  const all = [...items.map((it) => it.e), ...s.groupBy, ...(s.having ? [s.having] : []), ...s.orderBy.map((o) => o.e)];
  if (!all.every(refsOk)) return false;
  if (s.orderBy.some((o) => o.e.k !== 'alias' && o.e.k !== 'ordinal' && isConstant(o.e))) return false;
  if (s.groupBy.some((g) => containsAgg(resolveItem(g, items)))) return false;
  const aggregate = s.groupBy.length > 0 || s.having !== undefined || items.some((it) => containsAgg(it.e)) || s.orderBy.some((o) => containsAgg(resolveItem(o.e, items)));
  const first = items[0]?.e;
  const firstIsBad = (first?.k === 'col' && first.text === q.error?.at) || (first?.k === 'call' && first.name === q.error?.at);
  if (q.error && q.error.clause === 'select' && !q.error.oracleRejects) return firstIsBad;
  if (!aggregate) return !(s.where && containsAgg(s.where)) && (!q.error || q.error.clause === 'search');
  if (s.select === '*') return false;
  if (q.error?.clause === 'search') return true;
  const keys = new Set(s.groupBy.map((g) => exKey(resolveItem(g, items))));
  const grouped = (e: Ex): boolean => {
    const r = resolveItem(e, items);
    if (keys.has(exKey(r))) return true;
    if (r.k === 'agg') return true;
    if (r.k === 'col') return false;
    return children(r).every(grouped);
  };
  const allGrouped = items.every((it) => grouped(it.e)) && (!s.having || grouped(s.having)) && s.orderBy.every((o) => grouped(o.e));
  if (!q.error) return allGrouped;
  // An invalid query stays invalid the same way: its ungrouped column where the generator put it.
  const isCol = (e: Ex | undefined) => e?.k === 'col' && e.text === q.error!.at;
  const placed = q.error.clause === 'order by' ? isCol(s.orderBy[0]?.e) : q.error.clause === 'having' ? s.having?.k === 'isnull' && isCol(s.having.e) : isCol(items[0]?.e);
  return !allGrouped && placed;
}

/** Whether a search still holds what an invalid query was made with (a bad number, a misspelt field). */
function keepsBad(n: SearchNode | undefined, bad: string): boolean {
  if (!n) return false;
  if (n.k === 'field') {
    if (n.text === bad) return true;
    const t = n.test;
    return t.op === 'eq' || t.op === 'cmp' ? t.value === bad : t.op === 'range' && (t.lo === bad || t.hi === bad);
  }
  if (n.k === 'and' || n.k === 'or') return n.items.some((i) => keepsBad(i, bad));
  if (n.k === 'not' || n.k === 'paren') return keepsBad(n.item, bad);
  return false;
}
