// Property tests: the scanner, validator, document and query engine never throw, whatever the text; records
// round-trip through serialize and parse; incremental edits equal a fresh parse.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FlowLogDocument } from '../../server/src/core/document';
import { DEFAULT_FORMAT, FieldSpans, classifyLine, scanFields } from '../../server/src/core/scan';
import { validateRecord, Problem } from '../../server/src/core/validate';
import { recordValues } from '../../server/src/core/explain';
import { checkQuery, runQuery } from '../../server/src/core/query';

const TOKENS = ['2', 'V1', '1251762227', 'eni-lq6mkcis', '172.31.16.139', '2001:db8::1', '-', '-1', '22', '65536', '6', 'ACCEPT', 'REJECT', 'accept', 'OK', 'NODATA', 'SKIPDATA', '1418530010', 'version', 'srcaddr', 'log-status', '#', ' ', '  ', '\r', '\n', '\ufeff', '{', '}', 'б'];
const flowlogish = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(' '));
const anyText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), flowlogish);

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
const record = fc.record({
  version: fc.constantFrom('2', '3', '5', 'V1'),
  'account-id': fc.oneof(fc.nat().map(String), fc.constant('unknown')),
  'interface-id': fc.stringMatching(/^[0-9a-z]{1,17}$/).map((s) => `eni-${s}`),
  v6: fc.boolean(),
  a: ipv4, b: ipv4, c: ipv6, d: ipv6,
  srcport: fc.nat(65535), dstport: fc.nat(65535),
  protocol: fc.constantFrom(6, 17, 47, 50, 132),
  packets: fc.integer({ min: 1, max: 1000 }),
  perPacket: fc.integer({ min: 40, max: 1500 }),
  start: fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
  duration: fc.nat(600),
  action: fc.constantFrom('ACCEPT', 'REJECT'),
}).map((r) => ({
  version: r.version, 'account-id': r['account-id'], 'interface-id': r['interface-id'],
  srcaddr: r.v6 ? r.c : r.a, dstaddr: r.v6 ? r.d : r.b, srcport: String(r.srcport), dstport: String(r.dstport),
  protocol: String(r.protocol), packets: String(r.packets), bytes: String(r.packets * r.perPacket),
  start: String(r.start), end: String(r.start + r.duration), action: r.action, 'log-status': 'OK',
}));

describe('properties', () => {
  it('the scanner, validator and document never throw, whatever the text', () => {
    fc.assert(fc.property(anyText, (text) => {
      const spans = new FieldSpans();
      for (const line of text.split('\n')) {
        scanFields(line, 0, line.length, spans);
        classifyLine(line, spans);
        const out: Problem[] = [];
        validateRecord(line, spans, DEFAULT_FORMAT, out);
        for (const p of out) assert.ok(p.start >= 0 && p.end >= p.start && p.end <= line.length, `range of ${p.code} within the line`);
      }
      const doc = new FlowLogDocument(text);
      doc.getStats();
      doc.problems();
    }), { numRuns: 500 });
  });

  it('parse(serialize(record)) round-trips, and a valid record has no problems', () => {
    fc.assert(fc.property(record, (r) => {
      const line = Object.values(r).join(' ');
      const values = recordValues(line, DEFAULT_FORMAT);
      assert.deepEqual(Object.fromEntries(values), r);
      assert.deepEqual(new FlowLogDocument(line).problems().problems, []);
    }), { numRuns: 300 });
  });

  it('any sequence of edits gives the same problems and counts as a fresh parse', () => {
    const lines = fc.array(fc.oneof(record.map((r) => Object.values(r).join(' ')), flowlogish, fc.constant('srcaddr dstaddr action'), fc.constant('10.0.0.1 10.0.0.2 ACCEPT')), { maxLength: 12 });
    const edit = fc.record({ a: fc.nat(), b: fc.nat(), text: fc.oneof(flowlogish, fc.constantFrom('\n', '', 'version srcaddr\n', ' 65536 ', 'REJECT')) });
    fc.assert(fc.property(lines, fc.array(edit, { maxLength: 8 }), (initial, edits) => {
      let text = initial.join('\n');
      const doc = new FlowLogDocument(text);
      for (const e of edits) {
        const from = text.length ? e.a % (text.length + 1) : 0;
        const to = from + (text.length - from ? e.b % (text.length - from + 1) : 0);
        const pos = (offset: number) => {
          const before = text.slice(0, offset).split('\n');
          return { line: before.length - 1, character: before[before.length - 1].length };
        };
        const s = pos(from);
        const t = pos(to);
        doc.applyEdit({ startLine: s.line, startCharacter: s.character, endLine: t.line, endCharacter: t.character }, e.text);
        text = text.slice(0, from) + e.text + text.slice(to);
      }
      const fresh = new FlowLogDocument(text);
      assert.deepEqual(doc.problems(1e9), fresh.problems(1e9));
      assert.deepEqual(doc.getStats(), fresh.getStats());
      assert.equal(doc.getText(), text);
    }), { numRuns: 300 });
  });

  it('query checking and running never throw anything but query errors', async () => {
    const queryText = fc.oneof(fc.string({ maxLength: 60 }), fc.array(fc.constantFrom('action:REJECT', '|', 'select', 'count(*)', 'srcaddr', ',', '(', ')', 'AND', 'OR', 'NOT', 'group', 'by', 'order', 'limit', '5', "'x'", 'bytes:>1', '*', 'histogram(start, interval 5 minute)', 'as', 't'), { maxLength: 14 }).map((t) => t.join(' ')));
    await fc.assert(fc.asyncProperty(queryText, flowlogish, async (q, text) => {
      const e = checkQuery(q);
      if (e) {
        assert.ok(e.line >= 1 && e.column >= 1);
        return;
      }
      const r = await runQuery({ kind: 'text', text, name: 't' }, q);
      assert.ok(Array.isArray(r.rows) && r.columns.length > 0);
    }), { numRuns: 300 });
  });
});
