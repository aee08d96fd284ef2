// `flowlog`: the command-line front end over the same core as the language server.
// First: starts a big query's worker threads while the rest of the bundle loads (cli/prestart.ts).
import './cli/prestart';
import { maybeRunAsLintWorker, runLintCommand } from './cli/lint';
import { runQueryCommand } from './cli/query';
import { runLoadCommand } from './cli/load';
import { runTranslateCommand } from './cli/translate';
import { runDiagnoseCommand } from './cli/diagnose';
import { CliIO, OutputClosedError, UsageError } from './cli/io';
import { maybeRunAsPoolWorker } from './core/threads/pool';
import { maybeRunAsDiagnoseWorker } from './core/diagnose/parallel';

const USAGE = `usage: flowlog <command> [options]

commands:
  lint [--format text|json] PATH...     check records against the flow log format
                                         (exit 1 when an error was found; 2 on usage errors, or when a file
                                         could not be read to its end or changed while read)
  query PATH... 'QUERY' [--format table|json|csv] [--limit N] [--memory-budget MB]
                                         search and analyse: 'action:REJECT dstport:3389 | select
                                         srcaddr, count(*) as n group by srcaddr order by n desc'
                                         (exit 2 on a query error, with its position, or when a file
                                         could not be read to its end)
  query --clickhouse URL --table NAME [--user U] 'QUERY'
                                         the same query on a ClickHouse table (password from
                                         FLOWLOG_CLICKHOUSE_PASSWORD or --password-stdin)
  load FILE|FOLDER... --clickhouse URL --table NAME [--user U] [--batch N]
                                         load records into ClickHouse (creates the table if missing;
                                         resumable; malformed lines listed and skipped: exit 1)
  load --print-schema [--table NAME]     the CREATE TABLE of the documented schema
  translate --to athena|trino|clickhouse|cls|cwli 'QUERY'
                                         the query in another engine's language (exit 2, with the
                                         position, for a part it cannot express); --to athena --ddl
                                         [--layout text|hive|parquet] prints the S3 table's DDL
  diagnose FILE|FOLDER... [--format text|json] [--slack SECONDS] [--list VERDICT,...|all] [--limit N] ...
                                         conversations with verdicts (response-rejected, request-rejected,
                                         no-response, one-way, ok), scans, brute force, coverage gaps
                                         (flowlog diagnose --help for every option)
  diagnose FILE|FOLDER... --query 'QUERY' [--format table|json|csv]
                                         the query language over conversations, one row each:
                                         'verdict:response-rejected | select interface_id, count(*) group by interface_id'

PATH: a file, a folder (read recursively), a glob ('AWSLogs/**/*.log.gz'), or - for standard input; gzip,
snappy, lzop, text, CloudWatch exports, JSON lines, CSV and Parquet are detected by content (--format-hint
where detection cannot decide: flowlog lint --help).
`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'lint':
        return await runLintCommand(rest, io);
      case 'query':
        return await runQueryCommand(rest, io);
      case 'load':
        return await runLoadCommand(rest, io);
      case 'translate':
        return await runTranslateCommand(rest, io);
      case 'diagnose':
        return await runDiagnoseCommand(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`flowlog: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/**
 * Writes to stdout in 64 KB pieces. `flushed` waits for stdout to drain (streaming output keeps pace with its
 * reader), `flush` for everything at exit (big outputs must not be cut off). A reader that went away (EPIPE)
 * ends the writing, not the process.
 */
function stdoutWriter(): Required<Pick<CliIO, 'stdout' | 'flushed' | 'outputStats'>> & { flush: () => Promise<void> } {
  let buffered = '';
  let closed = false;
  let maxPendingOutputBytes = 0;
  const out = process.stdout;
  out.on('error', () => {
    closed = true;
  });
  const hand = () => {
    if (buffered.length > 0 && !closed) out.write(buffered);
    buffered = '';
    maxPendingOutputBytes = Math.max(maxPendingOutputBytes, out.writableLength);
  };
  const stdout = (s: string) => {
    buffered += s;
    if (buffered.length > 1 << 16) hand();
  };
  const flushed = async () => {
    hand();
    if (!closed && out.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done).off('error', done).off('close', done);
          resolve();
        };
        out.on('drain', done).on('error', done).on('close', done);
      });
    }
    if (closed) throw new OutputClosedError();
  };
  const flush = () => new Promise<void>((resolve) => {
    if (closed) return resolve();
    out.write(buffered, () => resolve());
    buffered = '';
  });
  return { stdout, flushed, flush, outputStats: () => ({ maxPendingOutputBytes }) };
}

/** The status of a command whose reader went away: 128 + SIGPIPE, what a shell reports for grep or jq then. */
export const EXIT_BROKEN_PIPE = 141;

/**
 * `flowlog … | head -1`: once the reader has closed the pipe, the output is not wanted. Stop at once, quietly, with
 * the status a shell shows for grep or jq stopped by SIGPIPE (the work was cut short, so neither 0 nor 1 would be
 * true); Node ignores SIGPIPE and reports EPIPE as an error event instead.
 */
function exitQuietlyOnBrokenPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    if (stream !== process.stderr) process.stderr.write(`flowlog: cannot write the output: ${e.message}\n`);
    process.exit(2);
  });
}

// The bundle also runs as a worker thread (big files are scanned on every core) and as the diagnosis's reader.
if (require.main === module && !maybeRunAsPoolWorker() && !maybeRunAsLintWorker() && !maybeRunAsDiagnoseWorker()) {
  exitQuietlyOnBrokenPipe(process.stdout);
  exitQuietlyOnBrokenPipe(process.stderr);
  const out = stdoutWriter();
  main(process.argv.slice(2), { ...out, stderr: (s) => process.stderr.write(s), stdoutIsTerminal: process.stdout.isTTY === true })
    .then(async (code) => {
      await out.flush();
      process.exitCode = code;
    })
    .catch(async (e: unknown) => {
      await out.flush();
      process.stderr.write(`flowlog: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    });
}
