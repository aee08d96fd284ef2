// The record scanner's compiled fast path (core/records/compiledFields.ts) may only take lines the general walk
// reads as the same well-formed record: with it and without it, every line must come out as the same kind, with
// the same fields, numbers and line end. Checked on lines built on every edge of the scanner's rules, on generated
// files with bad lines, and on random mutations of good lines; the byte-level IPv6 check against address.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineKind, RecordScanner } from '../../server/src/core/records/recordScanner';
import { compiledFieldsSource } from '../../server/src/core/records/compiledFields';
import { isIPv6Bytes } from '../../server/src/core/records/byteText';
import { isIPv6At } from '../../server/src/core/address';
import { DEFAULT_FORMAT, makeFormat } from '../../server/src/core/scan';
import { generateLines, DEFAULT_HEADER } from '../support/generate';

const GOOD = '2 123456789010 eni-0a1b2c3d 10.0.0.1 10.0.0.2 49152 443 6 10 4000 1700000000 1700000060 ACCEPT OK';
const fields = GOOD.split(' ');
const withField = (k: number, v: string) => fields.map((f, i) => (i === k ? v : f)).join(' ');

const EDGES = [
  GOOD, ' ' + GOOD, '\t' + GOOD, GOOD + ' ', GOOD + '  ', GOOD + '\r', GOOD + ' # a comment', GOOD + '#x',
  GOOD.replace(' ', '  '), GOOD.replace(' ', '\t'), GOOD.replace(' 443 ', ' 443\t'), GOOD.replace(' 443 ', ' 443\r'),
  withField(0, 'V1'), withField(0, '#2'), withField(1, '#x'), withField(2, 'eni-x\u001b]0;pwned\u0007'), withField(2, 'caf\u00e9'),
  withField(3, '10.0.0.256'), withField(3, '010.0.0.1'), withField(3, '0.0.0.0'), withField(3, '255.255.255.255'),
  withField(3, '1.2.3'), withField(3, '1.2.3.4.5'), withField(3, '1.2.3.4x'), withField(3, '1234.1.1.1'), withField(3, '1..2.3'),
  withField(3, '00.1.2.3'), withField(3, '1.2.3.04'), withField(3, '1.2.3.'), withField(3, '.1.2.3'),
  withField(3, '2001:db8::1'), withField(3, '::'), withField(3, '::1'), withField(3, '::ffff:1.2.3.4'), withField(3, '1:2:3:4:5:6:7:8'),
  withField(3, '1:2:3:4:5:6:7:8:9'), withField(3, '1::2::3'), withField(3, '1:'), withField(3, 'fe80::1%eth0'), withField(3, 'G::1'),
  withField(3, '12345::1'), withField(3, '1:2:3:4:5:6:1.2.3.4'), withField(3, '1:2:3:4:5:6:7:1.2.3.4'), withField(3, '-'),
  withField(3, '--'), withField(3, '-1'), withField(4, '2001:DB8::A'),
  withField(5, '65535'), withField(5, '65536'), withField(5, '+5'), withField(5, '-1'), withField(5, '007'), withField(5, '-'),
  withField(5, '5a'), withField(5, '0'), withField(7, '255'), withField(7, '256'),
  withField(8, '-1'), withField(8, '-'), withField(8, '+10'), withField(8, '123456789012345'), withField(8, '1234567890123456'),
  withField(8, '000000000000000001'), withField(9, '-0'), withField(10, '9999999999'), withField(10, '-'), withField(11, '1e5'),
  withField(12, '-'), withField(12, 'R\u00c9JECT'), withField(13, 'NODATA'), withField(13, '-'),
  '2 123456789010 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA',
  '2 123456789010 eni-0a1b2c3d - - - - - -1 -1 1700000000 1700000060 - NODATA',
  fields.slice(0, 13).join(' '), GOOD + ' extra', fields.slice(0, 13).join(' ') + ' ',
  '', '   ', '# a comment', '!', '2', '2 ',
  'version srcaddr dstaddr srcport action', // a header binds the records after it
  '2 10.0.0.1 10.0.0.2 80 ACCEPT', '2 10.0.0.1 10.0.0.2 80', '2 2001:db8::1 - 80 ACCEPT', '2 10.0.0.1 10.0.0.2 - ACCEPT',
  DEFAULT_HEADER, GOOD,
];

interface Read {
  kind: LineKind;
  line: number;
  lineEnd: number;
  fields: string[];
  nums: string[];
}

/**
 * Every line of the text as the scanner reads it, with the compiled path on or off; with `read`, only those fields
 * are compared (the scanner is told so: the others' offsets and numbers are not written).
 */
function readAll(text: string, compiledPath: boolean, read?: readonly string[]): Read[] {
  const scanner = new RecordScanner(DEFAULT_FORMAT);
  scanner.compiledPath = compiledPath;
  if (read) scanner.readOnly(read);
  const readFields = read;
  const buf = Buffer.from(text, 'utf8');
  scanner.setChunk(buf);
  const out: Read[] = [];
  for (let kind = scanner.next(); kind !== LineKind.End; kind = scanner.next()) {
    const read: Read = { kind, line: scanner.line, lineEnd: scanner.lineEnd, fields: [], nums: [] };
    const only = readFields;
    if (kind === LineKind.Record) {
      const { kinds } = scanner.layout;
      for (let k = 0; k < scanner.count; k++) {
        if (only && !only.includes(scanner.format.fields[k]?.name ?? '')) continue;
        read.fields.push(buf.toString('utf8', scanner.starts[k], scanner.ends[k]));
        // nums are written for numeric and address fields only.
        read.nums.push(kinds[k] === 0 ? '' : String(scanner.nums[k]));
      }
    }
    out.push(read);
  }
  return out;
}

