// The query language, one grammar in one module: `[search] [| SQL]`.
// Search is CLS/Lucene style (terms, field:value, ranges, AND/OR/NOT); SQL is CLS style (no FROM needed).
import { Expr, OrderItem, Query, SearchNode, SelectItem, SqlQuery, FieldTest, BinaryOp } from './ast';
import { QueryError } from './errors';
import { isIPv6At } from '../address';

/**
 * Nesting deeper than this (parentheses, NOT, chains of operators) is refused with a positioned error: every later
 * step walks the tree recursively, and no real query comes near it.
 */
export const MAX_NESTING = 200;

/** Parses a whole query. Throws QueryError with the position of the first problem. */
export function parseQuery(query: string): Query {
  const bar = topLevelBar(query);
  const searchText = bar < 0 ? query : query.slice(0, bar);
  const search = new SearchParser(query, searchText).parse();
  if (bar < 0) return { search };
  const sql = new SqlParser(query, bar + 1).parse();
  return { search, sql };
}

/** The first `|` outside quotes, or -1. */
function topLevelBar(q: string): number {
  let quote = 0;
  for (let i = 0; i < q.length; i++) {
    const c = q.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
      else if (c === 92) i++;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 124) return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------------
// Search

interface SearchToken {
  kind: 'word' | 'quoted' | '(' | ')' | 'eof';
  text: string;
  offset: number;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

class SearchParser {
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

// ---------------------------------------------------------------------------------------------------------------
// SQL

type SqlTokenKind = 'ident' | 'qident' | 'number' | 'string' | 'op' | 'eof';

interface SqlToken {
  kind: SqlTokenKind;
  text: string;
  /** Upper-cased text, for keywords. */
  upper: string;
  offset: number;
  /** Offset just past the token in the query (a string's closing quote included). */
  end: number;
}

const KEYWORDS = new Set([
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'ASC', 'DESC', 'LIMIT', 'AND', 'OR', 'NOT', 'IN', 'IS',
  'NULL', 'LIKE', 'BETWEEN', 'AS', 'DISTINCT', 'INTERVAL', 'TRUE', 'FALSE',
]);

const UNIT_SECONDS: Record<string, number> = {
  SECOND: 1, SECONDS: 1, MINUTE: 60, MINUTES: 60, HOUR: 3600, HOURS: 3600, DAY: 86400, DAYS: 86400,
};

class SqlParser {
  private tokens: SqlToken[];
  private pos = 0;
  private depth = 0;

  constructor(private readonly query: string, start: number) {
    this.tokens = this.lex(start);
  }

  private fail(message: string, offset: number, expected?: string[]): never {
    throw new QueryError(message, this.query, offset, expected);
  }

  private lex(start: number): SqlToken[] {
    const q = this.query;
    const out: SqlToken[] = [];
    let i = start;
    const push = (kind: SqlTokenKind, text: string, offset: number) => out.push({ kind, text, upper: text.toUpperCase(), offset, end: offset });
    while (i < q.length) {
      const c = q[i];
      if (/\s/.test(c)) {
        i++;
        continue;
      }
      const at = i;
      if (/[A-Za-z_]/.test(c)) {
        while (i < q.length && /[A-Za-z0-9_]/.test(q[i])) i++;
        push('ident', q.slice(at, i), at);
      } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(q[i + 1] ?? ''))) {
        while (i < q.length && /[0-9.]/.test(q[i])) i++;
        if (/[eE]/.test(q[i] ?? '') && /[-+0-9]/.test(q[i + 1] ?? '')) {
          i += 2;
          while (i < q.length && /[0-9]/.test(q[i])) i++;
        }
        const text = q.slice(at, i);
        if (!Number.isFinite(Number(text))) this.fail(`${text} is not a number`, at);
        push('number', text, at);
      } else if (c === "'") {
        let value = '';
        i++;
        for (;;) {
          if (i >= q.length) this.fail('unclosed string', at, ["'"]);
          if (q[i] === "'") {
            if (q[i + 1] === "'") {
              value += "'";
              i += 2;
              continue;
            }
            i++;
            break;
          }
          value += q[i++];
        }
        out.push({ kind: 'string', text: value, upper: value, offset: at, end: i });
      } else if (c === '"') {
        const end = q.indexOf('"', i + 1);
        if (end < 0) this.fail('unclosed quoted name', at, ['"']);
        out.push({ kind: 'qident', text: q.slice(i + 1, end), upper: q.slice(i + 1, end), offset: at, end: end + 1 });
        i = end + 1;
      } else {
        const two = q.slice(i, i + 2);
        if (['<=', '>=', '!=', '<>', '||'].includes(two)) {
          push('op', two === '<>' ? '!=' : two, at);
          i += 2;
        } else if ('=<>+-*/%(),.'.includes(c)) {
          push('op', c, at);
          i++;
        } else if (c === '|') {
          this.fail('only one | is allowed: search | SQL', at);
        } else {
          this.fail(`unexpected character ${c}`, at);
        }
      }
      out[out.length - 1].end = i;
    }
    out.push({ kind: 'eof', text: '', upper: '', offset: q.length, end: q.length });
    return out;
  }

  private peek(k = 0): SqlToken {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
  }

  private next(): SqlToken {
    return this.tokens[this.pos++];
  }

  private isKw(kw: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && t.upper === kw;
  }

  private acceptKw(kw: string): boolean {
    if (this.isKw(kw)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expectKw(kw: string): void {
    if (!this.acceptKw(kw)) this.unexpected([kw]);
  }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === op;
  }

  private acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expectOp(op: string): void {
    if (!this.acceptOp(op)) this.unexpected([op]);
  }

  private unexpected(expected: string[]): never {
    const t = this.peek();
    const what = t.kind === 'eof' ? 'the end of the query' : t.kind === 'string' ? `'${t.text}'` : t.text;
    this.fail(`unexpected ${what}: expected ${expected.join(' or ')}`, t.offset, expected);
  }

  parse(): SqlQuery {
    this.expectKw('SELECT');
    const select = this.parseSelectList();
    let from: SqlQuery['from'];
    if (this.acceptKw('FROM')) {
      // CLS needs no FROM; `FROM log` (any single name) is the records, `FROM conversations` the diagnosis's rows.
      const t = this.next();
      if (t.kind !== 'ident' && t.kind !== 'qident') this.fail('expected a table name after FROM', t.offset, ['log', 'conversations']);
      from = { name: t.text, offset: t.offset };
    }
    const sql: SqlQuery = { select, groupBy: [], orderBy: [], ...(from ? { from } : {}) };
    if (this.acceptKw('WHERE')) sql.where = this.parseExpr();
    if (this.acceptKw('GROUP')) {
      this.expectKw('BY');
      do sql.groupBy.push(this.parseExpr());
      while (this.acceptOp(','));
    }
    if (this.acceptKw('HAVING')) sql.having = this.parseExpr();
    if (this.acceptKw('ORDER')) {
      this.expectKw('BY');
      do {
        const expr = this.parseExpr();
        let descending = false;
        if (this.acceptKw('DESC')) descending = true;
        else this.acceptKw('ASC');
        sql.orderBy.push({ expr, descending } satisfies OrderItem);
      } while (this.acceptOp(','));
    }
    if (this.acceptKw('LIMIT')) {
      const t = this.next();
      if (t.kind !== 'number' || !/^\d+$/.test(t.text)) this.fail('LIMIT takes a whole number', t.offset, ['a number']);
      sql.limit = Number(t.text);
    }
    if (this.peek().kind !== 'eof') {
      this.unexpected(['WHERE', 'GROUP BY', 'HAVING', 'ORDER BY', 'LIMIT', 'end of query'].filter((k) => k !== undefined));
    }
    return sql;
  }

  private parseSelectList(): SelectItem[] {
    const items: SelectItem[] = [];
    do {
      const start = this.peek().offset;
      const expr = this.isOp('*') ? { kind: 'star' as const, offset: this.next().offset } : this.parseExpr();
      const text = this.query.slice(start, this.tokens[this.pos - 1].end).trim();
      let alias: string | undefined;
      if (this.acceptKw('AS')) {
        const t = this.next();
        if (t.kind !== 'ident' && t.kind !== 'qident' && t.kind !== 'string') this.fail('expected a name after AS', t.offset, ['a name']);
        alias = t.text;
      } else if (this.peek().kind === 'qident' || (this.peek().kind === 'ident' && !KEYWORDS.has(this.peek().upper))) {
        alias = this.next().text;
      }
      items.push({ expr, alias, text });
    } while (this.acceptOp(','));
    return items;
  }

  parseExpr(): Expr {
    const at = this.peek().offset;
    if (++this.depth > MAX_NESTING) this.fail(`query too deeply nested (more than ${MAX_NESTING} levels)`, at);
    try {
      const e = this.parseOr();
      // Chains such as 1+1+1+… nest without recursion here, but every later step recurses on the tree.
      if (this.depth === 1) checkDepth(e, 1, (offset) => this.fail(`query too deeply nested (more than ${MAX_NESTING} levels)`, offset));
      return e;
    } finally {
      this.depth--;
    }
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isKw('OR')) {
      const offset = this.next().offset;
      left = { kind: 'binary', op: 'or', left, right: this.parseAnd(), offset };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isKw('AND')) {
      const offset = this.next().offset;
      left = { kind: 'binary', op: 'and', left, right: this.parseNot(), offset };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isKw('NOT')) {
      const offset = this.next().offset;
      return { kind: 'unary', op: 'not', operand: this.parseNot(), offset };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parseAdditive();
    const t = this.peek();
    if (t.kind === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.pos++;
      return { kind: 'binary', op: t.text as BinaryOp, left, right: this.parseAdditive(), offset: t.offset };
    }
    if (this.isKw('IS')) {
      this.pos++;
      const negated = this.acceptKw('NOT');
      this.expectKw('NULL');
      return { kind: 'isNull', operand: left, negated, offset: t.offset };
    }
    const negated = this.isKw('NOT') && (this.isKw('IN', 1) || this.isKw('LIKE', 1) || this.isKw('BETWEEN', 1));
    if (negated) this.pos++;
    if (this.acceptKw('IN')) {
      this.expectOp('(');
      const list: Expr[] = [];
      do list.push(this.parseAdditive());
      while (this.acceptOp(','));
      this.expectOp(')');
      return { kind: 'in', operand: left, list, negated, offset: t.offset };
    }
    if (this.acceptKw('LIKE')) return { kind: 'like', operand: left, pattern: this.parseAdditive(), negated, offset: t.offset };
    if (this.acceptKw('BETWEEN')) {
      const low = this.parseAdditive();
      this.expectKw('AND');
      return { kind: 'between', operand: left, low, high: this.parseAdditive(), negated, offset: t.offset };
    }
    return left;
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && (t.text === '+' || t.text === '-')) {
        this.pos++;
        left = { kind: 'binary', op: t.text, left, right: this.parseMultiplicative(), offset: t.offset };
      } else return left;
    }
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && (t.text === '*' || t.text === '/' || t.text === '%')) {
        this.pos++;
        left = { kind: 'binary', op: t.text, left, right: this.parseUnary(), offset: t.offset };
      } else return left;
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && t.text === '-') {
      this.pos++;
      return { kind: 'unary', op: '-', operand: this.parseUnary(), offset: t.offset };
    }
    if (t.kind === 'op' && t.text === '+') {
      this.pos++;
      return this.parseUnary();
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.pos++;
        return { kind: 'number', value: Number(t.text), offset: t.offset };
      case 'string':
        this.pos++;
        return { kind: 'string', value: t.text, offset: t.offset };
      case 'qident':
        this.pos++;
        return { kind: 'column', name: t.text, offset: t.offset };
      case 'op':
        if (t.text === '(') {
          this.pos++;
          const inner = this.parseExpr();
          this.expectOp(')');
          return inner;
        }
        break;
      case 'ident': {
        if (t.upper === 'NULL') {
          this.pos++;
          return { kind: 'null', offset: t.offset };
        }
        if (t.upper === 'TRUE' || t.upper === 'FALSE') {
          this.pos++;
          return { kind: 'number', value: t.upper === 'TRUE' ? 1 : 0, offset: t.offset };
        }
        if (t.upper === 'INTERVAL') return this.parseInterval();
        if (KEYWORDS.has(t.upper)) break;
        this.pos++;
        if (this.acceptOp('(')) return this.parseCall(t);
        return { kind: 'column', name: t.text, offset: t.offset };
      }
      default:
        break;
    }
    this.unexpected(['an expression']);
  }

  private parseInterval(): Expr {
    const offset = this.next().offset;
    let t = this.next();
    let amount: number;
    if (t.kind === 'number') amount = Number(t.text);
    else if (t.kind === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(t.text)) amount = Number(t.text);
    else if (t.kind === 'string' && /^\s*\d+(\.\d+)?\s*[A-Za-z]+\s*$/.test(t.text)) {
      const [, n, unit] = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/.exec(t.text)!;
      const secs = UNIT_SECONDS[unit.toUpperCase()];
      if (!secs) this.fail(`unknown interval unit ${unit}`, t.offset, Object.keys(UNIT_SECONDS));
      if (!(Number(n) > 0)) this.fail('an interval must be positive', offset);
      return { kind: 'interval', seconds: Number(n) * secs, offset };
    } else this.fail('expected a number after INTERVAL', t.offset, ['a number']);
    t = this.next();
    const secs = t.kind === 'ident' ? UNIT_SECONDS[t.upper] : undefined;
    if (!secs) this.fail('expected an interval unit: second, minute, hour or day', t.offset, ['second', 'minute', 'hour', 'day']);
    if (!(amount > 0)) this.fail('an interval must be positive', offset);
    return { kind: 'interval', seconds: amount * secs, offset };
  }

  private parseCall(name: SqlToken): Expr {
    const args: Expr[] = [];
    let distinct = false;
    if (this.acceptOp(')')) return { kind: 'call', name: name.text.toLowerCase(), args, distinct, offset: name.offset };
    if (this.acceptKw('DISTINCT')) distinct = true;
    do {
      if (this.isOp('*')) args.push({ kind: 'star', offset: this.next().offset });
      else args.push(this.parseExpr());
    } while (this.acceptOp(','));
    this.expectOp(')');
    return { kind: 'call', name: name.text.toLowerCase(), args, distinct, offset: name.offset };
  }
}

/**
 * Fails when the tree under `e` is deeper than MAX_NESTING counting `depth` levels above it (an explicit stack, so a
 * deep tree cannot overflow this check itself).
 */
function checkDepth(e: Expr, depth: number, fail: (offset: number) => never): void {
  const stack: [Expr, number][] = [[e, depth]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (d > MAX_NESTING) fail(x.offset);
    const push = (c: Expr) => stack.push([c, d + 1]);
    switch (x.kind) {
      case 'unary': push(x.operand); break;
      case 'binary': push(x.left); push(x.right); break;
      case 'call': x.args.forEach(push); break;
      case 'in': push(x.operand); x.list.forEach(push); break;
      case 'between': push(x.operand); push(x.low); push(x.high); break;
      case 'like': push(x.operand); push(x.pattern); break;
      case 'isNull': push(x.operand); break;
      default: break;
    }
  }
}
