// flowlog/diagnose over the protocol: the seed's two lines (open, and from disk), a JSON document's own line numbers,
// a generated log with planted conversations, scans and gaps read from disk, progress and cancellation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LSPErrorCodes, WorkDoneProgress, WorkDoneProgressReport } from 'vscode-languageserver-protocol/node';
import { DiagnoseRequest, DiagnoseSpansRequest } from '../../server/src/protocol';
import { coverageSpans } from '../../client/webview/src/coverageSegments';
import { VERDICTS, diagnose } from '../../server/src/core/diagnose';
import { plantConversations } from '../support/plantConversations';
import { TestClient, inMemoryServer } from './harness';
import { SEED_JSON_DOCUMENT, SEED_LINES } from '../support/seed';

const SEED = SEED_LINES.join('\n');

let client: TestClient;
let dir: string;

before(async () => {
  client = inMemoryServer();
  await client.initialize();
  dir = mkdtempSync(join(tmpdir(), 'flowlog-lsp-diagnose-'));
});

after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('flowlog/diagnose', () => {
  it("the seed's two lines: one response-rejected conversation, request line 1, reply line 2, the network ACL reading", async () => {
    const uri = 'file:///tmp/diagnose-seed.flowlog';
    await client.open(uri, SEED);
    const r = await client.connection.sendRequest(DiagnoseRequest, { uri });
    assert.deepEqual(r.verdicts, { 'response-rejected': 1, 'request-rejected': 0, 'no-response': 0, 'one-way': 0, ok: 0 });
    assert.equal(r.conversations.length, 1);
    const c = r.conversations[0];
    assert.equal(c.verdict, 'response-rejected');
    assert.equal(c.interfaceId, 'eni-lq6mkcis');
    assert.deepEqual([c.client.address, c.server.address, c.protocolName], ['203.0.113.12', '172.31.16.139', 'ICMP']);
    assert.deepEqual([c.evidence.request?.line, c.evidence.reply?.line], [1, 2]);
    assert.equal(c.evidence.request?.file, '/tmp/diagnose-seed.flowlog');
    assert.equal(c.reading.certainty, 'most-likely');
    assert.match(c.reading.summary, /network ACL drops the replies/);
    assert.equal(c.reading.fix, "allow outbound ICMP to 203.0.113.12 in the network ACL of eni-lq6mkcis's subnet");
    assert.match(c.readingText, /Evidence: request \/tmp\/diagnose-seed\.flowlog:1 \(ACCEPT\) · reply \/tmp\/diagnose-seed\.flowlog:2 \(REJECT\)/);
    assert.deepEqual([r.records.records, r.records.traffic, r.totals.conversations, r.scans.length, r.bruteForce.length], [2, 2, 1, 0, 0]);
    assert.deepEqual(r.coverage.map((x) => [x.interfaceId, x.first, x.last, x.spans, x.segments]), [['eni-lq6mkcis', 1432917027, 1432917142, { traffic: 1, nodata: 0, skipdata: 0, gap: 0 }, [0, 115, 0, 1]]]);
    assert.deepEqual(r.warnings, []);
  });

  it('the same from the file on disk (not open in the server), and with the records a JSON document holds on its own lines', async () => {
    const file = join(dir, 'seed.flowlog');
    writeFileSync(file, SEED + '\n');
    const disk = await client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(file).toString() });
    assert.deepEqual(disk.verdicts['response-rejected'], 1);
    assert.deepEqual(disk.conversations[0].evidence, { request: { file, line: 1 }, reply: { file, line: 2 } });

    // A CLS JSON document: its engine text starts with a header line made of its keys; the lines must be the document's.
    const uri = 'file:///tmp/diagnose-seed.json';
    await client.open(uri, SEED_JSON_DOCUMENT);
    const doc = await client.connection.sendRequest(DiagnoseRequest, { uri });
    assert.equal(doc.verdicts['response-rejected'], 1);
    const c = doc.conversations[0];
    assert.deepEqual([c.evidence.request?.line, c.evidence.reply?.line], [2, 4]);
    assert.deepEqual([c.request.firstAccepted?.line, c.reply.firstRejected?.line], [2, 4]);
    assert.match(c.readingText, /diagnose-seed\.json:2 \(ACCEPT\) · reply \S+diagnose-seed\.json:4 \(REJECT\)/);
  });

  it('a generated log read from disk: the planted verdicts, scans, brute force and gaps, with work-done progress', async () => {
    const log = plantConversations({ seed: 12, noise: 400 });
    const file = join(dir, 'planted.flowlog');
    writeFileSync(file, log.text);
    const token = 'diagnose-progress';
    const reports: WorkDoneProgressReport[] = [];
    const sub = client.connection.onProgress(WorkDoneProgress.type, token, (p) => {
      if (p.kind === 'report') reports.push(p);
    });
    const r = await client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(file).toString(), workDoneToken: token });
    sub.dispose();
    const planted = Object.fromEntries(VERDICTS.map((v) => [v, log.conversations.filter((c) => c.verdict === v).length]));
    assert.deepEqual(r.verdicts, planted);
    assert.equal(r.totals.conversations, log.conversations.length);
    // Every verdict is listed (ok too), at most `limit` each, and each listed conversation's lines are a planted one's.
    for (const v of VERDICTS) assert.equal(r.conversations.filter((c) => c.verdict === v).length, Math.min(20, planted[v]), v);
    for (const c of r.conversations) {
      const p = log.conversations.find((x) => x.lines.includes((c.evidence.request ?? c.evidence.reply)!.line));
      assert.ok(p, `a planted conversation holds line ${(c.evidence.request ?? c.evidence.reply)!.line}`);
      assert.equal(c.verdict, p.verdict);
      if (c.evidence.reply && c.evidence.request) assert.ok(p.lines.includes(c.evidence.reply.line));
    }
    const key = (x: { kind?: string; source: string; host: string | null; port: number | null }) => `${x.kind ?? ''} ${x.source} ${x.host} ${x.port}`;
    assert.deepEqual(r.scans.map(key).sort(), log.scans.map(key).sort());
    assert.deepEqual(r.bruteForce.map((b) => `${b.source} ${b.host} ${b.port}`).sort(), log.bruteForce.map((b) => `${b.source} ${b.host} ${b.port}`).sort());
    // The gaps, exact, as the section asks for them when an interface's list is opened (flowlog/diagnoseSpans).
    const gaps: { interfaceId: string; from: number; to: number }[] = [];
    for (const c of r.coverage.filter((x) => x.spans.gap > 0)) {
      const spans = await client.connection.sendRequest(DiagnoseSpansRequest, { spansKey: r.spansKey!, interfaceId: c.interfaceId });
      for (const s of coverageSpans(spans!)) if (s.state === 'gap') gaps.push({ interfaceId: c.interfaceId, from: s.from, to: s.to });
    }
    assert.deepEqual(gaps.sort((a, b) => a.interfaceId.localeCompare(b.interfaceId) || a.from - b.from), [...log.gaps].sort((a, b) => a.interfaceId.localeCompare(b.interfaceId) || a.from - b.from));
    // The same counts as the core on the same text.
    const core = await diagnose({ kind: 'text', text: log.text, name: file });
    assert.deepEqual(r.verdicts, core.verdicts);
    assert.ok(reports.length > 0 && reports.every((p) => typeof p.percentage === 'number'), 'work-done progress reported');
  });

  it('a cancelled flowlog/diagnose of a file on disk answers RequestCancelled (-32800)', async () => {
    const file = join(dir, 'big.flowlog');
    const line = (i: number) => `2 1251762227 eni-lq6mkcis 172.31.16.139 10.0.${i >> 8 & 255}.${i & 255} ${20000 + (i % 30000)} 22 6 20 4249 ${1418530010 + i} ${1418530070 + i} ACCEPT OK`;
    writeFileSync(file, Array.from({ length: 300_000 }, (_, i) => line(i)).join('\n'));
    const code = await client.cancelAtFirstProgress((token, workDoneToken) => client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(file).toString(), workDoneToken }, token));
    assert.equal(code, LSPErrorCodes.RequestCancelled);
  });

  it('a folder: every flow log under it, with what it held', async () => {
    const folder = join(dir, 'folder');
    rmSync(folder, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    const [request, reply] = SEED.split('\n');
    writeFileSync(join(folder, 'a.flowlog'), request + '\n');
    writeFileSync(join(folder, 'b.flowlog'), reply + '\n');
    const r = await client.connection.sendRequest(DiagnoseRequest, { uri: pathToFileURL(folder).toString() });
    assert.equal(r.source?.files, 2);
    assert.deepEqual(r.conversations[0].evidence, { request: { file: join(folder, 'a.flowlog'), line: 1 }, reply: { file: join(folder, 'b.flowlog'), line: 1 } });
  });
});
