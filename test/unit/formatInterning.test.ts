// One format object per distinct header (scan.ts makeFormat): the ranges of a split file each bind the header's
// format, and what is compiled per format (the record reader, lint's checker, a query's filters) is cached by the
// object. Were the ranges' formats different objects, V8 would optimize the same generated reader once per range.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FORMAT, makeFormat } from '../../server/src/core/scan';
import { DEFAULT_FIELD_NAMES } from '../../server/src/core/schema';
import { expandSource, planUnits, unitFormat } from '../../server/src/core/query/input';
import { compiledFieldsOf } from '../../server/src/core/records/compiledFields';
import { RecordScanner, LineKind } from '../../server/src/core/records/recordScanner';
import { cleanPlanOf } from '../../server/src/core/lint/cleanRecord';

const CUSTOM = ['version', 'interface-id', 'srcaddr', 'dstaddr', 'dstport', 'protocol', 'bytes', 'action', 'start'];

describe('makeFormat', () => {
  it('gives the same object for the same names and header line, another for anything else', () => {
    const a = makeFormat([...CUSTOM], 0);
    assert.equal(makeFormat([...CUSTOM], 0), a);
    assert.notEqual(makeFormat([...CUSTOM], 3), a);
    assert.notEqual(makeFormat(CUSTOM.slice(1), 0), a);
    assert.notEqual(makeFormat([...DEFAULT_FIELD_NAMES], 0), DEFAULT_FORMAT, 'a header of the default names is not the default format');
    assert.equal(a.positionOf.get('dstport'), 4);
    assert.equal(a.fields[8]?.name, 'start');
  });

  it('keeps its own copy of the names', () => {
    const names = ['srcaddr', 'dstaddr', 'bytes', 'no-such-field'];
    const f = makeFormat(names, 7);
    names[0] = 'dstport';
    assert.deepEqual(f.names, ['srcaddr', 'dstaddr', 'bytes', 'no-such-field']);
    assert.equal(makeFormat(['srcaddr', 'dstaddr', 'bytes', 'no-such-field'], 7), f);
    assert.equal(f.fields[3], undefined);
  });

  it('keeps apart names that a separator would run together (a NUL, a line feed, a quote in a header or JSON key)', () => {
    const pairs: [string[], string[]][] = [
      [['version\u0000srcaddr', 'dstaddr', 'bytes'], ['version', 'srcaddr\u0000dstaddr', 'bytes']],
      [['srcaddr\ndstaddr', 'bytes'], ['srcaddr', 'dstaddr\nbytes']],
      [['a","b', 'bytes'], ['a', 'b","bytes']],
      [['srcaddr dstaddr', 'bytes'], ['srcaddr', 'dstaddr bytes']],
    ];
    for (const [a, b] of pairs) {
      const fa = makeFormat(a, 0);
      const fb = makeFormat(b, 0);
      assert.notEqual(fa, fb, JSON.stringify([a, b]));
      assert.deepEqual(fa.names, a);
      assert.deepEqual(fb.names, b);
    }
  });

  it('keeps no header of hostile length (a name of a megabyte), and reads it all the same', () => {
    const names = ['srcaddr', 'dstaddr', 'x'.repeat(1 << 20)];
    const a = makeFormat(names, 3);
    const b = makeFormat([...names], 3);
    assert.notEqual(a, b, 'not kept');
    assert.deepEqual(b.names, names);
    assert.equal(b.positionOf.get('dstaddr'), 1);
    assert.equal(makeFormat(['srcaddr', 'dstaddr', 'bytes'], 3), makeFormat(['srcaddr', 'dstaddr', 'bytes'], 3), 'short ones still are');
  });

  it('stays right past the formats it keeps (a file of many different headers)', () => {
    const made = new Map<number, ReturnType<typeof makeFormat>>();
    for (let n = 0; n < 600; n++) {
      const names = n % 2 ? [...CUSTOM, `custom-${n}`] : [...CUSTOM.slice(0, 5), `custom-${n}`];
      const f = makeFormat(names, n);
      assert.deepEqual(f.names, names);
      assert.equal(f.headerLine, n);
      made.set(n, f);
    }
    // The latest ones are still the same objects; the oldest were let go and are made again, equal.
    assert.equal(makeFormat([...CUSTOM, 'custom-599'], 599), made.get(599));
    assert.deepEqual(makeFormat([...CUSTOM.slice(0, 5), 'custom-0'], 0).names, made.get(0)!.names);
    // The default format is kept whatever was let go.
    assert.equal(makeFormat([...DEFAULT_FIELD_NAMES], -1), DEFAULT_FORMAT);
  });
});

describe('the ranges of a split file', () => {
  it('bind one format, so they share one compiled reader and one lint checker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-formats-'));
    try {
      const path = join(dir, 'custom.flowlog');
      const lines = [CUSTOM.join(' ')];
      for (let i = 0; i < 30_000; i++) lines.push(`2 eni-${(i % 31).toString(16).padStart(8, '0')} 10.0.${i % 250}.${i % 200} 172.31.${i % 7}.1 ${i % 3 ? 443 : 22} 6 ${i * 7} ${i % 3 ? 'ACCEPT' : 'REJECT'} ${1418530010 + i}`);
      writeFileSync(path, lines.join('\n') + '\n');
      const source = { kind: 'files' as const, paths: [path] };
      const units = await planUnits(source, await expandSource(source), 8, 64 << 10, 2);
      assert.ok(units.length > 4, `${units.length} units`);
      // The first range reads the header line and binds its format; the others are given it.
      const scanner = new RecordScanner();
      scanner.setChunk(Buffer.from(lines[0] + '\n'));
      assert.equal(scanner.next(), LineKind.Header);
      const formats = new Set([scanner.format, ...units.slice(1).map(unitFormat)]);
      assert.equal(formats.size, 1);
      const readers = new Set([...formats, makeFormat([...CUSTOM], 0)].map((f) => compiledFieldsOf(f, ['srcaddr', 'bytes'])));
      assert.equal(readers.size, 1);
      assert.equal(cleanPlanOf(scanner.format), cleanPlanOf(unitFormat(units[units.length - 1])));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
