// Record-level evaluation, compiled once per record format: the search's tests and the SQL expressions read a
// record's fields straight from the chunk's bytes (compared in place; numbers already parsed by the scanner) and
// make strings only for text values an expression needs.
import { lookupField } from '../schema';
import { RecordFormat } from '../scan';
import { cidrContainsAt, parseCidr } from '../address';
import { protocolByName } from '../decode';
import type { Expr, SearchNode } from './ast';
import { Evaluator } from './functions';
import { compileScalar } from './expr';
import { FieldKind, layoutOf } from '../records/fieldKinds';
import { bytesEqual, bytesEqualIgnoreCase, bytesStartIgnoreCase, latin1, lowerAsciiUtf8, textOf } from '../records/byteText';
import { Value } from './values';
import { isFileColumn } from './plan';

/** A record under evaluation (the RecordScanner is one): its bytes, field offsets and parsed numbers. */
export interface RecordView {
  buf: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  nums: Float64Array;
  /** The file the record comes from (the `file` column). */
  file: string;
}

export type RecordTest = (r: RecordView) => boolean;
export type RecordExpr = Evaluator<RecordView>;

const MINUS = 45;

function isDash(r: RecordView, k: number): boolean {
  return r.ends[k] - r.starts[k] === 1 && r.buf[r.starts[k]] === MINUS;
}

/** Compiles the record-level parts of a query for one record format. */
export class RecordCompiler {
  private readonly layout;

  constructor(readonly format: RecordFormat) {
    this.layout = layoutOf(format);
  }

  /** Position of a field in this format, or -1 when the format does not have it. */
  position(name: string): number {
    const f = lookupField(name);
    return f ? this.format.positionOf.get(f.name) ?? -1 : -1;
  }

  isNumeric(k: number): boolean {
    return k >= 0 && this.layout.numeric[k];
  }

  /** Whether position k is an address field (its IPv4 value is in nums, see RecordScanner). */
  isAddress(k: number): boolean {
    return k >= 0 && this.layout.kinds[k] === FieldKind.Address;
  }

  /** The value of the field at position k: a number for numeric fields, text otherwise, NULL for `-`. */
  field(k: number): RecordExpr {
    if (k < 0) return () => null;
    if (this.layout.numeric[k]) {
      return (r) => {
        const v = r.nums[k];
        return v !== v ? null : v;
      };
    }
    return (r) => {
      const s = r.starts[k];
      const e = r.ends[k];
      return e - s === 1 && r.buf[s] === MINUS ? null : textOf(r.buf, s, e);
    };
  }

  private allFields?: RecordExpr[];

  /** The values of every field of a record, as a raw search returns them. */
  values(r: RecordView): Value[] {
    const fields = (this.allFields ??= this.format.fields.map((_, k) => this.field(k)));
    const out: Value[] = new Array<Value>(fields.length);
    for (let k = 0; k < fields.length; k++) out[k] = fields[k](r);
    return out;
  }

  /** An SQL expression over a record. */
  expr(e: Expr): RecordExpr {
    if (e.kind === 'binary' && (e.op === '=' || e.op === '!=')) {
      const eq = this.textEquals(e.left, e.right, e.op) ?? this.textEquals(e.right, e.left, e.op);
      if (eq) return eq;
    }
    if (e.kind === 'isNull' && e.operand.kind === 'column') return this.fieldIsNull(e.operand.name, e.negated);
    return compileScalar<RecordView>(e, (c) => this.expr(c), (col) => (isFileColumn(col.name) ? (r) => r.file : this.field(this.position(col.name))));
  }

  /** A WHERE condition: true only when the expression is TRUE (not FALSE, not NULL). */
  condition(e: Expr): RecordTest {
    const x = this.expr(e);
    return (r) => {
      const v = x(r);
      return v !== null && v !== 0 && v !== '';
    };
  }

  /** `field IS [NOT] NULL` as 1/0, from the bytes or the parsed number, without making the field's text. */
  private fieldIsNull(name: string, negated: boolean): RecordExpr {
    if (isFileColumn(name)) return () => (negated ? 1 : 0);
    const k = this.position(name);
    const yes = negated ? 0 : 1;
    if (k < 0) return () => yes;
    if (this.layout.numeric[k]) {
      return (r) => {
        const v = r.nums[k];
        return v !== v ? yes : 1 - yes;
      };
    }
    return (r) => (isDash(r, k) ? yes : 1 - yes);
  }

  /** `text field = 'literal'` (or !=): bytes compared in place, no string made. */
  private textEquals(column: Expr, literal: Expr, op: '=' | '!='): RecordExpr | undefined {
    if (column.kind !== 'column' || literal.kind !== 'string') return undefined;
    const k = this.position(column.name);
    if (k < 0 || this.layout.numeric[k] || /[^\x00-\x7f]/.test(literal.value)) return undefined;
    const lit = literal.value;
    const eq = op === '=' ? 1 : 0;
    return (r) => {
      const s = r.starts[k];
      const e = r.ends[k];
      if (e - s === 1 && r.buf[s] === MINUS) return null;
      return bytesEqual(r.buf, s, e, lit) ? eq : 1 - eq;
    };
  }

  /** The search as one test; undefined when it takes every record. */
  search(n: SearchNode): RecordTest | undefined {
    return n.kind === 'all' ? undefined : this.searchNode(n);
  }

  private searchNode(n: SearchNode): RecordTest {
    switch (n.kind) {
      case 'all':
        return () => true;
      case 'and': {
        const items = n.items.map((i) => this.searchNode(i));
        if (items.length === 2) {
          const [a, b] = items;
          return (r) => a(r) && b(r);
        }
        return (r) => {
          for (const i of items) if (!i(r)) return false;
          return true;
        };
      }
      case 'or': {
        const items = n.items.map((i) => this.searchNode(i));
        return (r) => {
          for (const i of items) if (i(r)) return true;
          return false;
        };
      }
      case 'not': {
        const inner = this.searchNode(n.item);
        return (r) => !inner(r);
      }
      case 'term':
        return this.term(n.value);
      case 'field':
        return this.fieldTest(n);
    }
  }

