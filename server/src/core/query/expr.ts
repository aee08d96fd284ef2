// Scalar SQL semantics, once: an expression becomes an evaluator over some context (a record, or a group after
// aggregation). Columns are resolved by the caller; everything else (NULL logic, comparisons, arithmetic, IN,
// BETWEEN, LIKE, functions) is here.
import type { Expr } from './ast';
import { Evaluator, scalarFunction } from './functions';
import { compileLike } from './like';
import { Value, compareForPredicate, truthy } from './values';

type Column = Extract<Expr, { kind: 'column' }>;

/** SQL's three-valued logic on our values: 1, 0 or NULL. */
function not3(v: Value): Value {
  return v === null ? null : truthy(v) ? 0 : 1;
}

function and3(a: Value, b: Value): Value {
  if (a !== null && !truthy(a)) return 0;
  if (b !== null && !truthy(b)) return 0;
  return a === null || b === null ? null : 1;
}

function or3(a: Value, b: Value): Value {
  if (a !== null && truthy(a)) return 1;
  if (b !== null && truthy(b)) return 1;
  return a === null || b === null ? null : 0;
}

function arith<C>(l: Evaluator<C>, r: Evaluator<C>, f: (a: number, b: number) => number | null): Evaluator<C> {
  return (c) => {
    const a = l(c);
    if (a === null) return null;
    const b = r(c);
    if (b === null) return null;
    const x = typeof a === 'number' ? a : Number(a);
    const y = typeof b === 'number' ? b : Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return null;
    return f(x, y);
  };
}

/** `a < b` and friends as 1/0, NULL when either side is NULL. */
function compare3(a: Value, b: Value, op: string): Value {
  if (op === '=' || op === '!=') {
    if (typeof a === 'string' && typeof b === 'string') return (a === b) === (op === '=') ? 1 : 0;
  }
  const cmp = compareForPredicate(a, b);
  if (cmp === null) return null;
  switch (op) {
    case '=': return cmp === 0 ? 1 : 0;
    case '!=': return cmp !== 0 ? 1 : 0;
    case '<': return cmp < 0 ? 1 : 0;
    case '<=': return cmp <= 0 ? 1 : 0;
    case '>': return cmp > 0 ? 1 : 0;
    default: return cmp >= 0 ? 1 : 0;
  }
}

/**
 * The evaluator of `e`: children through `child` (so a caller can intercept sub-expressions, e.g. group keys),
 * column references through `column`.
 */
export function compileScalar<C>(e: Expr, child: (c: Expr) => Evaluator<C>, column: (e: Column) => Evaluator<C>): Evaluator<C> {
  switch (e.kind) {
    case 'number':
    case 'string': {
      const v = e.value;
      return () => v;
    }
    case 'null':
      return () => null;
    case 'interval': {
      const v = e.seconds;
      return () => v;
    }
    case 'star':
      return () => 1;
    case 'column':
      return column(e);
    case 'unary': {
      const x = child(e.operand);
      if (e.op === '-') return (c) => {
        const v = x(c);
        return v === null ? null : -Number(v);
      };
      return (c) => not3(x(c));
    }
    case 'binary': {
      const l = child(e.left);
      const r = child(e.right);
      switch (e.op) {
        case 'and': return (c) => {
          const a = l(c);
          return a !== null && !truthy(a) ? 0 : and3(a, r(c));
        };
        case 'or': return (c) => {
          const a = l(c);
          return a !== null && truthy(a) ? 1 : or3(a, r(c));
        };
        case '+': return arith(l, r, (a, b) => a + b);
        case '-': return arith(l, r, (a, b) => a - b);
        case '*': return arith(l, r, (a, b) => a * b);
        case '/': return arith(l, r, (a, b) => (b === 0 ? null : a / b));
        case '%': return arith(l, r, (a, b) => (b === 0 ? null : a % b));
        default: {
          const op = e.op;
          return (c) => compare3(l(c), r(c), op);
        }
      }
    }
    case 'in': {
      const x = child(e.operand);
      const list = e.list.map(child);
      const neg = e.negated;
      return (c) => {
        const v = x(c);
        if (v === null) return null;
        let sawNull = false;
        for (const item of list) {
          const w = item(c);
          if (w === null) sawNull = true;
          else if (compareForPredicate(v, w) === 0) return neg ? 0 : 1;
        }
        return sawNull ? null : neg ? 1 : 0;
      };
    }
    case 'between': {
      // x BETWEEN a AND b is x >= a AND x <= b; NOT BETWEEN is x < a OR x > b (so a NULL bound can still decide).
      const x = child(e.operand);
      const lo = child(e.low);
      const hi = child(e.high);
      if (e.negated) return (c) => {
        const v = x(c);
        return or3(compare3(v, lo(c), '<'), compare3(v, hi(c), '>'));
      };
      return (c) => {
        const v = x(c);
        return and3(compare3(v, lo(c), '>='), compare3(v, hi(c), '<='));
      };
    }
    case 'like': {
      const x = child(e.operand);
      const p = child(e.pattern);
      const neg = e.negated;
      let lastPattern: string | undefined;
      let matcher = compileLike('');
      return (c) => {
        const v = x(c);
        const pat = p(c);
        if (v === null || pat === null) return null;
        const ps = String(pat);
        if (ps !== lastPattern) {
          lastPattern = ps;
          matcher = compileLike(ps);
        }
        return matcher.test(String(v)) !== neg ? 1 : 0;
      };
    }
    case 'isNull': {
      const x = child(e.operand);
      const neg = e.negated;
      return (c) => ((x(c) === null) !== neg ? 1 : 0);
    }
    case 'call': {
      const fn = scalarFunction(e.name);
      if (!fn) throw new Error(`unreachable: function ${e.name} was checked by the planner`);
      return fn.compile(e.args.map(child), e);
    }
  }
}

