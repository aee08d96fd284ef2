// The setting flowlog.query.memoryBudgetMB reaches the engine: a query's and the summary's groups spill to disk
// under a small budget, and the summary's top lists take two passes (the stats say so); the answers are those of the
// default budget.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QueryRequest, SummaryRequest } from '../../server/src/protocol';
import { normalize } from '../../server/src/handlers/settings';
import { MIN_MEMORY_BUDGET_MB } from '../../server/src/core/query';
import { TestClient, inMemoryServer } from './harness';
import { SEED_LINES } from '../support/seed';
import { manyGroupLines } from '../support/generate';

let client: TestClient;
let dir: string;
let fileUri: string;
const openUri = 'file:///tmp/memory-budget-seed.flowlog';
const QUERY = '* | select srcaddr, dstport, count(*) as n, sum(bytes) as b group by srcaddr, dstport order by srcaddr desc, dstport limit 5';

before(async () => {
  client = inMemoryServer();
  await client.initialize();
  await client.open(openUri, SEED_LINES.join('\n'));
  dir = mkdtempSync(join(tmpdir(), 'flowlog-lsp-budget-'));
  const file = join(dir, 'many-groups.flowlog');
  writeFileSync(file, manyGroupLines(150_000).join('\n') + '\n');
  fileUri = pathToFileURL(file).toString();
});

after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('flowlog.query.memoryBudgetMB', () => {
  it('is read as a whole number of MB from the minimum up, else the default', () => {
    assert.equal(normalize({ query: { memoryBudgetMB: 64.7 } }).query.memoryBudgetMB, 64);
    assert.equal(normalize({ query: { memoryBudgetMB: MIN_MEMORY_BUDGET_MB - 1 } }).query.memoryBudgetMB, 256);
    assert.equal(normalize({ query: { memoryBudgetMB: '64' as unknown as number } }).query.memoryBudgetMB, 256);
    assert.equal(normalize({}).query.memoryBudgetMB, 256);
  });

  it('a small budget makes the groups of a query and of the summary spill, with the same answers', async () => {
    const query = () => client.connection.sendRequest(QueryRequest, { uri: fileUri, query: QUERY });
    const summary = () => client.connection.sendRequest(SummaryRequest, { uri: fileUri });
    const roomy = await query();
    const roomySummary = await summary();
    assert.equal(roomy.stats.spilled, undefined);
    assert.equal(roomySummary.summary.spilled, undefined);
    // (The summary's top lists take two passes at any budget once a thread holds 32,768 of a list's groups, as on
    // this file: threadScan.ts SEVERAL_TOPN_GROUPS. Its groups spill only under a small budget.)

    await client.configure({ query: { memoryBudgetMB: MIN_MEMORY_BUDGET_MB } }, openUri);
    const tight = await query();
    const tightSummary = await summary();
    assert.ok((tight.stats.spilled?.runs ?? 0) > 0, `spilled: ${JSON.stringify(tight.stats.spilled)}`);
    // The summary's lists are top-Ns: past the budget they take two passes rather than spill.
    assert.ok((tightSummary.summary.twoPass ?? 0) > 0, `summary: ${JSON.stringify({ twoPass: tightSummary.summary.twoPass, spilled: tightSummary.summary.spilled })}`);
    assert.ok((tightSummary.summary.spilled?.runs ?? 0) > 0, `the summary's groups spilled: ${JSON.stringify(tightSummary.summary.spilled)}`);
    assert.deepEqual(tight.rows, roomy.rows);
    assert.equal(tight.rows.length, 5);
    assert.deepEqual(tightSummary.summary.sections, roomySummary.summary.sections);

    await client.configure({}, openUri);
    assert.equal((await query()).stats.spilled, undefined);
  });
});
