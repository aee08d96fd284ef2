// Activation: hand off to the small UI modules; the language client starts with the first flow log.
import * as vscode from 'vscode';
import { FlowLogClient } from './languageClient';
import { StatusBar } from './statusBar';
import { registerCommands } from './commands';
import { registerLanguageDetection } from './detectLanguage';
import { trackActiveFlowLog } from './activeFlowLog';
import { registerBigFileDiagnostics } from './bigFileDiagnostics';
import { registerDecodedFileSystem } from './decoded/decodedFileSystem';
import { registerDecodedEditors } from './decoded/decodedEditor';

let client: FlowLogClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  client = new FlowLogClient(context);
  context.subscriptions.push(client, new StatusBar(client));
  const decoded = registerDecodedFileSystem(context, client);
  registerDecodedEditors(context);
  trackActiveFlowLog(context);
  registerCommands(context, client);
  registerLanguageDetection(context);
  registerBigFileDiagnostics(context, client, decoded.onDidDecode);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
