// The engines Copy Query As… writes for, as the quick pick shows them, and what goes to the clipboard. No vscode.
import type { QueryDialect } from '../../../server/src/protocol';

export const DIALECT_CHOICES: readonly { dialect: QueryDialect; label: string; detail: string }[] = [
  { dialect: 'athena', label: 'Athena', detail: 'Amazon Athena SQL, on the table of `flowlog translate --to athena --ddl`' },
  { dialect: 'trino', label: 'Trino', detail: 'Trino (Presto) SQL' },
  { dialect: 'clickhouse', label: 'ClickHouse', detail: 'ClickHouse SQL on the documented schema (the table of flowlog.clickhouse.table)' },
  { dialect: 'cls', label: 'Tencent Cloud CLS', detail: 'CLS search and SQL, field names as CLS keys' },
  { dialect: 'cwli', label: 'CloudWatch Logs Insights', detail: 'filter | stats | sort | limit, camelCase field names' },
];

export function dialectLabel(dialect: QueryDialect): string {
  return DIALECT_CHOICES.find((c) => c.dialect === dialect)?.label ?? dialect;
}

/** The text copied: SQL statements end with `;` (as `flowlog translate` prints them). */
export function clipboardText(dialect: QueryDialect, text: string): string {
  return dialect === 'athena' || dialect === 'trino' || dialect === 'clickhouse' ? `${text};` : text;
}
