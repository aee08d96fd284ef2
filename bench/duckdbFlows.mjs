// The flow log file as DuckDB reads it (the bench's peer): a view `flows` over read_csv with the columns typed as
// a user would type them ('-' is NULL), on a new in-memory database.
import { DuckDBInstance } from '@duckdb/node-api';

const COLUMNS = "{'version': 'VARCHAR', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'BIGINT', 'dstport': 'BIGINT', 'protocol': 'BIGINT', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'}";

export async function connectWithFlows(file) {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run(`create view flows as select * from read_csv('${file.replace(/'/g, "''")}', delim=' ', header=true, nullstr='-', auto_detect=false, columns=${COLUMNS})`);
  return db;
}

/** Rows as JSON-ready arrays (DuckDB's BIGINT and HUGEINT come as bigint). */
export async function rowsOf(db, sql) {
  const reader = await db.runAndReadAll(sql);
  return reader.getRows().map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}
