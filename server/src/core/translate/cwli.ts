// Our query as a CloudWatch Logs Insights query over VPC flow logs: `filter | stats … by … | sort | limit` with the
// fields Logs Insights discovers in flow log events (camelCase: srcAddr, dstPort, logStatus, interfaceId…; only
// the default format's fields are discovered). Where Logs Insights has no way to say a part, a QueryError names
// that part; where it says it approximately, a note says so.
import { Expr, SearchNode, SelectItem, SqlQuery } from '../query/ast';
import { aggregateFunction, isAggregateName } from '../query/functions';
import { QueryError } from '../query/errors';
import { checkQuery } from '../query/run';
import { parseQuery } from '../query/parser';
import { FieldDef, lookupField } from '../schema';
import { parseAddress, parseCidr } from '../address';
import { protocolByName } from '../decode';
import { isNumericField } from '../query/values';
import { containsAggregate, exprKey, isAggregate, resolveAlias, substituteAliases, rangeBounds } from './common';

export interface CwliTranslation {
  query: string;
  /** Where the Logs Insights query answers approximately or differently (count_distinct, bin of @timestamp…). */
  notes: string[];
}

/** The field names Logs Insights discovers in VPC flow log events (default format). */
const CWLI_FIELDS: Record<string, string> = {
  version: 'version', 'account-id': 'accountId', 'interface-id': 'interfaceId', srcaddr: 'srcAddr', dstaddr: 'dstAddr',
  srcport: 'srcPort', dstport: 'dstPort', protocol: 'protocol', packets: 'packets', bytes: 'bytes', start: 'start', end: 'end',
  action: 'action', 'log-status': 'logStatus',
};

const UNITS: [number, string][] = [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];

const quote = (s: string) => JSON.stringify(s);
const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The function table for Logs Insights: our function name → its expression (undefined: none). */
export const CWLI_FUNCTIONS: Record<string, ((args: string[]) => string) | undefined> = {
  from_unixtime: ([x]) => `fromMillis(${x} * 1000)`,
  lower: ([x]) => `lower(${x})`,
  upper: ([x]) => `upper(${x})`,
  length: ([x]) => `strlen(${x})`,
  abs: ([x]) => `abs(${x})`,
  floor: ([x]) => `floor(${x})`,
  ceil: ([x]) => `ceil(${x})`,
  coalesce: (xs) => `coalesce(${xs.join(', ')})`,
  // histogram() is bin() in `stats … by`; round(), protocol_name(), service_name() and subnet() have no equivalent.
};

class CwliTranslator {
  readonly notes: string[] = [];
  /** The `stats … by` keys as written there, by the key of our GROUP BY expression (sort names them so). */
  private readonly byKeys = new Map<string, string>();

  constructor(private readonly query: string) {}

  private fail(what: string, offset: number): never {
    throw new QueryError(`${what} has no CloudWatch Logs Insights equivalent`, this.query, offset);
  }

  private field(name: string, offset: number): string {
    const f = lookupField(name)!;
    const cw = CWLI_FIELDS[f.name];
    if (!cw) this.fail(`${f.name} (Logs Insights discovers only the default format's fields in flow logs; add a parse command for it)`, offset);
    return cw;
  }

  translate(): CwliTranslation {
    const error = checkQuery(this.query);
    if (error) throw error;
    const parsed = parseQuery(this.query);
    const filters: string[] = [];
    if (parsed.search.kind !== 'all') filters.push(this.search(parsed.search));
    const sql = parsed.sql;
    if (sql?.where) filters.push(this.expr(sql.where));
    const parts: string[] = [];
    if (!sql) {
      parts.push('fields @timestamp, @message');
      if (filters.length) parts.push(`filter ${filters.join(' and ')}`);
      return { query: parts.join('\n| '), notes: this.notes };
    }
    if (filters.length) parts.push(`filter ${filters.map((f) => (filters.length > 1 ? `(${f})` : f)).join(' and ')}`);
    if (isAggregate(sql)) this.aggregate(sql, parts);
    else this.rows(sql, parts);
    if (sql.limit !== undefined) parts.push(`limit ${sql.limit}`);
    return { query: parts.join('\n| '), notes: this.notes };
  }

  private rows(sql: SqlQuery, parts: string[]): void {
    const items = sql.select.map((s) => {
      if (s.expr.kind === 'star') return '@message';
      const e = this.expr(s.expr);
      return s.alias !== undefined ? `${e} as ${s.alias}` : e;
    });
    parts.unshift(`fields ${items.join(', ')}`);
    if (sql.orderBy.length) parts.push(`sort ${sql.orderBy.map((o) => `${this.orderName(o.expr, sql.select)} ${o.descending ? 'desc' : 'asc'}`).join(', ')}`);
  }

