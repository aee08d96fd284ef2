// Issue 10 over the protocol: the hostile fixture's diagnostics and hovers, and cancelled panel requests answering
// RequestCancelled (item 22).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HoverRequest, LSPErrorCodes, MarkupContent } from 'vscode-languageserver-protocol/node';
import { QueryRequest, SummaryRequest } from '../../server/src/protocol';
import { TestClient, inMemoryServer } from './harness';
import { HOSTILE, HOSTILE_RECORDS, HOSTILE_TEXT } from '../support/hostile';

const GOOD = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

let client: TestClient;
let uriCount = 0;
const newUri = () => `file:///tmp/hostile${++uriCount}.flowlog`;

before(async () => {
  client = inMemoryServer();
  await client.initialize();
});

after(() => client.dispose());

describe('the hostile fixture over LSP', () => {
  it('diagnostics quote the bad values as plain text (LSP diagnostics are not Markdown), on the lines that have them', async () => {
    const uri = newUri();
    const published = await client.open(uri, HOSTILE_TEXT);
    const invalidLines = HOSTILE_RECORDS.flatMap((r, i) => (r.valid ? [] : [i + 1]));
    assert.deepEqual([...new Set(published.diagnostics.filter((d) => d.severity === 1).map((d) => d.range.start.line))], invalidLines);
    const messages = published.diagnostics.map((d) => d.message);
    assert.ok(messages.includes(`version ${HOSTILE.title} is not a known version (2–11, or V1)`));
    assert.ok(messages.includes(`srcaddr ${HOSTILE.markdownImage} is not a valid IPv4 or IPv6 address`));
  });

  it('item 15: a hover over LSP has no image or link syntax from a value', async () => {
    const uri = newUri();
    await client.open(uri, HOSTILE_TEXT);
    const line = HOSTILE_RECORDS.findIndex((r) => r.line.includes(HOSTILE.markdownImage)) + 1;
    const text = HOSTILE_TEXT.split('\n')[line];
    const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: text.indexOf(HOSTILE.markdownImage) + 1 } });
    const value = (h!.contents as MarkupContent).value;
    // The value sits in a code span (literal there); anywhere else, its [ ] ( ) ! are escaped.
    const outsideCode = value.replace(/(`+)[\s\S]*?\1/g, '');
    assert.doesNotMatch(outsideCode, /(?<!\\)!(?<!\\)\[|(?<!\\)\]\(|https?:\/\//);
    assert.ok(value.includes('`' + HOSTILE.markdownImage + '`'));
  });
});

describe('item 22: cancelled panel requests', () => {
  const bigText = Array(300_000).fill(GOOD).join('\n');

  it('item 22: a cancelled flowlog/query answers RequestCancelled (-32800), not an internal error', async () => {
    const uri = newUri();
    await client.open(uri, bigText);
    const code = await client.cancelAtFirstProgress((token, workDoneToken) => client.connection.sendRequest(QueryRequest, { uri, query: '* | select srcaddr, count(*) group by srcaddr', workDoneToken }, token));
    assert.equal(code, LSPErrorCodes.RequestCancelled);
  });

  it('item 22: a cancelled flowlog/summary answers RequestCancelled (-32800)', async () => {
    const uri = newUri();
    await client.open(uri, bigText);
    const code = await client.cancelAtFirstProgress((token, workDoneToken) => client.connection.sendRequest(SummaryRequest, { uri, workDoneToken }, token));
    assert.equal(code, LSPErrorCodes.RequestCancelled);
  });
});
