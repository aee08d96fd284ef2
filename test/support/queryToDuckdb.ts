// The generated query tree translated to DuckDB SQL over the tables of duckdbOracle.ts: the meaning the engine must
// have, written in a language whose meaning is known. Where the engine differs from DuckDB on purpose (README,
// "Query language"), the translation writes the engine's meaning out:
// - a search is two-valued: a test on NULL (`-`) does not match, and NOT of it matches (coalesce(…, false));
// - a bare term matches a field whose whole text equals it, ASCII case-insensitively; `field:value` on text the
//   same; numbers in a search compare as numbers; `{a TO b}` is exclusive, `[a TO b]` inclusive;
// - NULLs sort last in both directions (written as NULLS LAST; DuckDB's default too);
// - histogram() buckets are aligned on the epoch and shown as ISO UTC text `YYYY-MM-DDTHH:MM:SSZ`, like
//   from_unixtime() (macros qg_histogram, qg_from_unixtime);
// - `/` divides as floating point (as DuckDB's), and x / 0 and x % 0 are NULL (DuckDB: NULL for constants but
//   Infinity for a column divided by a zero column, so the translation writes NULLIF(divisor, 0));
// - avg is a double; count(*) without GROUP BY gives one row (as in DuckDB);
// - protocol_name, service_name, subnet: lookup tables (the IANA/port registries are data, not semantics).
// HAVING and ORDER BY names are resolved here, not by DuckDB: an alias that is also a field name means the alias.
import { Dataset, QUERY_FIELDS, sourceFields } from './qgenData';
import { Ex, QueryAst, SearchNode, SelectItem, histSeconds, orderKeys, resolveNames, sqlString } from './queryAst';
import { expandV6 } from './address6';

/** The column of a field in the oracle's tables. */
export function columnOf(field: string): string {
  return `"${field.replace(/-/g, '_')}"`;
}

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, 'ipv6-icmp': 58, gre: 47, esp: 50 };

export interface DuckdbQuery {
  /** The rows the engine must return. */
  sql: string;
  /** The same without LIMIT (a LIMIT without ORDER BY may return any of these rows). */
  unlimited: string;
  /** How many records the search and WHERE take (the engine's `matched`). */
  matched: string;
  /** Raw search or `select *`: the canonical field names of the columns (then `file` and `line` for a search). */
  fields?: string[];
  ordered: boolean;
}

