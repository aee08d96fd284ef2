// What the translator needs to know of a table: which columns it has, and the formats (field lists) of the
// records in it, from the load journal. A record lacks the fields its format does not name: in the table they
// are NULL like a `-`, so a search for `-` needs the formats to tell the two apart.
import { DEFAULT_FIELD_NAMES, FieldDef, fieldByName } from '../schema';
import { ClickHouseClient } from './http';
import { FIELD_COLUMNS, columnOf, journalName, quoteTable } from './schema';

export interface TableInfo {
  /** `name` or `database.name`. */
  table: string;
  columns: ReadonlySet<string>;
  /** The formats of the records, field names as their header wrote them, in the order of the files loaded. */
  formats: readonly (readonly string[])[];
  /** Malformed lines skipped by the loads (for the result's stats). */
  malformed: number;
  /** Bytes of the files loaded. */
  bytes: number;
}

/** Every column of the documented schema; records of the default format (for `flowlog translate --to clickhouse`). */
export function defaultTableInfo(table = 'flows'): TableInfo {
  return { table, columns: new Set([...FIELD_COLUMNS.map((c) => c.name), '_file', '_line', '_start']), formats: [DEFAULT_FIELD_NAMES], malformed: 0, bytes: 0 };
}

/** The table's columns, and the formats and counts its journal recorded (when it has one). */
export async function fetchTableInfo(client: ClickHouseClient, table: string, signal?: AbortSignal): Promise<TableInfo> {
  const describe = await client.text(`DESCRIBE TABLE ${quoteTable(table)} FORMAT TabSeparated`, { signal });
  const columns = new Set(describe.split('\n').filter(Boolean).map((l) => l.split('\t')[0]));
  const journal = journalName(table);
  const hasJournal = (await client.text(`EXISTS TABLE ${quoteTable(journal)}`, { signal })).trim() === '1';
  let formats: string[][] = [];
  let malformed = 0;
  let bytes = 0;
  if (hasJournal) {
    const text = await client.text(
      `SELECT file, argMax(formats, (line, done)), argMax(malformed, (line, done)), argMax(size, (line, done)) FROM ${quoteTable(journal)} GROUP BY file ORDER BY file FORMAT JSONCompact`,
      { signal, params: { output_format_json_quote_64bit_integers: 0 } },
    );
    const rows = (JSON.parse(text) as { data: [string, string[], number, number][] }).data;
    const seen = new Set<string>();
    for (const [, fileFormats, m, size] of rows) {
      malformed += m;
      bytes += size;
      for (const f of fileFormats) {
        if (!seen.has(f)) {
          seen.add(f);
          formats.push(f.split(' '));
        }
      }
    }
  }
  if (formats.length === 0) {
    // Loaded by something else: every field column it has, as one format.
    formats = [FIELD_COLUMNS.filter((c) => columns.has(c.name)).map((c) => c.field.name)];
  }
  return { table, columns, formats, malformed, bytes };
}

/** The fields of a format, canonical (unknown names left out). */
export function formatFields(names: readonly string[]): FieldDef[] {
  const out: FieldDef[] = [];
  for (const n of names) {
    const f = fieldByName(n);
    if (f && !out.includes(f)) out.push(f);
  }
  return out;
}

/** The columns of a search or SELECT *: the union of the formats' fields, each under its first spelling. */
export function unionColumns(info: TableInfo): { field: FieldDef; name: string; column: string }[] {
  const out: { field: FieldDef; name: string; column: string }[] = [];
  const seen = new Set<string>();
  for (const names of info.formats) {
    for (const n of names) {
      const f = fieldByName(n);
      if (!f || seen.has(f.name)) continue;
      seen.add(f.name);
      out.push({ field: f, name: n, column: columnOf(f).name });
    }
  }
  return out;
}
