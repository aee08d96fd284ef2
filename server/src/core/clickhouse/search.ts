// The search part of a query (CLS/Lucene style) as a ClickHouse condition: 0 or 1, never NULL (a search test
// on a `-` or a missing field is false, and NOT of it true, as in the local engine).
import { SearchNode } from '../query/ast';
import { rangeBounds } from '../translate/common';
import { QueryError } from '../query/errors';
import { FieldDef, lookupField } from '../schema';
import { parseAddress, parseCidr } from '../address';
import { protocolByName } from '../decode';
import { isNumericField } from '../query/values';
import { columnOf, quoteIdent } from './schema';
import { cidrContainsSql } from './functions';
import { num, str } from './sqlValues';
import { TableInfo, formatFields } from './tableInfo';

/** A decimal number as the search language takes it (issue 10: decimal digits only, no 0x16, no 1e3). */
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** A whole number of the engine's reader (intAt): an optional minus and up to 15 digits. */
const ENGINE_INT = '^-?[0-9]{1,15}$';

export { rangeBounds };

export class SearchTranslator {
  /** The fields of each format of the table's records. */
  private readonly formats: FieldDef[][];

  constructor(private readonly query: string, private readonly info: TableInfo) {
    this.formats = info.formats.map(formatFields);
  }

  private fail(message: string, offset: number): never {
    throw new QueryError(message, this.query, offset);
  }

  /** The column of a field, or undefined when the table has none (the field is never present). */
  private column(f: FieldDef): string | undefined {
    const c = columnOf(f).name;
    return this.info.columns.has(c) ? quoteIdent(c) : undefined;
  }

  translate(n: SearchNode): string {
    switch (n.kind) {
      case 'all':
        return '1';
      case 'and':
        return `(${n.items.map((i) => this.translate(i)).join(' AND ')})`;
      case 'or':
        return `(${n.items.map((i) => this.translate(i)).join(' OR ')})`;
      case 'not':
        // Not `NOT x`: 18.16 drops the parentheses of `(NOT x) * 2` when it sends a query on to the shards.
        return `(${this.translate(n.item)} = 0)`;
      case 'term':
        return this.term(n.value, n.offset);
      case 'field':
        return this.field(n);
    }
  }

  /** A bare term: some field of the record's format has exactly this value (ASCII case-insensitive). */
  private term(value: string, offset: number): string {
    if (value === '-') return this.dashInAnyField(offset);
    const lower = value.toLowerCase();
    const fields = new Set(this.formats.flat());
    const tests: string[] = [];
    for (const f of fields) {
      const c = this.column(f);
      if (!c) continue;
      if (isNumericField(f)) {
        // Numbers are stored as numbers: a term matches the canonical spelling (no leading zeros).
        if (/^-?(0|[1-9]\d{0,14})$/.test(value) && !(value.startsWith('-') && f.type !== 'count')) tests.push(`ifNull(${c} = ${num(Number(value))}, 0)`);
      } else if (f.type === 'enum') {
        if (f.values!.some((v) => v.toLowerCase() === lower)) tests.push(`ifNull(lower(${c}) = ${str(lower)}, 0)`);
      } else {
        tests.push(`ifNull(lower(${c}) = ${str(lower)}, 0)`);
      }
    }
    return tests.length === 0 ? '0' : `(${tests.join(' OR ')})`;
  }

  /**
   * A field is `-` in a record whose format has it. In the table a missing field is NULL too: exact when every
   * format of the table has the field (or none has), else refused.
   */
  private fieldIsDash(f: FieldDef, offset: number): string {
    const c = this.column(f);
    const having = this.formats.filter((fields) => fields.includes(f)).length;
    if (!c || having === 0) return '0';
    if (having < this.formats.length) {
      this.fail(`${f.name}:- cannot be told from a missing ${f.name} in ClickHouse: this table holds records of ${this.formats.length} formats and not all have ${f.name} (write NOT ${f.name}:* for both)`, offset);
    }
    return `isNull(${c})`;
  }

  private dashInAnyField(offset: number): string {
    const fields = new Set(this.formats.flat());
    const tests = [...fields].filter((f) => this.column(f)).map((f) => this.fieldIsDash(f, offset));
    return tests.length === 0 ? '0' : `(${tests.join(' OR ')})`;
  }

