// npm run demo: real VS Code (code-server) with the packaged extension, on the sample flow logs, served on
// 127.0.0.1 for a browser. Ctrl+C stops it (the whole process group).
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, freePort, makeSandbox } from './vscodeServer.mjs';

const entry = join(ROOT, '.vscode-test/code-server/node_modules/code-server/out/node/entry.js');
const vsix = readdirSync(join(ROOT, 'dist')).find((f) => f.endsWith('.vsix'));
if (!vsix) throw new Error('no VSIX in dist/: run npm run package');
const sandbox = makeSandbox('demo', join(ROOT, 'samples'));
execFileSync(process.execPath, [entry, '--install-extension', join(ROOT, 'dist', vsix), '--extensions-dir', sandbox.extensions, '--user-data-dir', sandbox.userData], { stdio: 'inherit' });
const port = Number(process.env.PORT ?? (await freePort()));
const child = spawn(process.execPath, [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
  '--user-data-dir', sandbox.userData, '--extensions-dir', sandbox.extensions, sandbox.workspace], { detached: true, stdio: 'inherit' });
console.log(`\nVPC Flow Logs demo: open http://127.0.0.1:${port}/?folder=${encodeURIComponent(sandbox.workspace)}\n(Ctrl+C to stop)\n`);
const stop = () => {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // gone already
  }
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code) => process.exit(code ?? 0));
