// Files over 50 MB are open in tabs but never handed to extensions (no TextDocument, no didOpen), so the
// language server would not check them. This tells it which such files are open (flowlog/unsyncedFiles): it
// lints the flow logs among them from disk and publishes their problems, and clears them when the tab closes. A
// decoded view (flowlog-decoded:) of a compressed or Parquet file over that size is such a tab too.
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { DECODED_SCHEME, UnsyncedFilesNotification } from '../../server/src/protocol';
import { FlowLogClient } from './languageClient';

/** VS Code hands no text model over this size to extensions (TextModel.MODEL_SYNC_LIMIT, in characters). */
const SYNC_LIMIT = 50 * 1024 * 1024;
/** Names that may hold flow logs (the server decides by the first line for all but .flowlog). */
const CANDIDATE = /\.(flowlog|log|txt|json|jsonl|csv|tsv)$/i;

export function registerBigFileDiagnostics(context: vscode.ExtensionContext, client: FlowLogClient, onDidDecode?: vscode.Event<vscode.Uri>): void {
  let sent: string | undefined;
  let queue = Promise.resolve();

  /** The big files open in tabs that are not synced documents, as URI strings, sorted. */
  const unsyncedFiles = async (): Promise<string[]> => {
    const synced = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    const tabs = new Map<string, vscode.Uri>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
        const candidate = uri && ((uri.scheme === 'file' && CANDIDATE.test(uri.path)) || uri.scheme === DECODED_SCHEME);
        if (uri && candidate && !synced.has(uri.toString())) tabs.set(uri.toString(), uri);
      }
    }
    const big: string[] = [];
    for (const [key, uri] of tabs) {
      const size = await vscode.workspace.fs.stat(uri).then((s) => s.size, () => 0);
      if (size > SYNC_LIMIT) big.push(key);
    }
    return big.sort();
  };

  // One update at a time, each from the state of the moment: the notifications cannot overtake each other.
  const update = () => {
    queue = queue.then(async () => {
      const uris = await unsyncedFiles();
      const key = uris.join('\n');
      if (key === sent) return;
      if (uris.length === 0 && sent === undefined) return; // nothing to say, and no reason to start the server
      const languageClient = await client.get();
      await languageClient.sendNotification(UnsyncedFilesNotification, { uris });
      sent = key;
    }).catch(() => undefined);
  };

  context.subscriptions.push(
    vscode.window.tabGroups.onDidChangeTabs(update),
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidCloseTextDocument(update),
    ...(onDidDecode ? [onDidDecode(update)] : []),
    // A restarted server knows nothing: tell it again.
    client.whenStarted((languageClient) => languageClient.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        sent = undefined;
        update();
      }
    })),
  );
  update();
}
