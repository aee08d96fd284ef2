// The extension in a real VS Code extension host: language mode, diagnostics, hovers, inlay hints, commands and
// settings, through the public vscode API. Runs under @vscode/test-electron and under VS Code's server.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { diagnosticsWhen, ownProblems } from './diagnostics';
import { translateQuery } from '../../server/src/core/translate';

const EXTENSION_ID = 'flowlog-tools.vpc-flowlogs';

function fixture(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run with the fixtures folder open');
  return vscode.Uri.file(path.join(folder.uri.fsPath, name));
}

async function open(name: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(fixture(name));
  await vscode.window.showTextDocument(doc);
  return doc;
}

function position(doc: vscode.TextDocument, line: number, text: string): vscode.Position {
  const col = doc.lineAt(line).text.indexOf(text);
  assert.ok(col >= 0, `${text} on line ${line}`);
  return new vscode.Position(line, col + 1);
}

async function hoverText(doc: vscode.TextDocument, pos: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos);
  // Readings are escaped Markdown (their values come from the file): compare the text they render as.
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n').replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** Hover text once it satisfies `accept`: the server answers with the settings it has pulled. */
async function hoverUntil(doc: vscode.TextDocument, pos: vscode.Position, accept: (s: string) => boolean): Promise<string> {
  let text = '';
  for (let i = 0; i < 100; i++) {
    text = await hoverText(doc, pos);
    if (accept(text)) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  return text;
}

suite('VPC Flow Logs extension', () => {
  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    await open('good.flowlog');
    await ext.activate();
  });

  test('a .flowlog file is in the flowlog language', async () => {
    const doc = await open('good.flowlog');
    assert.equal(doc.languageId, 'flowlog');
  });

  test('a .log file that starts with a flow log header is recognised by its first line', async () => {
    const doc = await open('capture.log');
    assert.equal(doc.languageId, 'flowlog');
  });

  test('diagnostics for the known bad lines, with their codes', async () => {
    const doc = await open('bad.flowlog');
    const diags = await diagnosticsWhen(doc.uri, (d) => d.length >= 5);
    const got = diags.map((d) => [d.range.start.line, String(d.code)]).sort((a, b) => Number(a[0]) - Number(b[0]));
    assert.deepEqual(got, [[2, 'port-range'], [3, 'action'], [4, 'address'], [5, 'start-after-end'], [6, 'field-count']]);
    const port = diags.find((d) => d.code === 'port-range')!;
    assert.equal(port.message, 'dstport 65536 is out of range 0–65535');
    assert.equal(doc.getText(port.range), '65536');
    assert.equal(port.severity, vscode.DiagnosticSeverity.Error);
  });

  test('a good file has no diagnostics', async () => {
    const doc = await open('good.flowlog');
    // The status notification follows the (empty) diagnostics; wait for the record to be known via hover.
    await hoverUntil(doc, position(doc, 0, ' 6 '), (s) => s.includes('TCP'));
    assert.deepEqual(ownProblems(doc.uri), []);
    // What it records is another matter: its RDP attempt was rejected (a connectivity finding, not a problem).
    const rdp = (d: vscode.Diagnostic) => d.source === 'flowlog connectivity' && d.code === 'request-rejected' && d.message.includes(':3389');
    const found = await new Promise<vscode.Diagnostic>((resolve) => {
      const check = () => {
        const d = vscode.languages.getDiagnostics(doc.uri).find(rdp);
        if (!d) return;
        sub.dispose();
        resolve(d);
      };
      const sub = vscode.languages.onDidChangeDiagnostics(check);
      check();
    });
    assert.equal(doc.lineAt(found.range.start.line).text.includes('3389'), true);
  });

  test('hover decodes protocol, port and timestamp, and reads the whole flow', async () => {
    const doc = await open('good.flowlog');
    const proto = await hoverUntil(doc, position(doc, 0, ' 6 '), (s) => s.includes('TCP'));
    assert.match(proto, /\*\*protocol\*\*/);
    assert.match(proto, /TCP/);
    assert.match(proto, /TCP 172\.31\.16\.139:20641 → 172\.31\.16\.21:22 \(ssh\) · 20 packets, 4\.1 KiB · 60 s window 2014-12-14 04:06:50–04:07:50 UTC · ACCEPT/);
    assert.match(await hoverText(doc, position(doc, 0, ' 22 ')), /`22` → ssh/);
    assert.match(await hoverText(doc, position(doc, 0, '1418530010')), /2014-12-14 04:06:50 UTC/);
  });

  test('inlay hints decode in place', async () => {
    const doc = await open('good.flowlog');
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, 1, 0));
    const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    for (const l of ['TCP', 'ssh', '2014-12-14 04:06:50Z']) assert.ok(labels.includes(l), `${l} in ${labels.join(', ')}`);
  });

  test('settings change behaviour: flowlog.timeZone and flowlog.inlayHints.protocol', async () => {
    const doc = await open('good.flowlog');
    const config = vscode.workspace.getConfiguration('flowlog');
    const pos = position(doc, 0, '1418530010');
    try {
      await config.update('timeZone', 'local', vscode.ConfigurationTarget.Global);
      // The harness runs the extension host with TZ=Asia/Shanghai (UTC+8).
      const local = await hoverUntil(doc, pos, (s) => s.includes('+08:00'));
      assert.match(local, /2014-12-14 12:06:50 \+08:00/);
      await config.update('inlayHints.protocol', false, vscode.ConfigurationTarget.Global);
      let labels: string[] = [];
      for (let i = 0; i < 100; i++) {
        const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, 1, 0));
        labels = hints.map((h) => String(h.label));
        if (!labels.includes('TCP')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(!labels.includes('TCP'), `no protocol hint once switched off: ${labels.join(', ')}`);
      assert.ok(labels.includes('ssh'), 'port hints stay');
    } finally {
      await config.update('timeZone', undefined, vscode.ConfigurationTarget.Global);
      await config.update('inlayHints.protocol', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('quick fix upper-cases a lower-case action', async () => {
    const doc = await open('bad.flowlog');
    const diags = await diagnosticsWhen(doc.uri, (d) => d.some((x) => x.code === 'action'));
    const action = diags.find((d) => d.code === 'action')!;
    const fixes = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, action.range, vscode.CodeActionKind.QuickFix.value);
    assert.ok(fixes.some((f) => f.title === 'Change to ACCEPT'), fixes.map((f) => f.title).join(', '));
  });

  test('every contributed command is registered and runs on the fixture', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed: string[] = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of contributed) assert.ok(registered.has(c), `${c} is registered`);
    // Commands that ask for a query take it as an argument; those that then show a pick are closed by the test.
    const args: Record<string, unknown[]> = {
      'flowlog.search': ['action:REJECT'],
      'flowlog.filterToNewEditor': ['action:REJECT'],
      'flowlog.runQuery': ['* | select action, count(*) as n group by action order by action'],
      'flowlog.openQueryPanel': [],
      'flowlog.showSummary': [],
      'flowlog.copyQueryAs': ['action:REJECT', 'cls'],
    };
    for (const c of contributed) {
      await open('good.flowlog');
      const run = Promise.resolve(vscode.commands.executeCommand(c, ...(args[c] ?? [])));
      let settled = false;
      void run.finally(() => (settled = true)).catch(() => undefined);
      for (let i = 0; i < 200 && !settled; i++) {
        await new Promise((r) => setTimeout(r, 25));
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      }
      await run; // throws when the command failed
    }
  });

  test('Copy Query As… writes the translation to the clipboard; a query the dialect cannot express leaves it as it was', async () => {
    const query = 'action:REJECT AND dstport:22 | select srcaddr, count(*) as n group by srcaddr order by n desc limit 5';
    for (const dialect of ['athena', 'clickhouse', 'cls', 'cwli'] as const) {
      await vscode.commands.executeCommand('flowlog.copyQueryAs', query, dialect);
      const { text } = translateQuery(query, dialect, { table: dialect === 'clickhouse' ? 'flows' : undefined });
      assert.equal(await vscode.env.clipboard.readText(), dialect === 'athena' || dialect === 'clickhouse' ? `${text};` : text, dialect);
    }
    await vscode.env.clipboard.writeText('before');
    await vscode.commands.executeCommand('flowlog.copyQueryAs', '* | select sum(distinct bytes) as b', 'cwli');
    assert.equal(await vscode.env.clipboard.readText(), 'before');
  });

  test('Filter to New Editor writes the matching records to a new flowlog document', async () => {
    await open('good.flowlog');
    await vscode.commands.executeCommand('flowlog.filterToNewEditor', 'action:REJECT');
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc && doc.isUntitled, 'a new untitled document');
    assert.equal(doc.languageId, 'flowlog');
    const lines = doc.getText().trim().split('\n');
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => l.includes(' REJECT ')));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Run Query writes the result table as CSV', async () => {
    await open('good.flowlog');
    await vscode.commands.executeCommand('flowlog.runQuery', '* | select action, count(*) as n group by action order by action');
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc && doc.isUntitled);
    // `-` is NULL, and NULLs sort last (as in DuckDB).
    assert.equal(doc.getText(), 'action,n\nACCEPT,2\nREJECT,2\n,2\n');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
  test('the CodeLens on line 1 shows the counts and opens the summary and the query panel', async () => {
    const doc = await open('good.flowlog');
    let lenses: vscode.CodeLens[] = [];
    for (let i = 0; i < 100 && lenses.length === 0; i++) {
      lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
      if (lenses.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command]), [
      [0, '6 records · 2 rejected · 0 problems', 'flowlog.showSummary'],
      [0, 'Summary', 'flowlog.showSummary'],
      [0, 'Query', 'flowlog.openQueryPanel'],
    ]);
    assert.deepEqual(lenses[2].command?.arguments, [doc.uri.toString()]);
  });

  test('Open Query Panel and Show Summary open webview panels named after the file', async () => {
    const webviewTabs = (viewType: string) => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType));
    const doc = await open('good.flowlog');
    await vscode.commands.executeCommand('flowlog.openQueryPanel', doc.uri.toString());
    await vscode.commands.executeCommand('flowlog.showSummary', doc.uri.toString());
    assert.deepEqual(webviewTabs('flowlog.queryPanel').map((t) => t.label), ['Query: good.flowlog']);
    assert.deepEqual(webviewTabs('flowlog.summaryPanel').map((t) => t.label), ['Summary: good.flowlog']);
    // A second Open Query Panel reuses the one panel.
    await vscode.commands.executeCommand('flowlog.openQueryPanel');
    assert.equal(webviewTabs('flowlog.queryPanel').length, 1);
    await vscode.window.tabGroups.close([...webviewTabs('flowlog.queryPanel'), ...webviewTabs('flowlog.summaryPanel')]);
  });
});
