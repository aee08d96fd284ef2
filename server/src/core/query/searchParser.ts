// The search part of a query, CLS/Lucene style: terms, field:value, field:[a TO b], comparisons, CIDRs, quoted
// phrases, AND/OR/NOT and parentheses, each node with its offset in the query.
import { FieldTest, SearchNode } from './ast';
import { MAX_NESTING, QueryError } from './errors';
import { isIPv6At } from '../address';

interface SearchToken {
  kind: 'word' | 'quoted' | '(' | ')' | 'eof';
  text: string;
  offset: number;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

export class SearchParser {
  private tokens: SearchToken[] = [];
  private pos = 0;
  private depth = 0;

  constructor(private readonly query: string, private readonly text: string) {
    this.tokens = this.lex();
  }

  private fail(message: string, offset: number, expected?: string[]): never {
    throw new QueryError(message, this.query, offset, expected);
  }

  private lex(): SearchToken[] {
    const t = this.text;
    const out: SearchToken[] = [];
    let i = 0;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c === 40 || c === 41) {
        out.push({ kind: c === 40 ? '(' : ')', text: t[i], offset: i });
        i++;
        continue;
      }
      if (c === 34 || c === 39) {
        const { value, end } = this.readQuoted(i);
        out.push({ kind: 'quoted', text: value, offset: i });
        i = end;
        continue;
      }
      // A word runs to a space or parenthesis; `field:[A TO B]` and `field:"x y"` keep their spaces.
      const start = i;
      while (i < t.length && !isSpace(t.charCodeAt(i)) && t.charCodeAt(i) !== 40 && t.charCodeAt(i) !== 41) {
        const ch = t.charCodeAt(i);
        if (ch === 58 && (t.charCodeAt(i + 1) === 91 || t.charCodeAt(i + 1) === 123)) {
          // Either bracket closes either: [a TO b], {a TO b}, [a TO b} and {a TO b] are all ranges.
          let end = i + 2;
          while (end < t.length && t.charCodeAt(end) !== 93 && t.charCodeAt(end) !== 125) end++;
          if (end >= t.length) this.fail('unclosed range: expected ] or }', i + 1, [']', '}']);
          i = end + 1;
          break;
        }
        if (ch === 58 && (t.charCodeAt(i + 1) === 34 || t.charCodeAt(i + 1) === 39)) {
          const { end } = this.readQuoted(i + 1);
          i = end;
          break;
        }
        i++;
      }
      out.push({ kind: 'word', text: t.slice(start, i), offset: start });
    }
    out.push({ kind: 'eof', text: '', offset: t.length });
    return out;
  }

  private readQuoted(at: number): { value: string; end: number } {
    const t = this.text;
    const q = t.charCodeAt(at);
    let value = '';
    let i = at + 1;
    while (i < t.length && t.charCodeAt(i) !== q) {
      if (t.charCodeAt(i) === 92 && i + 1 < t.length) i++;
      value += t[i];
      i++;
    }
    if (i >= t.length) this.fail('unclosed quote', at, [String.fromCharCode(q)]);
    return { value, end: i + 1 };
  }

  private peek(): SearchToken {
    return this.tokens[this.pos];
  }

  private isKeyword(tok: SearchToken, kw: string): boolean {
    return tok.kind === 'word' && tok.text.toUpperCase() === kw;
  }

  parse(): SearchNode {
    if (this.peek().kind === 'eof') return { kind: 'all' };
    const node = this.parseOr();
    const tok = this.peek();
    if (tok.kind !== 'eof') this.fail(tok.kind === ')' ? 'unexpected )' : `unexpected ${tok.text}`, tok.offset, ['AND', 'OR', '|', 'end of query']);
    return node;
  }

  private parseOr(): SearchNode {
    const items = [this.parseAnd()];
    while (this.isKeyword(this.peek(), 'OR')) {
      this.pos++;
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private parseAnd(): SearchNode {
    const items = [this.parseUnary()];
    for (;;) {
      const tok = this.peek();
      if (this.isKeyword(tok, 'AND')) {
        this.pos++;
        items.push(this.parseUnary());
      } else if (tok.kind === 'eof' || tok.kind === ')' || this.isKeyword(tok, 'OR')) {
        break;
      } else {
        items.push(this.parseUnary()); // several terms: AND
      }
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private parseUnary(): SearchNode {
    const tok = this.peek();
    if (this.isKeyword(tok, 'NOT') || tok.kind === '(') {
      if (++this.depth > MAX_NESTING) this.fail(`query too deeply nested (more than ${MAX_NESTING} levels)`, tok.offset);
      try {
        if (tok.kind !== '(') {
          this.pos++;
          return { kind: 'not', item: this.parseUnary() };
        }
        this.pos++;
        if (this.peek().kind === ')') this.fail('empty parentheses', this.peek().offset, ['a search term']);
        const inner = this.parseOr();
        const close = this.peek();
        if (close.kind !== ')') this.fail('expected )', close.offset, [')']);
        this.pos++;
        return inner;
      } finally {
        this.depth--;
      }
    }
    if (tok.kind === 'eof' || tok.kind === ')' || this.isKeyword(tok, 'AND') || this.isKeyword(tok, 'OR')) {
      this.fail(tok.kind === 'eof' ? 'the search ends too early: expected a term' : `unexpected ${tok.text}: expected a term`, tok.offset, ['a search term', '(', 'NOT']);
    }
    this.pos++;
    if (tok.kind === 'quoted') return { kind: 'term', value: tok.text, offset: tok.offset };
    return this.parseWord(tok);
  }

  private parseWord(tok: SearchToken): SearchNode {
    const w = tok.text;
    if (w === '*') return { kind: 'all' };
    const colon = w.indexOf(':');
    // A bare IPv6 address is a term, not field:value.
    if (colon <= 0 || isIPv6At(w, 0, w.length) || isIPv6Cidr(w)) return { kind: 'term', value: w, offset: tok.offset };
    const field = w.slice(0, colon);
    let value = w.slice(colon + 1);
    const valueOffset = tok.offset + colon + 1;
    if (value === '') this.fail(`expected a value after ${field}:`, valueOffset, ['a value', '*', '>N', '[A TO B]']);
    let test: FieldTest;
    if (value === '*') test = { op: 'present' };
    else if (value.startsWith('[') || value.startsWith('{')) {
      const m = /^([[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$/i.exec(value);
      if (!m) this.fail('a range is written [A TO B] (inclusive) or {A TO B} (exclusive)', valueOffset, ['[A TO B]', '{A TO B}']);
      test = { op: 'range', from: m[2], to: m[3], fromInclusive: m[1] === '[', toInclusive: m[4] === ']' };
    } else if (value.startsWith('>=') || value.startsWith('<=')) {
      test = { op: 'cmp', cmp: value.slice(0, 2) as '>=' | '<=', value: value.slice(2) };
    } else if (value.startsWith('>') || value.startsWith('<')) {
      test = { op: 'cmp', cmp: value[0] as '>' | '<', value: value.slice(1) };
    } else {
      if (value.startsWith('"') || value.startsWith("'")) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
      else if (value.endsWith('*')) test = { op: 'prefix', value: value.slice(0, -1) };
      test ??= { op: 'eq', value };
    }
    if (test.op === 'cmp' && test.value === '') this.fail(`expected a number after ${test.cmp}`, valueOffset + test.cmp.length, ['a number']);
    return { kind: 'field', field, offset: tok.offset, test };
  }
}

function isIPv6Cidr(w: string): boolean {
  const slash = w.lastIndexOf('/');
  return slash > 0 && isIPv6At(w, 0, slash);
}
