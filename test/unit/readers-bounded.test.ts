// Bounded memory in the delivery readers when the consumer keeps no view of a chunk once it asks for the next
// (reuseBuffers, what the engine, lint and the diagnosis ask for): every encoding gives the same lines as with fresh
// buffers, while a handful of buffers serves a whole file or a whole folder of small files. And the reuse is safe
// by construction: a read buffer is read into again only after the stage consuming it gave it back. The tests
// below overwrite each buffer the moment it is given back ("scribbling"): a piece given back while zlib or a line
// splitter still looks at it shows up as different lines or a gzip error, whatever the timing.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DecodeError, DecodeOptions, DecodedChunk, decodeFile, decodeFileRange } from '../../server/src/core/readers';
import { ReadBuffers, leasedAllocations } from '../../server/src/core/readers/bufferPool';
import { ChunkWriter } from '../../server/src/core/readers/chunkWriter';
import { GzipError, gunzip } from '../../server/src/core/readers/gzip';
import { decodeLines, fileBytes } from '../../server/src/core/readers/pipeline';
import { deliveryRecords, gzipMembers, toCsv, toJsonLines, toText } from '../support/deliveries';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-bounded-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PARQUET = join(__dirname, '..', 'fixtures', 'deliveries', 's3-parquet', 'AWSLogs', '123456789010', 'vpcflowlogs', 'us-east-1', '2024', '01', '15', '123456789010_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_20240115T1000Z_9c0d1e2f.log.parquet');

