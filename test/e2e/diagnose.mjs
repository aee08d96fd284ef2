// The Diagnose section in real VS Code (issue 12): Flow Logs: Diagnose Connectivity on the seed's two records opens
// the summary at its Diagnose section with one response-rejected conversation and its network-ACL reading; an
// evidence line moves the editor to that record; the verdict's figure opens the query panel on exactly the two
// records. On a mixed log, the counts, scans and coverage (the bars, and the span lists fetched when opened) equal
// `flowlog diagnose --format json`, and a gap in the timeline opens the records that bound it. A query over conversations in the panel equals `flowlog query` and a row
// opens its request's record. The hostile fixture's diagnosis is text only. Screenshots 22-…, 23-…, 24-…, 25-…, 26-… (a bar of merged segments).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchBrowser, makeSandbox, remoteUri, startServer } from './vscodeServer.mjs';
import { checks, openWorkbench, quickOpen, runCommand } from './ui.mjs';
import { tableCells, text, waitForText, watchPage, webviewFrame } from './panels.mjs';

const SHOTS = join(ROOT, 'test-results');

const SEED = [
  'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
  'V1 1251762227 eni-lq6mkcis 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
];

/** A log with one conversation of each broken verdict and ok ones, a port scan (20 more request-rejected), a coverage gap and a NODATA window. */
function mixedLog() {
  const T = 1_700_000_000;
  const rec = (iface, src, dst, sport, dport, proto, start, action, status = 'OK') =>
    status === 'OK' ? `2 123456789010 ${iface} ${src} ${dst} ${sport} ${dport} ${proto} 10 4000 ${start} ${start + 60} ${action} OK`
      : `2 123456789010 ${iface} - - - - - - - ${start} ${start + 60} - ${status}`;
  const A = 'eni-0mixed01';
  const lines = [
    rec(A, '198.51.100.7', '10.0.1.10', 50000, 443, 6, T, 'ACCEPT'),
    rec(A, '10.0.1.10', '198.51.100.7', 443, 50000, 6, T + 1, 'ACCEPT'),
    rec(A, '198.51.100.8', '10.0.1.10', 51000, 22, 6, T + 5, 'ACCEPT'),
    rec(A, '10.0.1.10', '198.51.100.8', 22, 51000, 6, T + 6, 'REJECT'),
    rec(A, '203.0.113.9', '10.0.1.10', 52000, 3389, 6, T + 10, 'REJECT'),
    rec(A, '10.0.1.10', '192.0.2.50', 40000, 443, 6, T + 20, 'ACCEPT'),
    ...Array.from({ length: 20 }, (_, i) => rec(A, '203.0.113.66', '10.0.1.10', 60000 + i, 1 + i, 6, T + 30 + i, 'REJECT')),
    // Three hours later: a gap of about three hours on this interface.
    rec(A, '198.51.100.7', '10.0.1.10', 50001, 443, 6, T + 3 * 3600, 'ACCEPT'),
    rec(A, '10.0.1.10', '198.51.100.7', 443, 50001, 6, T + 3 * 3600 + 1, 'ACCEPT'),
    rec('eni-0mixed02', '', '', 0, 0, 0, T + 600, '', 'NODATA'),
    rec('eni-0mixed02', '10.0.2.5', '10.0.1.10', 45000, 5432, 6, T + 1200, 'ACCEPT'),
    rec('eni-0mixed02', '10.0.1.10', '10.0.2.5', 5432, 45000, 6, T + 1201, 'ACCEPT'),
  ];
  return lines.join('\n') + '\n';
}

/** 35 interfaces, each with a gap of a different length: the first 30 bars come with the diagnosis, 5 when shown. */
function manyInterfacesLog() {
  const T = 1_700_000_000;
  const lines = [];
  for (let k = 0; k < 35; k++) {
    const iface = `eni-0many${String(k).padStart(2, '0')}`;
    lines.push(`2 123456789010 ${iface} 10.0.3.5 10.0.1.10 40000 443 6 10 4000 ${T} ${T + 60} ACCEPT OK`);
    lines.push(`2 123456789010 ${iface} 10.0.3.5 10.0.1.10 40001 443 6 10 4000 ${T + 3600 + k * 60} ${T + 3660 + k * 60} ACCEPT OK`);
  }
  return lines.join('\n') + '\n';
}

