// Smoke test of the bundle as editors run it: `node dist/server.js --stdio` (npm test builds it first).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitNotification, ShutdownRequest } from 'vscode-languageserver-protocol/node';
import { TestClient } from './harness';

const server = resolve(__dirname, '../../dist/server.js');

it('dist/server.js --stdio initializes, validates a document and shuts down', async () => {
  assert.ok(existsSync(server), 'dist/server.js exists (run npm run build)');
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const client = new TestClient(child.stdout, child.stdin);
    const init = await client.initialize();
    assert.equal(init.serverInfo?.name, 'flowlog-language-server');
    const diags = await client.open('file:///smoke.flowlog', '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 65536 6 20 4249 1418530010 1418530070 ACCEPT OK');
    assert.deepEqual(diags.diagnostics.map((d) => d.code), ['port-range']);
    await client.connection.sendRequest(ShutdownRequest.type);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await client.connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0);
    client.dispose();
  } finally {
    if (child.exitCode === null) child.kill();
  }
});
