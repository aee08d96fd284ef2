// `flowlog load FILE|FOLDER... --clickhouse URL --table NAME [--user U] [--password-stdin] [--batch N]`, and
// `flowlog load --print-schema [--table NAME]` (the CREATE TABLE a DBA runs on each shard).
import { ClickHouseClient, isClickHouseError } from '../core/clickhouse/http';
import { LoadReport, loadFiles } from '../core/clickhouse/load';
import { createTableSql, journalName, createJournalSql } from '../core/clickhouse/schema';
import { CLICKHOUSE_USAGE, ClickHouseCliOptions, clickhouseCredentials, takeClickHouseOption } from './clickhouseOptions';
import { CliIO, UsageError } from './io';
import { terminalText } from '../core/terminalText';

const USAGE = `usage: flowlog load FILE|FOLDER... ${CLICKHOUSE_USAGE} [--batch N]
       flowlog load --print-schema [--table NAME]`;

export async function runLoadCommand(argv: string[], io: CliIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const opts: ClickHouseCliOptions = {};
  let batchRows: number | undefined;
  let printSchema = false;
  const inputs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (takeClickHouseOption(a, value, opts, USAGE)) continue;
    if (a === '--batch' || a.startsWith('--batch=')) {
      const v = value();
      if (!v || !/^[1-9]\d*$/.test(v)) throw new UsageError(`--batch takes a whole number of records, not ${v ?? 'nothing'}\n${USAGE}`);
      batchRows = Number(v);
    } else if (a === '--print-schema') {
      printSchema = true;
    } else if (a === '-h' || a === '--help') {
      io.stdout(USAGE + '\n');
      return 0;
    } else if (a.startsWith('--')) {
      throw new UsageError(`unknown option ${a}\n${USAGE}`);
    } else inputs.push(a);
  }
  if (printSchema) {
    const table = opts.table ?? 'flows';
    io.stdout(`${createTableSql(table)};\n\n-- The load journal (flowlog load creates it beside the table if missing):\n${createJournalSql(table)};\n`);
    return 0;
  }
  if (inputs.length === 0) throw new UsageError(`give at least one file or folder\n${USAGE}`);
  if (!opts.url) throw new UsageError(`give the server: --clickhouse http://host:8123\n${USAGE}`);
  if (!opts.table) throw new UsageError(`give the table: --table NAME\n${USAGE}`);
  let client: ClickHouseClient;
  try {
    client = new ClickHouseClient({ url: opts.url, credentials: await clickhouseCredentials(opts, env) });
  } catch (e) {
    if (isClickHouseError(e)) throw new UsageError(e.message);
    throw e;
  }
  const tty = process.stderr.isTTY === true;
  let lastProgress = 0;
  let report: LoadReport;
  try {
    report = await loadFiles(client, inputs, {
      table: opts.table,
      batchRows,
      // A file's name and its values are the log's: control characters escaped before they reach a terminal.
      onMalformed: (file, line, message) => io.stderr(`${terminalText(file)}:${line}: skipped (malformed): ${terminalText(message)}\n`),
      onWarning: (file, line, message) => io.stderr(`${terminalText(file)}:${line}: warning: ${terminalText(message)}\n`),
      onProgress: (p) => {
        const now = Date.now();
        if (!tty || now - lastProgress < 250) return;
        lastProgress = now;
        const pct = p.bytesTotal > 0 ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100;
        io.stderr(`\r${p.fileIndex + 1}/${p.files} ${pct}% · ${p.records.toLocaleString('en-US')} records · ${p.malformed} malformed\x1b[K`);
      },
    });
  } catch (e) {
    if (tty) io.stderr('\r\x1b[K');
    if (isClickHouseError(e)) {
      io.stderr(`flowlog: ${e.message}\n`);
      return 2;
    }
    if (typeof (e as NodeJS.ErrnoException).code === 'string') {
      io.stderr(`flowlog: cannot read ${(e as NodeJS.ErrnoException).path ?? 'an input'}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as NodeJS.ErrnoException).code}\n`);
      return 2;
    }
    throw e;
  }
  if (tty) io.stderr('\r\x1b[K');
  let failed = 0;
  for (const f of report.files) {
    if (f.status === 'failed') {
      failed++;
      io.stderr(`flowlog: ${terminalText(f.file)}: not loaded: ${terminalText(f.error ?? '')}\n`);
      continue;
    }
    const what = f.status === 'already loaded' ? 'already loaded, skipped'
      : `${f.status === 'resumed' ? `resumed after line ${f.resumedAfter}: ` : ''}${f.records.toLocaleString('en-US')} records loaded${f.malformed ? `, ${f.malformed} malformed lines skipped` : ''}${f.alreadyPresent ? `, ${f.alreadyPresent} found in the table already` : ''}`;
    io.stdout(`${terminalText(f.file)}: ${what}\n`);
  }
  io.stdout(`${report.created ? 'created ' : ''}${report.table}: ${report.records.toLocaleString('en-US')} records loaded from ${report.files.length - failed} of ${report.files.length} files, ${report.malformed} malformed lines skipped, ${(report.elapsedMs / 1000).toFixed(1)} s (journal: ${journalName(report.table)})\n`);
  return failed > 0 || report.malformed > 0 ? 1 : 0;
}
