// The search part of a query over conversations (`verdict:response-rejected AND server_addr:10.0.0.0/8`): CLS/Lucene
// conditions on the columns of conversationView.ts, as a search on records tests fields.
import { cidrContains, parseAddress, parseCidr } from '../address';
import { protocolByName } from '../decode';
import type { FieldTest, SearchNode } from '../query/ast';
import { Value, compareValues } from '../query/values';
import { ADDRESS_COLUMNS, COLUMN_NAMES, ConversationView, NUMERIC_COLUMNS } from './conversationView';

type Test = (r: ConversationView) => boolean;
/** The column index of a name (failing with the closest name when there is none). */
type ColumnOf = (name: string, offset: number) => number;
type Fail = (message: string, offset: number) => never;

/** A search as a test on a conversation's row. */
export function compileConversationSearch(n: SearchNode, column: ColumnOf, fail: Fail): Test {
  switch (n.kind) {
    case 'all': return () => true;
    case 'and': {
      const items = n.items.map((i) => compileConversationSearch(i, column, fail));
      return (r) => items.every((t) => t(r));
    }
    case 'or': {
      const items = n.items.map((i) => compileConversationSearch(i, column, fail));
      return (r) => items.some((t) => t(r));
    }
    case 'not': {
      const item = compileConversationSearch(n.item, column, fail);
      return (r) => !item(r);
    }
    case 'term': {
      // A bare term: a column whose whole value is the term, ASCII case-insensitive (as a search on records).
      const lower = n.value.toLowerCase();
      return (r) => {
        for (let k = 0; k < COLUMN_NAMES.length; k++) {
          if (COLUMN_NAMES[k] === 'reading' || COLUMN_NAMES[k] === 'certainty') continue;
          const v = r.get(k);
          if (v !== null && String(v).toLowerCase() === lower) return true;
        }
        return false;
      };
    }
    case 'field': {
      const k = column(n.field, n.offset);
      return fieldTest(k, n.test, n.offset, fail);
    }
  }
}

function fieldTest(k: number, test: FieldTest, offset: number, fail: Fail): Test {
  const name = COLUMN_NAMES[k];
  const numeric = NUMERIC_COLUMNS.has(name);
  const number = (text: string): number => {
    if (name === 'protocol') {
      const p = /^\d+$/.test(text) ? Number(text) : protocolByName(text);
      if (p !== undefined) return p;
    }
    if (!/^-?\d+(\.\d+)?$/.test(text)) fail(`${name} is a number: ${text} is not one`, offset);
    return Number(text);
  };
  switch (test.op) {
    case 'present':
      return (r) => r.get(k) !== null;
    case 'eq': {
      if (numeric) {
        const want = number(test.value);
        return (r) => r.get(k) === want;
      }
      if (ADDRESS_COLUMNS.has(name)) {
        const cidr = parseCidr(test.value);
        if (!cidr) fail(`${name} is an address: ${test.value} is not an address or CIDR block`, offset);
        return (r) => {
          const v = r.get(k);
          const a = typeof v === 'string' ? parseAddress(v) : undefined;
          return a !== undefined && cidrContains(cidr, a);
        };
      }
      const lower = test.value.toLowerCase();
      return (r) => {
        const v = r.get(k);
        return v !== null && String(v).toLowerCase() === lower;
      };
    }
    case 'prefix': {
      const lower = test.value.toLowerCase();
      return (r) => {
        const v = r.get(k);
        return v !== null && String(v).toLowerCase().startsWith(lower);
      };
    }
    case 'cmp': {
      const bound: Value = numeric ? number(test.value) : test.value;
      const ok = { '>': (c: number) => c > 0, '>=': (c: number) => c >= 0, '<': (c: number) => c < 0, '<=': (c: number) => c <= 0 }[test.cmp];
      return (r) => {
        const v = r.get(k);
        return v !== null && ok(compareValues(v, bound));
      };
    }
    case 'range': {
      const from: Value = test.from === '*' ? null : numeric ? number(test.from) : test.from;
      const to: Value = test.to === '*' ? null : numeric ? number(test.to) : test.to;
      return (r) => {
        const v = r.get(k);
        if (v === null) return false;
        if (from !== null) {
          const c = compareValues(v, from);
          if (c < 0 || (c === 0 && !test.fromInclusive)) return false;
        }
        if (to !== null) {
          const c = compareValues(v, to);
          if (c > 0 || (c === 0 && !test.toInclusive)) return false;
        }
        return true;
      };
    }
  }
}
