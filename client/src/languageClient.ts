// The language client: runs dist/server.js over node IPC for flowlog documents. It starts when the first flow
// log is open (or a command needs it), not at activation: the extension also activates on plain text and log
// files, to recognise flow logs among them, and most of those never need a server.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { SERVER_ENV, SERVER_NODE_FLAGS } from './serverFlags';

async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS], env: { ...SERVER_ENV } } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6009'], env: { ...SERVER_ENV } } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'flowlog' }],
    synchronize: { configurationSection: 'flowlog' },
    outputChannelName: 'Flow Logs',
  };
  const client = new LanguageClient('flowlog', 'Flow Log Language Server', serverOptions, clientOptions);
  await client.start();
  return client;
}

export class FlowLogClient implements vscode.Disposable {
  private starting?: Promise<LanguageClient>;
  private readonly started = new vscode.EventEmitter<LanguageClient>();
  private client?: LanguageClient;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly context: vscode.ExtensionContext) {
    const isFlowLog = (d: vscode.TextDocument) => d.languageId === 'flowlog';
    // A document switched to flowlog (a .log recognised by its first line) is reopened, so this sees it too.
    this.subscription = vscode.workspace.onDidOpenTextDocument((d) => {
      if (isFlowLog(d)) void this.get();
    });
    if (vscode.workspace.textDocuments.some(isFlowLog)) void this.get();
  }

  /** The running client, started on first use. */
  get(): Promise<LanguageClient> {
    this.starting ??= startLanguageClient(this.context).then((client) => {
      this.client = client;
      this.started.fire(client);
      return client;
    });
    return this.starting;
  }

  /** Calls `listener` with the client once it runs (at once if it already does). */
  whenStarted(listener: (client: LanguageClient) => vscode.Disposable): vscode.Disposable {
    if (this.client) return listener(this.client);
    let inner: vscode.Disposable | undefined;
    const sub = this.started.event((client) => {
      inner = listener(client);
    });
    return { dispose: () => { sub.dispose(); inner?.dispose(); } };
  }

  async stop(): Promise<void> {
    if (this.starting) await (await this.starting).stop();
  }

  dispose(): void {
    this.subscription.dispose();
    this.started.dispose();
  }
}
