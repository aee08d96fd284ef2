// The SQL part of a query, CLS style (SELECT … [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT], no FROM needed):
// a recursive-descent parser over sqlLexer's tokens, with positioned errors and a bound on nesting.
import { BinaryOp, Expr, OrderItem, SelectItem, SqlQuery } from './ast';
import { MAX_NESTING, QueryError } from './errors';
import { SqlToken, lexSql } from './sqlLexer';

const KEYWORDS = new Set([
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'ASC', 'DESC', 'LIMIT', 'AND', 'OR', 'NOT', 'IN', 'IS',
  'NULL', 'LIKE', 'BETWEEN', 'AS', 'DISTINCT', 'INTERVAL', 'TRUE', 'FALSE',
]);

const UNIT_SECONDS: Record<string, number> = {
  SECOND: 1, SECONDS: 1, MINUTE: 60, MINUTES: 60, HOUR: 3600, HOURS: 3600, DAY: 86400, DAYS: 86400,
};

export class SqlParser {
  private tokens: SqlToken[];
  private pos = 0;
  private depth = 0;

  constructor(private readonly query: string, start: number) {
    this.tokens = lexSql(query, start);
  }

  private fail(message: string, offset: number, expected?: string[]): never {
    throw new QueryError(message, this.query, offset, expected);
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
