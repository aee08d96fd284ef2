// Command-palette commands. Each is contributed in package.json.
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { registerQueryCommands } from './query/queryCommands';

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('flowlog.restartServer', async () => {
      await client.restart();
    }),
  );
  registerQueryCommands(context, client);
}
