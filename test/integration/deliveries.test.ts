// Deliveries in a real extension host: a compressed flow log opens as its decoded, read-only view in the flowlog
// language with problems and hovers; a CLS JSON file is claimed by its first line and checked on its values; Query
// Folder opens the query panel and the summary over a folder.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import { diagnosticsWhen } from './diagnostics';

const EXTENSION_ID = 'flowlog-tools.vpc-flowlogs';
const DECODED_SCHEME = 'flowlog-decoded';
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const GOOD = '2 123456789010 eni-0a1b2c3d 10.0.1.12 10.0.2.7 49152 443 6 10 4000 1705312862 1705312922 ACCEPT OK';
const BAD_PORT = GOOD.replace(' 443 ', ' 65536 ');

/** The active text editor once its document satisfies `accept` (the decoded view replaces the custom editor). */
async function activeEditorWhen(accept: (d: vscode.TextDocument) => boolean): Promise<vscode.TextEditor> {
  for (let i = 0; i < 400; i++) {
    const e = vscode.window.activeTextEditor;
    if (e && accept(e.document)) return e;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no such active editor; active: ${vscode.window.activeTextEditor?.document.uri.toString()} (${vscode.window.activeTextEditor?.document.languageId})`);
}

async function hoverText(doc: vscode.TextDocument, pos: vscode.Position): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n').replace(/\\([!-/:-@[-`{-~])/g, '$1');
    if (text) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  return '';
}

suite('Deliveries: compressed files, JSON and CSV, folders', () => {
  let dir: string;
  let fixtures: string;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    fixtures = path.join(ext.extensionPath, 'test/fixtures/deliveries');
    dir = mkdtempSync(path.join(tmpdir(), 'flowlog-integration-deliveries-'));
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  test('opening a .log.gz shows its decoded records, read-only, as a Flow Log with problems and hovers', async () => {
    const file = path.join(dir, '123456789010_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_20240115T1000Z_1a2b3c4d.log.gz');
    writeFileSync(file, gzipSync([HEADER, GOOD, BAD_PORT, GOOD].join('\n') + '\n'));
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    const editor = await activeEditorWhen((d) => d.uri.scheme === DECODED_SCHEME && d.languageId === 'flowlog');
    const doc = editor.document;
    assert.equal(doc.uri.fsPath, file);
    assert.equal(doc.lineAt(2).text, BAD_PORT);
    assert.equal(vscode.workspace.fs.isWritableFileSystem(DECODED_SCHEME), false);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from('x'))));
    const diags = await diagnosticsWhen(doc.uri, (d) => d.length > 0);
    assert.deepEqual(diags.map((d) => [d.range.start.line, String(d.code), doc.getText(d.range)]), [[2, 'port-range', '65536']]);
    const hover = await hoverText(doc, new vscode.Position(1, GOOD.indexOf(' 6 ') + 1));
    assert.match(hover, /TCP 10\.0\.1\.12:49152 → 10\.0\.2\.7:443 \(https\)/);
    // The custom editor handed over: no tab of it is left.
    const custom = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputCustom);
    assert.deepEqual(custom.map((t) => t.label), []);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a gzip CLS JSON shipment opens decoded, its values checked; Open Decoded View does the same', async () => {
    const file = path.join(fixtures, 'cls-json/2024/01/15/10/202401151005_000_2000.gz');
    await vscode.commands.executeCommand('flowlog.openDecodedView', vscode.Uri.file(file));
    const editor = await activeEditorWhen((d) => d.uri.scheme === DECODED_SCHEME && d.uri.fsPath === file && d.languageId === 'flowlog');
    assert.ok(editor.document.lineAt(0).text.startsWith('{'));
    const hover = await hoverText(editor.document, new vscode.Position(0, editor.document.lineAt(0).text.indexOf('"protocol":') + '"protocol":'.length));
    assert.match(hover, /\*\*protocol\*\*/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a .json file of CLS records is claimed by its first line and checked on its values', async () => {
    const file = path.join(dir, 'shipment.json');
    const line = (port: string) => `{"__TIMESTAMP__":1705312931000,"version":2,"account_id":"123456789010","interface_id":"eni-00fb8673","srcaddr":"10.0.5.4","dstaddr":"172.31.11.180","srcport":443,"dstport":${port},"protocol":6,"packets":63,"bytes":73080,"start":1705312862,"end":1705312922,"action":"REJECT","log_status":"OK"}`;
    writeFileSync(file, [line('35492'), line('70000')].join('\n') + '\n');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    await activeEditorWhen((d) => d.uri.fsPath === file && d.languageId === 'flowlog');
    const diags = await diagnosticsWhen(doc.uri, (d) => d.length > 0);
    assert.deepEqual(diags.map((d) => [d.range.start.line, String(d.code), doc.getText(d.range)]), [[1, 'port-range', '70000']]);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('Query Folder is registered and opens the query panel and the summary over the folder', async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    assert.ok(commands.has('flowlog.queryFolder'));
    assert.ok(commands.has('flowlog.openDecodedView'));
    const folder = vscode.Uri.file(path.join(fixtures, 's3'));
    await vscode.commands.executeCommand('flowlog.queryFolder', folder, '**/*.log.gz');
    const webviewTabs = (viewType: string) => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType));
    // The tab model hears of new panels a moment after they are made.
    for (let i = 0; i < 200 && webviewTabs('flowlog.summaryPanel').length + webviewTabs('flowlog.queryPanel').length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(webviewTabs('flowlog.queryPanel').map((t) => t.label), ['Query: s3 · **/*.log.gz']);
    assert.deepEqual(webviewTabs('flowlog.summaryPanel').map((t) => t.label), ['Summary: s3 · **/*.log.gz']);
    await vscode.window.tabGroups.close([...webviewTabs('flowlog.queryPanel'), ...webviewTabs('flowlog.summaryPanel')]);
  });
});
