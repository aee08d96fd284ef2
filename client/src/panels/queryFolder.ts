// Flow Logs: Query Folder… (palette, and the Explorer's context menu on a folder): the query panel and the summary
// over every flow log under a folder, or those matching a glob (asked for in an input box). The folder is one
// source: an S3 sync of many compressed deliveries, a CLS shipment tree, a CloudWatch export.
import * as vscode from 'vscode';
import { PanelTarget } from './webviewPanel';
import { globProblem } from './folderGlob';

/** What `**\/*` (every file under the folder) means: no glob at all, every flow log the readers find. */
const EVERY_FLOW_LOG = '**/*';

/** A Uri from the Explorer, a URI string or a path, or a Uri made by another extension's API instance (tests). */
function asUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg.length > 0) return /^[a-z][\w+.-]*:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  const u = arg as { scheme?: unknown; path?: unknown; authority?: unknown } | undefined;
  if (u && typeof u.scheme === 'string' && typeof u.path === 'string') return vscode.Uri.from({ scheme: u.scheme, authority: typeof u.authority === 'string' ? u.authority : '', path: u.path });
  return undefined;
}

/** The panel target of a folder and the glob typed (empty or every file: no glob). */
export function folderTarget(folder: vscode.Uri, glob: string | undefined): PanelTarget {
  const g = glob?.trim();
  return { uri: folder, folder: { glob: g && g !== EVERY_FLOW_LOG ? g : undefined } };
}

/**
 * The folder and glob to query: `folderArg` from the Explorer (or a command call), else asked for; `globArg`, else
 * asked for in an input box. Undefined when the user cancels.
 */
export async function askFolderTarget(folderArg?: unknown, globArg?: unknown): Promise<PanelTarget | undefined> {
  let folder = asUri(folderArg);
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      title: 'Query Folder: the folder of flow logs', openLabel: 'Query Folder',
    });
    folder = picked?.[0];
  }
  if (!folder) return undefined;
  if (typeof globArg === 'string') {
    const problem = globProblem(globArg);
    if (problem) void vscode.window.showErrorMessage(`Query Folder: ${problem}.`);
    return problem ? undefined : folderTarget(folder, globArg);
  }
  const name = folder.path.split('/').filter(Boolean).pop() ?? folder.fsPath;
  const glob = await vscode.window.showInputBox({
    title: `Query Folder: ${name}`,
    prompt: `The files to read under ${name}: a glob such as AWSLogs/**/*.log.gz (${EVERY_FLOW_LOG}: every flow log; other files are left out)`,
    value: EVERY_FLOW_LOG,
    valueSelection: [0, EVERY_FLOW_LOG.length],
    ignoreFocusOut: true,
    validateInput: globProblem,
  });
  return glob === undefined ? undefined : folderTarget(folder, glob);
}
