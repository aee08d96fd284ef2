// Item 11 of issue 10 over the protocol: edits that arrive faster than validation are validated once, and the
// server answers requests while it revalidates a big document.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DidChangeTextDocumentNotification, HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { CheckQueryRequest } from '../../server/src/protocol';
import { TestClient, inMemoryServer } from './harness';

const GOOD = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

let client: TestClient;

before(async () => {
  client = inMemoryServer();
  await client.initialize();
});

after(() => client.dispose());

describe('edits faster than validation (item 11)', () => {
  it('item 11: 40 quick header edits give one publication, and a hover and a query check are answered before it', async () => {
    const uri = 'file:///tmp/burst.flowlog';
    const records = 20_000;
    await client.open(uri, [HEADER, ...Array(records).fill(GOOD)].join('\n'));
    const n = client.diagnosticsCount(uri) + 1;
    await client.statusNumber(uri, 1);
    const order: string[] = [];
    // Written at once, as a fast typist's edits queue up behind a slow validation: the whole header line is
    // replaced by one with a 15th field, its name alternately known and misspelt.
    for (let k = 0; k < 40; k++) {
      void client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: k + 2 },
        contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: lineLength(k) } }, text: k % 2 === 0 ? `${HEADER} tcp-flags` : `${HEADER} tcp-flag` }],
      });
    }
    const hover = client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: GOOD.indexOf(' 6 ') + 1 } })
      .then((h) => { order.push('hover'); return h; });
    const check = client.connection.sendRequest(CheckQueryRequest, { query: 'dstport:22' }).then((r) => { order.push('checkQuery'); return r; });
    const published = client.diagnosticsNumber(uri, n).then((d) => { order.push('diagnostics'); return d; });
    const [h, c, diags] = await Promise.all([hover, check, published]);
    assert.deepEqual(order, ['hover', 'checkQuery', 'diagnostics']);
    assert.match((h!.contents as MarkupContent).value, /`6` → TCP/);
    assert.equal(c, null);
    // The last edit left a misspelt 15th name: that, and every record one field short.
    assert.equal(diags.diagnostics[0].code, 'header-unknown-field');
    assert.equal(diags.diagnostics[1].code, 'field-count');
    assert.match(String(diags.diagnostics.at(-1)!.message), new RegExp(`^${records + 1 - 1000} more problems`));
    const status = await client.statusNumber(uri, 2);
    assert.equal(status.problems, records + 1);
    // Nothing else was published for the burst: a later round trip finds the same count.
    await client.connection.sendRequest(CheckQueryRequest, { query: '*' });
    assert.equal(client.diagnosticsCount(uri), n);
  });
});

/** The header line's length before edit k (the edits alternate between two header texts). */
function lineLength(k: number): number {
  if (k === 0) return HEADER.length;
  return k % 2 === 1 ? `${HEADER} tcp-flags`.length : `${HEADER} tcp-flag`.length;
}
