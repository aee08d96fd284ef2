// The language client: runs dist/server.js over node IPC for flowlog documents.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
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
