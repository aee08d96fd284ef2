// Connectivity in the language server (issue 12): diagnostics on the record of a broken conversation with related
// information on its other record, hovers with the verdict and the reading, the flowlog.diagnose.diagnostics setting.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, DidChangeTextDocumentNotification, HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { TestClient, inMemoryServer } from './harness';

const SEED = [
  'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
  'V1 1251762227 eni-lq6mkcis 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
];
const CONNECTIVITY = new Set(['response-rejected', 'request-rejected', 'no-response', 'connectivity-omitted']);

let client: TestClient;
let count = 0;
const newUri = (ext = 'flowlog') => `file:///tmp/connectivity${++count}.${ext}`;

before(async () => {
  client = inMemoryServer();
  await client.initialize();
});

after(() => client.dispose());

/** The hover's text as it renders (readings are escaped Markdown: their values come from the file). */
async function hoverText(uri: string, line: number, character = 0): Promise<string> {
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
  return ((h?.contents as MarkupContent | undefined)?.value ?? '').replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

const connectivityOf = <T extends { code?: string | number }>(d: { diagnostics: T[] }): T[] => d.diagnostics.filter((x) => CONNECTIVITY.has(String(x.code)));
const messageOf = (d: { message: string | MarkupContent }) => (typeof d.message === 'string' ? d.message : d.message.value);

describe('connectivity diagnostics and hovers', () => {
  it("the seed's two lines: one response-rejected diagnostic on line 2, on its REJECT, linked to line 1", async () => {
    const uri = newUri();
    const published = await client.open(uri, SEED.join('\n'));
    assert.deepEqual(published.diagnostics.map((d) => d.code), ['response-rejected'], 'the seed has no other problem');
    const [d] = published.diagnostics;
    const at = SEED[1].indexOf('REJECT');
    assert.deepEqual(d.range, { start: { line: 1, character: at }, end: { line: 1, character: at + 6 } });
    assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.match(messageOf(d), /^response-rejected \(ICMP 203\.0\.113\.12 → 172\.31\.16\.139 on eni-lq6mkcis\): /);
    assert.match(messageOf(d), /Most likely a network ACL drops the replies/);
    assert.match(messageOf(d), /Fix: allow outbound ICMP to 203\.0\.113\.12 in the network ACL/);
    assert.equal(d.relatedInformation?.length, 1);
    const related = d.relatedInformation![0];
    assert.equal(related.location.uri, uri);
    assert.equal(related.location.range.start.line, 0);
    assert.equal(related.location.range.start.character, SEED[0].indexOf('ACCEPT'));
    assert.match(related.message, /the request \(line 1\)/);
  });

  it('hover on either record shows the verdict, the reading and the other line', async () => {
    const uri = newUri();
    await client.open(uri, SEED.join('\n'));
    const onRequest = await hoverText(uri, 0);
    assert.match(onRequest, /\*\*Connectivity: response-rejected\*\* · most likely · this line is the request of ICMP 203.0.113.12 → 172.31.16.139 on eni-lq6mkcis/);
    assert.match(onRequest, /a network ACL is stateless/);
    assert.match(onRequest, /\*\*Fix\*\*: allow outbound ICMP to 203.0.113.12 in the network ACL/);
    assert.ok(onRequest.includes(`The reply, line 2: \`${SEED[1]}\``), onRequest);
    assert.ok(!onRequest.includes('The request, line'), 'the hovered line is not shown again');
    // The record's own hover comes first: the field under the cursor.
    assert.match(onRequest, /^\*\*version\*\*/);
    const onReply = await hoverText(uri, 1);
    assert.match(onReply, /this line is the reply of/);
    assert.ok(onReply.includes(`The request, line 1: \`${SEED[0]}\``), onReply);
  });

  it('a rejected request alone: information, no related line (the reply was never logged); no-response likewise', async () => {
    const uri = newUri();
    const rejected = '2 123456789010 eni-0a1b2c3d 198.51.100.7 10.0.1.5 50123 3389 6 3 180 1700000000 1700000060 REJECT OK';
    const unanswered = '2 123456789010 eni-0a1b2c3d 10.0.1.5 192.0.2.44 41000 5432 6 5 300 1700000000 1700000060 ACCEPT OK';
    const answered = [
      '2 123456789010 eni-0a1b2c3d 10.0.1.5 192.0.2.80 42000 443 6 10 900 1700000000 1700000060 ACCEPT OK',
      '2 123456789010 eni-0a1b2c3d 192.0.2.80 10.0.1.5 443 42000 6 12 9000 1700000000 1700000060 ACCEPT OK',
    ];
    const published = await client.open(uri, [rejected, unanswered, ...answered].join('\n'));
    const found = connectivityOf(published).map((d) => [d.code, d.range.start.line, d.severity, d.relatedInformation?.length ?? 0]);
    assert.deepEqual(found.sort(), [['no-response', 1, DiagnosticSeverity.Information, 0], ['request-rejected', 0, DiagnosticSeverity.Information, 0]]);
    assert.match(await hoverText(uri, 0), /The reply: not logged/);
    // A working conversation gets no diagnostic but its hover reads it.
    const ok = await hoverText(uri, 3);
    assert.match(ok, /\*\*Connectivity: ok\*\* · this line is the reply of its conversation: both directions accepted: two-way traffic flows/);
    assert.ok(ok.includes(`The request, line 3: \`${answered[0]}\``));
  });

  it('flowlog.diagnose.diagnostics: off removes them and the hover section, warning and information set the severity', async () => {
    const uri = newUri();
    await client.open(uri, SEED.join('\n'));
    await client.configure({ diagnose: { diagnostics: 'off' } }, uri);
    const off = await client.diagnosticsNumber(uri, client.diagnosticsCount(uri));
    assert.deepEqual(off.diagnostics, []);
    assert.ok(!(await hoverText(uri, 1)).includes('Connectivity'));
    await client.configure({ diagnose: { diagnostics: 'information' } }, uri);
    const info = await client.diagnosticsNumber(uri, client.diagnosticsCount(uri));
    assert.deepEqual(info.diagnostics.map((d) => [d.code, d.severity]), [['response-rejected', DiagnosticSeverity.Information]]);
    await client.configure({ diagnose: { diagnostics: 'warning' }, maxProblems: 1 }, uri);
    const warn = await client.diagnosticsNumber(uri, client.diagnosticsCount(uri));
    assert.deepEqual(warn.diagnostics.map((d) => [d.code, d.severity]), [['response-rejected', DiagnosticSeverity.Warning]]);
    await client.configure({}, uri);
  });

  it('capped at flowlog.maxProblems, with a count of the rest', async () => {
    const uri = newUri();
    const lines: string[] = [];
    for (let k = 0; k < 5; k++) lines.push(`2 123456789010 eni-0a1b2c3d 198.51.100.${k + 1} 10.0.1.5 50123 22 6 3 180 1700000000 1700000060 REJECT OK`);
    await client.open(uri, lines.join('\n'));
    await client.configure({ maxProblems: 2 }, uri);
    const capped = connectivityOf(await client.diagnosticsNumber(uri, client.diagnosticsCount(uri)));
    assert.deepEqual(capped.map((d) => d.code), ['request-rejected', 'request-rejected', 'connectivity-omitted']);
    assert.match(messageOf(capped[2]), /^3 more broken conversations not shown/);
    // Those past the cap are not read in full, but their hover gives the verdict's plain reading.
    const flagged = new Set(capped.slice(0, 2).map((d) => d.range.start.line));
    const unflagged = [0, 1, 2, 3, 4].find((l) => !flagged.has(l))!;
    assert.match(await hoverText(uri, unflagged), /\*\*Connectivity: request-rejected\*\* · this line is the request of its conversation: the request was rejected/);
    assert.match(await hoverText(uri, [...flagged][0]), /A security group or a network ACL blocks this traffic/);
    await client.configure({}, uri);
    assert.equal(connectivityOf(await client.diagnosticsNumber(uri, client.diagnosticsCount(uri))).length, 5);
  });

  it('follows edits: the diagnostic moves with its line, and goes when the reply is accepted', async () => {
    const uri = newUri();
    await client.open(uri, SEED.join('\n'));
    let n = client.diagnosticsCount(uri) + 1;
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n' }],
    });
    const moved = await client.diagnosticsNumber(uri, n);
    assert.deepEqual(moved.diagnostics.map((d) => [d.code, d.range.start.line, d.relatedInformation?.[0].location.range.start.line]), [['response-rejected', 2, 1]]);
    n = client.diagnosticsCount(uri) + 1;
    const at = SEED[1].indexOf('REJECT');
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 2, character: at }, end: { line: 2, character: at + 6 } }, text: 'ACCEPT' }],
    });
    assert.deepEqual((await client.diagnosticsNumber(uri, n)).diagnostics, []);
    assert.match(await hoverText(uri, 2), /Connectivity: ok\*\* · this line is the reply/);
  });

  it('a big document is published at once, and again with its connectivity diagnostics when the diagnosis is done', async () => {
    const uri = newUri();
    const lines = [...SEED];
    // Answered HTTPS conversations as filler: no finding of their own.
    for (let k = 0; lines.length < 60_000; k++) {
      const from = `10.1.${(k >> 8) & 255}.${k & 255}`;
      const port = 32768 + (k % 28000);
      lines.push(`2 123456789010 eni-0a1b2c3d ${from} 192.0.2.80 ${port} 443 6 10 900 1700000000 1700000060 ACCEPT OK`);
      lines.push(`2 123456789010 eni-0a1b2c3d 192.0.2.80 ${from} 443 ${port} 6 12 9000 1700000000 1700000060 ACCEPT OK`);
    }
    const first = await client.open(uri, lines.join('\n'));
    assert.deepEqual(first.diagnostics, [], 'published before the diagnosis');
    const second = await client.diagnosticsNumber(uri, 2);
    assert.deepEqual(second.diagnostics.map((d) => [d.code, d.range.start.line, d.relatedInformation?.[0].location.range.start.line]), [['response-rejected', 1, 0]]);
    assert.match(await hoverText(uri, 59_999), /Connectivity: ok/);
  });

  it('a CLS JSON document: the diagnostic on the JSON line of the rejected reply, linked to the request', async () => {
    const uri = newUri('json');
    const json = (src: string, dst: string, action: string, start: number) =>
      `{"version":2,"account_id":"1251762227","interface_id":"eni-lq6mkcis","srcaddr":"${src}","dstaddr":"${dst}","srcport":0,"dstport":0,"protocol":1,"packets":4,"bytes":336,"start":${start},"end":1432917142,"action":"${action}","log_status":"OK"}`;
    const text = [json('203.0.113.12', '172.31.16.139', 'ACCEPT', 1432917027), json('172.31.16.139', '203.0.113.12', 'REJECT', 1432917094)].join('\n');
    const published = await client.open(uri, text);
    const [d] = connectivityOf(published);
    assert.equal(d?.code, 'response-rejected', JSON.stringify(published.diagnostics));
    assert.equal(d.range.start.line, 1);
    assert.equal(d.range.start.character, text.split('\n')[1].indexOf('REJECT'));
    assert.equal(d.relatedInformation?.[0].location.range.start.line, 0);
    assert.match(await hoverText(uri, 1, 5), /this line is the reply/);
  });

  it('hostile values stay text: escaped Markdown in the hover, no terminal escape in the message', async () => {
    const uri = newUri();
    const evil = 'eni-![x](https://evil.example/r.png)`<b>\u001b[2J';
    const lines = SEED.map((l) => l.replace('eni-lq6mkcis', evil));
    const published = await client.open(uri, lines.join('\n'));
    const [d] = connectivityOf(published);
    assert.equal(d.code, 'response-rejected');
    assert.ok(!messageOf(d).includes('\u001b'), messageOf(d));
    assert.ok(messageOf(d).includes('\\x1b[2J'), messageOf(d));
    const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 0 } });
    const raw = (h?.contents as MarkupContent).value;
    const section = raw.slice(raw.indexOf('**Connectivity'));
    assert.ok(section.length > 0 && raw.includes('**Connectivity: response-rejected**'), raw);
    assert.ok(!section.includes('\u001b'));
    // Outside its code span (the other line, fenced longer than its backticks), nothing can form a link, image or tag.
    const prose = section.slice(0, section.indexOf('The request, line 1: '));
    assert.ok(!/(^|[^\\])[![<`]/.test(prose.replace(/\*\*/g, '')), prose);
    assert.match(section, /The request, line 1: ``V1 1251762227 eni-!\[x\]\(https:\/\/evil\.example\/r\.png\)`<b>\\x1b\[2J 203/);
  });
});
