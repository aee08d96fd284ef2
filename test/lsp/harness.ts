// An LSP client and the server connected over in-memory streams (or a child process), with promise-based waits
// for notifications: no sleeps.
import { PassThrough, Readable, Writable } from 'node:stream';
import { createConnection } from 'vscode-languageserver/node';
import {
  ConfigurationRequest, DidChangeConfigurationNotification, DidOpenTextDocumentNotification, InitializeRequest,
  InitializedNotification, ProtocolConnection, PublishDiagnosticsNotification, PublishDiagnosticsParams,
  StreamMessageReader, StreamMessageWriter, createProtocolConnection, WorkDoneProgressCreateRequest,
  CancellationToken, CancellationTokenSource, WorkDoneProgress,
} from 'vscode-languageserver-protocol/node';
import { startServer } from '../../server/src/languageServer';
import { DocumentStatusNotification, DocumentStatusParams } from '../../server/src/protocol';

export class TestClient {
  readonly connection: ProtocolConnection;
  /** What the server gets when it asks for the `flowlog` settings. */
  settings: Record<string, unknown> = {};
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  private readonly statuses = new Map<string, DocumentStatusParams[]>();
  private waiters: (() => void)[] = [];

  constructor(input: Readable, output: Writable) {
    this.connection = createProtocolConnection(new StreamMessageReader(input), new StreamMessageWriter(output));
    this.connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => this.settings));
    this.connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.push(this.diagnostics, p.uri, p);
    });
    this.connection.onNotification(DocumentStatusNotification, (p) => {
      this.push(this.statuses, p.uri, p);
    });
    this.connection.listen();
  }

  private push<T>(map: Map<string, T[]>, uri: string, value: T) {
    const list = map.get(uri) ?? [];
    list.push(value);
    map.set(uri, list);
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  /** Resolves once a condition over the received notifications holds. */
  private until<T>(probe: () => T | undefined): Promise<T> {
    return new Promise((resolve) => {
      const check = () => {
        const v = probe();
        if (v !== undefined) resolve(v);
        else this.waiters.push(check);
      };
      check();
    });
  }

  /** The n-th publishDiagnostics for `uri` (1-based), awaited. */
  diagnosticsNumber(uri: string, n: number): Promise<PublishDiagnosticsParams> {
    return this.until(() => this.diagnostics.get(uri)?.[n - 1]);
  }

  diagnosticsCount(uri: string): number {
    return this.diagnostics.get(uri)?.length ?? 0;
  }

  statusNumber(uri: string, n: number): Promise<DocumentStatusParams> {
    return this.until(() => this.statuses.get(uri)?.[n - 1]);
  }

  async initialize() {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: null, rootUri: null, capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  async open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    const n = this.diagnosticsCount(uri) + 1;
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'flowlog', version: 1, text } });
    return this.diagnosticsNumber(uri, n);
  }

  /** Changes the settings and tells the server; resolves after it has re-published `uri`'s diagnostics. */
  async configure(settings: Record<string, unknown>, uri: string): Promise<void> {
    this.settings = settings;
    const n = this.diagnosticsCount(uri) + 1;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await this.diagnosticsNumber(uri, n);
  }

  /**
   * Sends a request with a work-done token and cancels it at its first progress report, when the server has started
   * the work and has nearly all of it still to do, whatever the machine's load (a timer may fire after a fast job has
   * answered). Resolves to the response error's code, or throws if the request answered a result.
   */
  async cancelAtFirstProgress(send: (token: CancellationToken, workDoneToken: string) => Promise<unknown>): Promise<number> {
    const source = new CancellationTokenSource();
    const workDoneToken = `cancel-at-first-progress-${++this.cancelTokens}`;
    const sub = this.connection.onProgress(WorkDoneProgress.type, workDoneToken, (p) => {
      if (p.kind === 'report') source.cancel();
    });
    try {
      await send(source.token, workDoneToken);
    } catch (e) {
      if (!source.token.isCancellationRequested) throw new Error(`failed before its first progress report: ${(e as Error).message}`);
      return (e as { code: number }).code;
    } finally {
      sub.dispose();
    }
    throw new Error(source.token.isCancellationRequested ? 'answered a result after it was cancelled' : 'answered without a progress report');
  }
  private cancelTokens = 0;

  dispose() {
    this.connection.dispose();
  }
}

/** A document's own problems (validation), without the connectivity diagnosis's findings (source `flowlog connectivity`). */
export function ownProblems<T extends { source?: string }>(diagnostics: T[]): T[] {
  return diagnostics.filter((d) => d.source === 'flowlog');
}

/** The server in this process, connected through two PassThrough streams. */
export function inMemoryServer(): TestClient {
  const up = new PassThrough();
  const down = new PassThrough();
  startServer(createConnection(up, down));
  return new TestClient(down, up);
}
