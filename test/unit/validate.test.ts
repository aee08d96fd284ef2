// Every validation rule with a passing and a failing case. Fixture lines mark the field under test with |…|:
// the markers are removed and the problem must cover exactly that span.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlowLogDocument } from '../../server/src/core/document';
import { DEFAULT_HEADER_LINE } from '../../server/src/core/schema';

const GOOD = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

interface Marked {
  text: string;
  start: number;
  end: number;
}

/** `a |b| c` → text `a b c`, span of `b`. */
function marked(line: string): Marked {
  const start = line.indexOf('|');
  const end = line.indexOf('|', start + 1) - 1;
  assert.ok(start >= 0 && end >= start, `no |marker| in ${line}`);
  return { text: line.replace('|', '').replace('|', ''), start, end };
}

function problemsOf(text: string) {
  return new FlowLogDocument(text).problems().problems;
}

/** Asserts the last line of `lines` has exactly one problem with `code`, on the marked span. */
function expectProblem(code: string, severity: 'error' | 'warning', lines: string[], messagePart?: string) {
  const last = marked(lines[lines.length - 1]);
  const text = [...lines.slice(0, -1), last.text].join('\n');
  const lineNo = lines.length - 1;
  const found = problemsOf(text).filter((p) => p.code === code);
  assert.equal(found.length, 1, `expected one ${code} in ${JSON.stringify(text)}, got ${JSON.stringify(problemsOf(text))}`);
  const p = found[0];
  assert.equal(p.severity, severity);
  assert.equal(p.line, lineNo);
  assert.deepEqual([p.start, p.end], [last.start, last.end], `range of ${code}: ${p.message}`);
  if (messagePart) assert.ok(p.message.includes(messagePart), `message "${p.message}" lacks "${messagePart}"`);
  return p;
}

function expectClean(...lines: string[]) {
  const ps = problemsOf(lines.join('\n'));
  assert.deepEqual(ps, [], `expected no problems in ${JSON.stringify(lines)}`);
}

const withField = (index: number, value: string) => {
  const f = GOOD.split(' ');
  f[index] = `|${value}|`;
  return f.join(' ');
};

