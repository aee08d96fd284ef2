// Rows as the JSON text a worker thread wrote, handed on unparsed (no Node or DOM dependency: the protocol module,
// which the editor's client also loads, parses them with the same function).
import type { Value } from './values';

/**
 * Rows handed on as the JSON text a worker made of them, not parsed here: a consumer that only writes them out again
 * (the language server sending a search's rows to the editor) spares this thread parsing and collecting them.
 * `lineShift` is added to each row's last value by whoever parses it (a search's line number, in a later range of a
 * split file); 0 otherwise.
 */
export interface RowsJson {
  json: string;
  count: number;
  lineShift: number;
}

/** The rows of a RowsJson, parsed, their line numbers shifted. */
export function parseRowsJson(t: Pick<RowsJson, 'json' | 'lineShift'>): Value[][] {
  const rows = JSON.parse(t.json) as Value[][];
  if (!Array.isArray(rows)) throw new Error('rows text is not an array of rows');
  if (t.lineShift !== 0) for (const row of rows) row[row.length - 1] = (row[row.length - 1] as number) + t.lineShift;
  return rows;
}
