// The SQL part's tokens: names, quoted names, numbers, strings and operators, each with its offset in the whole
// query (errors point into the text the user typed, search part included).
import { QueryError } from './errors';

export type SqlTokenKind = 'ident' | 'qident' | 'number' | 'string' | 'op' | 'eof';

export interface SqlToken {
  kind: SqlTokenKind;
  text: string;
  /** Upper-cased text, for keywords. */
  upper: string;
  offset: number;
  /** Offset just past the token in the query (a string's closing quote included). */
  end: number;
}

/** The tokens of the SQL text from `start` (after the `|`) to the end of `q`, then an eof token. */
export function lexSql(q: string, start: number): SqlToken[] {
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
      if (!Number.isFinite(Number(text))) failAt(q, `${text} is not a number`, at);
      push('number', text, at);
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= q.length) failAt(q, 'unclosed string', at, ["'"]);
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
      if (end < 0) failAt(q, 'unclosed quoted name', at, ['"']);
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
        failAt(q, 'only one | is allowed: search | SQL', at);
      } else {
        failAt(q, `unexpected character ${c}`, at);
      }
    }
    out[out.length - 1].end = i;
  }
  out.push({ kind: 'eof', text: '', upper: '', offset: q.length, end: q.length });
  return out;
}

function failAt(q: string, message: string, offset: number, expected?: string[]): never {
  throw new QueryError(message, q, offset, expected);
}
