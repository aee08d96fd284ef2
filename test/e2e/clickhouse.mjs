// ClickHouse in real VS Code, on a real two-shard cluster (test/clickhouse/cluster.ts, started here and stopped
// after): a sample flow log loaded with Flow Logs: Load into ClickHouse… (the active file, the table from the
// settings), its notification's Query Table binding the query panel and the summary to the cluster's Distributed
// table; the example queries there show the same rows (every cell) as on the local file, the summary the same
// totals, a row opens the file it was loaded from at its line; credentials set with Flow Logs: Set ClickHouse
// Credentials… go to a user with a password, and a wrong one gives one message and no rows. Screenshots
// 30-…, 31-… in test-results/. Without clickhouse-server this check fails (it does not skip): .ci/run installs it.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchBrowser, makeSandbox, remoteUri, startServer } from './vscodeServer.mjs';
import { checks, openWorkbench, quickOpen, runCommand } from './ui.mjs';
import { tableCells, text, waitForFinalSummary, waitForText, webviewFrame } from './panels.mjs';

const SHOTS = join(ROOT, 'test-results');
const SAMPLE = join(ROOT, 'samples/generated-5000.flowlog');
/** The cluster's user with a password (test/clickhouse/cluster.ts, TEST_USER); `default` has none. */
const TEST_USER = { user: 'flowlog', password: 'p@ss w0rd\'"\\' };

/**
 * The sample without the lines `flowlog lint` calls errors, so that the check is about the panel on a table. (The
 * loader reads what the engine reads, malformed lines aside: test/clickhouse/load.test.ts checks that on a file
 * with bad lines.) The loader's count of malformed lines is checked apart.
 */
function writeCleanSample(path) {
  let lint = '';
  try {
    execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'lint', SAMPLE], { encoding: 'utf8' });
  } catch (e) {
    lint = e.stdout;
  }
  const bad = new Set([...lint.matchAll(/:(\d+):\d+: error /g)].map((m) => Number(m[1])));
  if (bad.size === 0) throw new Error(`flowlog lint found no errors in ${SAMPLE}: ${lint}`);
  const lines = readFileSync(SAMPLE, 'utf8').split('\n');
  writeFileSync(path, lines.filter((_, i) => !bad.has(i + 1)).join('\n'));
  return bad.size;
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

/** The cluster script in its own process (it prints its URLs, and stops the servers on SIGTERM). */
async function startClusterProcess() {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/clickhouse/cluster.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ClickHouse cluster did not start within 120 s\n${out}${err}`)), 120_000);
    proc.stdout.on('data', () => {
      const m = /ClickHouse cluster up: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ClickHouse cluster could not start (exit ${code}): ${err.trim() || out.trim()}`));
    });
  });
  const stop = () => new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 30_000).unref();
  });
  return { url, stop };
}

/** Answers the open input box (or quick pick) with `value` (typed over what it holds) and Enter. */
async function answer(page, value, { password = false, title, prompt } = {}) {
  // The next box, not the one closing: by its title or prompt, or by its password field.
  if (title) await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 15_000 });
  if (prompt) await page.locator('.quick-input-widget .quick-input-message', { hasText: prompt }).waitFor({ timeout: 15_000 });
  const box = page.locator(`.quick-input-widget .quick-input-box input${password ? '[type="password"]' : ''}`);
  await box.waitFor({ state: 'visible', timeout: 15_000 });
  await box.fill(value);
  await page.keyboard.press('Enter');
}

/** Runs an example query by its chip (or a query typed in the box) and waits until the status line is that run's. */
async function runExample(frame, label) {
  await frame.evaluate(() => { document.getElementById('status').textContent = ''; });
  if (EXAMPLES.includes(label)) await frame.click(`[data-example="${label}"]`);
  else {
    await frame.fill('.qbox-input', label);
    await frame.press('.qbox-input', 'Control+Enter');
  }
  return waitForText(frame, '#status', /records scanned|matched|failed|refused|ClickHouse/, 60_000);
}

const EXAMPLES = ['Rejected traffic', 'Top talkers by bytes', 'Traffic per 5 minutes'];

