// Partial results paced (handlers/pacedRows.ts): one message in flight, rows found meanwhile in the next one, in
// order, at most PACED_MAX_ROWS a message; flushed() waits for the last write; stop() sends nothing more; a source
// that pushes faster than the writes go is asked to wait; rows as text keep their place among parsed rows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PACED_BACKLOG, PACED_MAX_ROWS, PacedRows } from '../../server/src/handlers/pacedRows';
import { QueryRowsBatch, rowsOfBatch } from '../../server/src/protocol';

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

  it('sends texts after the rows pushed before them, in order, unparsed, at most PACED_MAX_ROWS rows a message (a bigger text alone)', async () => {
    const sent: QueryRowsBatch[] = [];
    const release: (() => void)[] = [];
    const paced = new PacedRows((batch) => {
      sent.push(batch);
      return new Promise<void>((resolve) => release.push(resolve));
    });
    const text = (from: number, n: number, lineShift = 0) => ({ json: JSON.stringify(rows(from, n)), count: n, lineShift });
    paced.push({ columns: ['a'], rows: rows(0, 3) });
    paced.push({ columns: ['a'], rows: rows(3, 2), texts: [text(5, 200), text(205, 250), text(455, 100)] });
    paced.push({ columns: ['a'], rows: rows(555, 4), texts: [text(559, PACED_MAX_ROWS + 10), text(1069, 1, 0)] });
    assert.equal(paced.backlog, 1070 - 3, 'texts count their rows in the backlog');
    while (release.length > 0) {
      release.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await paced.flushed();
    assert.deepEqual(sent.flatMap(rowsOfBatch), rows(0, 1070), 'every row once, in order');
    for (const b of sent) {
      const n = rowsOfBatch(b).length;
      assert.ok(n <= PACED_MAX_ROWS || (b.rows.length === 0 && b.texts?.length === 1), `a message of ${n} rows`);
    }
    assert.ok(sent.some((b) => (b.texts?.length ?? 0) > 1), 'texts that fit share a message');
    assert.equal(typeof sent.find((b) => b.texts)!.texts![0].json, 'string');
  });

  it('rowsOfBatch shifts the line numbers of a text (the last value of each row)', () => {
    const batch: QueryRowsBatch = { columns: ['x', 'line'], rows: [['a', 1]], texts: [{ json: JSON.stringify([['b', 1], ['c', 2]]), lineShift: 100 }] };
    assert.deepEqual(rowsOfBatch(batch), [['a', 1], ['b', 101], ['c', 102]]);
    assert.throws(() => rowsOfBatch({ columns: [], rows: [], texts: [{ json: '{"not":"rows"}', lineShift: 0 }] }), /not an array/);
  });
});
