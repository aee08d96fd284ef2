// Our queries as Trino SQL (Athena engine v3 is Trino): readable SQL over the table of AWS's documented DDL
// (snake_case columns, `end` quoted). Trino has SQL's three-valued logic, so the SQL part translates as written;
// the search's two-valued tests keep their meaning under NOT with coalesce(…, false).
import { Expr, SearchNode, SqlQuery, forEachChild } from '../query/ast';
import { aggregateFunction, isAggregateName } from '../query/functions';
import { QueryError } from '../query/errors';
import { checkQuery } from '../query/run';
import { parseQuery } from '../query/parser';
import { DEFAULT_FIELD_NAMES, FieldDef, fieldByName, lookupField } from '../schema';
import { formatCidr, parseAddress, parseCidr } from '../address';
import { protocolByName, protocolName, serviceName } from '../decode';
import { exprKey, isAggregate, resolveAlias, substituteAliases, rangeBounds } from './common';

/** Constructs whose Trino spelling another engine (DuckDB) does not share: execution tests leave these out. */
export type TrinoFeature = 'time' | 'lookup' | 'cidr' | 'ipprefix' | 'textnum' | 'version';

export interface TrinoTranslation {
  sql: string;
  features: Set<TrinoFeature>;
}

/** AWS's Athena DDL types (Athena's docs for VPC flow logs): `version` is an int there. */
export function trinoType(f: FieldDef): 'int' | 'bigint' | 'string' {
  switch (f.type) {
    case 'version': case 'port': case 'tcpFlags': case 'trafficPath': return 'int';
    case 'protocol': case 'count': case 'timestamp': case 'integer': return 'bigint';
    default: return 'string';
  }
}

/** Trino's reserved words among the columns (AWS's examples quote `end` only). */
const RESERVED = new Set(['end']);

/** A column of the Athena table: snake_case, quoted where Trino reserves the word or might. */
export function trinoColumn(f: FieldDef): string {
  const name = f.name.replace(/-/g, '_');
  return RESERVED.has(name) ? `"${name}"` : name;
}

const str = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ISO_FORMAT = "'yyyy-MM-dd''T''HH:mm:ss''Z'''";

export interface Out {
  sql: string;
  /** A boolean expression (a comparison, AND/OR…): SQL's TRUE/FALSE/NULL where the engine has 1/0/NULL. */
  bool: boolean;
  type: 'number' | 'text' | 'null';
}