  private field(n: Extract<SearchNode, { kind: 'field' }>): string {
    const f = lookupField(n.field)!;
    const c = this.column(f);
    const test = n.test;
    const valueOffset = n.offset + n.field.length + 1;
    if (!c) return '0';
    switch (test.op) {
      case 'present':
        return `isNotNull(${c})`;
      case 'prefix': {
        const p = test.value.toLowerCase();
        return isNumericField(f) ? `ifNull(startsWith(toString(${c}), ${str(p)}), 0)` : `ifNull(startsWith(lower(${c}), ${str(p)}), 0)`;
      }
      case 'cmp':
        return this.compare(f, c, [[test.cmp, test.value]], valueOffset);
      case 'range': {
        const b = rangeBounds(n, this.query);
        const parts: [string, string][] = [];
        if (b.from !== '*') parts.push([b.fromInclusive ? '>=' : '>', b.from]);
        if (b.to !== '*') parts.push([b.toInclusive ? '<=' : '<', b.to]);
        if (parts.length === 0) return `isNotNull(${c})`; // [* TO *]: any value
        return this.compare(f, c, parts, valueOffset);
      }
      case 'eq':
        return this.equals(f, c, test.value, n.offset, valueOffset);
    }
  }

  /** `field:>v`, `field:[a TO b}`: numbers compare as numbers; text as text, or as numbers when all bounds are. */
  private compare(f: FieldDef, c: string, parts: [string, string][], offset: number): string {
    if (isNumericField(f)) {
      for (const [, v] of parts) if (!DECIMAL.test(v)) this.fail(`${f.name} is a number: ${v} is not (write decimal digits)`, offset);
      return `ifNull(${parts.map(([op, v]) => `${c} ${op} ${num(Number(v))}`).join(' AND ')}, 0)`;
    }
    if (parts.every(([, v]) => DECIMAL.test(v))) {
      // A text field compared with numbers: its values that are whole numbers, as numbers (the engine's intAt).
      return `ifNull(match(${c}, '${ENGINE_INT}') AND ${parts.map(([op, v]) => `toInt64OrZero(${c}) ${op} ${num(Number(v))}`).join(' AND ')}, 0)`;
    }
    return `ifNull(${parts.map(([op, v]) => `${c} ${op} ${str(v)}`).join(' AND ')}, 0)`;
  }

  private equals(f: FieldDef, c: string, value: string, offset: number, valueOffset: number): string {
    if (f.type === 'protocol') return `ifNull(${c} = ${protocolByName(value)!}, 0)`;
    if (isNumericField(f)) {
      if (DECIMAL.test(value)) return `ifNull(${c} = ${num(Number(value))}, 0)`;
      if (value !== '-' && value.trim() !== '' && Number.isFinite(Number(value))) this.fail(`${f.name} is a number: ${value} is not (write decimal digits)`, valueOffset);
    }
    if (f.type === 'address') {
      const cidr = parseCidr(value);
      if (cidr) {
        if (!value.includes('/') && parseAddress(value)?.family === 4) return `ifNull(${c} = ${str(value)}, 0)`;
        return cidrContainsSql(c, cidr);
      }
    }
    if (value === '-') return this.fieldIsDash(f, offset);
    // A number field holds digits only: no other text equals it.
    if (isNumericField(f)) return '0';
    return `ifNull(lower(${c}) = ${str(value.toLowerCase())}, 0)`;
  }

  /**
   * Conditions on the sorting key implied by the search (`start` ranges at its top level), to let ClickHouse
   * skip granules: `start >= a` implies `_start >= a` (`_start` is start, or 0 for NULL, where start >= a is false).
   */
  keyConditions(n: SearchNode): string[] {
    const items = n.kind === 'and' ? n.items : [n];
    const out: string[] = [];
    for (const i of items) {
      if (i.kind !== 'field' || lookupField(i.field)?.name !== 'start') continue;
      const t = i.test;
      if (t.op === 'cmp' && DECIMAL.test(t.value) && (t.cmp === '>' || t.cmp === '>=')) out.push(`\`_start\` ${t.cmp} ${num(Number(t.value))}`);
      else if (t.op === 'cmp' && DECIMAL.test(t.value)) out.push(`\`_start\` ${t.cmp} ${num(Number(t.value))}`);
      else if (t.op === 'range') {
        const b = rangeBounds(i, this.query);
        if (b.from !== '*' && DECIMAL.test(b.from)) out.push(`\`_start\` ${b.fromInclusive ? '>=' : '>'} ${num(Number(b.from))}`);
        if (b.to !== '*' && DECIMAL.test(b.to)) out.push(`\`_start\` ${b.toInclusive ? '<=' : '<'} ${num(Number(b.to))}`);
      }
    }
    return out;
  }
}
