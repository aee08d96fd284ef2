// The bundle as editors run it (`node dist/server.js --stdio`; npm test builds it first) answers flowlog/diagnose
// with its reader on a second thread: the bundle starts itself as that worker (server.ts), not as a second server.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnoseRequest } from '../../server/src/protocol';
import { TestClient } from './harness';

const server = resolve(__dirname, '../../dist/server.js');

it('dist/server.js answers flowlog/diagnose of a file read on the reader thread', async () => {
  assert.ok(existsSync(server), 'dist/server.js exists (run npm run build)');
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-diagnose-bundle-'));
  // FLOWLOG_DIAGNOSE_THREADS=2: the reader thread whatever the file's size.
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, FLOWLOG_DIAGNOSE_THREADS: '2' } });
  const client = new TestClient(child.stdout, child.stdin);
  try {
    await client.initialize();
    const file = join(dir, 'seed.flowlog');
    writeFileSync(file, [
      'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
      'V1 1251762227 eni-lq6mkcis 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
    ].join('\n') + '\n');
    const r = await client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(file).toString() });
    assert.equal(r.verdicts['response-rejected'], 1);
    assert.deepEqual(r.conversations[0].evidence, { request: { file, line: 1 }, reply: { file, line: 2 } });
  } finally {
    client.dispose();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