/** The function table: our function name → Trino SQL. */
export const TRINO_FUNCTIONS: Record<string, (args: Out[], t: TrinoTranslator, e: Extract<Expr, { kind: 'call' }>) => Out> = {
  histogram: (args, t, e) => {
    const a = e.args[1];
    const secs = a.kind === 'interval' ? a.seconds : (a as { value: number }).value;
    t.features.add('time');
    return { sql: `format_datetime(from_unixtime(floor(CAST(${t.value(args[0])} AS DOUBLE) / ${secs}) * ${secs}, 'UTC'), ${ISO_FORMAT})`, bool: false, type: 'text' };
  },
  from_unixtime: (args, t) => {
    t.features.add('time');
    return { sql: `format_datetime(from_unixtime(floor(${t.value(args[0])}), 'UTC'), ${ISO_FORMAT})`, bool: false, type: 'text' };
  },
  protocol_name: (args, t) => {
    t.features.add('lookup');
    const keys = Array.from({ length: 256 }, (_, i) => i);
    return { sql: `element_at(MAP(ARRAY[${keys.join(', ')}], ARRAY[${keys.map((k) => str(protocolName(k))).join(', ')}]), ${t.value(args[0])})`, bool: false, type: 'text' };
  },
  service_name: (args, t) => {
    t.features.add('lookup');
    const table = (proto: number | undefined) => {
      const ports: number[] = [];
      for (let p = 0; p <= 65535; p++) if (serviceName(p, proto) !== undefined) ports.push(p);
      return `element_at(MAP(ARRAY[${ports.join(', ')}], ARRAY[${ports.map((p) => str(serviceName(p, proto)!)).join(', ')}]), ${t.value(args[0])})`;
    };
    if (args.length === 1) return { sql: table(undefined), bool: false, type: 'text' };
    const p = `coalesce(${t.value(args[1])}, 6)`;
    return { sql: `CASE WHEN ${p} IN (6, 33) THEN ${table(undefined)} WHEN ${p} IN (17, 136) THEN ${table(17)} WHEN ${p} = 132 THEN ${table(132)} END`, bool: false, type: 'text' };
  },
  subnet: (args, t) => {
    t.features.add('ipprefix');
    return { sql: `CAST(ip_prefix(TRY_CAST(${t.value(args[0])} AS IPADDRESS), ${t.value(args[1])}) AS VARCHAR)`, bool: false, type: 'text' };
  },
  lower: (args, t) => ({ sql: `lower(${t.text(args[0])})`, bool: false, type: 'text' }),
  upper: (args, t) => ({ sql: `upper(${t.text(args[0])})`, bool: false, type: 'text' }),
  length: (args, t) => ({ sql: `length(${t.text(args[0])})`, bool: false, type: 'number' }),
  abs: (args, t) => ({ sql: `abs(${t.value(args[0])})`, bool: false, type: 'number' }),
  floor: (args, t) => ({ sql: `floor(${t.value(args[0])})`, bool: false, type: 'number' }),
  ceil: (args, t) => ({ sql: `ceil(${t.value(args[0])})`, bool: false, type: 'number' }),
  round: (args, t) => ({ sql: `round(${args.map((a) => t.value(a)).join(', ')})`, bool: false, type: 'number' }),
  coalesce: (args, t) => ({ sql: `coalesce(${args.map((a) => t.value(a)).join(', ')})`, bool: false, type: args.find((a) => a.type !== 'null')?.type ?? 'null' }),
};

/** What differs between the SQL dialects this translator writes (Trino/Athena, CLS's SQL). */
export interface SqlDialect {
  name: string;
  /** A field as a column reference. */
  column: (f: FieldDef) => string;
  functions: Record<string, (args: Out[], t: TrinoTranslator, e: Extract<Expr, { kind: 'call' }>) => Out>;
  /** FROM this table (CLS's SQL has no FROM). */
  table?: string;
  /** GROUP BY and ORDER BY may name a SELECT item by its ordinal (else by its alias, or the expression). */
  ordinals: boolean;
}

export const TRINO: SqlDialect = { name: 'Trino', column: trinoColumn, functions: TRINO_FUNCTIONS, table: 'vpc_flow_logs', ordinals: true };

export class TrinoTranslator {
  readonly features = new Set<TrinoFeature>();
  private readonly fields: FieldDef[];

  constructor(private readonly query: string, private readonly dialect: SqlDialect = TRINO) {
    this.fields = DEFAULT_FIELD_NAMES.map((n) => fieldByName(n)!);
  }

  fail(message: string, offset: number): never {
    throw new QueryError(message, this.query, offset);
  }

  translate(): TrinoTranslation {
    const error = checkQuery(this.query);
    if (error) throw error;
    const parsed = parseQuery(this.query);
    const search = this.search(parsed.search);
    const sql = parsed.sql;
    const where: string[] = [];
    if (search !== 'TRUE') where.push(search);
    if (!sql) {
      return { sql: `SELECT *\nFROM ${this.dialect.table}${where.length ? `\nWHERE ${where.join('\n  AND ')}` : ''}`, features: this.features };
    }
    return { sql: this.sql(sql, where), features: this.features };
  }