  private aggregate(sql: SqlQuery, parts: string[]): void {
    const groupBy = sql.groupBy.map((g) => resolveAlias(g, sql.select, false, this.query));
    const keys = new Set(groupBy.map(exprKey));
    const aggs: string[] = [];
    for (const s of sql.select) {
      if (s.expr.kind === 'star') this.fail('SELECT * with aggregates', s.expr.offset);
      if (keys.has(exprKey(s.expr))) continue; // a key: shown by `stats … by`
      if (!(s.expr.kind === 'call' && isAggregateName(s.expr.name))) {
        this.fail(`${s.text} (Logs Insights' stats shows aggregates and its by-keys only)`, s.expr.offset);
      }
      aggs.push(`${this.agg(s.expr)}${s.alias !== undefined ? ` as ${s.alias}` : ''}`);
    }
    const by = groupBy.map((g) => {
      if (g.kind === 'call' && g.name === 'histogram') {
        const a = g.args[1];
        const secs = a.kind === 'interval' ? a.seconds : (a as { value: number }).value;
        const [size, unit] = UNITS.find(([u]) => secs % u === 0)!;
        if (g.args[0].kind !== 'column' || lookupField(g.args[0].name)?.name !== 'start') this.fail('histogram() of anything but start', g.offset);
        this.notes.push('bin() groups by @timestamp, the time CloudWatch gives the flow log event, not by the start field; its buckets show as timestamps');
        return `bin(${secs / size}${unit})`;
      }
      if (containsAggregate(g)) this.fail('an aggregate in GROUP BY', g.offset);
      return this.expr(g);
    });
    groupBy.forEach((g, i) => this.byKeys.set(exprKey(g), by[i]));
    parts.push(`stats ${aggs.join(', ')}${by.length ? ` by ${by.join(', ')}` : ''}`);
    if (sql.having) parts.push(`filter ${this.afterStats(substituteAliases(sql.having, sql.select), sql.select)}`);
    if (sql.orderBy.length) parts.push(`sort ${sql.orderBy.map((o) => `${this.orderName(resolveAlias(o.expr, sql.select, true, this.query), sql.select)} ${o.descending ? 'desc' : 'asc'}`).join(', ')}`);
  }

  /** After `stats`, an aggregate is named by its alias (Logs Insights sees the stats' output fields only). */
  private afterStats(e: Expr, select: SelectItem[]): string {
    if (e.kind === 'call' && isAggregateName(e.name)) return this.orderName(e, select);
    if (e.kind === 'binary') {
      const op = e.op === 'and' || e.op === 'or' ? e.op : e.op;
      return `(${this.afterStats(e.left, select)} ${op} ${this.afterStats(e.right, select)})`;
    }
    if (e.kind === 'unary' && e.op === 'not') return `not ${this.afterStats(e.operand, select)}`;
    return this.expr(e);
  }

  /** An ORDER BY key or a HAVING aggregate as the name of a stats output: its alias, or the aggregate as written. */
  private orderName(e: Expr, select: SelectItem[]): string {
    const byKey = this.byKeys.get(exprKey(e));
    if (byKey) return byKey;
    const item = select.find((s) => s.expr.kind !== 'star' && exprKey(s.expr) === exprKey(e));
    if (item?.alias !== undefined) return item.alias;
    if (e.kind === 'call' && isAggregateName(e.name)) {
      if (!item) this.fail(`${this.query.slice(e.offset).split(/[\s,]/)[0]}… in ORDER BY or HAVING without being in SELECT`, e.offset);
      return this.agg(e);
    }
    return this.expr(e);
  }

  private agg(e: Extract<Expr, { kind: 'call' }>): string {
    if (e.name === 'count' && e.args[0]?.kind === 'star') return 'count(*)';
    const arg = e.args[0];
    if (arg.kind !== 'column' && ['binary', 'in', 'between', 'like', 'isNull', 'unary'].includes(arg.kind) && isCondition(arg)) {
      this.fail(`${e.name}() of a condition`, e.offset);
    }
    const x = this.expr(arg);
    const name = aggregateFunction(e.name)!.name;
    if (e.distinct) {
      if (name !== 'count') this.fail(`${e.name}(DISTINCT …)`, e.offset);
      this.notes.push('count_distinct() in Logs Insights is an approximation (exact up to about 10,000 values per group)');
      return `count_distinct(${x})`;
    }
    if (name === 'any_value') {
      this.notes.push(`${e.name}() becomes earliest(): the value of the group's earliest event by @timestamp (any value of the group, as ${e.name}() promises)`);
      return `earliest(${x})`;
    }
    return `${name}(${x})`;
  }

