// Plain text read with reuseBuffers: the chunks are the file's lines, each chunk whole while it is the current one,
// though two read buffers serve the whole file (what the engine and lint ask for: they keep no view of a chunk), and
// the next file or range read on the thread takes the same buffers again.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFile } from '../../server/src/core/readers';
import { writeFlowLogFile } from '../support/generate';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-reuse-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('plain text with reused read buffers', () => {
  it('hands out the same lines as fresh buffers do, with at most two buffers behind them', async () => {
    const path = join(dir, 'big.flowlog');
    await writeFlowLogFile(path, { records: 60_000, seed: 4, header: true }); // about 6.5 MB: several reads
    const file = readFileSync(path);
    let text = '';
    const buffers = new Set<ArrayBufferLike>();
    let chunks = 0;
    for await (const c of decodeFile(path, { reuseBuffers: true })) {
      // Read out while it is current, as the engine does: a later read may overwrite it.
      text += Buffer.from(c.bytes).toString();
      buffers.add(c.bytes.buffer);
      chunks++;
    }
    assert.ok(chunks > 4, `${chunks} chunks`);
    assert.equal(text, file.toString());
    assert.ok(buffers.size <= 3, `${buffers.size} buffers for ${chunks} chunks`);
    // Without the option every read has its own buffer.
    const fresh = new Set<ArrayBufferLike>();
    for await (const c of decodeFile(path)) fresh.add(c.bytes.buffer);
    assert.equal(fresh.size, chunks);
  });

  it('reads the next file (a query\'s next range) into the buffers the last one gave back', async () => {
    const path = join(dir, 'again.flowlog');
    await writeFlowLogFile(path, { records: 30_000, seed: 5, header: true });
    const readBuffers = async () => {
      const seen = new Set<ArrayBufferLike>();
      // Whole 1 MiB reads only: a file's last read is shorter and has a buffer of its size.
      for await (const c of decodeFile(path, { reuseBuffers: true })) if (c.bytes.buffer.byteLength === 1 << 20) seen.add(c.bytes.buffer);
      return seen;
    };
    const first = await readBuffers();
    const second = await readBuffers();
    assert.ok(first.size >= 1 && second.size >= 1);
    for (const b of second) assert.ok(first.has(b), 'a buffer of the second read was allocated afresh');
  });
});
