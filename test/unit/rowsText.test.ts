// Rows from the workers as JSON text (query/rowsText.ts): the same values after the trip, in the order posted,
// parsed in slices that let the event loop in, with a unit's end after its rows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RowsInbox, RowsText, rowsForPost, textOf } from '../../server/src/core/query/rowsText';
import type { Value } from '../../server/src/core/query/values';
import { HOSTILE } from '../support/hostile';

function parsed(posted: ReturnType<typeof rowsForPost>): Value[][] {
  return Array.isArray(posted) ? posted : posted.texts.flatMap((t) => JSON.parse(textOf(t)) as Value[][]);
}

describe('rows as text', () => {
  it('survive the trip exactly, hostile strings included, in texts of at most 500 rows', () => {
    const strings = [...Object.values(HOSTILE), 'quote " backslash \\ tab \t nul \u0000', '\u2028 line separator', ''];
    const rows: Value[][] = Array.from({ length: 1234 }, (_, i) => [strings[i % strings.length], i, i % 7 === 0 ? null : -i / 3, 'eni-' + i, 0]);
    const posted = rowsForPost(rows);
    assert.ok(!Array.isArray(posted), 'posted as text');
    assert.equal((posted as RowsText).count, 1234);
    assert.equal((posted as RowsText).texts.length, 3);
    assert.deepEqual(parsed(posted), rows);
  });

  it('travel as UTF-8 bytes, each text in a buffer of its own (posting a view copies its whole buffer)', () => {
    const rows: Value[][] = Array.from({ length: 40 }, (_, i) => ['é ü \u{1F600} ' + i, i]);
    const posted = rowsForPost(rows) as RowsText;
    assert.equal(posted.texts.length, 1);
    const bytes = posted.texts[0];
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.byteLength, bytes.buffer.byteLength);
    assert.equal(bytes.byteLength, Buffer.byteLength(JSON.stringify(rows)));
    assert.deepEqual(parsed(posted), rows);
  });

  it('stay arrays when a number is not finite (JSON has no Infinity) or there are only a few', () => {
    const rows: Value[][] = Array.from({ length: 100 }, (_, i) => [i, i === 50 ? Infinity : 1]);
    assert.ok(Array.isArray(rowsForPost(rows)));
    assert.ok(Array.isArray(rowsForPost([[1, 'a']])));
  });
});

describe('RowsInbox', () => {
  it('applies rows and steps in the order they were posted, a slice at a time', async () => {
    const seen: string[] = [];
    const inbox = new RowsInbox((unit, plan, rows) => void seen.push(`${unit}/${plan}:${rows.length}:${rows[0][0]}`));
    const big: Value[][] = Array.from({ length: 200_000 }, (_, i) => [i, 'x'.repeat(40)]);
    let turns = 0;
    const tick = () => {
      turns++;
      if (turns < 1000) setImmediate(tick);
    };
    setImmediate(tick);
    inbox.rows(0, 0, rowsForPost(big));
    inbox.then(() => void seen.push('unit 0 done'));
    inbox.rows(1, 0, rowsForPost([[7, 'y'], [8, 'z']]));
    inbox.rows(1, 1, undefined);
    inbox.then(() => void seen.push('unit 1 done'));
    await inbox.drained();
    assert.equal(seen.filter((s) => s.startsWith('0/0:')).length, 400, 'a text at a time');
    assert.equal(seen[0], '0/0:500:0');
    assert.deepEqual(seen.slice(-3), ['unit 0 done', '1/0:2:7', 'unit 1 done']);
    assert.ok(turns > 1, `the event loop had ${turns} turns while 200,000 rows were parsed`);
  });

  it('applies nothing more while the taker of the rows asks to wait: the texts behind wait unparsed', async () => {
    const seen: string[] = [];
    let release: (() => void) | undefined;
    const inbox = new RowsInbox((unit, _plan, rows) => {
      seen.push(`${unit}:${rows[0][0]}`);
      // The first batch of each unit makes the inbox wait until the test lets it go on.
      if (rows[0][0] === 0) return new Promise<void>((resolve) => (release = resolve));
    });
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = (text: string) => {
      parsed++;
      return parse(text);
    };
    try {
      inbox.rows(0, 0, rowsForPost(Array.from({ length: 2_000 }, (_, i) => [i % 500, 'r'])));
      inbox.then(() => void seen.push('unit 0 done'));
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(seen, ['0:0'], 'held after the first text');
      assert.equal(parsed, 1, 'the other three texts are not parsed while held');
      // Each further text starts at 0 again (i % 500), so each asks to wait once more.
      for (let k = 1; k < 4; k++) {
        release!();
        await new Promise((r) => setTimeout(r, 5));
        assert.equal(seen.length, k + 1);
      }
      release!();
      await inbox.drained();
      assert.deepEqual(seen, ['0:0', '0:0', '0:0', '0:0', 'unit 0 done']);
      assert.equal(parsed, 4);
    } finally {
      JSON.parse = parse;
    }
  });

  it('drained() rejects with what applying threw', async () => {
    const inbox = new RowsInbox(() => {
      throw new Error('bad row');
    });
    inbox.rows(0, 0, [[1]]);
    await assert.rejects(inbox.drained(), /bad row/);
  });
});
