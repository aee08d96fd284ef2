// Command-palette commands. Each is contributed in package.json.
import * as vscode from 'vscode';
import { FlowLogClient } from './languageClient';
import { registerQueryCommands } from './query/queryCommands';
import { RecentQueries } from './query/recentQueries';
import { registerPanels } from './panels';
import { QueryPanel } from './panels/queryPanel';
import { registerClickHouseAccess } from './clickhouse/access';
import { registerClickHouseCommands } from './clickhouse/commands';

export function registerCommands(context: vscode.ExtensionContext, client: FlowLogClient): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('flowlog.restartServer', async () => {
      await (await client.get()).restart();
    }),
  );
  const recent = new RecentQueries(context.workspaceState);
  registerQueryCommands(context, client, recent, () => QueryPanel.boundTable()?.uri);
  registerClickHouseAccess(context);
  registerPanels({ context, client, recent });
  registerClickHouseCommands({ context, client, recent });
}
