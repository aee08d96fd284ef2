// A search's rows from the worker threads go to the editor as the JSON text the workers wrote (QueryRowsBatch.texts),
// not parsed on the server's main thread: what the client makes of them (rowsOfBatch) and the response's rows are
// exactly the result on one thread, line numbers of a split file's later ranges included, whether the row limit
// falls between texts or inside one, for a search and a plain SELECT, with values JSON must escape.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QueryRequest, QueryRowsBatch, QueryRowsProgress, rowsOfBatch } from '../../server/src/protocol';
import { runQuery } from '../../server/src/core/query';
import { TestClient, inMemoryServer } from './harness';
import { savedEnv } from '../support/env';

const WORKER = resolve(__dirname, '../../dist/worker.js');
const restoreEnv = savedEnv('FLOWLOG_WORKER_SCRIPT', 'FLOWLOG_PARALLEL_MIN_BYTES');
let client: TestClient;
let dir: string;
let file: string;

before(async () => {
  assert.ok(existsSync(WORKER), 'npm test builds dist/worker.js first');
  process.env.FLOWLOG_WORKER_SCRIPT = WORKER;
  // Split files of a few hundred KB into ranges, as a 1 GB file is: later ranges' line numbers are shifted.
  process.env.FLOWLOG_PARALLEL_MIN_BYTES = String(256 << 10);
  client = inMemoryServer();
  await client.initialize();
  dir = mkdtempSync(join(tmpdir(), 'flowlog-rows-text-'));
  file = join(dir, 'big.flowlog');
  // Interface ids JSON must escape (quote, backslash, a control character as text, non-ASCII) among plain ones.
  const interfaces = ['eni-lq6mkcis', 'eni-"quoted"', 'eni-back\\slash', 'eni-ünïcødé', 'eni-=HYPERLINK("x")', 'eni-<b>x</b>'];
  const lines: string[] = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'];
  for (let i = 0; i < 30_000; i++) {
    const action = i % 3 === 0 ? 'REJECT' : 'ACCEPT';
    lines.push(`2 1251762227 ${interfaces[i % interfaces.length]} 10.0.${(i >> 8) & 255}.${i & 255} 172.31.16.21 ${1024 + (i % 60000)} ${i % 7 === 0 ? 3389 : 22} 6 ${i % 50} ${i * 7} ${1418530010 + i} ${1418530070 + i} ${action} OK`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
});

after(() => {
  client.dispose();
  restoreEnv();
  rmSync(dir, { recursive: true, force: true });
});

async function streamed(query: string, limit: number): Promise<{ batches: QueryRowsBatch[]; rows: unknown[][]; matched: number }> {
  const token = `rows-${Math.random()}`;
  const batches: QueryRowsBatch[] = [];
  const sub = client.connection.onProgress(QueryRowsProgress, token, (b) => {
    batches.push(b);
  });
  try {
    const r = await client.connection.sendRequest(QueryRequest, { uri: pathToFileURL(file).toString(), query, limit, partialResultToken: token });
    const rows = [...batches.flatMap(rowsOfBatch), ...r.rows];
    assert.equal(r.streamedRows ?? 0, rows.length - r.rows.length, 'the response counts the rows it does not repeat');
    return { batches, rows, matched: r.stats.matched };
  } finally {
    sub.dispose();
  }
}

describe('search rows sent as the workers wrote them', () => {
  for (const [query, limit] of [
    ['action:REJECT', 100_000],
    ['action:REJECT', 4_321],
    ['dstport:3389', 777],
    ['* | select interface_id, srcaddr, srcport, bytes', 12_345],
  ] as const) {
    it(`${query}, at most ${limit} rows: the same rows as on one thread`, async () => {
      const { batches, rows, matched } = await streamed(query, limit);
      const here = await runQuery({ kind: 'files', paths: [file] }, query, { threads: 1, limit });
      assert.ok(batches.some((b) => (b.texts?.length ?? 0) > 0), 'rows came as text');
      assert.equal(rows.length, here.rows.length);
      assert.deepEqual(rows, here.rows);
      assert.equal(matched, here.stats.matched);
    });
  }
});
