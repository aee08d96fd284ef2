// The decompressors of the readers: snappy (four containers, streamed), lzop/LZO1X (against files the lzop
// program wrote), gzip (members, damage, bombs streamed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { createGzip, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import SnappyJS from 'snappyjs';
import { RawSnappyDecoder, SnappyError, maskedCrc32c, snappyContainer, snappyDecompress } from '../../server/src/core/readers/snappy';
import { LzoError, adler32, crc32, lzo1xDecompress, lzopDecompress } from '../../server/src/core/readers/lzo';
import { decodeFile, DecodeError, DecodedChunk } from '../../server/src/core/readers';
import { deliveryRecords, lzoVectorContent, snappyFramed, snappyHadoop, snappyJava, snappyRaw, toText } from '../support/deliveries';

const FIXTURES = join(__dirname, '..', 'fixtures', 'deliveries');

async function* pieces(b: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let i = 0;
  let k = 0;
  while (i < b.length) {
    const n = Math.max(1, sizes.length ? sizes[k++ % sizes.length] : b.length);
    yield b.subarray(i, i + n);
    i += n;
  }
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

async function decodeAll(path: string): Promise<{ text: string; chunks: DecodedChunk[]; error?: DecodeError }> {
  const chunks: DecodedChunk[] = [];
  try {
    for await (const c of decodeFile(path)) chunks.push(c);
    return { text: chunks.map((c) => Buffer.from(c.bytes).toString()).join(''), chunks };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { text: chunks.map((c) => Buffer.from(c.bytes).toString()).join(''), chunks, error: e };
  }
}

const data = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.array(fc.constantFrom('2 ', 'eni-0a1b ', '10.0.0.1 ', 'ACCEPT ', 'OK\n', '443 ', 'a', 'aaaaaaaaaaaaaaaa'), { maxLength: 600 }).map((t) => Buffer.from(t.join(''))),
);

