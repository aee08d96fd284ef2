// Bounded memory in the delivery readers when the consumer keeps no view of a chunk once it asks for the next
// (reuseBuffers, what the engine, lint and the diagnosis ask for): every encoding gives the same lines as with fresh
// buffers, while a fixed handful of buffers serves a whole file or a whole folder of small files.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DecodeOptions, decodeFile, decodeFileRange } from '../../server/src/core/readers';
import { leasedAllocations } from '../../server/src/core/readers/bufferPool';
import { ChunkWriter } from '../../server/src/core/readers/chunkWriter';
import { gunzipInto } from '../../server/src/core/readers/gzip';
import { READ_RING, fileBytes } from '../../server/src/core/readers/pipeline';
import { deliveryRecords, gzipMembers, toJsonLines, toText } from '../support/deliveries';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-bounded-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PARQUET = join(__dirname, '..', 'fixtures', 'deliveries', 's3-parquet', 'AWSLogs', '123456789010', 'vpcflowlogs', 'us-east-1', '2024', '01', '15', '123456789010_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_20240115T1000Z_9c0d1e2f.log.parquet');

interface Read {
  text: string;
  lines: string;
  chunks: number;
  /** Distinct buffers behind the chunks. */
  buffers: number;
}

/** Every chunk read out while it is the current one (as the engine does), and the buffers behind them. */
async function readAll(chunks: AsyncIterable<{ bytes: Uint8Array; firstLine: number; lines?: Int32Array }>): Promise<Read> {
  let text = '';
  const lines: number[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let count = 0;
  for await (const c of chunks) {
    const s = Buffer.from(c.bytes).toString();
    text += s;
    const n = s.split('\n').length - 1;
    for (let k = 0; k < n; k++) lines.push(c.lines ? c.lines[k] : c.firstLine + k);
    buffers.add(c.bytes.buffer);
    count++;
  }
  return { text, lines: lines.join(','), chunks: count, buffers: buffers.size };
}

async function both(read: (o: DecodeOptions) => AsyncIterable<{ bytes: Uint8Array; firstLine: number; lines?: Int32Array }>): Promise<{ reused: Read; fresh: Read }> {
  return { reused: await readAll(read({ reuseBuffers: true })), fresh: await readAll(read({})) };
}

describe('reused buffers in every encoding', () => {
  const records = deliveryRecords(40_000, 21);
  const text = toText(records);

  it('a big gzip file: the same lines, one output buffer for every chunk', async () => {
    const path = join(dir, 'big.log.gz');
    // Over a megabyte as stored: streamed (a smaller file is inflated in one piece).
    const big = toText(deliveryRecords(100_000, 22));
    writeFileSync(path, gzipMembers(big, 3));
    assert.ok(readFileSync(path).length > 1 << 20);
    const { reused, fresh } = await both((o) => decodeFile(path, o));
    assert.ok(reused.chunks > 3, `${reused.chunks} chunks`);
    assert.equal(reused.text, fresh.text);
    assert.equal(reused.text, big);
    assert.equal(reused.lines, fresh.lines);
    assert.equal(reused.buffers, 1, `${reused.buffers} buffers for ${reused.chunks} chunks`);
    assert.equal(fresh.buffers, fresh.chunks);
  });

  it('JSON lines, whole and by byte range: the same lines, one output buffer', async () => {
    const path = join(dir, 'cls.json');
    const json = toJsonLines(records, { metadata: true });
    writeFileSync(path, json);
    const whole = await both((o) => decodeFile(path, o));
    assert.ok(whole.reused.chunks > 3);
    assert.equal(whole.reused.text, whole.fresh.text);
    assert.equal(whole.reused.lines, whole.fresh.lines);
    assert.equal(whole.reused.buffers, 1);
    const cut = json.indexOf('\n', json.length >> 1) + 1;
    const range = await both((o) => decodeFileRange(path, cut, json.length, { ...o, formatHint: 'json' }));
    assert.equal(range.reused.text, range.fresh.text);
    assert.equal(range.reused.buffers, 1);
  });

  it('Parquet: the same lines with one output buffer', async () => {
    const { reused, fresh } = await both((o) => decodeFile(PARQUET, o));
    assert.ok(reused.text.split('\n').length > 2);
    assert.equal(reused.text, fresh.text);
    assert.equal(reused.lines, fresh.lines);
    assert.equal(reused.buffers, 1);
  });

  it('a folder of small gzip files: the same lines, and a few buffers serve them all', async () => {
    const paths: string[] = [];
    for (let f = 0; f < 40; f++) {
      const p = join(dir, `small-${f}.log.gz`);
      // Sizes vary (a later file may need a bigger buffer than the ones kept) and one has two members.
      writeFileSync(p, f === 7 ? gzipMembers(toText(deliveryRecords(300 + f * 37, f)), 2) : gzipSync(toText(deliveryRecords(300 + f * 37, f))));
      paths.push(p);
    }
    const before = leasedAllocations();
    for (const p of paths) {
      const { reused, fresh } = await both((o) => decodeFile(p, o));
      assert.equal(reused.text, fresh.text, p);
      assert.equal(reused.text, readGz(p));
    }
    const allocated = leasedAllocations() - before;
    assert.ok(allocated > 0 && allocated <= 8, `${allocated} buffers allocated for 40 files`);
  });

  it('two small files read at once on one thread never share a buffer', async () => {
    const a = join(dir, 'a.log.gz');
    const b = join(dir, 'b.log.gz');
    writeFileSync(a, gzipSync(toText(deliveryRecords(9_000, 1))));
    writeFileSync(b, gzipSync(toText(deliveryRecords(9_000, 2))));
    const ia = decodeFile(a, { reuseBuffers: true })[Symbol.asyncIterator]();
    const ib = decodeFile(b, { reuseBuffers: true })[Symbol.asyncIterator]();
    let ta = '';
    let tb = '';
    for (;;) {
      const [ra, rb] = [await ia.next(), await ib.next()];
      // Both current chunks are read only after both were handed out.
      if (!ra.done) ta += Buffer.from(ra.value.bytes).toString();
      if (!rb.done) tb += Buffer.from(rb.value.bytes).toString();
      if (ra.done && rb.done) break;
    }
    assert.equal(ta, readGz(a));
    assert.equal(tb, readGz(b));
  });
});

function readGz(path: string): string {
  return gunzipSync(readFileSync(path)).toString();
}

describe('the read ring (fileBytes with reuse)', () => {
  it('reads the bytes through READ_RING buffers in turn', async () => {
    const path = join(dir, 'ring.bin');
    const data = Buffer.alloc((5 << 20) + 12345);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 255;
    writeFileSync(path, data);
    const buffers = new Set<ArrayBufferLike>();
    const parts: Buffer[] = [];
    const counter = { n: 0 };
    for await (const piece of fileBytes(path, 100, data.length, counter, undefined, true)) {
      parts.push(Buffer.from(piece));
      buffers.add(piece.buffer);
    }
    assert.ok(Buffer.concat(parts).equals(data.subarray(100)));
    assert.equal(counter.n, data.length - 100);
    assert.equal(buffers.size, READ_RING);
    assert.ok(parts.length > READ_RING);
  });
});

describe('gunzipInto', () => {
  const text = Buffer.from(toText(deliveryRecords(3_000, 5)));
  const gz = gzipSync(text);

  it('inflates into the buffer given when the text fits there', () => {
    const into = Buffer.alloc(text.length + 100);
    const out = gunzipInto(gz, into, 16 << 20);
    assert.ok(out.equals(text));
    assert.equal(out.buffer, into.buffer);
  });

  it('reads every member, and spills into buffers of its own when the text does not fit', () => {
    const two = gzipMembers(text, 2);
    const into = Buffer.alloc(1000);
    const out = gunzipInto(two, into, 16 << 20);
    assert.ok(out.equals(text));
    assert.notEqual(out.buffer, into.buffer);
  });

  it('throws on damage and past the cap, as gunzipSync does', () => {
    const into = Buffer.alloc(text.length + 100);
    assert.throws(() => gunzipInto(gz.subarray(0, gz.length - 50), into, 16 << 20), /unexpected end/);
    const bad = Buffer.from(gz);
    bad.fill(7, 2000, 2100);
    assert.throws(() => gunzipInto(bad, into, 16 << 20));
    assert.throws(() => gunzipInto(gz, into, 1000), /larger than/);
  });
});

describe('ChunkWriter', () => {
  it('reused: every chunk is written in the same buffer; otherwise each has its own', () => {
    for (const reuse of [true, false]) {
      const w = new ChunkWriter(false, reuse);
      const seen = new Set<ArrayBufferLike>();
      const texts: string[] = [];
      for (let k = 0; k < 5; k++) {
        const line = Buffer.from(`line ${k} ${'x'.repeat(k * 10)}`);
        w.line(k + 1, line, 0, line.length);
        const c = w.take(0)!;
        texts.push(Buffer.from(c.bytes).toString());
        seen.add(c.bytes.buffer);
      }
      assert.deepEqual(texts, [0, 1, 2, 3, 4].map((k) => `line ${k} ${'x'.repeat(k * 10)}\n`));
      assert.equal(seen.size, reuse ? 1 : 5);
    }
  });
});
