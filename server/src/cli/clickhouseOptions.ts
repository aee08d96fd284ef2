// The ClickHouse options `load` and `query` share: --clickhouse URL --table NAME [--user U] [--password-stdin].
// The password comes from FLOWLOG_CLICKHOUSE_PASSWORD or standard input, never from the command line (where
// shell history, `ps` and CI logs would keep it).
import { ClickHouseCredentials } from '../core/clickhouse/http';
import { checkTableName } from '../core/clickhouse/schema';
import { UsageError } from './io';

export interface ClickHouseCliOptions {
  url?: string;
  table?: string;
  user?: string;
  passwordStdin?: boolean;
}

export const CLICKHOUSE_USAGE = '--clickhouse URL --table NAME [--user USER] [--password-stdin]  (password: FLOWLOG_CLICKHOUSE_PASSWORD or standard input)';

/** Takes `a` when it is one of the ClickHouse options (reading its value with `value`); false otherwise. */
export function takeClickHouseOption(a: string, value: () => string | undefined, opts: ClickHouseCliOptions, usage: string): boolean {
  const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
  switch (name) {
    case '--clickhouse':
    case '--table':
    case '--user': {
      const v = value();
      if (!v || v.startsWith('--')) throw new UsageError(`${name} takes a value\n${usage}`);
      if (name === '--clickhouse') opts.url = v;
      else if (name === '--table') {
        const problem = checkTableName(v);
        if (problem) throw new UsageError(`${problem}\n${usage}`);
        opts.table = v;
      } else opts.user = v;
      return true;
    }
    case '--password-stdin':
      opts.passwordStdin = true;
      return true;
    case '--password':
      throw new UsageError('no --password: put the password in FLOWLOG_CLICKHOUSE_PASSWORD, or pipe it with --password-stdin (a command line is kept in shell history and process lists)');
    default:
      return false;
  }
}

async function readStdinLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n') || text.length > 4096) break;
  }
  return text.split(/\r?\n/)[0];
}

export async function clickhouseCredentials(opts: ClickHouseCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<ClickHouseCredentials | undefined> {
  const password = opts.passwordStdin ? await readStdinLine() : env.FLOWLOG_CLICKHOUSE_PASSWORD;
  if (opts.user === undefined && password === undefined) return undefined;
  return { user: opts.user, password };
}
