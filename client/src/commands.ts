// Command-palette commands. Each is contributed in package.json.
import * as vscode from 'vscode';
import { FlowLogClient } from './languageClient';
import { registerQueryCommands } from './query/queryCommands';
import { RecentQueries } from './query/recentQueries';
import { registerPanels } from './panels';

export function registerCommands(context: vscode.ExtensionContext, client: FlowLogClient): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('flowlog.restartServer', async () => {
      await (await client.get()).restart();
    }),
  );
  const recent = new RecentQueries(context.workspaceState);
  registerQueryCommands(context, client, recent);
  registerPanels({ context, client, recent });
}
