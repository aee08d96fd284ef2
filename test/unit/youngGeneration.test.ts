// threads/youngGeneration.ts: a held young generation stays at its size, also after a worker started (whose heap
// configuration resets V8's growth factor), and grows again once released.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapSpaceStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { afterWorkerStarted, holdForStartup, holdYoungGeneration, releaseStartupHold, youngGenerationHeld } from '../../server/src/core/threads/youngGeneration';

const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** Allocates objects that survive a few scavenges (what makes V8 grow a young generation). */
function churn(): number {
  let keep: { a: number; b: string }[] = [];
  let n = 0;
  for (let i = 0; i < 3_000_000; i++) {
    keep.push({ a: i, b: 'x' + i });
    if (keep.length > 200_000) {
      n += keep.length;
      keep = [];
    }
  }
  return n + keep.length;
}

describe('holding the young generation', () => {
  it('keeps it at its size while held, also after a worker configured its heap; nests', async () => {
    const release = holdYoungGeneration();
    const inner = holdYoungGeneration();
    try {
      inner();
      assert.equal(youngGenerationHeld(), true, 'still held by the outer hold');
      // A worker's heap configuration sets V8's growth factor back to its default: the pool applies the hold again.
      const w = new Worker('setTimeout(() => {}, 10)', { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      await new Promise((resolve) => w.once('online', resolve));
      afterWorkerStarted();
      await new Promise((resolve) => w.once('exit', resolve));
      const before = newSpace();
      churn();
      assert.ok(newSpace() <= before, `the young generation stayed at ${before} bytes (now ${newSpace()})`);
    } finally {
      release();
    }
    assert.equal(youngGenerationHeld(), false);
    // Released: V8 grows it again (this is what the hold prevents).
    const before = newSpace();
    churn();
    assert.ok(newSpace() > before, `the young generation grew from ${before} bytes (now ${newSpace()})`);
  });

  it('the CLI startup hold is one, and the run lets go of it (twice is harmless; the own hold of a run stays)', () => {
    assert.equal(youngGenerationHeld(), false);
    holdForStartup();
    holdForStartup();
    assert.equal(youngGenerationHeld(), true);
    const own = holdYoungGeneration();
    releaseStartupHold();
    assert.equal(youngGenerationHeld(), true, 'the run holds it for itself');
    own();
    assert.equal(youngGenerationHeld(), false, 'one startup hold, not two');
    releaseStartupHold();
    assert.equal(youngGenerationHeld(), false);
  });
});
