// Activation: start the language client and hand off to the small UI modules.
import * as vscode from 'vscode';
import { startLanguageClient } from './languageClient';
import { StatusBar } from './statusBar';
import { registerCommands } from './commands';
import { registerLanguageDetection } from './detectLanguage';

let stop: (() => Promise<void>) | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const client = await startLanguageClient(context);
  stop = () => client.stop();
  context.subscriptions.push(new StatusBar(client));
  registerCommands(context, client);
  registerLanguageDetection(context);
}

export async function deactivate(): Promise<void> {
  await stop?.();
}
