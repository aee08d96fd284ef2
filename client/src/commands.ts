// Command-palette commands. Each is contributed in package.json.
import * as vscode from 'vscode';
import { FlowLogClient } from './languageClient';
import { registerQueryCommands } from './query/queryCommands';

export function registerCommands(context: vscode.ExtensionContext, client: FlowLogClient): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('flowlog.restartServer', async () => {
      await (await client.get()).restart();
    }),
  );
  registerQueryCommands(context, client);
}
