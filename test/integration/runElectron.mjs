// npm run test:integration: the same suite through @vscode/test-electron, on a desktop VS Code: the one named by
// VSCODE_EXECUTABLE, or a download where the network allows (not on these machines: use npm run test:e2e).
import { runTests } from '@vscode/test-electron';
import { build } from 'esbuild';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);
const outdir = join(root, 'out/test/integration');
await build({
  entryPoints: readdirSync(join(root, 'test/integration')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'test/integration', f)),
  outdir, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'mocha'], logLevel: 'warning',
});
const workspace = join(mkdtempSync(join(tmpdir(), 'flowlog-electron-')), 'workspace');
cpSync(join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
try {
  await runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    extensionDevelopmentPath: root,
    extensionTestsPath: join(outdir, 'index'),
    launchArgs: [workspace, '--disable-extensions'],
    extensionTestsEnv: { TZ: 'Asia/Shanghai' },
  });
} catch (e) {
  console.error(`integration tests failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
