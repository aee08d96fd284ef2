// What a query asks about: flow-log records (the engine, query/) or the diagnosis's conversations
// (diagnose/conversationQuery.ts). `FROM conversations` says so; so does naming a column only conversations have
// (`verdict:response-rejected | select interface_id, count(*) group by interface_id`): over records such a query
// could only be an error ("no column verdict"), so reading it as a question about conversations takes nothing away.
// `FROM log` (or any other table name) keeps a query on the records.
import { forEachChild } from './query/ast';
import type { Expr, Query, SearchNode } from './query/ast';
import { parseQuery } from './query/parser';
import { lookupField } from './schema';
import { columnIndex } from './diagnose/conversationView';
import { checkConversationQuery } from './diagnose/conversationQuery';
import { QueryError } from './query/errors';
import { checkQuery } from './query/run';

export type QuerySubject = 'records' | 'conversations';

/** The table name of `FROM conversations` (ASCII case-insensitive). */
export const CONVERSATIONS_TABLE = 'conversations';

/** What a parsed query is over. */
export function querySubject(query: Query): QuerySubject {
  const from = query.sql?.from?.name.toLowerCase();
  if (from !== undefined) return from === CONVERSATIONS_TABLE ? 'conversations' : 'records';
  const aliases = new Set((query.sql?.select ?? []).flatMap((s) => (s.alias ? [s.alias.toLowerCase()] : [])));
  let conversationOnly = false;
  const name = (n: string) => {
    const lower = n.toLowerCase();
    if (!aliases.has(lower) && isConversationOnlyColumn(lower)) conversationOnly = true;
  };
  searchFields(query.search, name);
  const sql = query.sql;
  if (sql) {
    const exprs: Expr[] = [...sql.select.map((s) => s.expr), ...sql.groupBy, ...sql.orderBy.map((o) => o.expr)];
    if (sql.where) exprs.push(sql.where);
    if (sql.having) exprs.push(sql.having);
    for (const e of exprs) columnNames(e, name);
  }
  return conversationOnly ? 'conversations' : 'records';
}

/** What the query text is over; a query that does not parse is the records' (whose parser reports the error). */
export function querySubjectOf(text: string): QuerySubject {
  try {
    return querySubject(parseQuery(text));
  } catch {
    return 'records';
  }
}

/** The error of a query over what it reads (records or conversations), or undefined when it would run. */
export function checkAnyQuery(text: string): QueryError | undefined {
  return querySubjectOf(text) === 'conversations' ? checkConversationQuery(text) : checkQuery(text);
}

/** A column of conversations that no flow-log format has (nor the engine's `file` and `line`). */
function isConversationOnlyColumn(lower: string): boolean {
  return columnIndex(lower) >= 0 && lower !== 'file' && lower !== 'line' && lookupField(lower) === undefined;
}

function searchFields(n: SearchNode, onName: (name: string) => void): void {
  switch (n.kind) {
    case 'and':
    case 'or':
      for (const item of n.items) searchFields(item, onName);
      return;
    case 'not':
      searchFields(n.item, onName);
      return;
    case 'field':
      onName(n.field);
      return;
    default:
      return;
  }
}

function columnNames(e: Expr, onName: (name: string) => void): void {
  if (e.kind === 'column') onName(e.name);
  forEachChild(e, (c) => columnNames(c, onName));
}
