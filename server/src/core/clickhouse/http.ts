// A small ClickHouse HTTP client (node:http/https, no dependency): queries in the POST body, inserts streamed as
// the body with the statement in the URL, answers read as lines. Every failure becomes one ClickHouseError whose
// message names the server (scheme, host and port only) and never the credentials.
import type { IncomingMessage, ClientRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { QueryCancelledError } from '../query/errors';

export interface ClickHouseCredentials {
  user?: string;
  password?: string;
}

export interface ClickHouseEndpoint {
  /** `http://host:8123`, `https://host:8443`; a path or `?database=` is kept. No credentials in it. */
  url: string;
  credentials?: ClickHouseCredentials;
  /** Give up on an answer after this long (and ask the server to stop at the same time); default 10 minutes. */
  timeoutMs?: number;
  /** Connecting longer than this fails; default 10 s. */
  connectTimeoutMs?: number;
}

export type ClickHouseErrorKind = 'refused' | 'unreachable' | 'timeout' | 'auth' | 'server' | 'protocol';

export class ClickHouseError extends Error {
  constructor(readonly kind: ClickHouseErrorKind, message: string, readonly code?: number) {
    super(message);
    this.name = 'ClickHouseError';
  }
}

export function isClickHouseError(e: unknown): e is ClickHouseError {
  return e instanceof Error && e.name === 'ClickHouseError';
}

/** What the URL may carry, checked once: no user or password in it (they would end up in logs and errors). */
export function parseEndpointUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ClickHouseError('protocol', `${JSON.stringify(url)} is not a URL (write http://host:8123 or https://host:8443)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ClickHouseError('protocol', `the ClickHouse URL must start with http:// or https://, not ${u.protocol}`);
  if (u.username || u.password) {
    throw new ClickHouseError('protocol', 'the ClickHouse URL must not carry a user or password: give the user apart and the password in FLOWLOG_CLICKHOUSE_PASSWORD (or on standard input)');
  }
  for (const k of ['user', 'password']) {
    if (u.searchParams.has(k)) throw new ClickHouseError('protocol', `the ClickHouse URL must not carry ${k}=: give the user apart and the password in FLOWLOG_CLICKHOUSE_PASSWORD`);
  }
  return u;
}

/** The server as errors name it: scheme, host and port. */
export function serverLabel(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

export interface RequestOptions {
  /** URL parameters: `query` (for inserts), settings such as `max_execution_time`. */
  params?: Record<string, string | number>;
  /** The POST body: the query text, or the rows of an insert (streamed). */
  body?: string | AsyncIterable<string | Buffer>;
  signal?: AbortSignal;
  queryId?: string;
}

export class ClickHouseClient {
  readonly url: URL;
  readonly label: string;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly auth?: string;

  constructor(endpoint: ClickHouseEndpoint) {
    this.url = parseEndpointUrl(endpoint.url);
    this.label = serverLabel(this.url);
    this.timeoutMs = endpoint.timeoutMs ?? 10 * 60_000;
    this.connectTimeoutMs = endpoint.connectTimeoutMs ?? 10_000;
    const c = endpoint.credentials;
    if (c?.user !== undefined || c?.password !== undefined) {
      this.auth = 'Basic ' + Buffer.from(`${c.user ?? 'default'}:${c.password ?? ''}`).toString('base64');
    }
  }

  /** A query's whole answer as text. */
  async text(sql: string, options: Omit<RequestOptions, 'body'> = {}): Promise<string> {
    let out = '';
    for await (const chunk of this.stream({ ...options, body: sql })) out += chunk;
    return out;
  }

  /** Runs a statement that answers nothing (DDL, INSERT … SELECT). */
  async exec(sql: string, options: Omit<RequestOptions, 'body'> = {}): Promise<void> {
    await this.text(sql, options);
  }

  /** Sends rows: `statement` is `INSERT INTO … FORMAT …`, `rows` its data (streamed as it comes). */
  async insert(statement: string, rows: string | AsyncIterable<string | Buffer>, options: Omit<RequestOptions, 'body'> = {}): Promise<void> {
    for await (const chunk of this.stream({ ...options, params: { ...options.params, query: statement }, body: rows })) void chunk;
  }

  /** The answer's lines, as they arrive (the last one without its newline). */
  async *lines(options: RequestOptions): AsyncGenerator<string> {
    let carry = '';
    for await (const chunk of this.stream(options)) {
      const text = carry + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        yield text.slice(start, nl);
        start = nl + 1;
      }
      carry = text.slice(start);
    }
    if (carry) yield carry;
  }

  /** The answer as text chunks; rejects with ClickHouseError (or QueryCancelledError when `signal` aborts). */
  async *stream(options: RequestOptions): AsyncGenerator<string> {
    const { signal } = options;
    if (signal?.aborted) throw new QueryCancelledError();
    const url = new URL(this.url.href);
    const seconds = Math.ceil(this.timeoutMs / 1000);
    url.searchParams.set('max_execution_time', String(seconds));
    if (options.queryId) url.searchParams.set('query_id', options.queryId);
    for (const [k, v] of Object.entries(options.params ?? {})) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
    if (this.auth) headers.Authorization = this.auth;
    // Required here: loading node:https (with node:http and TLS) costs 20-30 ms, at every start of the CLI and the
    // language server otherwise, most of which never talk to ClickHouse.
    const send = url.protocol === 'https:' ? (require('node:https') as typeof import('node:https')).request : (require('node:http') as typeof import('node:http')).request;
    // A connection per request: a kept-alive socket may be closed by the server (keep_alive_timeout, 3 s by
    // default) just as the next request is written on it, and an INSERT would fail half-sent.
    const req: ClientRequest = send(url, { method: 'POST', headers, agent: false });
    let failure: Error | undefined;
    const fail = (e: Error) => {
      failure ??= e;
      req.destroy();
    };
    // Connect timeout, then a timeout on the whole answer (the server stops at max_execution_time too).
    const connectTimer = setTimeout(() => fail(new ClickHouseError('timeout', `ClickHouse at ${this.label} did not accept a connection within ${Math.round(this.connectTimeoutMs / 1000)} s`)), this.connectTimeoutMs);
    req.on('socket', (socket) => {
      const connected = () => clearTimeout(connectTimer);
      if (socket.connecting) socket.once('connect', connected);
      else connected();
    });
    const answerTimer = setTimeout(() => fail(new ClickHouseError('timeout', `ClickHouse at ${this.label} did not answer within ${seconds} s`)), this.timeoutMs + 1_000);
    const onAbort = () => fail(new QueryCancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', (e) => reject(failure ?? this.networkError(e)));
    });
    response.catch(() => undefined);
    try {
      await this.writeBody(req, options.body, () => failure);
      const res = await response;
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let body = '';
        for await (const chunk of res) {
          if (body.length < 65_536) body += chunk as string;
        }
        throw failure ?? this.serverError(res.statusCode ?? 0, body);
      }
      const ended = new Promise<void>((resolve, reject) => {
        res.once('end', resolve);
        res.once('aborted', () => reject(new ClickHouseError('protocol', `ClickHouse at ${this.label} closed the connection before the end of its answer`)));
        res.once('error', (e) => reject(failure ?? this.networkError(e)));
      });
      ended.catch(() => undefined);
      try {
        for await (const chunk of res) {
          if (failure) throw failure;
          yield chunk as string;
        }
      } catch (e) {
        throw failure ?? (e instanceof ClickHouseError ? e : this.networkError(e as Error));
      }
      if (failure) throw failure;
      if (!res.complete) throw new ClickHouseError('protocol', `ClickHouse at ${this.label} closed the connection before the end of its answer`);
      await ended;
    } finally {
      clearTimeout(connectTimer);
      clearTimeout(answerTimer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
    }
  }

  private async writeBody(req: ClientRequest, body: RequestOptions['body'], failed: () => Error | undefined): Promise<void> {
    if (body === undefined || typeof body === 'string') {
      req.end(body ?? '');
      return;
    }
    const drained = () => new Promise<void>((resolve) => {
      const done = () => {
        req.off('drain', done);
        req.off('close', done);
        resolve();
      };
      req.once('drain', done);
      req.once('close', done);
    });
    for await (const piece of body) {
      const f = failed();
      if (f) throw f;
      if (!req.write(piece)) await drained();
    }
    const f = failed();
    if (f) throw f;
    req.end();
  }

  private networkError(e: Error): ClickHouseError {
    const code = (e as NodeJS.ErrnoException).code;
    switch (code) {
      case 'ECONNREFUSED':
        return new ClickHouseError('refused', `ClickHouse at ${this.label} refused the connection (is the server running, and is this its HTTP port, 8123 by default?)`);
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new ClickHouseError('unreachable', `cannot find the host of ${this.label}`);
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return new ClickHouseError('unreachable', `cannot reach ${this.label}`);
      case 'ECONNRESET':
      case 'EPIPE':
        return new ClickHouseError('protocol', `ClickHouse at ${this.label} closed the connection`);
      default:
        if (code?.startsWith('ERR_TLS') || code?.includes('CERT') || /certificate|SSL|TLS/i.test(e.message)) {
          return new ClickHouseError('unreachable', `cannot open a TLS connection to ${this.label}: ${e.message}`);
        }
        return new ClickHouseError('unreachable', `cannot talk to ClickHouse at ${this.label}: ${code ?? e.message}`);
    }
  }

  private serverError(status: number, body: string): ClickHouseError {
    // `Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist., e.what() = DB::Exception` (18.16);
    // `Code: 60. DB::Exception: Table default.x does not exist. (UNKNOWN_TABLE) (version 23.8…)` (current).
    const m = /Code:\s*(\d+)[.,]\s*(?:e\.displayText\(\) = )?(?:DB::Exception:\s*)?([\s\S]*?)(?:, e\.what\(\) = [\s\S]*|\s*\(version [^)]*\)\s*)?$/.exec(body.trim());
    const code = m ? Number(m[1]) : undefined;
    const text = (m ? m[2] : body.trim()).replace(/\s+/g, ' ').slice(0, 2000) || `HTTP ${status}`;
    // 516 AUTHENTICATION_FAILED, 192 UNKNOWN_USER, 193 WRONG_PASSWORD, 194 REQUIRED_PASSWORD, 195 IP_ADDRESS_NOT_ALLOWED.
    if (status === 401 || status === 403 || (code !== undefined && [192, 193, 194, 195, 516].includes(code))) {
      return new ClickHouseError('auth', `ClickHouse at ${this.label} refused the credentials: ${text}`, code);
    }
    return new ClickHouseError('server', `ClickHouse at ${this.label} answered an error${code !== undefined ? ` (code ${code})` : ''}: ${text}`, code);
  }

  /** Asks the server to stop a query (best effort: the connection is gone already). */
  async kill(queryId: string): Promise<void> {
    try {
      await this.exec(`KILL QUERY WHERE query_id = ${sqlString(queryId)} ASYNC`);
    } catch {
      // The query may be over; the caller has its answer (cancelled) already.
    }
  }

  async version(): Promise<string> {
    return (await this.text('SELECT version()')).trim();
  }
}

export function newQueryId(): string {
  return `flowlog-${randomUUID()}`;
}

/** A ClickHouse string literal. */
export function sqlString(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}
