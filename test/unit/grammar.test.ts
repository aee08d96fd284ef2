// The TextMate grammar, tokenized with VS Code's own engine (vscode-textmate + oniguruma).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, IGrammar, Registry, parseRawGrammar } from 'vscode-textmate';
import { flowlogGrammar } from '../../scripts/make-grammar';

const root = resolve(__dirname, '../..');
const grammarPath = resolve(root, 'syntaxes/flowlog.tmLanguage.json');
let grammar: IGrammar;

before(async () => {
  const wasm = readFileSync(resolve(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath),
  });
  grammar = (await registry.loadGrammar('source.flowlog'))!;
});

/** The scopes of the token that covers `text` (its first occurrence, or the `nth`) on `line`. */
function scopesOf(line: string, text: string, nth = 0): string[] {
  const { tokens } = grammar.tokenizeLine(line, INITIAL);
  let at = -1;
  for (let k = 0; k <= nth; k++) at = line.indexOf(text, at + 1);
  const token = tokens.find((t) => t.startIndex <= at && at < t.endIndex)!;
  assert.equal(line.slice(token.startIndex, token.endIndex), text, `token at ${text}`);
  return token.scopes;
}

const RECORD = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

describe('grammar', () => {
  it('is in sync with the schema (npx tsx scripts/make-grammar.ts)', () => {
    assert.deepEqual(JSON.parse(readFileSync(grammarPath, 'utf8')), flowlogGrammar());
  });

  it('colours ACCEPT and REJECT differently', () => {
    assert.ok(scopesOf(RECORD, 'ACCEPT').includes('markup.inserted.accept.flowlog'));
    const reject = scopesOf(RECORD.replace('ACCEPT', 'REJECT'), 'REJECT');
    assert.ok(reject.some((s) => s.startsWith('markup.deleted.reject')));
  });

  it('dims `-`, and scopes addresses, ids, timestamps and numbers', () => {
    const nodata = 'V1 1251762227 eni-lq6mkcis - - - - - - - 1431280876 1431280934 - NODATA';
    assert.ok(scopesOf(nodata, '-', 1).includes('comment.other.empty.flowlog'));
    assert.ok(scopesOf(nodata, 'V1').includes('keyword.other.version.flowlog'));
    assert.ok(scopesOf(RECORD, '172.31.16.139').includes('constant.other.address.ipv4.flowlog'));
    assert.ok(scopesOf('2 1 eni-1 2001:db8::1 2a02:cf40:: 1 2 6 1 40 1 2 ACCEPT OK', '2001:db8::1').includes('constant.other.address.ipv6.flowlog'));
    assert.ok(scopesOf(RECORD, 'eni-lq6mkcis').includes('variable.other.resource-id.flowlog'));
    assert.ok(scopesOf(RECORD, '1418530010').some((s) => s.startsWith('constant.numeric.timestamp')));
    assert.ok(scopesOf(RECORD, '20641').includes('constant.numeric.flowlog'));
  });

  it('marks header and comment lines', () => {
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    assert.ok(scopesOf(header, header).includes('entity.name.tag.header.flowlog'));
    assert.ok(scopesOf('# exported 2024-01-01', '# exported 2024-01-01').includes('comment.line.number-sign.flowlog'));
    assert.ok(scopesOf(RECORD + ' #Traffic from the instance', '#Traffic from the instance').includes('comment.line.number-sign.trailing.flowlog'));
  });
});
