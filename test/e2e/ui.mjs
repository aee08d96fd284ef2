// What only a person sees, checked in the browser with Playwright: the Explorer, squiggles, the Problems count,
// the status bar, a hover, a palette command, the problems of a file over 50 MB. Each step leaves a screenshot in
// test-results/.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { ROOT, SERVER_MAIN, launchBrowser, makeSandbox, remoteUri, startServer, workbenchQuery } from './vscodeServer.mjs';

const SHOTS = join(ROOT, 'test-results');

/** Runs `steps` as named checks; a failed step stops the rest (they depend on it). */
export async function checks(page, steps) {
  const results = [];
  for (const [title, step] of steps) {
    try {
      await step();
      results.push({ ok: true, title });
    } catch (e) {
      const shot = join(SHOTS, `failed-${title.replace(/\W+/g, '-')}.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      results.push({ ok: false, title, detail: `${e instanceof Error ? e.message : String(e)}\nscreenshot: ${shot}` });
      break;
    }
  }
  return results;
}

export async function openWorkbench(browser, server, sandbox, payload) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(server.url(workbenchQuery(server.port, sandbox.workspace, payload)));
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  return page;
}

/** Opens the quick input with `key`, types `text` and accepts the row that names it. */
export async function pickInQuickInput(page, key, text) {
  // The focused row (the one Enter accepts) must be the one named: while the list still filters the typed text, an
  // earlier match can be focused with ours already below it (`m` puts mixed.flowlog above many.flowlog).
  const row = `.quick-input-list .monaco-list-row.focused[aria-label*="${text}"]`;
  for (let attempt = 1; ; attempt++) {
    try {
      // A quick input that is still closing would take the keys meant for the new one.
      await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 10_000 }).catch(() => undefined);
      await page.keyboard.press(key);
      // Under load the workbench can miss the key (focus still moving after an editor opened): press it again below.
      await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 10_000 });
      await page.keyboard.type(text);
      await page.waitForSelector(row, { timeout: 15_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press('Escape'); // once more, from a closed quick input
    }
  }
  await page.keyboard.press('Enter');
}

export async function quickOpen(page, name) {
  await pickInQuickInput(page, 'Control+P', name);
  await page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: 20_000 });
}

export async function runCommand(page, title) {
  await pickInQuickInput(page, 'F1', title);
}

/** Moves the cursor to `line:column` (1-based) with Go to Line. */
export async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget', { state: 'visible' });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
}

/** A flow log over 50 MB, which VS Code never hands to extensions as a document. */
export async function writeBigFlowLog(path) {
  const out = createWriteStream(path);
  const base = 1_700_000_000;
  for (let i = 0; i < 560_000; i++) {
    const reject = i % 1000 === 7;
    const line = `2 123456789010 eni-0a1b2c3d ${reject ? '198.51.100.7' : '10.0.1.12'} 10.0.2.${i % 250} ${30000 + (i % 30000)} ${reject ? 3389 : 443} 6 10 4000 ${base + i} ${base + i + 60} ${reject ? 'REJECT' : 'ACCEPT'} OK\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Another flow log over 50 MB, with three bad lines (3, 300,000 and the last): its problems come from disk. */
async function writeBigFlowLogWithProblems(path) {
  const out = createWriteStream(path);
  for (let n = 1; n <= 600_000; n++) {
    const dst = n === 600_000 ? '10.0.2.300' : `10.0.2.${n % 250}`;
    const line = `2 123456789010 eni-0a1b2c3d 10.0.1.12 ${dst} ${30000 + (n % 30000)} ${n === 3 ? 65536 : 443} 6 10 4000 ${1_700_000_000 + n} ${1_700_000_060 + n} ${n === 300_000 ? 'allow' : 'ACCEPT'} OK\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function runUiChecks() {
  const sandbox = makeSandbox('ui');
  await writeBigFlowLog(join(sandbox.workspace, 'big.flowlog'));
  await writeBigFlowLogWithProblems(join(sandbox.workspace, 'big-problems.flowlog'));
  const server = await startServer(sandbox, { TZ: 'UTC' });
  const browser = await launchBrowser();
  try {
    const page = await openWorkbench(browser, server, sandbox, [['extensionDevelopmentPath', remoteUri(server.port, ROOT)]]);
    return await checks(page, [
      ['the workbench opens on the fixtures folder', async () => {
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 30_000 });
        await page.screenshot({ path: join(SHOTS, '01-workbench.png') });
      }],
      ['bad.flowlog opens from the Explorer, in the Flow Log language', async () => {
        await page.click('.explorer-folders-view .monaco-list-row[aria-label*="bad.flowlog"]');
        await page.waitForSelector('.tab.active[aria-label*="bad.flowlog"]', { timeout: 20_000 });
        await page.waitForSelector('.statusbar-item[id="status.editor.mode"] >> text=Flow Log', { timeout: 30_000 });
      }],
      ['squiggles, the Problems count and the status bar counts appear', async () => {
        await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60_000 });
        const problems = page.locator('.statusbar-item[id="status.problems"]');
        await problems.getByText('5', { exact: false }).first().waitFor({ timeout: 30_000 });
        await page.locator('.statusbar-item[id="flowlog-tools.vpc-flowlogs.flowlog.status"]', { hasText: '6 records · 1 rejected · 5 problems' }).waitFor({ timeout: 30_000 });
        await page.keyboard.press('Control+Shift+M');
        await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 20_000 });
        const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
        if (!rows.some((r) => r.includes('dstport 65536 is out of range 0–65535'))) throw new Error(`Problems panel rows: ${rows.join(' | ')}`);
        await page.screenshot({ path: join(SHOTS, '02-diagnostics-and-problems.png') });
      }],
      ['the language server runs with the node flags and environment the client gives it (young generation, malloc arenas, worker priority)', async () => {
        // The server is a process of its own, forked by the extension host: found by its command line in /proc.
        const servers = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
          try {
            const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
            return argv.some((a) => a.endsWith('dist/server.js')) ? [{ pid, argv, env: readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0') }] : [];
          } catch {
            return []; // a process that ended meanwhile
          }
        });
        if (servers.length === 0) throw new Error('no process runs dist/server.js');
        for (const { pid, argv, env } of servers) {
          if (!argv.includes('--max-semi-space-size=2')) throw new Error(`server ${pid}: ${argv.join(' ')}`);
          if (!env.includes('MALLOC_ARENA_MAX=2')) throw new Error(`server ${pid} has no MALLOC_ARENA_MAX=2 in its environment`);
          if (!env.includes('FLOWLOG_WORKER_NICE=10')) throw new Error(`server ${pid} has no FLOWLOG_WORKER_NICE=10 in its environment`);
        }
      }],
      ['hovering a field shows its decoded value and the flow reading', async () => {
        await quickOpen(page, 'good.flowlog');
        await goTo(page, 1, 63); // the protocol field `6` of the first record
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        const hover = page.locator('.monaco-hover-content');
        await hover.getByText('TCP 172.31.16.139:20641 → 172.31.16.21:22 (ssh)', { exact: false }).waitFor({ timeout: 20_000 });
        const text = await hover.innerText();
        if (!text.includes('protocol') || !text.includes('TCP')) throw new Error(`hover: ${text}`);
        await page.waitForTimeout(400); // let the hover's fade-in finish, for a readable screenshot
        await page.screenshot({ path: join(SHOTS, '03-hover.png') });
        await page.keyboard.press('Escape');
      }],
      ['Flow Logs: Filter to New Editor from the palette opens the matching records', async () => {
        await runCommand(page, 'Flow Logs: Filter to New Editor');
        // Recent queries come first when there are any; with none, the query box opens directly.
        await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
        await page.keyboard.type('action:REJECT');
        await page.keyboard.press('Enter');
        await page.waitForSelector('.tab.active[aria-label*="Untitled"]', { timeout: 30_000 });
        await page.locator('.monaco-editor .view-lines').last().getByText('203.0.113.12', { exact: false }).first().waitFor({ timeout: 20_000 });
        await page.screenshot({ path: join(SHOTS, '04-filter-command.png') });
      }],
      ['Flow Logs: Search… works on a file over 50 MB (read from disk by the server)', async () => {
        await quickOpen(page, 'big.flowlog');
        await runCommand(page, 'Flow Logs: Search');
        // Recent queries come first now: pick "New query…", then type the search.
        await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 20_000 });
        await page.keyboard.press('Enter');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
        await page.keyboard.type('dstport:3389 action:REJECT');
        await page.keyboard.press('Enter');
        await page.locator('.quick-input-title', { hasText: '560 matching records of 560,000' }).waitFor({ timeout: 60_000 });
        await page.locator('.quick-input-list .monaco-list-row').first().getByText('rdp', { exact: false }).waitFor({ timeout: 20_000 });
        await page.screenshot({ path: join(SHOTS, '05-search-big-file.png') });
        await page.keyboard.press('Enter');
        await page.waitForSelector('.tab.active[aria-label*="big.flowlog"]', { timeout: 20_000 });
      }],
      ['a file over 50 MB (never handed to extensions) gets its problems in the Problems panel', async () => {
        await quickOpen(page, 'big-problems.flowlog');
        if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+M');
        const rows = page.locator('.markers-panel .monaco-list-row');
        for (const message of ['dstport 65536 is out of range 0–65535', 'action allow is not one of', 'dstaddr 10.0.2.300 is not a valid IPv4 or IPv6 address']) {
          await rows.filter({ hasText: message }).first().waitFor({ timeout: 120_000 });
        }
        await page.locator('.markers-panel .monaco-list-row', { hasText: 'big-problems.flowlog' }).first().waitFor({ timeout: 20_000 });
        await page.screenshot({ path: join(SHOTS, '07-big-file-problems.png') });
      }],
    ]);
  } finally {
    await browser.close();
    server.stop();
  }
}

export async function runVsixCheck() {
  const vsix = existsSync(join(ROOT, 'dist')) ? readdirSync(join(ROOT, 'dist')).find((f) => f.endsWith('.vsix')) : undefined;
  if (!vsix) return [{ ok: false, title: 'a packaged .vsix exists in dist/', detail: 'run npm run package first' }];
  const sandbox = makeSandbox('vsix');
  execFileSync(process.execPath, [SERVER_MAIN, '--install-extension', join(ROOT, 'dist', vsix), '--extensions-dir', sandbox.extensions, '--user-data-dir', sandbox.userData, '--server-data-dir', sandbox.serverData, '--accept-server-license-terms'], { stdio: 'pipe' });
  const installed = readdirSync(sandbox.extensions).filter((d) => d.startsWith('flowlog-tools.vpc-flowlogs'));
  if (installed.length !== 1) return [{ ok: false, title: 'the VSIX installs', detail: `extensions dir holds: ${readdirSync(sandbox.extensions).join(', ')}` }];
  const server = await startServer(sandbox);
  const browser = await launchBrowser();
  try {
    const page = await openWorkbench(browser, server, sandbox);
    return [{ ok: true, title: `the VSIX installs (${installed[0]})` }, ...await checks(page, [
      ['the installed extension shows diagnostics on bad.flowlog', async () => {
        await quickOpen(page, 'bad.flowlog');
        await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60_000 });
        await page.locator('.statusbar-item[id="flowlog-tools.vpc-flowlogs.flowlog.status"]', { hasText: '5 problems' }).waitFor({ timeout: 30_000 });
        await page.screenshot({ path: join(SHOTS, '06-installed-vsix.png') });
      }],
    ])];
  } finally {
    await browser.close();
    server.stop();
  }
}
