// Incremental revalidation: an edit revalidates the lines it touched, and the result equals a fresh parse; the
// cost of an edit is linear in what it touched (item 11 of issue 10).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
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

const HEADER14 = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

/** A document of `n` default records under a header line, every 7th a REJECT. */
function recordsUnderHeader(n: number): string {
  const lines = [HEADER14];
  for (let i = 0; i < n; i++) lines.push(i % 7 === 0 ? REJ : GOOD);
  return lines.join('\n');
}

/** Elements that Array.prototype.splice moved or inserted while `f` ran: the cost of every splice. */
function splicedElements(f: () => void): number {
  const original = Array.prototype.splice;
  let moved = 0;
  Array.prototype.splice = function (this: unknown[], start: number, deleteCount?: number, ...items: unknown[]) {
    const at = start < 0 ? Math.max(0, this.length + start) : Math.min(start, this.length);
    moved += this.length - at + items.length;
    return original.call(this, start, deleteCount as number, ...items);
  } as typeof original;
  try {
    f();
  } finally {
    Array.prototype.splice = original;
  }
  return moved;
}

describe('FlowLogDocument: edit cost (item 11)', () => {
  it('item 11: a header edit that makes every record bad moves O(records) array elements, not one splice per problem', () => {
    const n = 20_000;
    const doc = new FlowLogDocument(recordsUnderHeader(n));
    const end = HEADER14.length;
    const moved = splicedElements(() => {
      doc.applyEdit({ startLine: 0, startCharacter: end, endLine: 0, endCharacter: end }, ' tcp-flags');
      assert.equal(doc.getStats().problems, n);
      doc.applyEdit({ startLine: 0, startCharacter: end, endLine: 0, endCharacter: end + 10 }, '');
      assert.equal(doc.getStats().problems, 0);
    });
    // Linear bookkeeping moves a few elements per line at most; one splice per problem line moves ~n²/2.
    assert.ok(moved <= 4 * n, `${moved} array elements moved for ${n} records`);
  });

  it('item 11: 40 header edits in a row, then validation: each record is validated once, not once per edit', () => {
    const n = 5_000;
    let text = recordsUnderHeader(n);
    const doc = new FlowLogDocument(text);
    const before = doc.validatedLines;
    const end = HEADER14.length;
    for (let k = 0; k < 40; k++) {
      const r: EditRange = k % 2 === 0
        ? { startLine: 0, startCharacter: end, endLine: 0, endCharacter: end }
        : { startLine: 0, startCharacter: end, endLine: 0, endCharacter: end + 10 };
      const newText = k % 2 === 0 ? ' tcp-flags' : '';
      doc.applyEdit(r, newText);
      text = applyToText(text, r, newText);
    }
    assert.equal(doc.pendingLines, n + 1);
    assert.equal(doc.validatePending(), true);
    assert.equal(doc.validatedLines - before, n + 1);
    assertSameAsFresh(doc, text);
  });

  it('item 11: a header edit that keeps its fields (a doubled space, the same name retyped) does not revalidate the records', () => {
    let text = recordsUnderHeader(1_000);
    const doc = new FlowLogDocument(text);
    const before = doc.validatedLines;
    const at = HEADER14.indexOf('srcaddr');
    const retype: EditRange = { startLine: 0, startCharacter: at, endLine: 0, endCharacter: at + 7 };
    doc.applyEdit(retype, 'srcaddr');
    text = applyToText(text, retype, 'srcaddr');
    const space: EditRange = { startLine: 0, startCharacter: at, endLine: 0, endCharacter: at };
    doc.applyEdit(space, ' ');
    text = applyToText(text, space, ' ');
    doc.validatePending();
    assert.equal(doc.validatedLines - before, 1, 'the header line alone, once for both edits');
    assert.deepEqual(doc.problems().problems.map((p) => [p.line, p.code]), [[0, 'multiple-spaces']]);
    assertSameAsFresh(doc, text);
  });

  it('validation in slices: a budget of lines, problems of a pending line exact, the result that of a fresh parse', () => {
    let text = recordsUnderHeader(3_000);
    const doc = new FlowLogDocument(text);
    const end = HEADER14.length;
    const r: EditRange = { startLine: 0, startCharacter: end, endLine: 0, endCharacter: end };
    doc.applyEdit(r, ' tcp-flags');
    text = applyToText(text, r, ' tcp-flags');
    assert.equal(doc.problemsOn(2000)[0].code, 'field-count', 'a pending line gets its problems from its text');
    const before = doc.validatedLines;
    assert.equal(doc.validatePending(1000), false);
    assert.equal(doc.validatedLines - before, 1000);
    assert.equal(doc.statsSoFar().problems, 999, 'the header line and 999 records validated so far');
    assert.equal(doc.pendingLines, 2001);
    assert.equal(doc.validatePending(), true);
    assertSameAsFresh(doc, text);
  });

  it('random edits over several header lines, validated in random slices, equal a fresh parse (and problemsOn while pending)', () => {
    const HEADER3 = 'srcaddr dstaddr action';
    const REC3 = '10.0.0.1 10.0.0.2 ACCEPT';
    const pool = [GOOD, REJ, BAD, HEADER14, HEADER3, REC3, `${HEADER14} tcp-flags`, 'srcaddr dstaddr actoin', '# comment', '', 'not a record'];
    const texts = ['\n', '', ' ', 'x', ' tcp-flags', 'srcaddr dstaddr action\n', `${GOOD}\n`, `${REC3}\n${REC3}\n`, `\n${HEADER14}\n${BAD}`];
    fc.assert(fc.property(
      fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 30 }),
      fc.array(fc.record({ a: fc.nat(), b: fc.nat(5), text: fc.constantFrom(...texts), slice: fc.nat(12) }), { maxLength: 25 }),
      fc.nat(),
      (initial, edits, probe) => {
        let text = initial.join('\n');
        const doc = new FlowLogDocument(text);
        for (const e of edits) {
          const lines = text.split('\n');
          const startLine = e.a % lines.length;
          const startCharacter = (e.a >> 3) % (lines[startLine].length + 1);
          const endLine = Math.min(lines.length - 1, startLine + (e.b % 3));
          const endCharacter = endLine === startLine ? startCharacter + ((e.b * 7) % (lines[startLine].length - startCharacter + 1)) : (e.b * 5) % (lines[endLine].length + 1);
          const r = { startLine, startCharacter, endLine, endCharacter };
          doc.applyEdit(r, e.text);
          text = applyToText(text, r, e.text);
          const fresh = new FlowLogDocument(text);
          const line = probe % fresh.lineCount;
          assert.deepEqual(doc.problemsOn(line), fresh.problemsOn(line));
          assert.equal(doc.lineKind(line), fresh.lineKind(line));
          assert.deepEqual(doc.formatAt(line).names, fresh.formatAt(line).names);
          doc.validatePending(e.slice);
        }
        assertSameAsFresh(doc, text);
        assert.equal(doc.getText(), text);
      },
    ), { numRuns: 400 });
  });
});

describe('FlowLogDocument: big pastes', () => {
  it('a paste of 200,000 header lines (more than a call takes as arguments)', () => {
    let text = GOOD;
    const doc = new FlowLogDocument(text);
    const paste = `${Array(200_000).fill('srcaddr dstaddr action').join('\n')}\n`;
    const r: EditRange = { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 };
    doc.applyEdit(r, paste);
    text = applyToText(text, r, paste);
    assert.equal(doc.getStats().headers, 200_000);
    assertSameAsFresh(doc, text);
  });
});
