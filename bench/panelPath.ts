// The panels' path outside the browser: dist/server.js over stdio, as VS Code runs it (with the node flags the
// extension gives it, client/src/serverFlags.ts), answering the requests the query panel and the summary send; its
// memory read from /proc (VmHWM: the process's peak RSS, worker threads included), and as-you-type checks
// (flowlog/checkQuery) sent while a long request runs, which is what typing in the panel waits on.
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest, ExitNotification, InitializeRequest, InitializedNotification, ProgressType, ProtocolConnection,
  ShutdownRequest, StreamMessageReader, StreamMessageWriter, WorkDoneProgressCreateRequest, createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../client/src/serverFlags';
import { CheckQueryRequest, DiagnoseRequest, DiagnoseResultWire, QueryRequest, QueryRowsProgress, SummaryParams, SummaryRequest, SummaryResultWire } from '../server/src/protocol';

/** What typing in the query panel sends: a query with a search and SQL to check. */
const CHECK = { query: 'action:REJECT AND dstport:3389 | select srcaddr, count(*) as n group by srcaddr order by n desc' };

export class ServerSession {
  private constructor(private readonly child: ChildProcess, private readonly connection: ProtocolConnection) {}

  /**
   * The server's node runs with the flags and environment the extension gives it (SERVER_NODE_FLAGS, SERVER_ENV),
   * then `nodeFlags` (`--cpu-prof`, which NODE_OPTIONS does not take; a later flag wins); `settings` answer its
   * configuration requests.
   */
  static async start(serverScript: string, nodeFlags: string[] = [], settings: Record<string, unknown> = {}): Promise<ServerSession> {
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeFlags, serverScript, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...SERVER_ENV } });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    // The `flowlog` settings the server asks for (the defaults unless a bench sets some).
    connection.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => settings));
    connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
    connection.listen();
    const session = new ServerSession(child, connection);
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } },
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return session;
  }

  /** Sends the server process a signal (SIGUSR2 writes a heap snapshot when it runs with --heapsnapshot-signal). */
  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** The server process's peak RSS so far, in MB (VmHWM), and its RSS now. */
  memory(): { peakMB: number; rssMB: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMB: kb('VmHWM') / 1024, rssMB: kb('VmRSS') / 1024 };
  }

  /**
   * Runs `work` while sending a check every 10–20 ms; the latency of every check sent before `work` ended (answered
   * before or after), in ms; `sent`, when given, gets each check's time sent (performance.now()), in the same order.
   */
  async withChecks<T>(work: () => Promise<T>, sent?: number[]): Promise<{ value: T; checkMs: number[] }> {
    let done = false;
    const running = work().finally(() => (done = true));
    const checkMs: number[] = [];
    const pending: Promise<void>[] = [];
    while (!done) {
      const c0 = performance.now();
      // Checks are not awaited one by one: one stuck behind a busy server must not hold back the next.
      pending.push(this.connection.sendRequest(CheckQueryRequest, CHECK).then(() => {
        checkMs.push(performance.now() - c0);
        sent?.push(c0);
      }));
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 10));
    }
    const value = await running;
    await Promise.all(pending);
    return { value, checkMs };
  }

  /** The summary request on a file on disk: its time, and the time of the first partial result if any comes. */
  async summary(file: string): Promise<{ seconds: number; firstPartialMs: number | null; result: SummaryResultWire }> {
    const token = `summary-${Math.random()}`;
    const t0 = performance.now();
    let first: number | null = null;
    // A partial result token is offered whether or not the server sends sections early: if it does, it is timed.
    const sub = this.connection.onProgress(new ProgressType<unknown>(), token, () => void (first ??= performance.now() - t0));
    try {
      const params = { uri: pathToFileURL(file).toString(), partialResultToken: token } as SummaryParams;
      const result = await this.connection.sendRequest(SummaryRequest, params);
      return { seconds: (performance.now() - t0) / 1000, firstPartialMs: first, result };
    } finally {
      sub.dispose();
    }
  }

  /** The summary page's Diagnose section (flowlog/diagnose, sent after every summary) on a file on disk. */
  async diagnose(file: string): Promise<{ seconds: number; result: DiagnoseResultWire }> {
    const t0 = performance.now();
    const result = await this.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(file).toString() });
    return { seconds: (performance.now() - t0) / 1000, result };
  }

  /** A query as the panel sends it (rows kept up to `limit`, partial results): first rows and whole request. */
  async query(file: string, query: string, limit: number): Promise<{ firstRowsMs: number; seconds: number; matched: number }> {
    const token = `rows-${Math.random()}`;
    const t0 = performance.now();
    let first = NaN;
    const sub = this.connection.onProgress(QueryRowsProgress, token, () => {
      if (Number.isNaN(first)) first = performance.now() - t0;
    });
    try {
      const r = await this.connection.sendRequest(QueryRequest, { uri: pathToFileURL(file).toString(), query, limit, partialResultToken: token });
      return { firstRowsMs: first, seconds: (performance.now() - t0) / 1000, matched: r.stats.matched };
    } finally {
      sub.dispose();
    }
  }

  async close(): Promise<void> {
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } finally {
      // The exit notification ends the server (and writes its --cpu-prof profiles): given a few seconds before a kill.
      if (this.child.exitCode === null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 3000);
          this.child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      this.connection.dispose();
      if (this.child.exitCode === null) this.child.kill();
    }
  }
}
