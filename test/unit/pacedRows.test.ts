// Partial results paced (handlers/pacedRows.ts): one message in flight, rows found meanwhile in the next one, in
// order, at most PACED_MAX_ROWS a message; flushed() waits for the last write; stop() sends nothing more; a source
// that pushes faster than the writes go is asked to wait.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PACED_BACKLOG, PACED_MAX_ROWS, PacedRows } from '../../server/src/handlers/pacedRows';
import type { QueryRowsBatch } from '../../server/src/protocol';

function rows(from: number, n: number): QueryRowsBatch['rows'] {
  return Array.from({ length: n }, (_, i) => [from + i]);
}

describe('PacedRows', () => {
  it('keeps one message in flight and puts the rows found meanwhile in the next, in order', async () => {
    const sent: QueryRowsBatch[] = [];
    let inFlight = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const paced = new PacedRows((batch) => {
      sent.push(batch);
      most = Math.max(most, ++inFlight);
      return new Promise<void>((resolve) => release.push(() => {
        inFlight--;
        resolve();
      }));
    });
    paced.push({ columns: ['a'], rows: rows(0, 10) });
    paced.push({ columns: ['a'], rows: rows(10, 3000) });
    paced.push({ columns: ['a', 'b'], rows: rows(3010, 5) });
    assert.equal(sent.length, 1, 'the rest waits for the first write');
    let flushed = false;
    void paced.flushed().then(() => (flushed = true));
    while (release.length > 0) {
      release.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(flushed);
    assert.equal(most, 1);
    assert.deepEqual(sent.map((b) => b.rows.length), [10, ...new Array<number>(Math.floor(3005 / PACED_MAX_ROWS)).fill(PACED_MAX_ROWS), 3005 % PACED_MAX_ROWS].filter((n) => n > 0));
    assert.deepEqual(sent.flatMap((b) => b.rows), rows(0, 3015));
    assert.deepEqual(sent[sent.length - 1].columns, ['a', 'b'], 'a batch carries the columns as they are last');
  });

  it('asks the source to wait past PACED_BACKLOG rows, and lets it go on at one message left (or on stop)', async () => {
    const release: (() => void)[] = [];
    const paced = new PacedRows(() => new Promise<void>((resolve) => release.push(resolve)));
    assert.equal(paced.push({ columns: ['a'], rows: rows(0, PACED_BACKLOG) }), undefined, 'one in flight, the rest within the backlog');
    const wait = paced.push({ columns: ['a'], rows: rows(PACED_BACKLOG, PACED_MAX_ROWS + 1) });
    assert.ok(wait instanceof Promise);
    let goOn = false;
    void wait.then(() => (goOn = true));
    const backlogs: number[] = [];
    while (!goOn) {
      backlogs.push(paced.backlog);
      release.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(paced.backlog <= PACED_MAX_ROWS, `backlog ${paced.backlog} when the source goes on`);
    assert.ok(backlogs[0] > PACED_BACKLOG);
    const stopped = new PacedRows(() => new Promise<void>(() => undefined));
    stopped.push({ columns: ['a'], rows: rows(0, 10) });
    const held = stopped.push({ columns: ['a'], rows: rows(10, 3 * PACED_BACKLOG) });
    stopped.stop();
    await held;
  });

  it('sends nothing after stop(), and a failed write ends the stream', async () => {
    const sent: number[] = [];
    const paced = new PacedRows(async (b) => {
      sent.push(b.rows.length);
    });
    paced.push({ columns: ['a'], rows: rows(0, 5) });
    paced.stop();
    paced.push({ columns: ['a'], rows: rows(5, 5) });
    await paced.flushed();
    assert.deepEqual(sent, [5]);
    const failing = new PacedRows(() => Promise.reject(new Error('closed')));
    failing.push({ columns: ['a'], rows: rows(0, 5000) });
    await failing.flushed();
  });
});