  /** The SQL part, with `where` (conditions) added to its WHERE. */
  sql(sql: SqlQuery, where: string[]): string {
    if (sql.where) where.push(this.condition(this.expr(sql.where, false)));
    const aggregate = isAggregate(sql);
    const groupBy = sql.groupBy.map((g) => resolveAlias(g, sql.select, false, this.query));
    const keys = new Set(groupBy.map(exprKey));
    if (aggregate) {
      // A column neither grouped nor aggregated is an error (issue 10), as Trino would say too, with our position.
      const check = (e: Expr): void => {
        if (keys.has(exprKey(e)) || (e.kind === 'call' && isAggregateName(e.name))) return;
        if (e.kind === 'column') this.fail(`${e.name} is neither grouped nor aggregated: add it to GROUP BY or aggregate it (min, max, …)`, e.offset);
        forEachChild(e, check);
      };
      for (const s of sql.select) if (s.expr.kind !== 'star') check(s.expr);
    }
    const select = sql.select.map((s) => {
      if (s.expr.kind === 'star') return '*';
      const v = this.value(this.expr(s.expr, aggregate));
      return s.alias !== undefined ? `${v} AS "${s.alias.replace(/"/g, '""')}"` : v;
    });
    const lines = [`SELECT ${select.join(', ')}`];
    if (this.dialect.table) lines.push(`FROM ${this.dialect.table}`);
    if (where.length) lines.push(`WHERE ${where.join('\n  AND ')}`);
    // A key or an order that is a SELECT item is written as its ordinal or alias, as people write them.
    const ordinal = (e: Expr) => sql.select.findIndex((s) => s.expr.kind !== 'star' && exprKey(s.expr) === exprKey(e)) + 1;
    const alias = (i: number) => `"${sql.select[i - 1].alias!.replace(/"/g, '""')}"`;
    const groupKey = (g: Expr) => {
      const i = ordinal(g);
      if (i > 0 && this.dialect.ordinals) return String(i);
      if (i > 0 && sql.select[i - 1].alias !== undefined && g.kind !== 'column') return alias(i);
      return this.value(this.expr(g, false));
    };
    if (groupBy.length) lines.push(`GROUP BY ${groupBy.map(groupKey).join(', ')}`);
    if (sql.having) lines.push(`HAVING ${this.condition(this.expr(substituteAliases(sql.having, sql.select), true))}`);
    if (sql.orderBy.length) {
      const key = (e: Expr) => {
        const r = resolveAlias(e, sql.select, true, this.query);
        const item = sql.select[ordinal(r) - 1];
        if (item?.alias !== undefined) return `"${item.alias.replace(/"/g, '""')}"`;
        return ordinal(r) > 0 && r.kind !== 'column' && this.dialect.ordinals ? String(ordinal(r)) : this.value(this.expr(r, aggregate));
      };
      lines.push(`ORDER BY ${sql.orderBy.map((o) => `${key(o.expr)} ${o.descending ? 'DESC' : 'ASC'} NULLS LAST`).join(', ')}`);
    }
    if (sql.limit !== undefined) lines.push(`LIMIT ${sql.limit}`);
    return lines.join('\n');
  }

  /** The search as a condition that is TRUE or FALSE (never NULL under NOT: coalesce). */
  private search(n: SearchNode): string {
    switch (n.kind) {
      case 'all':
        return 'TRUE';
      case 'and':
        return `(${n.items.map((i) => this.search(i)).join(' AND ')})`;
      case 'or':
        return `(${n.items.map((i) => this.search(i)).join(' OR ')})`;
      case 'not':
        return `NOT coalesce(${this.search(n.item)}, false)`;
      case 'term': {
        this.features.add('version'); // a term tests every field, version (an int in AWS's DDL) too
        if (n.value === '-') return `(${this.fields.map((f) => `${trinoColumn(f)} IS NULL`).join(' OR ')})`;
        const lower = n.value.toLowerCase();
        const tests = this.fields.flatMap((f) => {
          if (trinoType(f) !== 'string') return /^-?(0|[1-9]\d{0,14})$/.test(n.value) ? [`${trinoColumn(f)} = ${n.value}`] : [];
          if (f.type === 'enum') return f.values!.some((v) => v.toLowerCase() === lower) ? [`${trinoColumn(f)} = ${str(f.values!.find((v) => v.toLowerCase() === lower)!)}`] : [];
          return [`lower(${trinoColumn(f)}) = ${str(lower)}`];
        });
        return tests.length ? `(${tests.join(' OR ')})` : 'FALSE';
      }
      case 'field':
        return this.fieldTest(n);
    }
  }

