// Issue 11 in a real extension host: a flow log over 50 MB, which VS Code never hands to extensions as a
// document, opened in an editor tab, gets its problems (the server lints it from disk), cleared with the tab.
import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import { createWriteStream, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { diagnosticsWhen } from './diagnostics';

const EXTENSION_ID = 'flowlog-tools.vpc-flowlogs';
const LINES = 600_000;
/** 1-based lines written wrong, and the code each gets. */
const BAD: Record<number, string> = { 3: 'port-range', 300_000: 'action', [LINES]: 'address' };

/** About 62 MB of records, the lines of BAD wrong. */
async function writeBigFlowLog(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (let n = 1; n <= LINES; n++) {
    const code = BAD[n];
    const dst = code === 'address' ? '10.0.2.300' : `10.0.2.${n % 250}`;
    const port = code === 'port-range' ? 65536 : 443;
    const action = code === 'action' ? 'allow' : 'ACCEPT';
    if (!out.write(`2 123456789010 eni-0a1b2c3d 10.0.1.12 ${dst} ${30000 + (n % 30000)} ${port} 6 10 4000 ${1_700_000_000 + n} ${1_700_000_060 + n} ${action} OK\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

suite('Files over 50 MB (never handed to extensions)', () => {
  test('a flow log over 50 MB opened in a tab gets its problems from the server, cleared when the tab closes', async function () {
    this.timeout(240_000);
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests run with the fixtures folder open');
    const file = path.join(folder.uri.fsPath, 'big-problems.flowlog');
    await writeBigFlowLog(file);
    const uri = vscode.Uri.file(file);
    try {
      await vscode.commands.executeCommand('vscode.open', uri);
      const diags = await diagnosticsWhen(uri, (d) => d.length >= 3);
      assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()), 'VS Code did not hand the file to the extension');
      const got = diags.map((d) => [d.range.start.line + 1, String(d.code)]).sort((a, b) => Number(a[0]) - Number(b[0]));
      assert.deepEqual(got, Object.entries(BAD).map(([line, code]) => [Number(line), code]));
      const port = diags.find((d) => d.code === 'port-range')!;
      assert.equal(port.message, 'dstport 65536 is out of range 0–65535');
      assert.equal(port.source, 'flowlog');
      const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
      assert.ok(tab, 'the file is open in a tab');
      await vscode.window.tabGroups.close(tab);
      await diagnosticsWhen(uri, (d) => d.length === 0);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
