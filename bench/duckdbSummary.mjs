// The summary's sections computed by DuckDB, as issue 14 measures it: load the file into a table, then one query
// per section, in one process. Usage: node bench/duckdbSummary.mjs FILE '{"section": "SQL over flows", ...}'.
// Prints {loadSeconds, queriesSeconds, sections: {section: rows}}.
import { connectWithFlows, rowsOf } from './duckdbFlows.mjs';

const [file, json] = process.argv.slice(2);
const queries = JSON.parse(json);
const db = await connectWithFlows(file);
const t0 = performance.now();
await db.run('create table loaded as select * from flows');
await db.run('drop view flows');
await db.run('alter table loaded rename to flows');
const t1 = performance.now();
const sections = {};
for (const [name, sql] of Object.entries(queries)) sections[name] = await rowsOf(db, sql);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ loadSeconds: (t1 - t0) / 1000, queriesSeconds: (t2 - t1) / 1000, sections }) + '\n');
