// Line splitting and plain text: line ends, the byte order mark, the line cap, chunk bookkeeping, byte ranges.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { LineSink, LineSplitter } from '../../server/src/core/readers/lineSplitter';
import { ChunkWriter } from '../../server/src/core/readers/chunkWriter';
import { decodeFile, decodeFileRange, DecodedChunk } from '../../server/src/core/readers';
import { deliveryRecords, toCsv, toJsonLines, toText } from '../support/deliveries';

/** Splits `text` fed in the given pieces; returns the lines seen (a long line as `<long>`). */
function split(bytes: Uint8Array, sizes: number[], cap: number, bulk: boolean): string[] {
  const out: string[] = [];
  const numbers: number[] = [];
  const sink: LineSink = {
    line: (b, s, e, n) => {
      out.push(Buffer.from(b.subarray(s, e)).toString('latin1'));
      numbers.push(n);
    },
    longLine: (n) => {
      out.push('<long>');
      numbers.push(n);
    },
  };
  if (bulk) {
    sink.lines = (b, s, e, first, count) => {
      const text = Buffer.from(b.subarray(s, e)).toString('latin1');
      const lines = text.split('\n').slice(0, -1);
      assert.equal(lines.length, count);
      lines.forEach((l, k) => {
        out.push(l);
        numbers.push(first + k);
      });
    };
  }
  const splitter = new LineSplitter(sink, cap);
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    const n = Math.max(1, sizes.length ? sizes[k++ % sizes.length] : bytes.length);
    splitter.push(bytes.subarray(i, i + n));
    i += n;
  }
  splitter.finish();
  assert.deepEqual(numbers, out.map((_, j) => j + 1), 'lines numbered 1, 2, 3…');
  return out;
}

/** What the lines must be: split at \r\n, \r or \n; a BOM dropped; lines over the cap marked. */
function reference(text: string, cap: number): string[] {
  const t = text.startsWith('\xef\xbb\xbf') ? text.slice(3) : text;
  const lines = t.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.length > cap ? '<long>' : l));
}

describe('readers: line splitting', () => {
  it('splits at LF, CRLF and lone CR, across any chunk boundaries, with or without the bulk path', () => {
    const piece = fc.constantFrom('a', 'bb', ' ', '\n', '\r', '\r\n', 'record 1 2', '\xef\xbb\xbf', '\xff');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), fc.array(fc.integer({ min: 1, max: 17 }), { maxLength: 4 }), fc.integer({ min: 1, max: 30 }), fc.boolean(), (parts, sizes, cap, bulk) => {
        const text = parts.join('');
        const bytes = Buffer.from(text, 'latin1');
        assert.deepEqual(split(bytes, sizes, cap, bulk), reference(text, cap));
      }),
      { numRuns: 500 },
    );
  });

  it('a CR at the end of a chunk and its LF at the start of the next make one line end', () => {
    assert.deepEqual(split(Buffer.from('a\r\nb\r\nc'), [2], 100, false), ['a', 'b', 'c']);
  });

  it('reports a line over the cap once, whether it spans chunks or not, and reads the next line', () => {
    assert.deepEqual(split(Buffer.from('ok\n' + 'x'.repeat(50) + '\nnext\n'), [7], 10, true), ['ok', '<long>', 'next']);
    assert.deepEqual(split(Buffer.from('ok\n' + 'x'.repeat(50) + '\nnext\n'), [], 10, true), ['ok', '<long>', 'next']);
    assert.deepEqual(split(Buffer.from('x'.repeat(50)), [3], 10, false), ['<long>']);
  });

  it('holds a spanning line as pieces and joins it once (linear in a line fed one byte at a time)', () => {
    const long = Buffer.from('y'.repeat(200_000) + '\n');
    const start = performance.now();
    const lines = split(long, [1], 1 << 20, true);
    assert.equal(lines[0].length, 200_000);
    // Quadratic joining would copy ~20 GB here; linear takes well under a second even on a slow machine.
    assert.ok(performance.now() - start < 20_000);
  });
});

describe('readers: chunk writer', () => {
  it('leaves `lines` out while line numbers are consecutive, and fills it when they are not', () => {
    const w = new ChunkWriter();
    w.line(5, Buffer.from('a'), 0, 1);
    w.line(6, Buffer.from('b'), 0, 1);
    const c1 = w.take(10)!;
    assert.equal(Buffer.from(c1.bytes).toString(), 'a\nb\n');
    assert.equal(c1.firstLine, 5);
    assert.equal(c1.lines, undefined);
    w.header(['version', 'srcaddr']);
    w.line(7, Buffer.from('2 1.2.3.4'), 0, 9);
    w.problem(9, 'bad');
    const c2 = w.take(20)!;
    assert.equal(Buffer.from(c2.bytes).toString(), 'version srcaddr\n2 1.2.3.4\n!\n');
    assert.deepEqual([...c2.lines!], [0, 7, 9]);
    assert.deepEqual(c2.problems, [{ line: 9, message: 'bad' }]);
    assert.equal(w.take(30), undefined);
  });
});