  private fieldTest(n: Extract<SearchNode, { kind: 'field' }>): string {
    const f = lookupField(n.field)!;
    const c = trinoColumn(f);
    const t = n.test;
    const numeric = trinoType(f) !== 'string';
    if (f.name === 'version') this.features.add('version');
    switch (t.op) {
      case 'present':
        return `${c} IS NOT NULL`;
      case 'prefix': {
        const p = t.value.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`);
        return `${numeric ? `CAST(${c} AS VARCHAR)` : `lower(${c})`} LIKE ${str(`${p}%`)} ESCAPE '\\'`;
      }
      case 'cmp':
        return this.compareField(f, c, [[t.cmp, t.value]]);
      case 'range': {
        const b = rangeBounds(n, this.query);
        const parts: [string, string][] = [];
        if (b.from !== '*') parts.push([b.fromInclusive ? '>=' : '>', b.from]);
        if (b.to !== '*') parts.push([b.toInclusive ? '<=' : '<', b.to]);
        return parts.length ? this.compareField(f, c, parts) : `${c} IS NOT NULL`;
      }
      case 'eq': {
        if (f.type === 'protocol') return `${c} = ${protocolByName(t.value)}`;
        if (numeric && /^-?\d+(\.\d+)?$/.test(t.value)) return `${c} = ${t.value}`;
        if (f.type === 'address') {
          const cidr = parseCidr(t.value);
          if (cidr && !t.value.includes('/') && parseAddress(t.value)?.family === 4) return `${c} = ${str(t.value)}`;
          if (cidr) {
            this.features.add('cidr');
            return `contains(IPPREFIX ${str(formatCidr(cidr))}, TRY_CAST(${c} AS IPADDRESS))`;
          }
        }
        if (t.value === '-') return `${c} IS NULL`;
        if (numeric) return 'FALSE';
        if (f.type === 'enum') {
          const v = f.values!.find((x) => x.toLowerCase() === t.value.toLowerCase());
          return v ? `${c} = ${str(v)}` : 'FALSE';
        }
        return `lower(${c}) = ${str(t.value.toLowerCase())}`;
      }
    }
  }

  private compareField(f: FieldDef, c: string, parts: [string, string][]): string {
    if (trinoType(f) !== 'string') return parts.map(([op, v]) => `${c} ${op} ${v}`).join(' AND ');
    if (parts.every(([, v]) => /^-?\d+(\.\d+)?$/.test(v))) {
      this.features.add('textnum');
      return parts.map(([op, v]) => `TRY_CAST(${c} AS BIGINT) ${op} ${v}`).join(' AND ');
    }
    return parts.map(([op, v]) => `${c} ${op} ${str(v)}`).join(' AND ');
  }

  /** An expression as a value: a condition becomes 1, 0 or NULL as in the engine. */
  value(o: Out): string {
    return o.bool ? `CAST(${o.sql} AS INTEGER)` : o.sql;
  }

  /** An expression as text (String(v) for numbers). */
  text(o: Out): string {
    return o.type === 'number' || o.bool ? `CAST(${this.value(o)} AS VARCHAR)` : o.sql;
  }

  /** An expression as a condition: a value is true when not 0 and not '' (the engine's truth). */
  private condition(o: Out): string {
    if (o.bool) return o.sql;
    return o.type === 'text' ? `(${o.sql} <> '')` : o.type === 'null' ? 'NULL' : `(${o.sql} <> 0)`;
  }

  private expr(e: Expr, aggregate: boolean): Out {
    const x = (c: Expr) => this.expr(c, aggregate);
    switch (e.kind) {
      case 'number': return { sql: String(e.value), bool: false, type: 'number' };
      case 'string': return { sql: str(e.value), bool: false, type: 'text' };
      case 'null': return { sql: 'NULL', bool: false, type: 'null' };
      case 'interval': return { sql: String(e.seconds), bool: false, type: 'number' };
      case 'star': return this.fail('* is only allowed as SELECT * or count(*)', e.offset);
      case 'column': {
        const f = lookupField(e.name)!;
        if (f.name === 'version') this.features.add('version');
        return { sql: this.dialect.column(f), bool: false, type: trinoType(f) === 'string' ? 'text' : 'number' };
      }
      case 'unary': {
        const v = x(e.operand);
        return e.op === 'not' ? { sql: `NOT ${this.condition(v)}`, bool: true, type: 'number' } : { sql: `-(${this.value(v)})`, bool: false, type: 'number' };
      }
      case 'binary': {
        const l = x(e.left);
        const r = x(e.right);
        if (e.op === 'and' || e.op === 'or') return { sql: `(${this.condition(l)} ${e.op.toUpperCase()} ${this.condition(r)})`, bool: true, type: 'number' };
        if (['=', '!=', '<', '<=', '>', '>='].includes(e.op)) {
          const op = e.op === '!=' ? '<>' : e.op;
          const [a, b] = this.comparable(l, r);
          return { sql: `${a} ${op} ${b}`, bool: true, type: 'number' };
        }
        const a = l.type === 'text' ? this.textNumber(l) : this.value(l);
        const b = r.type === 'text' ? this.textNumber(r) : this.value(r);
        if (e.op === '/') return { sql: `(CAST(${a} AS DOUBLE) / NULLIF(${b}, 0))`, bool: false, type: 'number' };
        if (e.op === '%') return { sql: `(${a} % NULLIF(${b}, 0))`, bool: false, type: 'number' };
        return { sql: `(${a} ${e.op} ${b})`, bool: false, type: 'number' };
      }
      case 'in': {
        const v = x(e.operand);
        const items = e.list.map(x);
        const [a] = this.comparable(v, items[0] ?? v);
        return { sql: `${a} ${e.negated ? 'NOT IN' : 'IN'} (${items.map((i) => this.comparable(v, i)[1]).join(', ')})`, bool: true, type: 'number' };
      }
      case 'between': {
        const v = x(e.operand);
        const [a, lo] = this.comparable(v, x(e.low));
        const [, hi] = this.comparable(v, x(e.high));
        return { sql: `${a} ${e.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${lo} AND ${hi}`, bool: true, type: 'number' };
      }
      case 'like':
        return { sql: `${this.text(x(e.operand))} ${e.negated ? 'NOT LIKE' : 'LIKE'} ${this.text(x(e.pattern))}`, bool: true, type: 'number' };
      case 'isNull':
        return { sql: `${this.value(x(e.operand))} IS ${e.negated ? 'NOT ' : ''}NULL`, bool: true, type: 'number' };
      case 'call': {
        const agg = aggregateFunction(e.name)?.name;
        if (agg) {
          if (agg === 'count' && e.args[0]?.kind === 'star') return { sql: 'count(*)', bool: false, type: 'number' };
          const v = x(e.args[0]);
          // any_value is Trino's (and CLS's) arbitrary().
          const fn = agg === 'any_value' ? 'arbitrary' : agg;
          return { sql: `${fn}(${e.distinct ? 'DISTINCT ' : ''}${this.value(v)})`, bool: false, type: agg === 'count' || agg === 'sum' || agg === 'avg' ? 'number' : v.type };
        }
        const fn = this.dialect.functions[e.name];
        if (!fn) this.fail(`${e.name}() has no ${this.dialect.name} equivalent`, e.offset);
        return fn(e.args.map((a) => (a.kind === 'interval' ? { sql: String(a.seconds), bool: false, type: 'number' as const } : x(a))), this, e);
      }
    }
  }

  /** Two operands as SQL Trino can compare: a text and a number compare as numbers when the text is one. */
  private comparable(l: Out, r: Out): [string, string] {
    if (l.type === 'text' && r.type === 'number') return [this.textNumber(l), this.value(r)];
    if (l.type === 'number' && r.type === 'text') return [this.value(l), this.textNumber(r)];
    return [this.value(l), this.value(r)];
  }

  private textNumber(o: Out): string {
    this.features.add('textnum');
    return `TRY_CAST(${o.sql} AS DOUBLE)`;
  }
}

export function translateToTrino(query: string, table = 'vpc_flow_logs'): TrinoTranslation {
  return new TrinoTranslator(query, { ...TRINO, table }).translate();
}

