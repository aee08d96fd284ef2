// npm run test:e2e: the extension inside real VS Code (VS Code's server from code-server, headless Debian
// Chromium). Five checks, each with its own server and sandbox:
//   1. the vscode-API integration suite (test/integration) in a real extension host;
//   2. UI checks with Playwright, screenshots in test-results/;
//   3. the query panel and the summary (test/e2e/panels.mjs);
//   4. deliveries: a decoded .log.gz, Query Folder on an S3-shaped folder (test/e2e/deliveries.mjs);
//   5. the packaged VSIX installed into a fresh extensions folder shows diagnostics.
// Prints "N passed, N failed" and exits non-zero on any failure.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, assertInstalled, launchBrowser, makeSandbox, remoteUri, startServer, workbenchQuery } from './vscodeServer.mjs';
import { runUiChecks, runVsixCheck } from './ui.mjs';
import { runPanelChecks } from './panels.mjs';
import { runDeliveryChecks } from './deliveries.mjs';

const only = process.argv.slice(2);
const wants = (name) => only.length === 0 || only.includes(name);
const TIMEOUT_MS = Number(process.env.FLOWLOG_E2E_TIMEOUT_MS ?? 300_000);

assertInstalled();
for (const f of ['dist/client.js', 'dist/server.js']) {
  if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
}
mkdirSync(join(ROOT, 'test-results'), { recursive: true });

let passed = 0;
let failed = 0;
const report = (ok, title, detail = '') => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${title}${detail ? `\n${detail.replace(/^/gm, '    ')}` : ''}`);
};

async function compileIntegrationSuite() {
  const outdir = join(ROOT, 'out/test/integration');
  rmSync(outdir, { recursive: true, force: true });
  const entryPoints = readdirSync(join(ROOT, 'test/integration')).filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, 'test/integration', f));
  await build({ entryPoints, outdir, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'mocha'], logLevel: 'warning' });
  return join(outdir, 'index.js');
}

async function runIntegrationSuite() {
  const testsIndex = await compileIntegrationSuite();
  const sandbox = makeSandbox('integration');
  const resultsFile = join(sandbox.dir, 'results.json');
  const server = await startServer(sandbox, { FLOWLOG_TEST_RESULTS: resultsFile, TZ: 'Asia/Shanghai' });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const payload = [
      ['extensionDevelopmentPath', remoteUri(server.port, ROOT)],
      ['extensionTestsPath', remoteUri(server.port, testsIndex.replace(/\.js$/, ''))],
    ];
    await page.goto(server.url(workbenchQuery(server.port, sandbox.workspace, payload)));
    const deadline = Date.now() + TIMEOUT_MS;
    while (!existsSync(resultsFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    if (!existsSync(resultsFile)) {
      report(false, 'integration suite finished', `no results after ${TIMEOUT_MS / 1000} s; server log:\n${readFileSync(sandbox.log, 'utf8').slice(-8000)}`);
      return;
    }
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    for (const t of results.tests) report(t.state === 'passed', `integration: ${t.title}`, t.error ?? '');
    if (results.tests.length === 0) report(false, 'integration suite ran tests', readFileSync(sandbox.log, 'utf8').slice(-8000));
    if (results.failed > 0) console.log(`server log: ${sandbox.log}`);
  } finally {
    await browser.close();
    server.stop();
  }
}

const started = Date.now();
try {
  if (wants('integration')) await runIntegrationSuite();
  if (wants('ui')) for (const r of await runUiChecks()) report(r.ok, `ui: ${r.title}`, r.detail);
  if (wants('panels')) for (const r of await runPanelChecks()) report(r.ok, `panels: ${r.title}`, r.detail);
  if (wants('deliveries')) for (const r of await runDeliveryChecks()) report(r.ok, `deliveries: ${r.title}`, r.detail);
  if (wants('vsix')) for (const r of await runVsixCheck()) report(r.ok, `vsix: ${r.title}`, r.detail);
} catch (e) {
  report(false, 'e2e harness', e instanceof Error ? e.stack ?? e.message : String(e));
}
console.log(`e2e took ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