export async function runClickHouseChecks() {
  let cluster;
  try {
    cluster = await startClusterProcess();
  } catch (e) {
    return [{ ok: false, title: 'the ClickHouse cluster starts (clickhouse-server installed: .ci/run installs it)', detail: e instanceof Error ? e.message : String(e) }];
  }
  const sandbox = makeSandbox('chpanels');
  const sample = join(sandbox.workspace, 'sample.flowlog');
  writeCleanSample(sample);
  const settingsFile = join(sandbox.userData, 'User/settings.json');
  writeFileSync(settingsFile, JSON.stringify({
    ...JSON.parse(readFileSync(settingsFile, 'utf8')), 'flowlog.clickhouse.url': cluster.url, 'flowlog.clickhouse.table': 'flows', 'flowlog.trace.server': 'verbose',
  }, null, 2));
  // Every log at trace level: the language client then writes each LSP message, params and all, to its output.
  const server = await startServer(sandbox, { TZ: 'UTC' }, ['--log', 'trace']);
  const browser = await launchBrowser();
  const host = cluster.url.replace('http://', '');
  try {
    const page = await openWorkbench(browser, server, sandbox, [['extensionDevelopmentPath', remoteUri(server.port, ROOT)]]);
    let query;
    const local = {};
    // NODATA records: their `-` fields are NULL in the table, and show as on the file.
    const examples = [...EXAMPLES, 'log-status:NODATA'];
    return await checks(page, [
      ['the cluster is up; the example queries run on the local sample file', async () => {
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 30_000 });
        await quickOpen(page, 'sample.flowlog');
        await page.waitForSelector('.statusbar-item[id="status.editor.mode"] >> text=Flow Log', { timeout: 30_000 });
        await runCommand(page, 'Flow Logs: Open Query Panel');
        query = await webviewFrame(page, 'query', 30_000, 'sample.flowlog');
        for (const label of examples) {
          const status = await runExample(query, label);
          if (!/records scanned/.test(status)) throw new Error(`${label} on the file: ${status}`);
          local[label] = { status, cells: await tableCells(query), header: await query.locator('#results-table .vt-hcell').allInnerTexts() };
          if (local[label].cells.length === 0) throw new Error(`${label}: no rows on the file`);
        }
      }],
      ['Load into ClickHouse… loads the active flow log into the table with progress, and says what it loaded', async () => {
        await page.locator('.tab[aria-label*="sample.flowlog"]').first().click();
        await page.waitForSelector('.statusbar-item[id="status.editor.mode"] >> text=Flow Log', { timeout: 30_000 });
        await runCommand(page, 'Flow Logs: Load into ClickHouse');
        // What to load: the active flow log (first in the list); then the table, from the settings.
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sample.flowlog' }).waitFor({ timeout: 15_000 });
        await page.keyboard.press('Enter');
        await answer(page, 'flows', { title: 'the table on' });
        const [, records] = /^([\d,]+) records scanned/.exec(local['Rejected traffic'].status);
        const toast = page.locator('.notification-toast', { hasText: `Loaded ${records} records into flows from 1 file.` });
        await toast.waitFor({ timeout: 120_000 });
        await page.screenshot({ path: join(SHOTS, '30-clickhouse-loaded.png') });
        await toast.locator('.monaco-button', { hasText: 'Query Table' }).click();
      }],
      ['Query Table binds the query panel to the cluster table; each example shows the rows of the local file, cell for cell', async () => {
        query = await webviewFrame(page, 'query', 30_000, `flows @ ${host}`);
        const label = await query.evaluate(() => document.getElementById('target-name')?.previousElementSibling?.textContent ?? '');
        if (label !== 'ClickHouse table:') throw new Error(`the panel's header says ${JSON.stringify(label)}`);
        for (const label of examples) {
          const status = await runExample(query, label);
          if (!/records scanned/.test(status)) throw new Error(`${label} on ClickHouse: ${status}`);
          const header = await query.locator('#results-table .vt-hcell').allInnerTexts();
          const cells = await tableCells(query);
          if (JSON.stringify(header) !== JSON.stringify(local[label].header)) throw new Error(`${label}: columns ${header.join(',')} vs ${local[label].header.join(',')}`);
          if (cells.length !== local[label].cells.length) throw new Error(`${label}: ${cells.length} rows on ClickHouse, ${local[label].cells.length} on the file`);
          for (let i = 0; i < cells.length; i++) {
            if (JSON.stringify(cells[i]) !== JSON.stringify(local[label].cells[i])) throw new Error(`${label}, row ${i + 1}: ${JSON.stringify(cells[i])} vs the file's ${JSON.stringify(local[label].cells[i])}`);
          }
          if (label === 'Rejected traffic') {
            // Records in the table, matched and malformed as on the file (the bytes and time are the server's).
            const counts = (s) => s.replace(/ \(.*?\)/, '').replace(/ · [\d.]+ s.*$/, '');
            if (counts(status) !== counts(local[label].status)) throw new Error(`status on ClickHouse: ${status}; on the file: ${local[label].status}`);
            await page.screenshot({ path: join(SHOTS, '31-clickhouse-query-panel.png') });
          }
        }
      }],
      ['the summary of the table shows the totals of the file', async () => {
        // Opened by Query Table behind the query panel: a webview loads when it is first shown.
        await page.locator(`.tab[aria-label*="Summary: flows @ ${host}"]`).first().click();
        const summary = await webviewFrame(page, 'summary', 30_000, `flows @ ${host}`);
        await waitForFinalSummary(summary, 60_000);
        const records = (await text(summary, '[data-figure="records"] .figure-value')).replace(/,/g, '');
        const want = /^([\d,]+) records scanned/.exec(local['Rejected traffic'].status)[1].replace(/,/g, '');
        if (records !== want) throw new Error(`summary records: ${records}, the file has ${want}`);
        await page.screenshot({ path: join(SHOTS, '32-clickhouse-summary.png') });
      }],
      ['a row of the table opens the file it was loaded from at its line', async () => {
        await page.locator('.tab[aria-label*="Query: flows"]').first().click();
        query = await webviewFrame(page, 'query', 30_000, `flows @ ${host}`);
        await runExample(query, 'Rejected traffic');
        const header = await query.locator('#results-table .vt-hcell').allInnerTexts();
        const rows = await tableCells(query);
        const line = rows[2][header.indexOf('line')];
        await query.locator('#results-table .vt-row:not([hidden])').nth(2).click();
        await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: `Ln ${line},` }).waitFor({ timeout: 20_000 });
        await page.waitForSelector('.tab.active[aria-label*="sample.flowlog"]');
      }],
      ['credentials from Set ClickHouse Credentials… reach the server; a wrong password is one message, no rows', async () => {
        await runCommand(page, 'Flow Logs: Set ClickHouse Credentials');
        await answer(page, TEST_USER.user, { prompt: /^User/ });
        await answer(page, 'wrong password', { password: true });
        await page.locator('.notification-toast', { hasText: 'credentials of' }).first().waitFor({ timeout: 15_000 });
        await page.locator('.tab[aria-label*="Query: flows"]').first().click();
        query = await webviewFrame(page, 'query', 30_000, `flows @ ${host}`);
        const refused = await runExample(query, 'Top talkers by bytes');
        if (!/refused the credentials/.test(refused) || /wrong password/.test(refused)) throw new Error(`status with a wrong password: ${refused}`);
        // No rows under the failed query: not the last query's (a search shown a moment ago).
        const left = await tableCells(query);
        if (left.length !== 0) throw new Error(`${left.length} rows stay under the failed query`);
        await page.screenshot({ path: join(SHOTS, '33-clickhouse-wrong-password.png') });
        await runCommand(page, 'Flow Logs: Set ClickHouse Credentials');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Change the user and password' }).waitFor({ timeout: 15_000 });
        await page.keyboard.press('Enter');
        await answer(page, TEST_USER.user, { prompt: /^User/ });
        await answer(page, TEST_USER.password, { password: true });
        await page.locator('.tab[aria-label*="Query: flows"]').first().click();
        query = await webviewFrame(page, 'query', 30_000, `flows @ ${host}`);
        const status = await runExample(query, 'Top talkers by bytes');
        if (!/records scanned/.test(status)) throw new Error(`with the right password: ${status}`);
        // With the LSP trace on (every message written to the Flow Logs output, params and all) and every log at
        // trace level, no file the editor wrote holds a password: not the logs, not the settings.
        const leaks = filesUnder(sandbox.dir).filter((f) => {
          const bytes = readFileSync(f);
          return bytes.includes(TEST_USER.password) || bytes.includes('wrong password');
        });
        if (leaks.length > 0) throw new Error(`a password is in ${leaks.join(', ')}`);
        const traced = filesUnder(sandbox.dir).filter((f) => /Flow Logs/.test(f) && readFileSync(f, 'utf8').includes('flowlog/clickhouseKey'));
        if (traced.length === 0) throw new Error('the LSP trace was not written: the check above proves nothing');
      }],
    ]);
  } finally {
    await browser.close();
    server.stop();
    await cluster.stop();
  }
}