  /** A bare term: a field whose whole value is the term, ASCII case-insensitive (CLS full-text search). */
  private term(value: string): RecordTest {
    const lower = lowerAsciiUtf8(value);
    const n = this.format.fields.length;
    return (r) => {
      for (let k = 0; k < n; k++) if (bytesEqualIgnoreCase(r.buf, r.starts[k], r.ends[k], lower)) return true;
      return false;
    };
  }

  private fieldTest(n: Extract<SearchNode, { kind: 'field' }>): RecordTest {
    if (isFileColumn(n.field)) return fileTest(n.test);
    const k = this.position(n.field);
    if (k < 0) return () => false; // the field is not in this format
    const test = n.test;
    if (test.op === 'present') return (r) => !isDash(r, k);
    const numeric = this.layout.numeric[k];
    if (test.op === 'cmp' || test.op === 'range') return numeric ? this.numericRange(k, test) : this.textRange(k, test);
    if (test.op === 'prefix') {
      const p = lowerAsciiUtf8(test.value);
      return (r) => bytesStartIgnoreCase(r.buf, r.starts[k], r.ends[k], p);
    }
    const value = test.value;
    if (value === '-') return (r) => isDash(r, k);
    if (this.format.fields[k]?.type === 'protocol') {
      const p = protocolByName(value)!;
      return (r) => r.nums[k] === p;
    }
    if (numeric) {
      const v = Number(value);
      return (r) => r.nums[k] === v;
    }
    if (this.layout.kinds[k] === FieldKind.Address) {
      const cidr = parseCidr(value);
      if (cidr) {
        if (cidr.family === 4) {
          const { v4Mask: mask, v4Network: network } = cidr;
          return (r) => {
            const a = r.nums[k];
            return a >= 0 && ((a & mask) >>> 0) === network;
          };
        }
        // IPv6: any text form of the same address or block (2001:DB8::1 is 2001:db8:0::1).
        return (r) => {
          const s = r.starts[k];
          const e = r.ends[k];
          if (e - s < 2) return false;
          const t = latin1(r.buf, s, e);
          return cidrContainsAt(cidr, t, 0, t.length);
        };
      }
    }
    // Text and enum values: whole value, ASCII case-insensitive.
    const lower = lowerAsciiUtf8(value);
    return (r) => bytesEqualIgnoreCase(r.buf, r.starts[k], r.ends[k], lower);
  }

  private numericRange(k: number, test: Extract<SearchNode, { kind: 'field' }>['test'] & { op: 'cmp' | 'range' }): RecordTest {
    if (test.op === 'cmp') {
      const v = Number(test.value);
      switch (test.cmp) {
        case '>': return (r) => r.nums[k] > v;
        case '>=': return (r) => r.nums[k] >= v;
        case '<': return (r) => r.nums[k] < v;
        default: return (r) => r.nums[k] <= v;
      }
    }
    // NaN (`-`) fails every comparison.
    const lo = test.from === '*' ? -Infinity : Number(test.from);
    const hi = test.to === '*' ? Infinity : Number(test.to);
    const loIn = test.fromInclusive || test.from === '*';
    const hiIn = test.toInclusive || test.to === '*';
    if (loIn && hiIn) return (r) => r.nums[k] >= lo && r.nums[k] <= hi;
    return (r) => {
      const x = r.nums[k];
      return (loIn ? x >= lo : x > lo) && (hiIn ? x <= hi : x < hi);
    };
  }

  /** Ranges and comparisons on text fields compare the text (code unit order); `-` never matches. */
  private textRange(k: number, test: Extract<SearchNode, { kind: 'field' }>['test'] & { op: 'cmp' | 'range' }): RecordTest {
    const value = this.field(k);
    const text = (r: RecordView) => value(r) as string | null;
    if (test.op === 'cmp') {
      const v = test.value;
      const cmp = test.cmp;
      return (r) => {
        const s = text(r);
        if (s === null) return false;
        return cmp === '>' ? s > v : cmp === '>=' ? s >= v : cmp === '<' ? s < v : s <= v;
      };
    }
    const { from, to, fromInclusive, toInclusive } = test;
    return (r) => {
      const s = text(r);
      if (s === null) return false;
      const aboveLow = from === '*' || (fromInclusive ? s >= from : s > from);
      const belowHigh = to === '*' || (toInclusive ? s <= to : s < to);
      return aboveLow && belowHigh;
    };
  }
}


/** A search test on the `file` column: the whole path or a prefix, ASCII case-insensitive; ranges as text. */
function fileTest(test: Extract<SearchNode, { kind: 'field' }>['test']): RecordTest {
  const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  switch (test.op) {
    case 'present':
      return () => true;
    case 'prefix': {
      const p = lower(test.value);
      return (r) => lower(r.file).startsWith(p);
    }
    case 'eq': {
      const v = lower(test.value);
      return (r) => lower(r.file) === v;
    }
    case 'cmp': {
      const { cmp, value } = test;
      return (r) => (cmp === '>' ? r.file > value : cmp === '>=' ? r.file >= value : cmp === '<' ? r.file < value : r.file <= value);
    }
    case 'range': {
      const { from, to, fromInclusive, toInclusive } = test;
      return (r) => (from === '*' || (fromInclusive ? r.file >= from : r.file > from)) && (to === '*' || (toInclusive ? r.file <= to : r.file < to));
    }
  }
}
