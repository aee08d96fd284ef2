// Runs one SQL query in DuckDB over a flow log file, as a whole process (the benchmark's peer). Usage:
// node bench/duckdbQuery.mjs FILE 'SQL using the table name flows'
import { DuckDBInstance } from '@duckdb/node-api';

const [file, sql] = process.argv.slice(2);
const columns = "{'version': 'VARCHAR', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'BIGINT', 'dstport': 'BIGINT', 'protocol': 'BIGINT', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'}";
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
const source = `read_csv('${file.replace(/'/g, "''")}', delim=' ', header=true, nullstr='-', auto_detect=false, columns=${columns})`;
const reader = await db.runAndReadAll(sql.replaceAll('flows', source));
process.stdout.write(JSON.stringify(reader.getRows(), (_, v) => (typeof v === 'bigint' ? Number(v) : v)) + '\n');
