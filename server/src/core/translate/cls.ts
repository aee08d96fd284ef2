// Our query in Tencent Cloud CLS's own syntax, to paste into the CLS console: `[search] | [SQL]` with the fields
// as CLS keys (the hyphenated names of the flow log format: `log-status`, `interface-id`; in SQL, double-quoted),
// protocol names as numbers (CLS indexes `protocol` as a long), IPv6 values quoted, and only CLS's functions.
// What CLS cannot say (CIDR blocks that are not whole octets, this tool's decoders) is refused with the reason.
import { Expr, SearchNode } from '../query/ast';
import { QueryError } from '../query/errors';
import { checkQuery } from '../query/run';
import { parseQuery } from '../query/parser';
import { FieldDef, lookupField } from '../schema';
import { parseCidr } from '../address';
import { protocolByName } from '../decode';
import { rangeBounds } from './common';
import { Out, SqlDialect, TRINO_FUNCTIONS, TrinoTranslator } from './trino';

/** A field in CLS's SQL: its key, double-quoted when it has a hyphen or is a keyword. */
export function clsColumn(f: FieldDef): string {
  return /-/.test(f.name) || f.name === 'end' ? `"${f.name}"` : f.name;
}

/** The function table for CLS's SQL: our function name → CLS SQL. */
export const CLS_FUNCTIONS: SqlDialect['functions'] = {
  histogram: (args, t, e) => {
    const a = e.args[1];
    const secs = a.kind === 'interval' ? a.seconds : (a as { value: number }).value;
    const [n, unit] = secs % 86400 === 0 ? [secs / 86400, 'day'] : secs % 3600 === 0 ? [secs / 3600, 'hour'] : secs % 60 === 0 ? [secs / 60, 'minute'] : [secs, 'second'];
    return { sql: `histogram(from_unixtime(${t.value(args[0])}), interval ${n} ${unit})`, bool: false, type: 'text' };
  },
  from_unixtime: (args, t) => ({ sql: `from_unixtime(${t.value(args[0])})`, bool: false, type: 'text' }),
  lower: TRINO_FUNCTIONS.lower,
  upper: TRINO_FUNCTIONS.upper,
  length: TRINO_FUNCTIONS.length,
  abs: TRINO_FUNCTIONS.abs,
  floor: TRINO_FUNCTIONS.floor,
  ceil: TRINO_FUNCTIONS.ceil,
  round: TRINO_FUNCTIONS.round,
  coalesce: TRINO_FUNCTIONS.coalesce,
};

const CLS: SqlDialect = { name: 'CLS', column: clsColumn, functions: CLS_FUNCTIONS, ordinals: false };

/** A search value as CLS writes it: quoted when it holds a space, a colon, a quote or a parenthesis. */
function clsValue(v: string): string {
  return /^[^\s:"'()\\]+$/.test(v) && !/^(AND|OR|NOT|TO)$/i.test(v) ? v : `"${v.replace(/(["\\])/g, '\\$1')}"`;
}

class ClsSearch {
  constructor(private readonly query: string) {}

  private fail(message: string, offset: number): never {
    throw new QueryError(message, this.query, offset);
  }

  print(n: SearchNode, parent: 'and' | 'or' | 'not' | 'top' = 'top'): string {
    switch (n.kind) {
      case 'all':
        return '*';
      case 'and': {
        const s = n.items.map((i) => this.print(i, 'and')).join(' AND ');
        return parent === 'not' ? `(${s})` : s;
      }
      case 'or': {
        const s = n.items.map((i) => this.print(i, 'or')).join(' OR ');
        return parent === 'and' || parent === 'not' ? `(${s})` : s;
      }
      case 'not':
        return `NOT ${this.print(n.item, 'not')}`;
      case 'term':
        return clsValue(n.value);
      case 'field':
        return this.field(n);
    }
  }

  private field(n: Extract<SearchNode, { kind: 'field' }>): string {
    const f = lookupField(n.field)!;
    const key = f.name;
    const t = n.test;
    switch (t.op) {
      case 'present':
        return `${key}:*`;
      case 'prefix':
        return `${key}:${clsValue(t.value)}*`;
      case 'cmp':
        return `${key}:${t.cmp}${t.value}`;
      case 'range': {
        const b = rangeBounds(n, this.query);
        return `${key}:${b.fromInclusive ? '[' : '{'}${b.from} TO ${b.to}${b.toInclusive ? ']' : '}'}`;
      }
      case 'eq': {
        if (f.type === 'protocol') return `${key}:${protocolByName(t.value)}`;
        if (f.type === 'enum') {
          const v = f.values!.find((x) => x.toLowerCase() === t.value.toLowerCase());
          return `${key}:${clsValue(v ?? t.value)}`;
        }
        if (f.type === 'address' && t.value.includes('/')) {
          const cidr = parseCidr(t.value)!;
          // A block of whole octets is a prefix of the address text; CLS search has no CIDR syntax otherwise.
          if (cidr.family === 4 && cidr.prefix % 8 === 0 && cidr.prefix > 0 && cidr.prefix < 32) {
            const octets = t.value.split('/')[0].split('.').slice(0, cidr.prefix / 8);
            return `${key}:${octets.join('.')}.*`;
          }
          if (cidr.family === 4 && cidr.prefix === 32) return `${key}:${t.value.split('/')[0]}`;
          this.fail(`${key}:${t.value} (a CIDR block) has no CLS search equivalent: CLS search matches IPv4 prefixes of whole octets only (${key}:10.*)`, n.offset);
        }
        return `${key}:${clsValue(t.value)}`;
      }
    }
  }
}

/** `query` in CLS's syntax. Throws QueryError naming the part CLS cannot express. */
export function translateToCls(query: string): string {
  const error = checkQuery(query);
  if (error) throw error;
  const parsed = parseQuery(query);
  const search = new ClsSearch(query).print(parsed.search);
  if (!parsed.sql) return search;
  const sql = new TrinoTranslator(query, CLS).sql(parsed.sql, []);
  return `${search} | ${sql.replace(/\n/g, ' ')}`;
}

export type { Expr, Out };