  private search(n: SearchNode): string {
    switch (n.kind) {
      case 'all': return 'true';
      case 'and': return `(${n.items.map((i) => this.search(i)).join(' and ')})`;
      case 'or': return `(${n.items.map((i) => this.search(i)).join(' or ')})`;
      case 'not': return `not ${this.search(n.item)}`;
      case 'term': return `@message like /(?i)(^| )${regexEscape(n.value)}( |$)/`;
      case 'field': {
        const f = lookupField(n.field)!;
        const c = this.field(n.field, n.offset);
        const t = n.test;
        switch (t.op) {
          case 'present': return `${c} != "-"`;
          case 'prefix': return `${c} like /(?i)^${regexEscape(t.value)}/`;
          case 'cmp': return `${c} ${t.cmp} ${this.number(f, t.value, n.offset)}`;
          case 'range': {
            const b = rangeBounds(n, this.query);
            const parts: string[] = [];
            if (b.from !== '*') parts.push(`${c} ${b.fromInclusive ? '>=' : '>'} ${this.number(f, b.from, n.offset)}`);
            if (b.to !== '*') parts.push(`${c} ${b.toInclusive ? '<=' : '<'} ${this.number(f, b.to, n.offset)}`);
            return parts.length ? `(${parts.join(' and ')})` : `${c} != "-"`;
          }
          case 'eq': {
            if (f.type === 'protocol') return `${c} = ${protocolByName(t.value)}`;
            if (isNumericField(f) && /^-?\d+(\.\d+)?$/.test(t.value)) return `${c} = ${t.value}`;
            if (f.type === 'address') {
              const cidr = parseCidr(t.value);
              if (cidr && !t.value.includes('/') && parseAddress(t.value)?.family === 4) return `${c} = ${quote(t.value)}`;
              if (cidr) return `isIpInSubnet(${c}, ${quote(t.value.includes('/') ? t.value : `${t.value}/${cidr.prefix}`)})`;
            }
            if (t.value === '-') return `${c} = "-"`;
            if (f.type === 'enum') {
              const v = f.values!.find((x) => x.toLowerCase() === t.value.toLowerCase());
              return v ? `${c} = ${quote(v)}` : 'false';
            }
            return `lower(${c}) = ${quote(t.value.toLowerCase())}`;
          }
        }
      }
    }
  }

  private number(f: FieldDef, v: string, offset: number): string {
    if (!/^-?\d+(\.\d+)?$/.test(v)) this.fail(`a comparison of ${f.name} with text (${v})`, offset);
    return v;
  }

  private expr(e: Expr): string {
    switch (e.kind) {
      case 'number': return String(e.value);
      case 'string': return quote(e.value);
      case 'null': return this.fail('NULL', e.offset);
      case 'interval': return this.fail('an interval outside histogram()', e.offset);
      case 'star': return this.fail('*', e.offset);
      case 'column': return this.field(e.name, e.offset);
      case 'unary': return e.op === 'not' ? `not ${this.expr(e.operand)}` : `-${this.expr(e.operand)}`;
      case 'binary': {
        const op = e.op === 'and' || e.op === 'or' ? e.op : e.op;
        return `(${this.expr(e.left)} ${op} ${this.expr(e.right)})`;
      }
      case 'in': return `${this.expr(e.operand)} ${e.negated ? 'not in' : 'in'} [${e.list.map((i) => this.expr(i)).join(', ')}]`;
      case 'between': {
        const x = this.expr(e.operand);
        const inside = `(${x} >= ${this.expr(e.low)} and ${x} <= ${this.expr(e.high)})`;
        return e.negated ? `not ${inside}` : inside;
      }
      case 'like': {
        if (e.pattern.kind !== 'string') return this.fail('LIKE with a pattern that is not a string', e.pattern.offset);
        let re = '';
        for (const ch of e.pattern.value) re += ch === '%' ? '.*' : ch === '_' ? '.' : regexEscape(ch);
        return `${e.negated ? 'not ' : ''}${this.expr(e.operand)} like /^${re}$/`;
      }
      case 'isNull': {
        const x = this.expr(e.operand);
        // A `-` in a flow log event is the text "-" in Logs Insights.
        return e.negated ? `(ispresent(${x}) and ${x} != "-")` : `(not ispresent(${x}) or ${x} = "-")`;
      }
      case 'call': {
        if (isAggregateName(e.name)) return this.agg(e);
        if (e.name === 'histogram') return this.fail('histogram() outside GROUP BY', e.offset);
        const fn = CWLI_FUNCTIONS[e.name];
        if (!fn) return this.fail(`${e.name}()`, e.offset);
        return fn(e.args.map((a) => this.expr(a)));
      }
    }
  }
}

function isCondition(e: Expr): boolean {
  return (e.kind === 'binary' && ['=', '!=', '<', '<=', '>', '>=', 'and', 'or'].includes(e.op)) || e.kind === 'in' || e.kind === 'between' || e.kind === 'like' || e.kind === 'isNull' || (e.kind === 'unary' && e.op === 'not');
}

/** `query` as a Logs Insights query. Throws QueryError naming the part Logs Insights cannot express. */
export function translateToCwli(query: string): CwliTranslation {
  return new CwliTranslator(query).translate();
}


