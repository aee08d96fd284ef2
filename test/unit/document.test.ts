// Incremental revalidation: an edit revalidates the lines it touched, and the result equals a fresh parse.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlowLogDocument, EditRange } from '../../server/src/core/document';

const GOOD = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const REJ = GOOD.replace('ACCEPT', 'REJECT');
const BAD = GOOD.replace(' 22 ', ' 65536 ');

/** Applies an edit to a plain string the way an editor would. */
function applyToText(text: string, r: EditRange, newText: string): string {
  const lines = text.split('\n');
  const offset = (line: number, ch: number) => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + ch;
  return text.slice(0, offset(r.startLine, r.startCharacter)) + newText + text.slice(offset(r.endLine, r.endCharacter));
}

function assertSameAsFresh(doc: FlowLogDocument, text: string) {
  const fresh = new FlowLogDocument(text);
  assert.deepEqual(doc.problems(1e9), fresh.problems(1e9));
  assert.deepEqual(doc.getStats(), fresh.getStats());
}

describe('FlowLogDocument', () => {
  it('counts records, rejects and problems', () => {
    const doc = new FlowLogDocument([GOOD, REJ, BAD, '# c', ''].join('\n'));
    assert.deepEqual(doc.getStats(), { records: 3, rejects: 1, problems: 1, errors: 1, headers: 0 });
  });

  it('fixing and breaking one line', () => {
    let text = [GOOD, BAD, GOOD].join('\n');
    const doc = new FlowLogDocument(text);
    const col = BAD.indexOf('65536');
    const fix: EditRange = { startLine: 1, startCharacter: col, endLine: 1, endCharacter: col + 5 };
    doc.applyEdit(fix, '22');
    text = applyToText(text, fix, '22');
    assert.equal(doc.getStats().problems, 0);
    assertSameAsFresh(doc, text);
    const brk: EditRange = { startLine: 2, startCharacter: GOOD.indexOf('ACCEPT'), endLine: 2, endCharacter: GOOD.indexOf('ACCEPT') + 6 };
    doc.applyEdit(brk, 'accept');
    text = applyToText(text, brk, 'accept');
    assert.deepEqual(doc.problems().problems.map((p) => [p.line, p.code]), [[2, 'action']]);
    assertSameAsFresh(doc, text);
  });

  it('inserting and deleting lines shifts later problems', () => {
    let text = [GOOD, BAD].join('\n');
    const doc = new FlowLogDocument(text);
    const ins: EditRange = { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 };
    doc.applyEdit(ins, GOOD + '\n' + GOOD + '\n');
    text = applyToText(text, ins, GOOD + '\n' + GOOD + '\n');
    assert.deepEqual(doc.problems().problems.map((p) => p.line), [3]);
    assertSameAsFresh(doc, text);
    const del: EditRange = { startLine: 0, startCharacter: 0, endLine: 2, endCharacter: 0 };
    doc.applyEdit(del, '');
    text = applyToText(text, del, '');
    assert.deepEqual(doc.problems().problems.map((p) => p.line), [1]);
    assertSameAsFresh(doc, text);
  });

  it('editing a header rebinds the records it governs', () => {
    let text = ['srcaddr dstaddr action', '10.0.0.1 10.0.0.2 ACCEPT', '10.0.0.1 10.0.0.2 REJECT'].join('\n');
    const doc = new FlowLogDocument(text);
    assert.equal(doc.getStats().problems, 0);
    const r: EditRange = { startLine: 0, startCharacter: 16, endLine: 0, endCharacter: 22 };
    doc.applyEdit(r, 'action srcport');
    text = applyToText(text, r, 'action srcport');
    assert.deepEqual(doc.problems().problems.map((p) => [p.line, p.code]), [[1, 'field-count'], [2, 'field-count']]);
    assertSameAsFresh(doc, text);
    // Removing the header entirely: records fall back to the default format.
    const all: EditRange = { startLine: 0, startCharacter: 0, endLine: 1, endCharacter: 0 };
    doc.applyEdit(all, '');
    text = applyToText(text, all, '');
    assertSameAsFresh(doc, text);
  });

  it('typing a header line above records rebinds them', () => {
    let text = ['10.0.0.1 10.0.0.2 ACCEPT'].join('\n');
    const doc = new FlowLogDocument(text);
    assert.equal(doc.problems().problems[0].code, 'field-count');
    const r: EditRange = { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 };
    doc.applyEdit(r, 'srcaddr dstaddr action\n');
    text = applyToText(text, r, 'srcaddr dstaddr action\n');
    assert.equal(doc.getStats().problems, 0);
    assertSameAsFresh(doc, text);
  });

  it('a large paste', () => {
    let text = GOOD;
    const doc = new FlowLogDocument(text);
    const paste = '\n' + Array(20_000).fill(BAD).join('\n');
    const r: EditRange = { startLine: 0, startCharacter: GOOD.length, endLine: 0, endCharacter: GOOD.length };
    doc.applyEdit(r, paste);
    text = applyToText(text, r, paste);
    assert.equal(doc.getStats().records, 20_001);
    assertSameAsFresh(doc, text);
  });
});