/** 200 hours of one record at the hour and a NODATA window 20 minutes later: 800 spans, more than a bar can draw apart. */
function denseLog() {
  const T = 1_700_000_000;
  const lines = [];
  for (let h = 0; h < 200; h++) {
    const t = T + h * 3600;
    lines.push(`2 123456789010 eni-0dense 10.0.3.5 10.0.1.10 40000 443 6 10 4000 ${t} ${t + 60} ACCEPT OK`);
    lines.push(`2 123456789010 eni-0dense - - - - - - - ${t + 1200} ${t + 1260} - NODATA`);
  }
  return lines.join('\n') + '\n';
}

const cliJson = (args) => JSON.parse(execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], { encoding: 'utf8' }));

const count = async (frame, selector) => (await text(frame, selector)).replace(/,/g, '');

export async function runDiagnoseChecks() {
  const sandbox = makeSandbox('diagnose');
  const seed = join(sandbox.workspace, 'seed.flowlog');
  const mixed = join(sandbox.workspace, 'mixed.flowlog');
  writeFileSync(seed, SEED.join('\n') + '\n');
  writeFileSync(mixed, mixedLog());
  const many = join(sandbox.workspace, 'many.flowlog');
  writeFileSync(many, manyInterfacesLog());
  const dense = join(sandbox.workspace, 'dense.flowlog');
  writeFileSync(dense, denseLog());
  const server = await startServer(sandbox, { TZ: 'UTC' });
  const browser = await launchBrowser();
  const dialogs = [];
  const cspErrors = [];
  try {
    const page = await openWorkbench(browser, server, sandbox, [['extensionDevelopmentPath', remoteUri(server.port, ROOT)]]);
    watchPage(page, dialogs, cspErrors);
    let summary;
    let query;
    return await checks(page, [
      ["Diagnose Connectivity on the seed's records: one response-rejected conversation, its reading, the section in view", async () => {
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 30_000 });
        await quickOpen(page, 'seed.flowlog');
        await page.waitForSelector('.statusbar-item[id="status.editor.mode"] >> text=Flow Log', { timeout: 30_000 });
        await runCommand(page, 'Flow Logs: Diagnose Connectivity');
        summary = await webviewFrame(page, 'summary', 30_000, 'seed.flowlog');
        await summary.locator('#diagnosis [data-verdict="response-rejected"] .figure-value').waitFor({ timeout: 30_000 });
        const counts = {};
        for (const v of ['response-rejected', 'request-rejected', 'no-response', 'one-way', 'ok']) counts[v] = await count(summary, `#verdicts [data-verdict="${v}"] .figure-value`);
        if (JSON.stringify(counts) !== JSON.stringify({ 'response-rejected': '1', 'request-rejected': '0', 'no-response': '0', 'one-way': '0', ok: '0' })) throw new Error(`verdicts ${JSON.stringify(counts)}`);
        const item = summary.locator('.conversation[data-verdict="response-rejected"]');
        if ((await item.count()) !== 1) throw new Error(`${await item.count()} response-rejected conversations listed`);
        const reading = await item.locator('.reading-text').innerText();
        if (!/ICMP requests from 203\.0\.113\.12 to 172\.31\.16\.139 were accepted and the replies were rejected/.test(reading) || !/Most likely a network ACL drops the replies/.test(reading)) throw new Error(`reading: ${reading}`);
        const fix = await item.locator('.fix').innerText();
        if (fix !== "Fix: allow outbound ICMP to 203.0.113.12 in the network ACL of eni-lq6mkcis's subnet.") throw new Error(`fix: ${fix}`);
        const lines = await item.locator('.evidence-line').allInnerTexts();
        if (!/^request: .*seed\.flowlog:1 \(ACCEPT\)$/.test(lines[0]) || !/^reply: .*seed\.flowlog:2 \(REJECT\)$/.test(lines[1])) throw new Error(`evidence: ${JSON.stringify(lines)}`);
        // Opened at the section: its card is in view.
        const top = await summary.evaluate(() => document.getElementById('diagnose').getBoundingClientRect().top);
        const height = await summary.evaluate(() => window.innerHeight);
        if (top < -5 || top > height / 2) throw new Error(`the Diagnose section is at ${top}px of a ${height}px page`);
        await page.waitForTimeout(400);
        await page.screenshot({ path: join(SHOTS, '22-diagnose-seed.png') });
      }],
      ["the reply's evidence line opens the log at line 2", async () => {
        await summary.locator('.conversation[data-verdict="response-rejected"] .evidence-line[data-role="reply"]').click();
        await page.waitForSelector('.tab.active[aria-label*="seed.flowlog"]', { timeout: 20_000 });
        await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: 'Ln 2,' }).waitFor({ timeout: 20_000 });
        await summary.locator('.conversation[data-verdict="response-rejected"] .evidence-line[data-role="request"]').click();
        await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: 'Ln 1,' }).waitFor({ timeout: 20_000 });
      }],
      ['the response-rejected figure opens the query panel on exactly the two records', async () => {
        await summary.locator('#verdicts [data-verdict="response-rejected"]').click();
        query = await webviewFrame(page, 'query', 30_000);
        await query.waitForFunction(() => /^interface-id:eni-lq6mkcis AND protocol:1 AND /.test(document.querySelector('.qbox-input')?.value ?? ''), null, { timeout: 20_000 });
        await waitForText(query, '#status', /\b2 matched/);
        const header = await query.locator('#results-table .vt-hcell').allInnerTexts();
        const cells = await tableCells(query);
        const at = (name) => header.indexOf(name);
        const got = cells.map((r) => [r[at('srcaddr')], r[at('dstaddr')], r[at('action')], r[at('line')]]);
        const want = [['203.0.113.12', '172.31.16.139', 'ACCEPT', '1'], ['172.31.16.139', '203.0.113.12', 'REJECT', '2']];
        if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`rows ${JSON.stringify(got)}`);
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(SHOTS, '23-diagnose-drill-down.png') });
      }],
      ['a mixed log: counts, scans and coverage equal `flowlog diagnose --format json`; a gap opens the records that bound it', async () => {
        await page.keyboard.press('Control+1');
        await quickOpen(page, 'mixed.flowlog');
        await runCommand(page, 'Flow Logs: Diagnose Connectivity');
        summary = await webviewFrame(page, 'summary', 30_000, 'mixed.flowlog');
        await summary.locator('#diagnosis #verdicts').waitFor({ timeout: 30_000 });
        const expected = cliJson(['diagnose', mixed, '--format', 'json']);
        for (const [v, n] of Object.entries(expected.verdicts)) {
          const shown = await count(summary, `#verdicts [data-verdict="${v}"] .figure-value`);
          if (shown !== String(n)) throw new Error(`${v}: ${shown}, CLI ${n}`);
        }
        if (expected.verdicts['response-rejected'] !== 1 || expected.verdicts['request-rejected'] !== 21 || expected.verdicts['no-response'] !== 1) throw new Error(`the CLI's verdicts: ${JSON.stringify(expected.verdicts)}`);
        const scans = await summary.locator('#scans-table tbody tr').count();
        if (scans !== expected.scans.length || scans !== 1) throw new Error(`${scans} scan rows, CLI ${expected.scans.length}`);
        const ifaces = await summary.locator('.coverage-row').evaluateAll((rows) => rows.map((r) => r.dataset.interface));
        if (JSON.stringify([...ifaces].sort()) !== JSON.stringify(expected.coverage.map((c) => c.interfaceId).sort())) throw new Error(`coverage rows ${JSON.stringify(ifaces)}`);
        const gaps = await summary.locator('.coverage-row[data-interface="eni-0mixed01"] .coverage-seg[data-state="gap"]').count();
        const cliGaps = expected.coverage.find((c) => c.interfaceId === 'eni-0mixed01').gaps;
        if (gaps !== cliGaps.length || gaps !== 1) throw new Error(`${gaps} gap segments, CLI ${cliGaps.length}`);
        const nodata = await summary.locator('.coverage-row[data-interface="eni-0mixed02"] .coverage-seg[data-state="nodata"]').count();
        if (nodata !== 1) throw new Error(`${nodata} NODATA segments on eni-0mixed02`);
        // Each segment here is one span (exact): none merged.
        const merged = await summary.locator('.coverage-seg:not([data-merged="1"])').count();
        if (merged !== 0) throw new Error(`${merged} merged segments on a short log`);
        const q = `interface-id:eni-0mixed01 AND (end:${cliGaps[0].from} OR start:${cliGaps[0].to})`;
        // The span lists come from the language server when opened (flowlog/diagnoseSpans): the CLI's spans.
        await summary.locator('.coverage-row[data-interface="eni-0mixed01"] .coverage-spans summary').click();
        const listed = summary.locator('.coverage-row[data-interface="eni-0mixed01"] .coverage-spans li button[data-state="gap"]');
        await listed.first().waitFor({ timeout: 20_000 });
        if ((await listed.count()) !== cliGaps.length || !(await listed.first().getAttribute('title')).startsWith(q)) throw new Error(`gap list: ${await listed.count()} items, title ${await listed.first().getAttribute('title')}`);
        await summary.locator('.coverage-row[data-interface="eni-0mixed02"] .coverage-spans summary').click();
        const cliNodata = expected.coverage.find((c) => c.interfaceId === 'eni-0mixed02').nodata;
        const nodataListed = summary.locator('.coverage-row[data-interface="eni-0mixed02"] .coverage-spans li button[data-state="nodata"]');
        await nodataListed.first().waitFor({ timeout: 20_000 });
        if ((await nodataListed.count()) !== cliNodata.length) throw new Error(`${await nodataListed.count()} NODATA spans listed, CLI ${cliNodata.length}`);
        await summary.locator('#coverage').scrollIntoViewIfNeeded();
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(SHOTS, '24-diagnose-coverage.png') });
        await summary.locator('.coverage-row[data-interface="eni-0mixed01"] .coverage-seg[data-state="gap"]').click();
        query = await webviewFrame(page, 'query', 30_000);
        await query.waitForFunction((want) => document.querySelector('.qbox-input')?.value === want, q, { timeout: 20_000 });
        const [[n]] = cliJson(['query', mixed, `${q} | select count(*)`, '--format', 'json']).rows;
        if (n < 2) throw new Error(`the CLI finds ${n} records around the gap`);
        await waitForText(query, '#status', new RegExp(`\\b${n} matched`));
      }],
      ["the query panel asks about conversations: the issue's query equals `flowlog query`, and a row opens its request's record", async () => {
        const issueQuery = 'verdict:request-rejected | select interface_id, service, count(*) as n group by interface_id, service order by n desc, service';
        await query.fill('.qbox-input', issueQuery);
        await query.press('.qbox-input', 'Control+Enter');
        const expected = cliJson(['query', mixed, issueQuery, '--format', 'json']);
        if (expected.rows.length < 2) throw new Error(`the CLI's rows: ${JSON.stringify(expected.rows)}`);
        await waitForText(query, '#status', new RegExp(`\\b${expected.stats.matched} of ${expected.stats.records} conversations matched`));
        const cells = await tableCells(query);
        const want = expected.rows.map((r) => r.map((v) => (v === null ? 'NULL' : String(v))));
        const got = cells.map((r) => r.map((c) => c.trim()));
        if (JSON.stringify(got.map((r) => [r[0], r[2]])) !== JSON.stringify(want.map((r) => [r[0], r[2]]))) throw new Error(`rows ${JSON.stringify(got)} vs CLI ${JSON.stringify(want)}`);
        // The response-rejected conversation's row opens its request's record (line 3 of the mixed log).
        await query.fill('.qbox-input', 'verdict:response-rejected | select verdict, client_addr, server_port, request_line, reply_line from conversations');
        await query.press('.qbox-input', 'Control+Enter');
        await waitForText(query, '#status', /\b1 of \d+ conversations matched/);
        const [row] = await tableCells(query);
        if (row[3].trim() !== '3' || row[4].trim() !== '4') throw new Error(`row ${JSON.stringify(row)}`);
        await query.locator('#results-table .vt-row:not([hidden])').first().click();
        await page.waitForSelector('.tab.active[aria-label*="mixed.flowlog"]', { timeout: 20_000 });
        await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: 'Ln 3,' }).waitFor({ timeout: 20_000 });
        await page.screenshot({ path: join(SHOTS, '25-conversations-query.png') });
      }],
      ['35 interfaces: 30 bars at first, the other 5 asked of the language server when shown, each equal to the CLI\'s gap', async () => {
        await page.keyboard.press('Control+1');
        await quickOpen(page, 'many.flowlog');
        await runCommand(page, 'Flow Logs: Diagnose Connectivity');
        summary = await webviewFrame(page, 'summary', 30_000, 'many.flowlog');
        await summary.locator('#diagnosis #coverage-more').waitFor({ timeout: 30_000 });
        const rows = () => summary.locator('.coverage-row').count();
        if ((await rows()) !== 30) throw new Error(`${await rows()} coverage rows at first`);
        await summary.locator('#coverage-more').click();
        await summary.locator('.coverage-row').nth(34).waitFor({ timeout: 20_000 });
        const expected = cliJson(['diagnose', many, '--format', 'json']).coverage;
        const gaps = await summary.locator('.coverage-row').evaluateAll((list) => list.map((r) => {
          const g = r.querySelector('.coverage-seg[data-state="gap"]');
          return [r.dataset.interface, r.querySelectorAll('.coverage-seg').length, g ? g.getAttribute('title') : null];
        }));
        for (const [iface, segments, title] of gaps) {
          const gap = expected.find((c) => c.interfaceId === iface).gaps[0];
          // Two traffic windows around one gap; its title names the records that bound it.
          if (segments !== 3 || !title?.includes(`(end:${gap.from} OR start:${gap.to})`)) throw new Error(`${iface}: ${segments} segments, gap title ${title}`);
        }
        if (new Set(gaps.map(([iface]) => iface)).size !== 35) throw new Error('35 distinct interfaces');
      }],
      ['800 spans on one interface: merged segments say so and open the records in their time; its list has each span', async () => {
        await page.keyboard.press('Control+1');
        await quickOpen(page, 'dense.flowlog');
        await runCommand(page, 'Flow Logs: Diagnose Connectivity');
        summary = await webviewFrame(page, 'summary', 30_000, 'dense.flowlog');
        const row = summary.locator('.coverage-row[data-interface="eni-0dense"]');
        await row.waitFor({ timeout: 30_000 });
        const expected = cliJson(['diagnose', dense, '--format', 'json']).coverage[0];
        const segments = await row.locator('.coverage-seg').count();
        const merged = row.locator('.coverage-seg:not([data-merged="1"])');
        if (segments > 2 * 200 || (await merged.count()) === 0) throw new Error(`${segments} segments, ${await merged.count()} merged, for ${expected.timeline.length} spans`);
        const standsFor = await row.locator('.coverage-seg').evaluateAll((list) => list.reduce((n, b) => n + Number(b.dataset.merged), 0));
        if (standsFor !== expected.timeline.length) throw new Error(`segments stand for ${standsFor} spans, the CLI has ${expected.timeline.length}`);
        const title = await merged.first().getAttribute('title');
        if (!/spans too close to draw apart/.test(title)) throw new Error(`merged title: ${title}`);
        await row.locator('.coverage-spans summary').click();
        await row.locator('.coverage-spans li button').nth(expected.timeline.filter((x) => x.state !== 'traffic').length - 1).waitFor({ timeout: 20_000 });
        await summary.locator('#coverage').scrollIntoViewIfNeeded();
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(SHOTS, '26-diagnose-merged-coverage.png') });
        const q = title.split('\n')[1];
        if (!/^interface-id:eni-0dense AND \(start:\[\d+ TO \d+\] OR end:\[\d+ TO \d+\]\)$/.test(q)) throw new Error(`merged query: ${q}`);
        await merged.first().click();
        query = await webviewFrame(page, 'query', 30_000);
        await query.waitForFunction((want) => document.querySelector('.qbox-input')?.value === want, q, { timeout: 20_000 });
        const [[n]] = cliJson(['query', dense, `${q} | select count(*)`, '--format', 'json']).rows;
        if (n < 2) throw new Error(`the CLI finds ${n} records in the merged segment`);
        await waitForText(query, '#status', new RegExp(`\\b${n} matched`));
      }],
      ['the hostile fixture diagnosed: values as text, no element made from them, no dialog, no CSP report', async () => {
        await page.keyboard.press('Control+1');
        await quickOpen(page, 'hostile.flowlog');
        await runCommand(page, 'Flow Logs: Diagnose Connectivity');
        summary = await webviewFrame(page, 'summary', 30_000, 'hostile.flowlog');
        await summary.locator('#diagnosis #verdicts').waitFor({ timeout: 30_000 });
        const made = await summary.evaluate(() => document.querySelectorAll('#diagnose img, #diagnose script, #diagnose svg, #diagnose iframe, #diagnose b, #diagnose a').length);
        if (made !== 0) throw new Error(`${made} elements made from log values in the Diagnose section`);
        const shown = await summary.evaluate(() => document.getElementById('diagnose').textContent);
        if (/[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]/.test(shown)) throw new Error('a control or bidi character reached the Diagnose section');
        await page.waitForTimeout(500);
        if (dialogs.length) throw new Error(`dialogs opened: ${dialogs.join(', ')}`);
        if (cspErrors.length) throw new Error(`CSP reports: ${cspErrors.join('\n')}`);
      }],
    ]);
  } finally {
    await browser.close();
    server.stop();
  }
}