describe('validation rules', () => {
  it('accepts the reference examples', () => {
    expectClean(
      GOOD,
      '2 1251762227 eni-lq6mkcis 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
      'V1 1251762227 eni-lq6mkcis - - - - - - - 1431280876 1431280934 - NODATA',
      'V1 1251762227 eni-lq6mkcis - - - - - - - 1431280876 1431280934 - SKIPDATA',
      'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
      'V1 1251762227 eni-lq6mkcis 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
    );
  });

  it('field-count: too few and too many fields', () => {
    const few = '|2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT|';
    expectProblem('field-count', 'error', [few], 'expected 14 fields (the default format), found 13');
    expectProblem('field-count', 'error', [GOOD + ' |extra|'], '1 extra at the end');
    // Under a header, extra fields at the end do not hide problems in the fields before them.
    const both = problemsOf(`${DEFAULT_HEADER_LINE}\n${GOOD.replace(' 22 ', ' 70000 ')} extra`).map((p) => p.code);
    assert.deepEqual(both, ['port-range', 'field-count']);
    // Without one, extra fields and bad values mean another layout: one problem says so, and how to fix it.
    const [layout] = problemsOf(GOOD.replace(' 22 ', ' 70000 ') + ' extra');
    assert.equal(layout.code, 'field-count');
    assert.match(layout.message, /does not fit the default format \(dstport are not what they should be\)\. If the file uses a custom format, add a header line/);
  });

  it('format-mismatch: a headerless record of another layout gets one problem, not one per field', () => {
    // Vector's v11 example: 14 fields, but in a custom order.
    const ps = problemsOf('11 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 REJECT OK BPA nat-0c50d5961bcb2d47b 1 nat_gateway');
    assert.deepEqual(ps.map((p) => p.code), ['format-mismatch']);
    assert.match(ps[0].message, /^this record does not fit the default format \(account-id, interface-id, srcaddr, dstaddr, … are not what they should be\)/);
  });

  it('json-record: one clear error for a JSON-wrapped record instead of a cascade', () => {
    // In a space-separated file (a JSON-lines file is read by its values: recordLine.test.ts).
    expectProblem('json-record', 'error', [GOOD, '|{"message":"2 428961148399 eni-0e0bf7be352692297 - - - - - - - 1671029698 1671029728 - NODATA"}|'], 'JSON object');
    assert.equal(problemsOf(`${GOOD}\n{"version":2,"account_id":"4248"}`).length, 1);
  });

  it('problems on a line come in column order', () => {
    const ps = problemsOf(GOOD.replace('eni-lq6mkcis', 'eth0').replace(' 22 ', ' 65536 ')).map((p) => p.code);
    assert.deepEqual(ps, ['interface-id', 'port-range']);
  });

  it('field-count follows the bound header', () => {
    expectClean('srcaddr dstaddr action', '10.0.0.1 10.0.0.2 ACCEPT');
    expectProblem('field-count', 'error', ['srcaddr dstaddr action', '|10.0.0.1 10.0.0.2|'], 'the header line');
  });

  it('version', () => {
    for (const v of ['2', '3', '5', '8', 'V1']) expectClean(GOOD.replace(/^2/, v));
    expectProblem('version', 'error', [withField(0, '1')], 'not a known version');
    expectProblem('version', 'error', [withField(0, 'v2')]);
  });

  it('account-id', () => {
    expectClean(GOOD.replace('1251762227', 'unknown'));
    expectProblem('account-id', 'error', [withField(1, '12345abc')], 'not an account id');
  });

  it('interface-id', () => {
    expectClean(GOOD.replace('eni-lq6mkcis', 'eni-1235b8ca123456789'));
    expectProblem('interface-id', 'error', [withField(2, 'eth0')]);
    expectProblem('interface-id', 'error', [withField(2, 'eni-')]);
    expectProblem('interface-id', 'error', [withField(2, 'eni-ab_cd')]);
  });

  it('address: IPv4 and IPv6', () => {
    expectClean(GOOD.replace('172.31.16.139', '2001:db8:1234:a100:8d6e:3477:df66:f105').replace('172.31.16.21', '2a02:cf40::'));
    expectProblem('address', 'error', [withField(3, '10.0.0.300')], 'not a valid IPv4 or IPv6 address');
    expectProblem('address', 'error', [withField(4, '1::2::3')]);
  });

  it('ports', () => {
    expectClean(GOOD.replace(' 22 ', ' 65535 '), GOOD.replace(' 20641 ', ' 0 '));
    expectProblem('port-range', 'error', [withField(6, '65536')], 'dstport 65536 is out of range 0–65535');
    expectProblem('port-range', 'error', [withField(5, 'http')], 'not an integer 0–65535');
  });

  it('protocol', () => {
    expectClean(GOOD.replace(' 6 20 ', ' 255 20 ').replace(' 22 ', ' 0 ').replace(' 20641 ', ' 0 '));
    expectProblem('protocol-range', 'error', [withField(7, '256')], 'out of range 0–255');
    expectProblem('protocol-range', 'error', [withField(7, 'tcp')]);
  });

  it('packets and bytes', () => {
    expectProblem('count', 'error', [withField(8, '-5')], 'not a non-negative integer');
    expectProblem('count', 'error', [withField(9, '4.2')]);
  });

  it('start and end', () => {
    expectProblem('timestamp', 'error', [withField(10, '2014-12-14')], 'not a time in Unix seconds');
    expectProblem('timestamp', 'error', [withField(11, '1418530070000')], 'milliseconds');
    expectProblem('start-after-end', 'error', ['2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 |1418530090 1418530070| ACCEPT OK'], 'start 1418530090 is after end 1418530070');
    expectClean(GOOD.replace('1418530070', '1418530010'));
  });

  it('action: case matters, with a quick fix', () => {
    const p = expectProblem('action', 'error', [withField(12, 'accept')], 'must be written ACCEPT');
    assert.equal(p.fix?.edits[0].newText, 'ACCEPT');
    const q = expectProblem('action', 'error', [withField(12, 'DROP')], 'not one of `ACCEPT`, `REJECT`');
    assert.equal(q.fix, undefined);
  });

  it('log-status', () => {
    expectProblem('log-status', 'error', [withField(13, 'FAILED')], 'not one of `OK`, `NODATA`, `SKIPDATA`');
    const p = expectProblem('log-status', 'error', [withField(13, 'nodata')]);
    assert.equal(p.fix?.edits[0].newText, 'NODATA');
  });

  it('missing-value: `-` where an OK record needs a value', () => {
    expectProblem('missing-value', 'error', [withField(6, '-')], 'dstport is `-`');
    expectClean('2 1251762227 eni-lq6mkcis - - - - - - - 1431280876 1431280934 - NODATA');
  });

  it('header: unknown and repeated field names', () => {
    const p = expectProblem('header-unknown-field', 'error', ['version account-id |dstadr| action'], 'did you mean dstaddr?');
    assert.equal(p.fix?.edits[0].newText, 'dstaddr');
    expectProblem('header-duplicate-field', 'error', ['version srcaddr |srcaddr| action'], 'named twice');
    expectClean(DEFAULT_HEADER_LINE, GOOD);
  });

  it('multiple spaces: a warning, and the fields after still line up', () => {
    const line = '2 1251762227 eni-lq6mkcis 172.31.16.139|  |172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    const p = expectProblem('multiple-spaces', 'warning', [line]);
    assert.equal(p.fix?.edits[0].newText, ' ');
    assert.equal(problemsOf(marked(line).text).length, 1);
  });

  it('NODATA/SKIPDATA with traffic fields filled in; Tencent -1 counts accepted', () => {
    expectProblem('nodata-with-traffic', 'warning', ['2 1111 eni-901258d8 |133.130.120.204 172.31.23.15 123 123 6 3 228| 1460005420 1460005449 - NODATA'], 'srcaddr, dstaddr');
    expectClean('V1 1251762227 eni-lq6mkcis - - - - - -1 -1 1431280876 1431280934 - NODATA');
    expectProblem('count', 'error', [withField(9, '-1')]);
  });

  it('ICMP with ports', () => {
    expectProblem('icmp-ports', 'warning', ['V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 |8| 1 4 336 1432917027 1432917142 ACCEPT OK'], 'ICMP');
    expectProblem('icmp-ports', 'warning', ['2 1 eni-1 2001:db8::1 2001:db8::2 |3| 0 58 4 336 1432917027 1432917142 ACCEPT OK'], 'IPv6-ICMP');
  });

  it('too few bytes for the packets (20 per IPv4 packet, 40 per IPv6 packet)', () => {
    expectClean(GOOD.replace(' 20 4249 ', ' 20 400 '));
    expectProblem('too-few-bytes', 'warning', [withField(9, '399')]);
    const v6 = '2 1 eni-1 2001:db8::1 2001:db8::2 1 2 6 10 |399| 1432917027 1432917142 ACCEPT OK';
    expectProblem('too-few-bytes', 'warning', [v6], 'IPv6');
    expectClean(v6.replace('|399|', '400'));
  });

  it('more than 65,535 bytes per packet on average', () => {
    expectClean(GOOD.replace(' 20 4249 ', ' 1 65535 '));
    expectProblem('too-many-bytes-per-packet', 'warning', [withField(9, '1310701')]);
  });

  it('comments, blank lines, CRLF and a BOM are not records', () => {
    expectClean('# a comment', '', GOOD + '\r', '   ', GOOD);
    expectClean('\ufeff' + GOOD);
    const doc = new FlowLogDocument('# c\n\n' + GOOD + '\r\n' + GOOD);
    assert.equal(doc.getStats().records, 2);
  });

  it('a trailing #comment after the fields is ignored', () => {
    expectClean(GOOD + ' #Traffic from the instance');
  });

  it('at most maxProblems problems, then a count of the rest', () => {
    const bad = GOOD.replace(' 22 ', ' 99999 ');
    const doc = new FlowLogDocument(Array(25).fill(bad).join('\n'), { maxProblems: 10 });
    const { problems, omitted } = doc.problems();
    assert.equal(problems.length, 10);
    assert.equal(omitted, 15);
    assert.match(FlowLogDocument.omittedProblem(omitted).message, /^15 more problems/);
  });
});
