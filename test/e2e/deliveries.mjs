// Deliveries in real VS Code: a `.log.gz` opened from the Explorer shows its decoded records (read-only, Flow Log,
// problems, hovers); Query Folder from the Explorer's context menu on a folder shaped like an S3 delivery gives
// the answers `flowlog query` gives on the same files, lists the file it could not read, opens a row's file at its
// line, and the summary's per-file section matches the CLI. Screenshots in test-results/ (19-…, 20-…, 21-…).
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, launchBrowser, makeSandbox, remoteUri, startServer } from './vscodeServer.mjs';
import { checks, goTo, openWorkbench, quickOpen } from './ui.mjs';
import { tableCells, text, traceWebviewLoads, waitForFinalSummary, waitForText, webviewFrame } from './panels.mjs';

const SHOTS = join(ROOT, 'test-results');
const FIXTURES = join(ROOT, 'test/fixtures/deliveries');
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const GOOD = '2 123456789010 eni-0a1b2c3d 10.0.1.12 10.0.2.7 49152 443 6 10 4000 1705312862 1705312922 ACCEPT OK';
const DECODED_NAME = '123456789010_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_20240115T1010Z_0f0f0f0f.log.gz';

/** Files under `dir` the way the readers list a folder: recursively, sorted by path. */
function filesUnder(dir, accept = () => true) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (accept(p)) out.push(p);
    }
  };
  walk(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * `flowlog query` on a folder, as JSON (a file it cannot read makes the exit status non-zero; the answer is still
 * printed). The CLI takes folders once it reads every delivery (branch h-deliveries); until then, the folder's
 * flow log files are named one by one, as the editor's Query Folder lists them.
 */
function cliOnFolder(folder, files, query) {
  const run = (inputs) => {
    try {
      return JSON.parse(execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'query', ...inputs, query, '--format', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    } catch (e) {
      if (e.stdout && e.stdout.trim().startsWith('{')) return JSON.parse(e.stdout);
      throw new Error(`flowlog query failed: ${e.stderr || e.message}`);
    }
  };
  try {
    return { ...run([folder]), how: 'the folder' };
  } catch {
    return { ...run(files), how: `the ${files.length} files of the folder` };
  }
}

export async function runDeliveryChecks() {
  const sandbox = makeSandbox('deliveries');
  // A delivery as `aws s3 sync` leaves it, with a damaged file and a note among the logs.
  const folder = join(sandbox.workspace, 'delivery');
  cpSync(join(FIXTURES, 's3'), folder, { recursive: true });
  cpSync(join(FIXTURES, 'bad/corrupt-member.log.gz'), join(folder, 'AWSLogs/123456789010/corrupt-member.log.gz'));
  writeFileSync(join(folder, 'AWSLogs/README.txt'), 'Synced from s3://flow-log-bucket with aws s3 sync.\n');
  const files = filesUnder(folder, (p) => p.endsWith('.log.gz'));
  const decoded = join(sandbox.workspace, DECODED_NAME);
  const badLine = GOOD.replace(' 443 ', ' 65536 ');
  writeFileSync(decoded, gzipSync([HEADER, GOOD, badLine, GOOD.replace('ACCEPT', 'REJECT')].join('\n') + '\n'));

  const server = await startServer(sandbox, { TZ: 'UTC' });
  const browser = await launchBrowser();
  try {
    const page = await openWorkbench(browser, server, sandbox, [['extensionDevelopmentPath', remoteUri(server.port, ROOT)]]);
    const loads = traceWebviewLoads(page);
    let query;
    let lastRow;
    return await checks(page, [
      ['the extension is up (a flow log open in the Flow Log language)', async () => {
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 30_000 });
        await quickOpen(page, 'good.flowlog');
        await page.waitForSelector('.statusbar-item[id="status.editor.mode"] >> text=Flow Log', { timeout: 30_000 });
      }],
      ['a .log.gz opened from the Explorer shows its decoded records, read-only, with problems and hovers', async () => {
        await page.click(`.explorer-folders-view .monaco-list-row[aria-label*="${DECODED_NAME}"]`);
        await page.waitForSelector(`.tab.active[aria-label*="${DECODED_NAME}"]`, { timeout: 30_000 });
        await page.waitForSelector('.statusbar-item[id="status.editor.mode"] >> text=Flow Log', { timeout: 30_000 });
        await page.locator('.monaco-editor .view-lines').last().getByText('eni-0a1b2c3d', { exact: false }).first().waitFor({ timeout: 30_000 });
        await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60_000 });
        // Read-only: typing is refused, in VS Code's words.
        await goTo(page, 2, 1);
        await page.keyboard.type('x');
        await page.locator('.monaco-editor-overlaymessage', { hasText: 'read-only' }).waitFor({ timeout: 10_000 });
        // Opened as the one default editor of such files: no question about which editor to use.
        if (await page.locator('.notification-toast', { hasText: 'multiple default editors' }).count()) throw new Error('VS Code asks which default editor to use');
        await page.locator('.statusbar-item[id="flowlog-tools.vpc-flowlogs.flowlog.status"]', { hasText: '3 records · 1 rejected · 1 problem' }).waitFor({ timeout: 30_000 });
        await goTo(page, 2, GOOD.indexOf(' 6 ') + 2); // the protocol `6` of the first record
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        const hover = page.locator('.monaco-hover-content');
        await hover.getByText('TCP 10.0.1.12:49152 → 10.0.2.7:443 (https)', { exact: false }).first().waitFor({ timeout: 20_000 });
        await page.waitForTimeout(400);
        await page.screenshot({ path: join(SHOTS, '19-decoded-log-gz.png') });
        await page.keyboard.press('Escape');
      }],
      ['Query Folder from the Explorer\'s context menu on a folder opens the query panel over it', async () => {
        await page.click('.explorer-folders-view .monaco-list-row[aria-label="delivery"]', { button: 'right' });
        const item = page.locator('.context-view .action-label', { hasText: 'Query Folder…' }).first();
        await item.waitFor({ state: 'visible', timeout: 10_000 });
        await item.click();
        // The glob: every flow log under the folder (the default). A click that lands while the menu is still being
        // laid out is lost (the menu stays open, the item highlighted): Enter runs the highlighted item.
        const glob = page.locator('.quick-input-widget input').first();
        const opened = await glob.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
        if (!opened && (await page.locator('.context-view .action-label', { hasText: 'Query Folder…' }).first().isVisible())) await page.keyboard.press('Enter');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 20_000 });
        await page.keyboard.press('Enter');
        // The summary and the query panel open together (their pages load one after the other, pageLoads.ts).
        loads.mark('Query Folder: glob accepted');
        query = await webviewFrame(page, 'query', 60_000, 'delivery').catch((e) => {
          throw new Error(`${e.message}\nhow the webviews loaded:\n${loads.lines()}`);
        });
        await waitForText(query, '#source-info', /^3 files, [\d.]+ (KiB|B)/);
        const skipped = await text(query, '#skipped-files summary');
        if (!/^1 file left out/.test(skipped)) throw new Error(`left out: ${skipped}`);
      }],
      ['its answer equals `flowlog query` on the same files; the damaged file is listed, the others read', async () => {
        const q = '* | select file, count(*) as records, sum(bytes) as bytes group by file order by file';
        await query.fill('.qbox-input', q);
        await query.press('.qbox-input', 'Control+Enter');
        await waitForText(query, '#status', /records scanned in 3 files/, 60_000);
        const expected = cliOnFolder(folder, files, q);
        const cells = await tableCells(query);
        const want = expected.rows.map((r) => r.map(String));
        if (JSON.stringify(cells) !== JSON.stringify(want)) throw new Error(`table ${JSON.stringify(cells)}\nCLI (${expected.how}) ${JSON.stringify(want)}`);
        console.log(`    (compared with flowlog query on ${expected.how})`);
        const errors = await text(query, '#file-errors summary');
        if (!/^1 file could not be read/.test(errors)) throw new Error(`file errors: ${errors}`);
        const listed = await text(query, '#file-errors li');
        if (!listed.includes('corrupt-member.log.gz')) throw new Error(`listed: ${listed}`);
      }],
      ['a row of a search opens its file (decoded) at its line', async () => {
        await query.fill('.qbox-input', 'action:REJECT');
        await query.press('.qbox-input', 'Control+Enter');
        const expected = cliOnFolder(folder, files, 'action:REJECT');
        await waitForText(query, '#status', new RegExp(`\\b${expected.rows.length} matched`), 60_000);
        await page.screenshot({ path: join(SHOTS, '20-query-folder.png') });
        lastRow = expected.rows.at(-1);
        const [file, line] = lastRow.slice(-2);
        await query.locator('#results-table .vt-viewport').focus();
        await query.press('#results-table .vt-viewport', 'End');
        await query.press('#results-table .vt-viewport', 'Enter');
        const name = file.split('/').pop();
        await page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: 30_000 });
        await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: `Ln ${line},` }).waitFor({ timeout: 30_000 });
        await page.waitForSelector('.statusbar-item[id="status.editor.mode"] >> text=Flow Log', { timeout: 30_000 });
      }],
      ['the summary of the folder has a row a file, equal to `flowlog query` on each', async () => {
        await page.locator('.tab[aria-label*="Summary: delivery"]').click();
        const summary = await webviewFrame(page, 'summary', 60_000, 'delivery');
        await waitForFinalSummary(summary, 60_000);
        const rows = await summary.locator('[data-section="files"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
        const expected = cliOnFolder(folder, files, "* | select file, count(*) as records, sum(action = 'REJECT') as rejects group by file order by file");
        const byFile = new Map(expected.rows.map((r) => [r[0], r]));
        if (rows.length !== files.length) throw new Error(`${rows.length} rows for ${files.length} files: ${JSON.stringify(rows)}`);
        for (const [i, f] of files.entries()) {
          const [shown, records, , rejects] = rows[i];
          const want = byFile.get(f) ?? [f, 0, 0];
          if (!f.endsWith(shown) || records.replace(/,/g, '') !== String(want[1]) || rejects.replace(/,/g, '') !== String(want[2] ?? 0)) {
            throw new Error(`row ${JSON.stringify(rows[i])} vs CLI ${JSON.stringify(want)}`);
          }
        }
        if (!rows.some((r) => r[5].length > 0 && r[0].endsWith('corrupt-member.log.gz'))) throw new Error(`no read error on the damaged file's row: ${JSON.stringify(rows)}`);
        const [[total]] = cliOnFolder(folder, files, '* | select count(*)').rows;
        const records = (await text(summary, '[data-figure="records"] .figure-value')).replace(/,/g, '');
        if (records !== String(total)) throw new Error(`summary records ${records}, CLI ${total}`);
        await summary.locator('[data-section="files"]').scrollIntoViewIfNeeded();
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(SHOTS, '21-query-folder-summary.png') });
      }],
    ]);
  } finally {
    await browser.close();
    server.stop();
  }
}