interface Read {
  text: string;
  lines: string;
  chunks: number;
  /** Distinct buffers behind the chunks. */
  buffers: number;
  error?: string;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every chunk read out while it is the current one (as the engine does), and the buffers behind them. */
async function readAll(chunks: AsyncIterable<DecodedChunk>, slow = 0): Promise<Read> {
  let text = '';
  const lines: number[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let count = 0;
  let error: string | undefined;
  try {
    for await (const c of chunks) {
      const s = Buffer.from(c.bytes).toString();
      text += s;
      const n = s.split('\n').length - 1;
      for (let k = 0; k < n; k++) lines.push(c.lines ? c.lines[k] : c.firstLine + k);
      buffers.add(c.bytes.buffer);
      count++;
      // A slow consumer: the reads and zlib run on while it waits.
      if (slow) await pause(slow);
    }
  } catch (e) {
    error = e instanceof DecodeError ? `${e.reason} @${e.line}` : String(e);
  }
  return { text, lines: lines.join(','), chunks: count, buffers: buffers.size, error };
}

async function both(read: (o: DecodeOptions) => AsyncIterable<DecodedChunk>, slow = 0): Promise<{ reused: Read; fresh: Read }> {
  return { reused: await readAll(read({ reuseBuffers: true }), slow), fresh: await readAll(read({})) };
}

/** Read buffers that overwrite each buffer the moment it is given back: any later look at it sees 0xAA bytes. */
class ScribblingBuffers extends ReadBuffers {
  givenBack = 0;
  override giveBack(piece: Uint8Array): void {
    const before = this.outstanding;
    super.giveBack(piece);
    // Only a piece that was lent (and is free now): a piece of someone else's is left alone.
    if (this.outstanding < before) {
      new Uint8Array(piece.buffer).fill(0xaa);
      this.givenBack++;
    }
  }
}

function readGz(path: string): string {
  return gunzipSync(readFileSync(path)).toString();
}

describe('reused buffers in every encoding', () => {
  const records = deliveryRecords(40_000, 21);

  it('a big gzip file: the same lines, one output buffer for every chunk, a few read buffers', async () => {
    const path = join(dir, 'big.log.gz');
    // Over a megabyte as stored: streamed (a smaller file is inflated in one piece).
    const big = toText(deliveryRecords(100_000, 22));
    writeFileSync(path, gzipMembers(big, 3));
    assert.ok(statSync(path).size > 1 << 20);
    const { reused, fresh } = await both((o) => decodeFile(path, o));
    assert.ok(reused.chunks > 3, `${reused.chunks} chunks`);
    assert.equal(reused.text, big);
    assert.equal(reused.text, fresh.text);
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

  it('CSV over several reads, whole and by byte range: the same lines with reused read and chunk buffers', async () => {
    const path = join(dir, 'big.csv');
    const csv = toCsv(deliveryRecords(60_000, 23), { separator: ',', header: false });
    writeFileSync(path, csv);
    assert.ok(csv.length > 3 << 20);
    const whole = await both((o) => decodeFile(path, { ...o, formatHint: 'csv' }), 1);
    assert.ok(whole.reused.chunks > 3);
    assert.equal(whole.reused.error, undefined);
    assert.equal(whole.reused.text, whole.fresh.text);
    assert.equal(whole.reused.lines, whole.fresh.lines);
    assert.equal(whole.reused.buffers, 1);
    const cut = csv.indexOf('\n', csv.length >> 1) + 1;
    const range = await both((o) => decodeFileRange(path, cut, csv.length, { ...o, formatHint: 'csv' }), 1);
    assert.equal(range.reused.text, range.fresh.text);
    assert.equal(range.reused.lines, range.fresh.lines);
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
      // Sizes vary (a later file may need a bigger buffer than the ones kept) and some have several members.
      const text = toText(deliveryRecords(300 + f * 37, f));
      writeFileSync(p, f % 7 === 0 ? gzipMembers(text, 2 + (f % 3)) : gzipSync(text));
      paths.push(p);
    }
    const before = leasedAllocations();
    for (const p of paths) {
      const { reused, fresh } = await both((o) => decodeFile(p, o));
      assert.equal(reused.text, fresh.text, p);
      assert.equal(reused.text, readGz(p));
      assert.equal(reused.lines, fresh.lines);
    }
    // Spares left by earlier files (or tests) serve too: a handful at most is allocated.
    const allocated = leasedAllocations() - before;
    assert.ok(allocated <= 4, `${allocated} buffers allocated for 40 files`);
  });

  it('small uncompressed files read into leased buffers: the same lines while files are read in turn', async () => {
    const paths: string[] = [];
    for (let f = 0; f < 12; f++) {
      const p = join(dir, `small-${f}.log`);
      writeFileSync(p, toText(deliveryRecords(200 + f * 91, 100 + f)));
      paths.push(p);
    }
    const reusedBuffers = new Set<ArrayBufferLike>();
    const freshBuffers = new Set<ArrayBufferLike>();
    for (const p of paths) {
      const { reused, fresh } = await both((o) => decodeFile(p, o));
      assert.equal(reused.text, readFileSync(p, 'utf8'));
      assert.equal(reused.lines, fresh.lines);
      // The chunks are views of the file's bytes as read: a leased buffer, or one of their own.
      for await (const c of decodeFile(p, { reuseBuffers: true })) reusedBuffers.add(c.bytes.buffer);
      for await (const c of decodeFile(p)) freshBuffers.add(c.bytes.buffer);
    }
    assert.equal(freshBuffers.size, paths.length);
    assert.ok(reusedBuffers.size <= 4, `${reusedBuffers.size} buffers behind ${paths.length} files`);
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

  it('a gzip file with a corrupt member: the same lines and the same error as fresh buffers', async () => {
    const path = join(dir, 'corrupt.log.gz');
    const text = toText(deliveryRecords(60_000, 31));
    const members = [0, 1, 2, 3].map((k) => gzipSync(text.slice((k * text.length) >> 2, ((k + 1) * text.length) >> 2)));
    const third = members[0].length + members[1].length;
    // Damage in the third member's deflate data (it may inflate to wrong bytes, then fail its check), and a third
    // member whose header names no known method (nothing of it inflates): the recovery reads the file again.
    const inData = Buffer.concat(members);
    inData.fill(0x55, third + 5000, third + 5400);
    const inHeader = Buffer.concat(members);
    inHeader[third + 2] = 9;
    for (const [name, bad] of [['data', inData], ['header', inHeader]] as const) {
      writeFileSync(path, bad);
      assert.ok(bad.length > 1 << 20);
      const { reused, fresh } = await both((o) => decodeFile(path, o), 1);
      assert.ok(reused.error, `${name}: the damage is reported`);
      assert.equal(reused.error, fresh.error, name);
      assert.equal(reused.text, fresh.text, name);
      assert.equal(reused.lines, fresh.lines, name);
    }
    // The two members before the damaged header: every whole line of them.
    const { reused } = await both((o) => decodeFile(path, o));
    assert.ok(text.startsWith(reused.text));
    assert.ok(reused.text.length > text.length / 2 - 300, `${reused.text.length} of ${text.length}`);
  });
});

describe('read buffers given back only by their consumer (ReadBuffers)', () => {
  it('a buffer lent and not given back is never lent again; one given back is', () => {
    const buffers = new ReadBuffers(1024);
    const a = buffers.take();
    const b = buffers.take();
    assert.notEqual(a.buffer, b.buffer);
    assert.equal(buffers.outstanding, 2);
    buffers.giveBack(a.subarray(10, 20));
    assert.equal(buffers.outstanding, 1);
    const c = buffers.take();
    assert.equal(c.buffer, a.buffer);
    const d = buffers.take();
    assert.notEqual(d.buffer, b.buffer);
    assert.notEqual(d.buffer, c.buffer);
    // Given back twice, or a piece that was never lent: nothing changes.
    buffers.giveBack(c);
    buffers.giveBack(c);
    buffers.giveBack(Buffer.alloc(10));
    assert.equal(buffers.take().buffer, c.buffer);
    assert.notEqual(buffers.take().buffer, c.buffer);
    assert.equal(buffers.made, 4);
  });

  it('fileBytes: a consumer that keeps every piece keeps every byte (nothing is read over a piece not given back)', async () => {
    const path = join(dir, 'kept.bin');
    const data = Buffer.alloc((3 << 20) + 777);
    for (let i = 0; i < data.length; i++) data[i] = (i * 13 + (i >> 9)) & 255;
    writeFileSync(path, data);
    const buffers = new ReadBuffers(64 << 10);
    const kept: Uint8Array[] = [];
    const counter = { n: 0 };
    for await (const piece of fileBytes(path, 5, data.length, counter, undefined, buffers)) kept.push(piece);
    assert.ok(Buffer.concat(kept).equals(data.subarray(5)));
    assert.equal(counter.n, data.length - 5);
    assert.equal(buffers.made, kept.length);
  });

  it('fileBytes: pieces given back as they are consumed are read into again (a few buffers for the file)', async () => {
    const path = join(dir, 'given.bin');
    const data = Buffer.alloc((2 << 20) + 99);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 255;
    writeFileSync(path, data);
    const buffers = new ScribblingBuffers(64 << 10);
    const parts: Buffer[] = [];
    for await (const piece of fileBytes(path, 0, data.length, { n: 0 }, undefined, buffers)) {
      parts.push(Buffer.from(piece));
      buffers.giveBack(piece);
    }
    assert.ok(Buffer.concat(parts).equals(data));
    assert.ok(parts.length > 30);
    assert.equal(buffers.made, 1);
  });
});

describe('gzip with read buffers given back from zlib (scribbled over at once)', () => {
  const text = Buffer.from(toText(deliveryRecords(50_000, 41)));

  async function inflate(path: string, readSize: number, slow: number): Promise<{ out: Buffer; error?: unknown; buffers: ScribblingBuffers }> {
    const buffers = new ScribblingBuffers(readSize);
    const parts: Buffer[] = [];
    let error: unknown;
    try {
      for await (const piece of gunzip(() => fileBytes(path, 0, statSync(path).size, { n: 0 }, undefined, buffers), buffers)) {
        parts.push(Buffer.from(piece));
        if (slow) await pause(slow);
      }
    } catch (e) {
      error = e;
    }
    return { out: Buffer.concat(parts), error, buffers };
  }

  it('members whose boundaries straddle the reads: every byte, and the buffers go round', async () => {
    const path = join(dir, 'members.log.gz');
    // 37 members of uneven sizes: their boundaries fall anywhere in the 16 KiB reads.
    writeFileSync(path, gzipMembers(text, 37));
    for (const slow of [0, 2]) {
      const { out, error, buffers } = await inflate(path, 16 << 10, slow);
      assert.equal(error, undefined);
      assert.ok(out.equals(text), `slow ${slow}: the text differs`);
      assert.ok(buffers.givenBack > 20, `${buffers.givenBack} given back`);
      assert.ok(buffers.made <= 6, `${buffers.made} buffers made for ${buffers.givenBack} given back`);
    }
  });

  it('one member read in 1 MiB pieces by a slow consumer: every byte', async () => {
    const path = join(dir, 'one-member.log.gz');
    const many = Buffer.concat([text, text, text]);
    writeFileSync(path, gzipSync(many, { level: 1 }));
    assert.ok(statSync(path).size > 2 << 20);
    const { out, error, buffers } = await inflate(path, 1 << 20, 3);
    assert.equal(error, undefined);
    assert.ok(out.equals(many));
    assert.ok(buffers.givenBack >= 2);
  });

  it('a corrupt member: every byte before it, then the damage (the recovery reads fresh buffers)', async () => {
    const path = join(dir, 'bad-member.log.gz');
    const slices = [0, 1, 2, 3, 4].map((k) => text.subarray(Math.floor((k * text.length) / 5), Math.floor(((k + 1) * text.length) / 5)));
    const members = slices.map((b) => gzipSync(b));
    // The fourth member's header names no known method: nothing of it inflates.
    const bad = Buffer.concat(members);
    bad[members[0].length + members[1].length + members[2].length + 2] = 9;
    writeFileSync(path, bad);
    const before = Buffer.concat(slices.slice(0, 3));
    for (const size of [16 << 10, 1 << 20]) {
      const { out, error } = await inflate(path, size, 1);
      assert.ok(error instanceof GzipError, String(error));
      assert.match((error as Error).message, /gzip: corrupt data/);
      assert.ok(out.equals(before), `read size ${size}: ${out.length} bytes, ${before.length} before the damage`);
    }
  });

  it('a read that fails half way: the error comes out (nothing waits for ever)', async () => {
    const gz = gzipMembers(text, 3);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield gz.subarray(0, 50_000);
      yield gz.subarray(50_000, 120_000);
      throw new Error('the disk went away');
    }
    const parts: Buffer[] = [];
    await assert.rejects(async () => {
      for await (const piece of gunzip(failing)) parts.push(Buffer.from(piece));
    }, /the disk went away/);
    assert.ok(text.subarray(0, Buffer.concat(parts).length).equals(Buffer.concat(parts)));
  });

  it('a consumer that stops early: the file is let go, and a new reading gets every byte', async () => {
    const path = join(dir, 'stop.log.gz');
    writeFileSync(path, gzipMembers(text, 4));
    const buffers = new ScribblingBuffers(16 << 10);
    let n = 0;
    for await (const piece of gunzip(() => fileBytes(path, 0, statSync(path).size, { n: 0 }, undefined, buffers), buffers)) {
      assert.ok(piece.length > 0);
      if (++n === 2) break;
    }
    const { out } = await inflate(path, 16 << 10, 0);
    assert.ok(out.equals(text));
  });
});

describe('line-based bytes given back from the line splitter (scribbled over at once)', () => {
  it('CSV read in small pieces: the same lines as fresh buffers, with lines straddling the pieces', async () => {
    const path = join(dir, 'pieces.csv');
    const csv = toCsv(deliveryRecords(20_000, 51), { separator: ',', header: true });
    writeFileSync(path, csv);
    const format = { compression: 'none' as const, encoding: 'csv' as const, csv: { separator: ',', header: true } };
    const buffers = new ScribblingBuffers(16 << 10);
    const counter = { n: 0 };
    const reused = await readAll(decodeLines(path, fileBytes(path, 0, csv.length, counter, undefined, buffers), format, { reuseBuffers: true }, counter, true, 1, Infinity, buffers), 1);
    const fresh = await readAll(decodeLines(path, fileBytes(path, 0, csv.length, { n: 0 }), format, {}, { n: 0 }, true));
    assert.equal(reused.error, undefined);
    assert.equal(reused.text, fresh.text);
    assert.equal(reused.lines, fresh.lines);
    assert.ok(buffers.givenBack > 50);
    assert.ok(buffers.made <= 2, `${buffers.made} buffers made`);
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
