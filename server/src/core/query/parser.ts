// The query language: `[search] [| SQL]`, split at the first `|` outside quotes. Search is CLS/Lucene style (terms,
// field:value, ranges, AND/OR/NOT: searchParser.ts); SQL is CLS style (no FROM needed: sqlLexer.ts, sqlParser.ts).
import { Query } from './ast';
import { SearchParser } from './searchParser';
import { SqlParser } from './sqlParser';

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
