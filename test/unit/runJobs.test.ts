// threads/unitRunner.ts runJobsOnPool: jobs go to whichever participant is free (this thread included with `here`),
// and after a failure no participant takes another job; the caller hears of the first failure once the jobs under
// way have ended.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runJobsOnPool } from '../../server/src/core/threads/unitRunner';
import type { WorkerPool } from '../../server/src/core/threads/pool';

// The jobs here never call a thread (run does the work itself), so no pool is needed.
const NO_POOL = {} as WorkerPool;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runJobsOnPool', () => {
  it('runs every job once, on every participant, and counts those run on this thread', async () => {
    const ran: number[] = [];
    const here = await runJobsOnPool(NO_POOL, 3, Array.from({ length: 12 }, (_, i) => i), async (_call, job) => {
      await pause(1);
      ran.push(job);
    }, { here: true });
    assert.deepEqual([...ran].sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i));
    assert.ok(here >= 1 && here < 12, `${here} here`);
  });

  it('takes no job after one failed, and rejects with that failure once the jobs under way have ended', async () => {
    const started: number[] = [];
    const ended: number[] = [];
    let failedAt = -1;
    const error = new Error('job 3 failed');
    await assert.rejects(runJobsOnPool(NO_POOL, 3, Array.from({ length: 30 }, (_, i) => i), async (_call, job) => {
      started.push(job);
      await pause(job === 3 ? 1 : 5);
      if (job === 3) {
        failedAt = started.length;
        throw error;
      }
      ended.push(job);
    }, { here: true }), (e) => e === error);
    // Jobs under way when job 3 failed still end; none starts after it.
    assert.equal(started.length, failedAt);
    assert.ok(started.length < 30);
    for (const job of started) if (job !== 3) assert.ok(ended.includes(job), `job ${job} ended before the rejection`);
  });
});