/** Sets of fields queries read: one field, numbers only, addresses and text. */
const READ_SETS = [['action'], ['bytes', 'start'], ['srcaddr', 'dstport', 'log-status'], ['dstaddr', 'packets', 'version']];

function assertSameReads(text: string): void {
  const general = readAll(text, false);
  const compiled = readAll(text, true);
  assert.deepEqual(compiled, general, `lines read differently:\n${text.slice(0, 2000)}`);
  for (const read of READ_SETS) {
    assert.deepEqual(readAll(text, true, read), readAll(text, false, read), `lines read differently reading ${read.join(', ')}:\n${text.slice(0, 2000)}`);
  }
}

describe('the compiled record reader', () => {
  it('reads every edge line as the general walk does, with and without a line feed at the end', () => {
    for (const line of EDGES) {
      assertSameReads(`${line}\n`);
      assertSameReads(line);
      assertSameReads(`${GOOD}\n${line}\n${GOOD}\n`);
      assertSameReads(`${GOOD}\n${line}`);
    }
    assertSameReads(EDGES.join('\n') + '\n');
  });

  it('takes the plain records (IPv4, IPv6, NULLs) and gives up on the rest', () => {
    // The fast path is not a no-op: on plain lines the records come out right with it alone.
    const text = `${GOOD}\n${withField(3, '2001:db8::1')}\n${'2 123456789010 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA'}\n`;
    const reads = readAll(text, true);
    assert.deepEqual(reads.map((r) => r.kind), [LineKind.Record, LineKind.Record, LineKind.Record]);
    assert.equal(reads[0].nums[3], String(((10 << 24) | 1) >>> 0));
    assert.equal(reads[1].nums[3], '-1');
    assert.equal(reads[2].nums[5], 'NaN');
    assert.deepEqual(readAll(`${withField(5, '65536')}\n`, true).map((r) => r.kind), [LineKind.Malformed]);
  });

  it('reads generated files with bad lines as the general walk does', () => {
    for (const seed of [1, 2, 3]) {
      const lines = [...generateLines({ records: 3000, seed, badShare: 0.05, header: seed === 2, nodataShare: 0.05 })];
      assertSameReads(lines.join('\n') + '\n');
      assertSameReads(lines.join('\r\n'));
    }
  });

  it('reads random mutations of good lines as the general walk does', () => {
    const alphabet = ['0', '1', '9', '5', ' ', '  ', '-', '+', '.', ':', 'a', 'f', 'G', '#', '\t', '\r', '\u00e9', '\u0000', '', '255', '256', '00'];
    const mutation = fc.tuple(fc.nat(GOOD.length + 4), fc.nat(3), fc.constantFrom(...alphabet));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (mutations, v6) => {
        let line = v6 ? withField(4, '2001:db8:0:1::a') : GOOD;
        for (const [at, cut, insert] of mutations) line = line.slice(0, at) + insert + line.slice(at + cut);
        assertSameReads(`${line}\n${GOOD}\n`);
      }),
      { numRuns: 3000, seed: 14 },
    );
  });

  it('reads the records of custom formats as the general walk does', () => {
    const format = makeFormat(['srcaddr', 'dstport', 'action', 'packets', 'pkt-srcaddr'], 1);
    const source = compiledFieldsSource(format);
    // The generated source holds numbers and fixed code only: no text of a file or of the format.
    assert.doesNotMatch(source, /srcaddr|action|"|'|`/);
    const text = [
      'srcaddr dstport action packets pkt-srcaddr',
      '10.0.0.1 443 ACCEPT 5 10.0.0.9', '10.0.0.1 443 ACCEPT 5 -', '10.0.0.1 70000 ACCEPT 5 10.0.0.9',
      '::1 443 REJECT -1 ::2', '10.0.0.1 443 ACCEPT 5', '10.0.0.1 443 ACCEPT 5 10.0.0.9 x',
    ].join('\n') + '\n';
    assertSameReads(text);
  });
});

describe('the byte-level IPv6 check', () => {
  it('agrees with address.ts on edge and random text', () => {
    const edges = ['::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1', '1:', '::ffff:1.2.3.4',
      '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3.256', '12345::', 'abcd:EF01::', 'g::', '', ':', ':::', '1:::2'];
    const check = (s: string) => assert.equal(isIPv6Bytes(Buffer.from(s, 'latin1'), 0, s.length), isIPv6At(s, 0, s.length), s);
    edges.forEach(check);
    const hexy = fc.array(fc.constantFrom('0', '1', 'a', 'F', 'g', ':', '::', '.', '255', '1.2.3.4', 'ffff'), { maxLength: 14 }).map((a) => a.join(''));
    fc.assert(fc.property(hexy, (s) => check(s)), { numRuns: 5000, seed: 6 });
  });
});
