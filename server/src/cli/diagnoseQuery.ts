// `flowlog diagnose FILE|FOLDER... --query 'QUERY' [--format table|json|csv] [--limit N]`: the query language over
// the diagnosis's conversations (core/diagnose/conversationQuery.ts), printed as `flowlog query` prints records.
// `flowlog query` comes here too for a query over conversations (core/querySubject.ts).
import { ConversationQueryResult, runConversationQuery } from '../core/diagnose/conversationQuery';
import type { DiagnoseOptions } from '../core/diagnose';
import { QueryError } from '../core/query';
import type { QuerySource } from '../core/query';
import { toCsv } from '../core/query/csv';
import { terminalJson, terminalText } from '../core/terminalText';
import { alignedTable } from './textTable';
import { CliIO } from './io';
import { formatCount } from '../core/decode/counts';

export async function runDiagnoseQuery(source: QuerySource, query: string, format: 'table' | 'json' | 'csv', limit: number | undefined, options: DiagnoseOptions, io: CliIO): Promise<number> {
  let result: ConversationQueryResult;
  try {
    result = await runConversationQuery(source, query, { limit, diagnose: options });
  } catch (e) {
    if (e instanceof QueryError) {
      io.stderr(`flowlog: query error at ${e.format(query)}\n`);
      return 2;
    }
    throw e;
  }
  // Values are hostile (an interface id, a file name): escaped on a terminal, as `flowlog query` does.
  if (format === 'json') io.stdout(terminalJson(JSON.stringify({ columns: result.columns, rows: result.rows, stats: result.stats })) + '\n');
  else if (format === 'csv') io.stdout(toCsv(result.columns, result.rows, io.stdoutIsTerminal ? terminalText : undefined));
  else io.stdout(conversationTable(result));
  for (const w of result.stats.warnings) io.stderr(`flowlog: ${terminalText(w)}\n`);
  return 0;
}

/** The result as an aligned text table, with a line saying how many conversations the query took. */
export function conversationTable(result: ConversationQueryResult): string {
  const { columns, rows, stats } = result;
  const more = stats.matched > rows.length && result.kind === 'search' ? ` (first ${rows.length} shown; --limit N for more)` : '';
  const n = formatCount;
  return alignedTable(columns, rows, `${n(rows.length)} rows · ${n(stats.matched)} of ${n(stats.records)} conversations matched${more} · ${n(stats.inputRecords)} records read, ${n(stats.malformed)} malformed skipped · ${n(stats.elapsedMs)} ms`);
}