export function toDuckdb(q: QueryAst, ds: Dataset): DuckdbQuery {
  const from = `qg_src_${q.source} AS l`;
  const search = q.search ? searchSql(q.search) : 'TRUE';
  if (!q.sql) {
    const fields = sourceFields(ds, q.source);
    const cols = [...fields.map((f) => `l.${columnOf(f)}`), 'l.file', 'l.line'].join(', ');
    const sql = `SELECT ${cols} FROM ${from} WHERE ${search} ORDER BY l.fileno, l.line`;
    return { sql, unlimited: sql, matched: `SELECT count(*) FROM ${from} WHERE ${search}`, fields, ordered: true };
  }
  const s = resolveNames(q.sql);
  const items = s.select === '*' ? [] : s.select;
  const t = (e: Ex) => exSql(e, items);
  const where = s.where ? `${search} AND (${t(s.where)})` : search;
  const fields = s.select === '*' ? sourceFields(ds, q.source) : undefined;
  const select = fields ? fields.map((f) => `l.${columnOf(f)}`).join(', ') : items.map((it) => t(it.e)).join(', ');
  let body = `SELECT ${select} FROM ${from} WHERE ${where}`;
  if (s.groupBy.length) body += ` GROUP BY ${s.groupBy.map(t).join(', ')}`;
  if (s.having) body += ` HAVING ${t(s.having)}`;
  const order = orderKeys(s);
  // An alias or ordinal key is the item's position (DuckDB refuses to order by a constant item's expression).
  const key = (e: Ex) => (e.k === 'alias' || e.k === 'ordinal' ? String(e.item + 1) : t(e));
  if (order.length) body += ` ORDER BY ${order.map((o) => `${key(o.e)} ${o.dir === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`).join(', ')}`;
  return {
    sql: s.limit === undefined ? body : `${body} LIMIT ${s.limit}`,
    unlimited: body,
    matched: `SELECT count(*) FROM ${from} WHERE ${where}`,
    fields,
    ordered: order.length > 0,
  };
}

/** A search as a condition that is never NULL. */
export function searchSql(n: SearchNode): string {
  switch (n.k) {
    case 'star': return 'TRUE';
    case 'and': return `(${n.items.map(searchSql).join(' AND ')})`;
    case 'or': return `(${n.items.map(searchSql).join(' OR ')})`;
    case 'not': return `(NOT ${searchSql(n.item)})`;
    case 'paren': return searchSql(n.item);
    case 'term': {
      // Any field whose whole text is the term: text ASCII case-insensitively, numbers written as decimal integers.
      const tests = QUERY_FIELDS.map((f) => {
        const c = `l.${columnOf(f.name)}`;
        if (f.kind !== 'int') return `${asciiLower(c)} = ${asciiLower(sqlString(n.value))}`;
        return /^-?(0|[1-9][0-9]{0,14})$/.test(n.value) ? `${c} = ${n.value}` : undefined;
      }).filter((x) => x !== undefined);
      return `coalesce(${tests.join(' OR ')}, FALSE)`;
    }
    case 'field': {
      const c = `l.${columnOf(n.field)}`;
      const kind = QUERY_FIELDS.find((f) => f.name === n.field)!.kind;
      const t = n.test;
      const never = (cond: string) => `coalesce(${cond}, FALSE)`;
      switch (t.op) {
        case 'present': return `(${c} IS NOT NULL)`;
        case 'eq': {
          if (n.field === 'protocol' && !/^[0-9]+$/.test(t.value)) return never(`${c} = ${PROTOCOLS[t.value.toLowerCase()]}`);
          if (kind === 'int') return never(`${c} = ${t.value}`);
          return never(`${asciiLower(c)} = ${asciiLower(sqlString(t.value))}`);
        }
        case 'prefix': return never(`starts_with(${asciiLower(c)}, ${asciiLower(sqlString(t.prefix))})`);
        case 'cmp': return never(`${c} ${t.cmp} ${t.value}`);
        case 'range': {
          const lo = t.lo === '*' ? 'TRUE' : `${c} ${t.loIncl ? '>=' : '>'} ${t.lo}`;
          const hi = t.hi === '*' ? 'TRUE' : `${c} ${t.hiIncl ? '<=' : '<'} ${t.hi}`;
          return never(`${c} IS NOT NULL AND ${lo} AND ${hi}`);
        }
        case 'cidr': {
          const { family, bits } = cidrBits(t.cidr);
          const base = n.field.replace(/-/g, '_');
          return never(`l."${base}__fam" = ${family} AND starts_with(l."${base}__bits", '${bits}')`);
        }
      }
    }
  }
}

/** A search compares text ASCII case-insensitively: A–Z fold to a–z, every other character must be equal. */
function asciiLower(sql: string): string {
  return `translate(${sql}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
}

/** The network bits of a CIDR block (its first `prefix` bits), and its family. */
export function cidrBits(cidr: string): { family: 4 | 6; bits: string } {
  const [addr, len] = cidr.split('/');
  const prefix = Number(len);
  return { family: addr.includes(':') ? 6 : 4, bits: addressBits(addr)!.slice(0, prefix) };
}

/** The 32 or 128 bits of an address as text of 0s and 1s, or undefined when it is not one. */
export function addressBits(a: string): string | undefined {
  if (a.includes(':')) {
    const groups = expandV6(a);
    return groups?.map((g) => g.toString(2).padStart(16, '0')).join('');
  }
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m || m.slice(1).some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return undefined;
  return m.slice(1).map((o) => Number(o).toString(2).padStart(8, '0')).join('');
}

function resolve(e: Ex, items: SelectItem[]): Ex {
  return e.k === 'alias' || e.k === 'ordinal' ? resolve(items[e.item].e, items) : e;
}

/** An expression in DuckDB SQL, fully parenthesised; alias and ordinal references replaced by their expressions. */
export function exSql(e: Ex, items: SelectItem[]): string {
  const t = (x: Ex) => exSql(x, items);
  switch (e.k) {
    case 'col': return `l.${columnOf(e.field)}`;
    case 'int': return `CAST(${e.v} AS BIGINT)`;
    case 'float': return `CAST(${e.text} AS DOUBLE)`;
    case 'str': return sqlString(e.v);
    case 'null': return 'NULL';
    case 'neg': return `(-(${t(e.e)}))`;
    // x / 0 and x % 0 are NULL (DuckDB gives Infinity for a column divided by a zero column).
    case 'arith': return e.op === '/' || e.op === '%' ? `(${t(e.l)} ${e.op} NULLIF(${t(e.r)}, 0))` : `(${t(e.l)} ${e.op} ${t(e.r)})`;
    case 'cmp': return `(${t(e.l)} ${e.op === '!=' ? '<>' : e.op} ${t(e.r)})`;
    case 'logic': return `(${t(e.l)} ${e.op.toUpperCase()} ${t(e.r)})`;
    // `= FALSE`, not NOT: DuckDB folds NOT into a comparison and then no longer finds it among the GROUP BY keys.
    case 'not': return `(${t(e.e)} = FALSE)`;
    case 'paren': return t(e.e);
    case 'call': {
      const args = e.args.map(t);
      switch (e.name) {
        case 'protocol_name': return `qg_protocol_name(${args[0]})`;
        case 'service_name': return `qg_service_name(${args[0]}, ${args[1] ?? 'NULL'})`;
        case 'subnet': return `qg_subnet(${args[0]}, ${args[1]})`;
        case 'round': return e.args.length === 2 ? `round(${args[0]}, CAST(${args[1]} AS INTEGER))` : `round(${args[0]})`;
        case 'from_unixtime': return `qg_from_unixtime(${args[0]})`;
        default: return `${e.name}(${args.join(', ')})`;
      }
    }
    case 'agg': {
      const arg = e.arg === '*' ? '*' : `${e.distinct ? 'DISTINCT ' : ''}${t(e.arg)}`;
      return `${e.fn}(${arg})`;
    }
    case 'hist': return `qg_histogram(${t(e.arg)}, ${histSeconds(e)})`;
    case 'in': return `(${t(e.e)} ${e.neg ? 'NOT ' : ''}IN (${e.list.map(t).join(', ')}))`;
    case 'between': return `(${t(e.e)} ${e.neg ? 'NOT ' : ''}BETWEEN ${t(e.lo)} AND ${t(e.hi)})`;
    case 'like': return `(${t(e.e)} ${e.neg ? 'NOT ' : ''}LIKE ${sqlString(e.pattern)})`;
    case 'isnull': return `(${t(e.e)} IS ${e.neg ? 'NOT ' : ''}NULL)`;
    case 'alias': case 'ordinal': return t(resolve(e, items));
  }
}
