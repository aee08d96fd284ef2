// The ClickHouse table of flow log records: one column per field the schema knows, typed, Nullable (a `-` is
// NULL, and so is a field a file's format does not have), plus where each record came from (`_file`, `_line`).
// Written for ClickHouse 18.16 (Debian's package) and current releases: no LowCardinality (experimental in
// 18.16), no Nullable sorting key (not allowed in 18.16), no codecs (19.x+).
import { FIELDS, FieldDef, FieldType } from '../schema';

/** A field's column: its name in ClickHouse and its type there. */
export interface FieldColumn {
  field: FieldDef;
  /** `log-status` → `log_status`: the snake_case spelling the query language and Athena's DDL use. */
  name: string;
  /** The ClickHouse type, without Nullable(). */
  type: string;
  numeric: boolean;
}

const TYPES: Record<FieldType, string> = {
  version: 'String', // `2` … `11`, and Tencent's `V1`
  account: 'String', // digits, or AWS's `unknown`
  interface: 'String',
  address: 'String', // IPv4 or IPv6 text, as written
  port: 'UInt16',
  protocol: 'UInt8',
  count: 'Int64', // Tencent writes -1 for the counts of NODATA/SKIPDATA records
  timestamp: 'UInt64', // Unix seconds; the validator accepts up to 9,999,999,999 (past UInt32 and DateTime)
  enum: 'String',
  tcpFlags: 'UInt8',
  trafficPath: 'UInt8',
  integer: 'UInt64',
  text: 'String',
};

export const columnName = (field: FieldDef): string => field.name.replace(/-/g, '_');

/** Every field's column, in the schema's order. */
export const FIELD_COLUMNS: readonly FieldColumn[] = FIELDS.map((field) => ({
  field,
  name: columnName(field),
  type: TYPES[field.type],
  numeric: TYPES[field.type] !== 'String',
}));

const byField = new Map(FIELD_COLUMNS.map((c) => [c.field.name, c]));

export function columnOf(field: FieldDef): FieldColumn {
  return byField.get(field.name)!;
}

/** The file a record was read from (absolute path) and its 1-based line. */
export const FILE_COLUMN = '_file';
export const LINE_COLUMN = '_line';
/**
 * The record's start, NULL as 0: the sorting key (18.16 allows no Nullable column in a key). DEFAULT, not
 * MATERIALIZED: a Distributed table computes it and sends it on (18.16's shards refuse a MATERIALIZED column).
 */
export const START_KEY_COLUMN = '_start';

/** A table name as given on the command line: `name` or `database.name`, plain identifiers only. */
export function checkTableName(name: string): string | undefined {
  return /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(name)
    ? undefined
    : `${JSON.stringify(name)} is not a table name (letters, digits and _, optionally database.table)`;
}

/** `db.t` → `` `db`.`t` ``. The name is checked first (checkTableName): nothing to escape. */
export function quoteTable(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

export function quoteIdent(name: string): string {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

/** The columns of the documented schema, as DDL lines. */
export function columnDefinitions(): string[] {
  return [
    ...FIELD_COLUMNS.map((c) => `${quoteIdent(c.name)} Nullable(${c.type})`),
    `${quoteIdent(FILE_COLUMN)} String`,
    `${quoteIdent(LINE_COLUMN)} UInt64`,
    `${quoteIdent(START_KEY_COLUMN)} UInt64 DEFAULT ifNull(\`start\`, 0)`,
  ];
}

/**
 * `CREATE TABLE` for records. The sorting key puts records in time order (time ranges read few granules; records
 * of one window compress together) and then by file and line (a file's records stay together, which the loader's
 * resume check reads). `engine` defaults to a MergeTree; a DBA's shards use the same statement and a Distributed
 * table `AS` it.
 */
export function createTableSql(table: string, options: { ifNotExists?: boolean; engine?: string } = {}): string {
  const engine = options.engine ?? `MergeTree ORDER BY (${quoteIdent(START_KEY_COLUMN)}, ${quoteIdent(FILE_COLUMN)}, ${quoteIdent(LINE_COLUMN)})`;
  return `CREATE TABLE ${options.ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteTable(table)}\n(\n${columnDefinitions().map((d) => `    ${d}`).join(',\n')}\n)\nENGINE = ${engine}`;
}

/** The load journal beside a table: `flows` → `flows_loads` (same database). */
export function journalName(table: string): string {
  return `${table}_loads`;
}

/**
 * The load journal: one row per committed batch of a file (and one when the file is done). `line` is the last
 * line of the file whose record is in the table (or was skipped as malformed); `formats` lists the field names
 * of the formats seen in the file so far, each as one space-separated string.
 */
export function createJournalSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteTable(journalName(table))}
(
    \`file\` String,
    \`fingerprint\` String,
    \`size\` UInt64,
    \`line\` UInt64,
    \`records\` UInt64,
    \`malformed\` UInt64,
    \`formats\` Array(String),
    \`done\` UInt8,
    \`at\` DateTime
)
ENGINE = MergeTree ORDER BY (\`file\`, \`line\`)`;
}