describe('readers: snappy', () => {
  it('computes the masked CRC-32C of the framing format (check value of "123456789")', () => {
    const crc = 0xe3069283; // CRC-32C("123456789"), the standard check value
    const masked = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
    assert.equal(maskedCrc32c(Buffer.from('123456789')), masked);
  });

  it('decodes an overlapping back-reference (a run from one literal byte)', () => {
    const d = new RawSnappyDecoder();
    // length 10; literal "a"; copy-1 of length 9, offset 1
    const out = Buffer.concat([...d.push(Uint8Array.from([10, 0x00, 0x61, ((9 - 4) << 2) | 1, 1])), ...d.finish()]);
    assert.equal(out.toString(), 'a'.repeat(10));
  });

  it('round-trips any data through every container, fed in any piece sizes', async () => {
    await fc.assert(
      fc.asyncProperty(data, fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 5 }), async (input, sizes) => {
        for (const [name, packed] of [['raw', snappyRaw(input)], ['framed', snappyFramed(input)], ['hadoop', snappyHadoop(input, 700, 300)], ['snappy-java', snappyJava(input, 500)]] as const) {
          const kind = name === 'raw' || name === 'hadoop' ? name : snappyContainer(packed.subarray(0, 64), packed.length);
          assert.equal(kind, name);
          const out = await collect(snappyDecompress(pieces(packed, sizes), name));
          assert.ok(out.equals(Buffer.from(input)), `${name}: ${input.length} bytes`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('agrees with snappyjs on a raw block, and streams a whole-file block bigger than its window', async () => {
    const big = Buffer.from(toText(deliveryRecords(30_000, 5))); // ~3 MB
    const packed = snappyRaw(big);
    assert.ok(Buffer.from(SnappyJS.uncompress(packed)).equals(big));
    let largest = 0;
    const parts: Uint8Array[] = [];
    for await (const p of snappyDecompress(pieces(packed, [65536]), 'raw')) {
      largest = Math.max(largest, p.length);
      parts.push(p);
    }
    assert.ok(Buffer.concat(parts).equals(big));
    assert.ok(largest < 2 << 20, `pieces of at most 2 MB, got ${largest}`);
  });

  it('reports damage instead of crashing: a bad offset, a cut stream, a bad checksum', async () => {
    const bad = new RawSnappyDecoder();
    assert.throws(() => bad.push(Uint8Array.from([10, 0x00, 0x61, ((9 - 4) << 2) | 1, 5])), SnappyError);
    const packed = snappyRaw(Buffer.from('hello hello hello hello hello'));
    await assert.rejects(collect(snappyDecompress(pieces(packed.subarray(0, packed.length - 3), []), 'raw')), SnappyError);
    const framed = snappyFramed(Buffer.from('hello hello hello hello hello'));
    framed[framed.length - 1] ^= 1;
    await assert.rejects(collect(snappyDecompress(pieces(framed, []), 'framed')), /CRC-32C|snappy/);
  });

  it('never throws anything but SnappyError on mangled input', async () => {
    await fc.assert(
      fc.asyncProperty(data, fc.nat(), fc.nat(255), async (input, at, flip) => {
        const packed = Buffer.from(snappyFramed(input));
        packed[at % packed.length] ^= flip || 1;
        try {
          await collect(snappyDecompress(pieces(packed, [100]), 'framed'));
        } catch (e) {
          assert.ok(e instanceof SnappyError, String(e));
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('readers: lzop', () => {
  const expected = lzoVectorContent();
  for (const name of ['mixed-1.lzo', 'mixed-9-crc32.lzo']) {
    it(`decodes ${name}, written by the lzop program (several blocks, checksums checked)`, async () => {
      const packed = readFileSync(join(FIXTURES, 'lzo-vectors', name));
      const out = await collect(lzopDecompress(pieces(packed, [4096, 333, 70000])));
      assert.ok(out.equals(expected));
    });
  }

  it('checksums: Adler-32 and CRC-32 of known strings', () => {
    assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  it('reports a damaged block (checksum) and never overruns on mangled data', () => {
    const packed = readFileSync(join(FIXTURES, 'lzo-vectors', 'mixed-1.lzo'));
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 20000 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        // The first block's compressed bytes start after the header (~34 bytes) and 16 bytes of block header.
        const src = Uint8Array.from(packed.subarray(50, 50 + 30000));
        src[at % src.length] ^= flip;
        try {
          lzo1xDecompress(src, new Uint8Array(256 << 10));
        } catch (e) {
          assert.ok(e instanceof LzoError, String(e));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decodes the CLS JSON lzop sample through decodeFile', async () => {
    const { text, error } = await decodeAll(join(FIXTURES, 'cls-json', '2024', '01', '15', '10', '202401151005_000_4000.lzo'));
    assert.equal(error, undefined);
    assert.equal(text.split('\n')[0], 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status');
    assert.equal(text.split('\n').length - 2, 60);
  });
});

describe('readers: gzip', () => {
  it('reads every record before a damaged member, then one error naming the file and the line reached', async () => {
    const path = join(FIXTURES, 'bad', 'corrupt-member.log.gz');
    const { text, error } = await decodeAll(path);
    assert.ok(error, 'an error');
    assert.equal(error!.path, path);
    assert.equal(error!.line, 22);
    assert.match(error!.message, /corrupt-member\.log\.gz:22: gzip: corrupt data/);
    // The header and all 20 records of the first member.
    assert.equal(text, toText(deliveryRecords(240, 7).slice(0, 20)));
  });

  it('reports a truncated file with what came before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readers-gz-'));
    const whole = gzipSync(toText(deliveryRecords(2000, 3)));
    const path = join(dir, 'cut.log.gz');
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const { text, error } = await decodeAll(path);
    assert.match(error!.message, /truncated/);
    const lines = text.split('\n').length - 1;
    assert.ok(lines > 100 && lines < 2001, `${lines} lines before the cut`);
    assert.equal(error!.line, lines + 1);
  });

  it('streams a gzip bomb: small file, 200 MB of output, handed out in bounded chunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readers-bomb-'));
    const path = join(dir, 'bomb.log.gz');
    const line = Buffer.from('2 123456789010 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 51515 6 10 5000 1700000000 1700000060 ACCEPT OK\n');
    const block = Buffer.concat(Array.from({ length: Math.floor((1 << 20) / line.length) }, () => line));
    const gz = createGzip({ level: 9 });
    const file = createWriteStream(path);
    gz.pipe(file);
    for (let i = 0; i < 200; i++) if (!gz.write(block)) await once(gz, 'drain');
    gz.end();
    await once(file, 'finish');
    let chunks = 0;
    let largest = 0;
    let lines = 0;
    for await (const c of decodeFile(path)) {
      chunks++;
      largest = Math.max(largest, c.bytes.length);
      for (let i = c.bytes.indexOf(10); i >= 0; i = c.bytes.indexOf(10, i + 1)) lines++;
    }
    assert.equal(lines, 200 * (block.length / line.length));
    assert.ok(chunks >= 150, `streamed in ${chunks} chunks`);
    assert.ok(largest <= 2 << 20, `largest chunk ${largest} bytes`);
  });

  it('skips a 100 MB line without a newline inside a gzip file (one problem, no growth)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readers-longz-'));
    const path = join(dir, 'long.log.gz');
    const gz = createGzip({ level: 1 });
    const file = createWriteStream(path);
    gz.pipe(file);
    gz.write('2 a b\n');
    const zeros = Buffer.alloc(1 << 20, 0x41);
    for (let i = 0; i < 100; i++) if (!gz.write(zeros)) await once(gz, 'drain');
    gz.end('\n3 c d\n');
    await once(file, 'finish');
    const { text, chunks } = await decodeAll(path);
    assert.equal(text, '2 a b\n!\n3 c d\n');
    assert.deepEqual(chunks.flatMap((c) => c.problems ?? []), [{ line: 2, message: 'line longer than 1048576 bytes', longLine: true }]);
  });
});
