// `flowlog`: the command-line front end over the same core as the language server.
import { maybeRunAsLintWorker, runLintCommand } from './cli/lint';
import { runQueryCommand } from './cli/query';
import { runDiagnoseCommand } from './cli/diagnose';
import { CliIO, UsageError } from './cli/io';
import { maybeRunAsQueryWorker } from './core/query/workers';
import { maybeRunAsDiagnoseWorker } from './core/diagnose/parallel';

const USAGE = `usage: flowlog <command> [options]

commands:
  lint [--format text|json] FILE...     check records against the flow log format
                                         (exit 1 when an error was found, 2 on usage errors)
  query FILE... 'QUERY' [--format table|json|csv] [--limit N]
                                         search and analyse: 'action:REJECT dstport:3389 | select
                                         srcaddr, count(*) as n group by srcaddr order by n desc'
                                         (exit 2 on a query error, with its position)
  diagnose FILE|FOLDER... [--format text|json] [--slack SECONDS] [--list VERDICT,...|all] [--limit N] ...
                                         conversations with verdicts (response-rejected, request-rejected,
                                         no-response, one-way, ok), scans, brute force, coverage gaps
                                         (flowlog diagnose --help for every option)
`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'lint':
        return await runLintCommand(rest, io);
      case 'query':
        return await runQueryCommand(rest, io);
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

/** Writes to stdout honouring back-pressure at exit: big outputs must not be cut off. */
function stdoutWriter(): { write: (s: string) => void; flush: () => Promise<void> } {
  let buffered = '';
  const write = (s: string) => {
    buffered += s;
    if (buffered.length > 1 << 16) {
      process.stdout.write(buffered);
      buffered = '';
    }
  };
  const flush = () => new Promise<void>((resolve) => {
    process.stdout.write(buffered, () => resolve());
    buffered = '';
  });
  return { write, flush };
}

// The bundle also runs as a query worker thread (big files are scanned on every core) and as the diagnosis's reader.
if (require.main === module && !maybeRunAsQueryWorker() && !maybeRunAsLintWorker() && !maybeRunAsDiagnoseWorker()) {
  const out = stdoutWriter();
  main(process.argv.slice(2), { stdout: out.write, stderr: (s) => process.stderr.write(s) })
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
