// Runs one SQL statement in DuckDB, as a whole process (the benchmark's peer), and prints the rows as JSON.
// Usage: node bench/duckdbSql.mjs 'SQL'
import { DuckDBInstance } from '@duckdb/node-api';

const [sql] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
const reader = await db.runAndReadAll(sql);
process.stdout.write(JSON.stringify(reader.getRows(), (_, v) => (typeof v === 'bigint' ? Number(v) : v)) + '\n');