async function decode(path: string, options = {}): Promise<{ text: string; chunks: DecodedChunk[] }> {
  const chunks: DecodedChunk[] = [];
  for await (const c of decodeFile(path, options)) chunks.push(c);
  return { text: chunks.map((c) => Buffer.from(c.bytes).toString()).join(''), chunks };
}

describe('readers: plain text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'readers-text-'));

  it('passes records through, drops a BOM, turns CRLF and lone CR into LF', async () => {
    const path = join(dir, 'crlf.log');
    writeFileSync(path, '\ufeffversion srcaddr\r\n2 1.2.3.4\r3 4\n\n5 6');
    const { text, chunks } = await decode(path);
    assert.equal(text, 'version srcaddr\n2 1.2.3.4\n3 4\n\n5 6\n');
    assert.equal(chunks[0].firstLine, 1);
    assert.equal(chunks.at(-1)!.bytesRead, Buffer.byteLength('\ufeffversion srcaddr\r\n2 1.2.3.4\r3 4\n\n5 6'));
  });

  it('a 5 MB single line is one problem naming its line, and the lines after it are read', async () => {
    const path = join(dir, 'five-mb.log');
    writeFileSync(path, `2 a\n${'9'.repeat(5 << 20)}\n3 b\n`);
    const { text, chunks } = await decode(path);
    assert.equal(text, '2 a\n!\n3 b\n');
    assert.deepEqual(chunks.flatMap((c) => c.problems ?? []), [{ line: 2, message: 'line longer than 1048576 bytes', longLine: true }]);
    assert.ok(chunks.every((c) => c.bytes.length < 1 << 20));
    const capped = await decode(path, { maxLineBytes: 16 << 20 });
    assert.equal(capped.text.split('\n')[1].length, 5 << 20);
  });

  it('hands out a big file in chunks of about 1 MiB whose line numbers follow on', async () => {
    const path = join(dir, 'big.log');
    const records = deliveryRecords(40_000, 9);
    writeFileSync(path, toText(records));
    const { text, chunks } = await decode(path);
    assert.equal(text, toText(records));
    assert.ok(chunks.length >= 3);
    let next = 1;
    for (const c of chunks) {
      assert.equal(c.firstLine, next);
      assert.equal(c.lines, undefined);
      next += Buffer.from(c.bytes).toString().split('\n').length - 1;
      assert.ok(c.bytes.length <= (1 << 20) + (2 << 20));
    }
    assert.equal(chunks.at(-1)!.bytesRead, Buffer.byteLength(text));
  });

  it('byte ranges at line starts give the whole file, with line numbers from 1 in each range', async () => {
    const path = join(dir, 'ranges.log');
    const content = toText(deliveryRecords(3000, 4));
    writeFileSync(path, content);
    const bytes = Buffer.from(content);
    const cut1 = bytes.indexOf(10, 70_000) + 1;
    const cut2 = bytes.indexOf(10, 200_000) + 1;
    const parts: string[] = [];
    for (const [s, e] of [[0, cut1], [cut1, cut2], [cut2, bytes.length]]) {
      const chunks: DecodedChunk[] = [];
      for await (const c of decodeFileRange(path, s, e)) chunks.push(c);
      assert.equal(chunks[0].firstLine, 1);
      assert.equal(chunks.at(-1)!.bytesRead, e - s);
      parts.push(chunks.map((c) => Buffer.from(c.bytes).toString()).join(''));
    }
    assert.equal(parts.join(''), content);
  });

  it('JSON lines and header-less CSV split into byte ranges: each JSON range makes its own header', async () => {
    const records = deliveryRecords(2000, 6);
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    for (const [name, content, options] of [
      ['ranges.json', toJsonLines(records), { formatHint: 'json' }],
      ['ranges.csv', toCsv(records, { separator: ',', header: false }), { formatHint: 'csv', csv: { separator: ',', header: false } }],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, content);
      const bytes = Buffer.from(content);
      const cut = bytes.indexOf(10, Math.floor(bytes.length / 2)) + 1;
      const records2: string[] = [];
      for (const [s, e] of [[0, cut], [cut, bytes.length]]) {
        let text = '';
        for await (const c of decodeFileRange(path, s, e, options)) text += Buffer.from(c.bytes).toString();
        const lines = text.split('\n').slice(0, -1);
        if (name.endsWith('.json')) assert.equal(lines[0], header);
        records2.push(...lines.filter((l) => l !== header));
      }
      assert.deepEqual(records2, records.map((r) => r.join(' ')), name);
    }
  });
});
