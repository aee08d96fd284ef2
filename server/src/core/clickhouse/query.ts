// Runs a query of ours on a ClickHouse table and answers exactly as the local engine (QueryResult): translated
// once, run over HTTP with FORMAT JSONCompact, rows read as they stream in (numbers as numbers, text as strings,
// NULL as null). A search or plain SQL rows are capped (the cap's rows and an exact match count); the count
// comes from a second query run beside it. Cancellable (the HTTP request is dropped and the server told to kill
// the query), with progress from the server's own counters.
import type { QueryOptions, QueryResult } from '../query/run';
import type { Value } from '../query/values';
import { QueryCancelledError } from '../query/errors';
import { ClickHouseClient, ClickHouseCredentials, ClickHouseError, newQueryId, sqlString } from './http';
import { translateToClickHouse } from './translate';
import { TableInfo, fetchTableInfo } from './tableInfo';

/** A flow-log source that is a ClickHouse table (credentials are passed apart, never stored with it). */
export interface ClickHouseSource {
  kind: 'clickhouse';
  url: string;
  table: string;
}

export interface ClickHouseQueryOptions extends QueryOptions {
  credentials?: ClickHouseCredentials;
  timeoutMs?: number;
  /** The table's columns and formats, when the caller has them (else fetched: one round trip). */
  tableInfo?: TableInfo;
  /** How often to ask the server how far the query is (ms); default 500. */
  progressIntervalMs?: number;
}

/** The settings of every query: 64-bit integers as JSON numbers (the engine's values are doubles). */
const SETTINGS = { output_format_json_quote_64bit_integers: 0, output_format_json_quote_denormals: 0 };

export async function runClickHouseQuery(source: ClickHouseSource, query: string, options: ClickHouseQueryOptions = {}): Promise<QueryResult> {
  const started = performance.now();
  const client = new ClickHouseClient({ url: source.url, credentials: options.credentials, timeoutMs: options.timeoutMs });
  const { signal } = options;
  const info = options.tableInfo ?? await fetchTableInfo(client, source.table, signal);
  const translated = translateToClickHouse(query, info, { limit: options.limit });
  const mainId = newQueryId();
  const countId = newQueryId();
  const killAll = () => {
    void client.kill(mainId);
    void client.kill(countId);
  };
  signal?.addEventListener('abort', killAll, { once: true });
  const stopProgress = options.onProgress ? watchProgress(client, mainId, options.onProgress, options.progressIntervalMs ?? 500) : undefined;
  try {
    const countPromise = client.text(`${translated.countSql} FORMAT TabSeparated`, { signal, queryId: countId });
    countPromise.catch(() => undefined);
    const rows: Value[][] = [];
    let bytesRead = 0;
    const width = translated.columns.length;
    const reader = readJsonCompact(client.lines({ body: `${translated.sql} FORMAT JSONCompact`, params: SETTINGS, signal, queryId: mainId }), client.label);
    let batch: Value[][] = [];
    let lastFlush = performance.now();
    for await (const item of reader) {
      if (item.kind === 'stats') {
        bytesRead = item.bytesRead;
        continue;
      }
      const row = item.row;
      if (row.length !== width) throw new ClickHouseError('protocol', `ClickHouse at ${client.label} answered rows of ${row.length} columns, not ${width}`);
      rows.push(row);
      if (options.onRows && translated.kind === 'search') {
        batch.push(row);
        if (batch.length >= 1000 || performance.now() - lastFlush > 100) {
          options.onRows(batch, translated.columns);
          batch = [];
          lastFlush = performance.now();
        }
      }
    }
    if (batch.length > 0) options.onRows?.(batch, translated.columns);
    const [records, matched] = (await countPromise).trim().split('\t').map(Number);
    return {
      columns: translated.columns,
      rows,
      kind: translated.kind,
      stats: { records, matched, malformed: info.malformed, bytes: bytesRead, elapsedMs: Math.round((performance.now() - started) * 10) / 10 },
    };
  } catch (e) {
    if (signal?.aborted || e instanceof QueryCancelledError) {
      killAll();
      throw new QueryCancelledError();
    }
    throw e;
  } finally {
    signal?.removeEventListener('abort', killAll);
    stopProgress?.();
  }
}

type JsonItem = { kind: 'row'; row: Value[] } | { kind: 'stats'; bytesRead: number };

/**
 * Rows of a JSONCompact answer as they come: ClickHouse writes each row on a line of its own. The answer counts
 * only when it ends as it should (its `rows` and closing brace): an error in mid-answer leaves it cut short, and
 * is reported, never taken as a whole result.
 */
export async function* readJsonCompact(lines: AsyncIterable<string>, label: string): AsyncGenerator<JsonItem> {
  let state: 'head' | 'data' | 'tail' = 'head';
  let count = 0;
  let declared = -1;
  let closed = false;
  let tail = '';
  for await (const raw of lines) {
    const line = raw.trim();
    if (state === 'head') {
      if (line.startsWith('"data":')) state = 'data';
      continue;
    }
    if (state === 'data') {
      if (line === '[' || line === '') continue;
      if (line === ']' || line === '],') {
        state = 'tail';
        continue;
      }
      const text = line.endsWith(',') ? line.slice(0, -1) : line;
      let row: unknown;
      try {
        row = JSON.parse(text);
      } catch {
        throw new ClickHouseError('server', `ClickHouse at ${label} broke off its answer: ${raw.slice(0, 500)}`);
      }
      if (!Array.isArray(row)) throw new ClickHouseError('protocol', `ClickHouse at ${label} answered a row that is not a list`);
      count++;
      yield { kind: 'row', row: row as Value[] };
      continue;
    }
    tail += line + '\n';
    const m = /"rows":\s*(\d+)/.exec(line);
    if (m) declared = Number(m[1]);
    if (line === '}') closed = true;
  }
  if (state !== 'tail' || declared !== count || !closed) {
    const reason = /Code:\s*\d+[\s\S]*/.exec(tail)?.[0].replace(/\s+/g, ' ').slice(0, 500);
    throw new ClickHouseError('server', `ClickHouse at ${label} broke off its answer after ${count} rows${reason ? `: ${reason}` : ''}`);
  }
  const bytes = /"bytes_read":\s*(\d+)/.exec(tail);
  yield { kind: 'stats', bytesRead: bytes ? Number(bytes[1]) : 0 };
}

/** Polls system.processes for the query's rows read (and the total it expects); returns a stop function. */
export function watchProgress(client: ClickHouseClient, queryId: string, onProgress: (done: number, total: number) => void, intervalMs: number): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      const text = await client.text(`SELECT read_rows, total_rows_approx FROM system.processes WHERE query_id = ${sqlString(queryId)} FORMAT TabSeparated`);
      const [done, total] = text.trim().split('\t').map(Number);
      if (!stopped && text.trim()) onProgress(done, Math.max(total, done));
    } catch {
      // Progress is a courtesy: the query's own answer reports failures.
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), intervalMs);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
