// The syntax tree of a query: `[search] [| SQL]`.

/** Search conditions (CLS/Lucene style). Offsets point into the query text, for errors. */
export type SearchNode =
  | { kind: 'all' }
  | { kind: 'and'; items: SearchNode[] }
  | { kind: 'or'; items: SearchNode[] }
  | { kind: 'not'; item: SearchNode }
  /** A bare term: matches a whole field value of any field. */
  | { kind: 'term'; value: string; offset: number }
  | { kind: 'field'; field: string; offset: number; test: FieldTest };

export type FieldTest =
  | { op: 'eq'; value: string }
  | { op: 'prefix'; value: string }
  | { op: 'present' }
  | { op: 'cmp'; cmp: '>' | '>=' | '<' | '<='; value: string }
  /** `[a TO b]` inclusive, `{a TO b}` exclusive (Lucene, CLS), or mixed: each end says. */
  | { op: 'range'; from: string; to: string; fromInclusive: boolean; toInclusive: boolean };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

export type Expr =
  | { kind: 'number'; value: number; offset: number }
  | { kind: 'string'; value: string; offset: number }
  | { kind: 'null'; offset: number }
  | { kind: 'column'; name: string; offset: number }
  | { kind: 'star'; offset: number }
  | { kind: 'interval'; seconds: number; offset: number }
  | { kind: 'unary'; op: '-' | 'not'; operand: Expr; offset: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; offset: number }
  | { kind: 'call'; name: string; args: Expr[]; distinct: boolean; offset: number }
  | { kind: 'in'; operand: Expr; list: Expr[]; negated: boolean; offset: number }
  | { kind: 'between'; operand: Expr; low: Expr; high: Expr; negated: boolean; offset: number }
  | { kind: 'like'; operand: Expr; pattern: Expr; negated: boolean; offset: number }
  | { kind: 'isNull'; operand: Expr; negated: boolean; offset: number };

export interface SelectItem {
  expr: Expr;
  alias?: string;
  /** The text the user wrote, used as the column name when there is no alias. */
  text: string;
}

export interface OrderItem {
  expr: Expr;
  descending: boolean;
}

export interface SqlQuery {
  select: SelectItem[];
  /** The table of `FROM name`, when written: records (`log`, any name) or `conversations` (querySubject.ts). */
  from?: { name: string; offset: number };
  where?: Expr;
  groupBy: Expr[];
  having?: Expr;
  orderBy: OrderItem[];
  limit?: number;
}

export interface Query {
  search: SearchNode;
  sql?: SqlQuery;
}

/** Calls f on each direct child of e. */
export function forEachChild(e: Expr, f: (c: Expr) => void): void {
  switch (e.kind) {
    case 'unary': f(e.operand); break;
    case 'binary': f(e.left); f(e.right); break;
    case 'call': e.args.forEach(f); break;
    case 'in': f(e.operand); e.list.forEach(f); break;
    case 'between': f(e.operand); f(e.low); f(e.high); break;
    case 'like': f(e.operand); f(e.pattern); break;
    case 'isNull': f(e.operand); break;
    default: break;
  }
}

/** e with each direct child replaced by f(child). */
export function mapChildren(e: Expr, f: (c: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'unary': return { ...e, operand: f(e.operand) };
    case 'binary': return { ...e, left: f(e.left), right: f(e.right) };
    case 'call': return { ...e, args: e.args.map(f) };
    case 'in': return { ...e, operand: f(e.operand), list: e.list.map(f) };
    case 'between': return { ...e, operand: f(e.operand), low: f(e.low), high: f(e.high) };
    case 'like': return { ...e, operand: f(e.operand), pattern: f(e.pattern) };
    case 'isNull': return { ...e, operand: f(e.operand) };
    default: return e;
  }
}
