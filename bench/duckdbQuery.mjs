// Runs one SQL query in DuckDB over a flow log file, as a whole process (the benchmark's peer). Usage:
// node bench/duckdbQuery.mjs FILE 'SQL over the view flows'. Prints the rows as a JSON array.
import { connectWithFlows, rowsOf } from './duckdbFlows.mjs';

const [file, sql] = process.argv.slice(2);
const db = await connectWithFlows(file);
process.stdout.write(JSON.stringify(await rowsOf(db, sql)) + '\n');
