// A ClickHouse table as a flow-log source, named by one URI so that everything keyed on a source's URI (the
// panels' binding and saved state, the summary panel per source, QueryParams.uri) takes it as it takes a file or a
// folder: `flowlog-clickhouse:/TABLE?URL`, the table as the path and the server's URL (no credentials: the
// ClickHouse client refuses a URL that carries them) as the whole query. Pure: both sides import it.
import { URI } from 'vscode-uri';
import { checkTableName } from './core/clickhouse/schema';

export const CLICKHOUSE_SCHEME = 'flowlog-clickhouse';

export interface ClickHouseTarget {
  /** `http://host:8123`, `https://host:8443/?database=logs`. */
  url: string;
  /** `name` or `database.name`. */
  table: string;
}

/** Why `url` cannot name a ClickHouse server (undefined when it can): http(s), no user or password in it. */
export function clickhouseUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return `${JSON.stringify(url)} is not a URL (write http://host:8123 or https://host:8443)`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `the ClickHouse URL must start with http:// or https://, not ${u.protocol}`;
  if (u.username || u.password || u.searchParams.has('user') || u.searchParams.has('password')) {
    return 'the ClickHouse URL must not carry a user or password: set them with Flow Logs: Set ClickHouse Credentials';
  }
  return undefined;
}

/** The source URI of `table` on the server at `url` (both checked first). */
export function clickhouseTargetUri(target: ClickHouseTarget): string {
  const problem = clickhouseUrlProblem(target.url) ?? checkTableName(target.table);
  if (problem) throw new Error(problem);
  return URI.from({ scheme: CLICKHOUSE_SCHEME, path: `/${target.table}`, query: target.url.trim() }).toString();
}

/** The table and server a source URI names; undefined for any other URI (a file, a folder, a decoded view). */
export function clickhouseTargetOf(uri: string): ClickHouseTarget | undefined {
  if (!uri.startsWith(`${CLICKHOUSE_SCHEME}:`)) return undefined;
  const parsed = URI.parse(uri);
  const table = parsed.path.replace(/^\//, '');
  const url = parsed.query;
  if (clickhouseUrlProblem(url) || checkTableName(table)) return undefined;
  return { url, table };
}

/** `flows @ 127.0.0.1:8123` (with the database path or parameter when the URL has one), for titles. */
export function clickhouseTargetLabel(target: ClickHouseTarget): string {
  const u = new URL(target.url);
  const extra = `${u.pathname === '/' ? '' : u.pathname}${u.search}`;
  return `${target.table} @ ${u.protocol === 'https:' ? 'https://' : ''}${u.host}${extra}`;
}
