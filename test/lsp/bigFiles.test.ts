// Issue 11: files too big for VS Code to hand to extensions (no didOpen) still get their problems: the client
// names them in flowlog/unsyncedFiles, the server lints them from disk and publishes, and clears when they go.
// The server has no size threshold of its own (the client knows what VS Code did not sync), so small files stand
// in for big ones here; the e2e suite opens a real 60 MB file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CheckQueryRequest, UnsyncedFilesNotification } from '../../server/src/protocol';
import { TestClient, inMemoryServer, ownProblems } from './harness';

const GOOD = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const BAD_PORT = GOOD.replace(' 22 ', ' 65536 ');
const LOWER = GOOD.replace('ACCEPT', 'accept');
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-bigfiles-'));
let client: TestClient;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return pathToFileURL(p).toString();
}

const tell = (uris: string[]) => client.connection.sendNotification(UnsyncedFilesNotification, { uris });
/** A round trip: everything the server sent before answering has arrived. */
const roundTrip = () => client.connection.sendRequest(CheckQueryRequest, { query: '*' });

before(async () => {
  client = inMemoryServer();
  await client.initialize();
});

after(() => client.dispose());

describe('diagnostics of files VS Code does not sync (issue 11)', () => {
  it('a named file is linted from disk: the diagnostics an open document of the same text gets', async () => {
    const text = [GOOD, BAD_PORT, GOOD, LOWER, `${GOOD}  `, ''].join('\n');
    const uri = file('big.flowlog', text);
    await tell([uri]);
    const fromDisk = await client.diagnosticsNumber(uri, 1);
    const opened = await client.open('file:///tmp/same-text.flowlog', text);
    const shape = (ds: typeof fromDisk.diagnostics) => ds.map((d) => ({ range: d.range, severity: d.severity, code: d.code, message: d.message, source: d.source }));
    assert.deepEqual(shape(fromDisk.diagnostics), shape(ownProblems(opened.diagnostics)));
    assert.deepEqual(fromDisk.diagnostics.map((d) => [d.range.start.line, d.code]), [[1, 'port-range'], [3, 'action']]);
    await tell([]);
    assert.deepEqual((await client.diagnosticsNumber(uri, 2)).diagnostics, [], 'cleared when the tab closes');
  });

  it('capped at flowlog.maxProblems, with one diagnostic that counts the rest', async () => {
    const uri = file('many.flowlog', `${HEADER} tcp-flags\n${Array(2500).fill(GOOD).join('\n')}\n`);
    const doc = 'file:///tmp/open.flowlog';
    await client.open(doc, GOOD);
    await tell([uri]);
    const d = (await client.diagnosticsNumber(uri, 1)).diagnostics;
    assert.equal(d.length, 1001);
    assert.deepEqual(d.slice(0, 3).map((x) => [x.range.start.line, x.code]), [[1, 'field-count'], [2, 'field-count'], [3, 'field-count']]);
    assert.equal(d[1000].code, 'too-many-problems');
    assert.match(String(d[1000].message), /^1500 more problems/);
    // A lower maxProblems lints it again with the new cap.
    await client.configure({ maxProblems: 10 }, doc);
    const again = (await client.diagnosticsNumber(uri, 2)).diagnostics;
    assert.equal(again.length, 11);
    assert.match(String(again[10].message), /^2490 more problems/);
    await client.configure({}, doc);
    assert.equal((await client.diagnosticsNumber(uri, 3)).diagnostics.length, 1001);
    await tell([]);
    assert.deepEqual((await client.diagnosticsNumber(uri, 4)).diagnostics, []);
  });

  it('a .log is checked when its first line is a flow log, and not otherwise', async () => {
    const log = file('capture.log', `${HEADER}\n${BAD_PORT}\n`);
    const notes = file('notes.log', `hello\n${BAD_PORT}\n`);
    await tell([notes, log]);
    assert.deepEqual((await client.diagnosticsNumber(log, 1)).diagnostics.map((d) => [d.range.start.line, d.code]), [[1, 'port-range']]);
    await roundTrip();
    assert.equal(client.diagnosticsCount(notes), 0);
    await tell([]);
    await client.diagnosticsNumber(log, 2);
    await roundTrip();
    assert.equal(client.diagnosticsCount(notes), 0, 'nothing published, nothing to clear');
  });

  it('a tab closed while its file is linted: the lint stops and leaves no diagnostics', async () => {
    const text = `${Array(200_000).fill(BAD_PORT).join('\n')}\n`;
    const uri = file('closed-early.flowlog', text);
    const twin = file('twin.flowlog', text);
    await tell([uri]);
    await tell([]);
    // The same lint, started later, done: had the first gone on, it would have published by now.
    await tell([twin]);
    assert.equal((await client.diagnosticsNumber(twin, 1)).diagnostics.length, 1001);
    await roundTrip();
    assert.equal(client.diagnosticsCount(uri), 0);
    await tell([]);
    await client.diagnosticsNumber(twin, 2);
  });

  it('a file that the editor then hands over as a document: the document takes over', async () => {
    const uri = file('handed-over.flowlog', `${BAD_PORT}\n`);
    await tell([uri]);
    await client.diagnosticsNumber(uri, 1);
    const opened = await client.open(uri, `${GOOD}\n`);
    assert.deepEqual(ownProblems(opened.diagnostics), []);
    await tell([]);
    await roundTrip();
    assert.equal(client.diagnosticsCount(uri), 2, 'the document\'s own diagnostics stay: nothing cleared after them');
  });
});
