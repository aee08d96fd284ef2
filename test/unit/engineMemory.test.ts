// What the engine keeps in memory, checked where a bound can be seen without timing anything: groups that spilled
// leave nothing in memory at the end of the scan (the merge reads them from disk a partition at a time) and the
// answer is the same as in memory; the tables and the arrays kept for reuse stay within the thread's budget
// together; arrays let go of are freed at once (detached), not left to a collection; a merge job frees the
// partitions it was handed; a two-pass top-N's sketches count in the budget, are sized to a quarter of it, and
// each thread's is freed once added to the plan's sum.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateLines } from '../support/generate';
import { generateWideLines } from '../support/generateWide';
import { planQuery } from '../../server/src/core/query';
import { ColumnUnion } from '../../server/src/core/query/columns';
import { planUnits } from '../../server/src/core/query/input';
import { ThreadScan, packedRoom } from '../../server/src/core/query/threadScan';
import { partitionRows } from '../../server/src/core/query/groups/mergeGroups';
import { SpillFolder } from '../../server/src/core/query/groups/spill';
import { GroupTable } from '../../server/src/core/query/groups/groupTable';
import { arrayPool, pooledInt32, release } from '../../server/src/core/query/groups/arrayPool';
import { freeBuffers } from '../../server/src/core/threads/freeBuffers';
import { mergePartitionRows } from '../../server/src/core/query/session';
import { GroupsState, stateBuffers, stateForTransfer, unpackedState } from '../../server/src/core/query/passState';
import { SketchSums } from '../../server/src/core/query/twoPass';
import { AggregatePass } from '../../server/src/core/query/aggregatePass';
import { MAX_SKETCH_WIDTH, sketchWidth } from '../../server/src/core/query/groups/topN';

const QUERIES = [
  '* | select srcaddr, dstport, count(*) as n, sum(bytes) as b, min(action) as a group by srcaddr, dstport order by b desc, srcaddr, dstport',
  '* | select interface_id, count(distinct srcaddr) as sources, max(start) as last group by interface_id order by interface_id',
];

/** Each query's groups state after scanning generated records on this thread, with a table budget or none. */
async function statesOf(budgetBytes: number | undefined, folder: SpillFolder): Promise<GroupsState[]> {
  const scan = new ThreadScan(QUERIES.map((q) => planQuery(q)), 1000, new ColumnUnion(), budgetBytes === undefined ? undefined : { bytes: budgetBytes, folder });
  // Many records, then a few: the last ones' groups stay under the budget (no spill after them).
  for (const records of [20_000, 40]) {
    const text = [...generateLines({ records, seed: records })].join('\n') + '\n';
    const source = { kind: 'text' as const, text, name: 'generated.flowlog' };
    for (const unit of await planUnits(source, undefined, 1)) await scan.scan(unit, text);
  }
  return scan.finish(true) as GroupsState[];
}

function inMemoryGroups(state: GroupsState): number {
  return state.parts.reduce((n, p) => n + (p ? p.table.size : 0), 0) + state.distinct.flat().reduce((n, t) => n + (t ? t.size : 0), 0);
}

describe('the memory of spilled groups', () => {
  it('a pass that spilled writes the rest of its groups to disk at the end of the scan, and the answer is the same', async () => {
    const folder = new SpillFolder();
    try {
      const whole = await statesOf(undefined, folder);
      const spilled = await statesOf(512 << 10, folder);
      for (let q = 0; q < QUERIES.length; q++) {
        const plan = planQuery(QUERIES[q]);
        assert.ok(spilled[q].runs.length > 1, `query ${q} spilled (${spilled[q].runs.length} runs)`);
        assert.equal(inMemoryGroups(spilled[q]), 0, `query ${q}: no groups left in memory after the scan`);
        assert.ok(inMemoryGroups(whole[q]) > 0);
        const expected = partitionRows(plan, [whole[q]]).map((r) => r.row);
        assert.ok(expected.length > 0);
        assert.deepEqual(partitionRows(plan, [spilled[q]]).map((r) => r.row), expected);
      }
    } finally {
      folder.remove();
    }
  });
});

describe('arrays let go of are freed at once', () => {
  it('freeBuffers detaches ArrayBuffers (their memory goes at the next scavenge) and leaves shared memory alone', () => {
    const big = new ArrayBuffer(1 << 20);
    const small = new ArrayBuffer(1 << 10);
    const shared = new SharedArrayBuffer(1 << 20);
    freeBuffers([big, small, shared, big]);
    assert.equal(big.byteLength, 0, 'freed');
    assert.equal(small.byteLength, 0, 'freed with the others');
    assert.equal(shared.byteLength, 1 << 20, 'shared memory is not ours to free');
    const pooled = Buffer.from('a Buffer in Node\'s shared pool');
    freeBuffers([pooled.buffer]);
    assert.equal(pooled.toString(), 'a Buffer in Node\'s shared pool', 'Node\'s pool is untransferable: copied, never detached');
  });

  it('the pool frees what it does not keep: past its limit, trimmed, cleared', () => {
    arrayPool.clear();
    const limit = arrayPool.limit;
    try {
      arrayPool.limit = 4 << 20;
      const arrays = Array.from({ length: 12 }, () => pooledInt32(256 << 10)); // 1 MB each
      release(...arrays);
      assert.equal(arrayPool.bytes, 4 << 20, 'the pool keeps its limit');
      arrayPool.flush();
      const freed = arrays.filter((a) => a.buffer.byteLength === 0).length;
      assert.equal(freed, 8, 'the arrays past the limit are freed');
      const kept = arrays.filter((a) => a.buffer.byteLength > 0);
      arrayPool.trim(1 << 20);
      assert.ok(arrayPool.bytes <= 1 << 20);
      assert.equal(kept.filter((a) => a.buffer.byteLength === 0).length, 3, 'trimmed arrays are freed');
      arrayPool.clear();
      assert.equal(arrayPool.bytes, 0);
      assert.ok(kept.every((a) => a.buffer.byteLength === 0), 'cleared arrays are freed');
      const again = pooledInt32(256 << 10);
      assert.equal(again.length, 256 << 10, 'a freed array is never handed out again');
    } finally {
      arrayPool.limit = limit;
      arrayPool.clear();
    }
  });
});

describe('a growing table', () => {
  it('does not keep its outgrown arrays (partitions grow together: a smaller size is rarely asked for again)', () => {
    arrayPool.clear();
    const limit = arrayPool.limit;
    arrayPool.limit = 64 << 20;
    const table = new GroupTable();
    const key = new Int32Array(1);
    for (let i = 0; i < 200_000; i++) {
      key[0] = i;
      table.findOrAddWords(key, 0, 1, 4, Math.imul(i, 0x9e3779b1), i);
    }
    assert.equal(table.size, 200_000);
    assert.equal(arrayPool.bytes, 0, 'no outgrown array is kept for reuse');
    table.release();
    assert.ok(arrayPool.bytes > 0, 'a table let go of as a whole (spilled) is kept for the next one');
    arrayPool.limit = limit;
    arrayPool.clear();
  });
});

describe('the table budget', () => {
  it('covers the tables and the arrays kept for reuse together, after every chunk', async () => {
    const folder = new SpillFolder();
    const budget = 1 << 20;
    try {
      const text = [...generateLines({ records: 30_000, seed: 9 })].join('\n') + '\n';
      const scan = new ThreadScan([planQuery(QUERIES[0])], 1000, new ColumnUnion(), { bytes: budget, folder });
      let checks = 0;
      let pooled = 0;
      for (const unit of await planUnits({ kind: 'text', text, name: 'generated.flowlog' }, undefined, 1)) {
        await scan.scan(unit, text, {
          afterChunk: () => {
            checks++;
            pooled = Math.max(pooled, arrayPool.bytes);
            assert.ok(scan.groupBytes() + arrayPool.bytes <= budget, `tables ${scan.groupBytes()} + kept ${arrayPool.bytes} within ${budget}`);
          },
        });
      }
      assert.ok(checks > 1);
      assert.ok(scan.spills > 0, 'the groups spilled');
      assert.ok(pooled > 0, 'spilled arrays were kept for reuse');
    } finally {
      arrayPool.clear();
      folder.remove();
    }
  });
});

describe('packing a worker\'s groups', () => {
  it('frees the arrays it copied into blocks, and the blocks give the same rows', async () => {
    const [live] = await statesOfPlan(QUERIES[0]);
    const [state] = await statesOfPlan(QUERIES[0]);
    const copied = stateBuffers(state).filter((b) => b.byteLength < 256 << 10);
    assert.ok(copied.length > 0 && copied.every((b) => b.byteLength > 0));
    const moved = stateForTransfer(state).state;
    assert.ok(copied.every((b) => b.byteLength === 0), 'every array copied into a block is freed');
    const plan = planQuery(QUERIES[0]);
    assert.deepEqual(partitionRows(plan, [unpackedState(moved)]).map((r) => r.row), partitionRows(plan, [live]).map((r) => r.row));
  });
});

describe('a merge job', () => {
  it('frees the partitions it was handed once it has their rows', async () => {
    const [state] = await statesOfPlan(QUERIES[0]);
    const moved = stateForTransfer(state).state;
    const buffers = stateBuffers(moved);
    assert.ok(buffers.length > 0 && buffers.every((b) => b.byteLength > 0));
    const rows = mergePartitionRows({ query: QUERIES[0], parts: [moved], from: 0, to: 256 });
    assert.ok(rows.length > 0);
    assert.ok(buffers.every((b) => b.byteLength === 0), 'every block handed to the job is freed');
  });
});

/** One query's groups state (kept in memory: no budget), as a worker posts it. */
async function statesOfPlan(query: string): Promise<GroupsState[]> {
  const text = [...generateLines({ records: 20_000, seed: 4 })].join('\n') + '\n';
  const scan = new ThreadScan([planQuery(query)], 1000, new ColumnUnion());
  for (const unit of await planUnits({ kind: 'text', text, name: 'generated.flowlog' }, undefined, 1)) await scan.scan(unit, text);
  return scan.finish(true) as GroupsState[];
}

describe('the sketches of two-pass top-Ns', () => {
  it('take at most a quarter of a thread\'s table budget, all plans together (down to the smallest width)', () => {
    for (const budget of [64 << 10, 1 << 20, 10 << 20, 42 << 20, 85 << 20, 1 << 30]) {
      for (const plans of [1, 2, 5, 11]) {
        const width = sketchWidth(budget, plans);
        assert.ok(width <= MAX_SKETCH_WIDTH && (width & (width - 1)) === 0, `width ${width} is a power of two`);
        assert.ok(width === 1 << 12 || width * 2 * 4 * plans <= budget / 4, `${plans} sketches of width ${width} within a quarter of ${budget}`);
        assert.ok(width === MAX_SKETCH_WIDTH || width * 2 * 2 * 4 * plans > budget / 4, 'the widest that fits');
      }
    }
    assert.equal(sketchWidth(42 << 20, 1), MAX_SKETCH_WIDTH, 'one top-N at the default budget keeps the full width');
  });

  it('count in the pass\'s bytes once it turned to its sketch', () => {
    const pass = new AggregatePass(planQuery('* | select srcaddr, sum(bytes) as b group by srcaddr order by b desc limit 5'));
    pass.toSketch(1 << 14);
    assert.ok(pass.sketch);
    assert.equal(pass.byteSize() - pass.groupBytes(), pass.sketch.cells.byteLength);
  });

  it('are added up as each thread\'s states arrive, and each thread\'s is freed once in the sum', async () => {
    const width = 1 << 14;
    const threadSketch = (seed: number) => {
      const cells = new Float32Array(width * 2);
      for (let i = 0; i < cells.length; i++) cells[i] = (i * seed) % 97;
      return cells;
    };
    const a = threadSketch(3);
    const b = threadSketch(5);
    const expected = Float32Array.from(a, (x, i) => x + b[i]);
    const state = (sketch: Float32Array): GroupsState => ({ kind: 'groups', parts: [], distinct: [], bytes: 0, runs: [], distinctRuns: [], sketch });
    const sums = new SketchSums();
    const firstGroups = state(a);
    sums.add([{ kind: 'rows' }, firstGroups]);
    sums.add([{ kind: 'rows' }, state(b)]);
    assert.equal(firstGroups.sketch, undefined, 'the state lets go of its sketch');
    assert.equal(firstGroups.sketched, true, 'and says it had one');
    const sum = await sums.of(1);
    assert.ok(sum);
    assert.deepEqual(sum.cells, expected);
    assert.ok(sum.cells.buffer instanceof SharedArrayBuffer, 'the sum is shared with the second pass\'s threads');
    assert.equal(a.buffer.byteLength, 0, 'the first thread\'s sketch is freed');
    assert.equal(b.buffer.byteLength, 0, 'the second thread\'s sketch is freed');
    assert.equal(await sums.of(0), undefined, 'a plan without sketches has no sum');
  });
});

describe('the groups threads hand on at the end of a scan', () => {
  const plans = () => QUERIES.map((q) => planQuery(q));
  /** A thread's scan of the records [from, to) of one generated text (its units, as the pool hands them). */
  async function threadOf(text: string, budget: { bytes: number; folder: SpillFolder; packedRoom?: Int32Array } | undefined): Promise<ThreadScan> {
    const scan = new ThreadScan(plans(), 1000, new ColumnUnion(), budget);
    for (const unit of await planUnits({ kind: 'text', text, name: 'generated.flowlog' }, undefined, 1)) await scan.scan(unit, text);
    return scan;
  }
  const lines = [...generateLines({ records: 16_000, seed: 77 })];
  // An uneven split: one thread read three quarters of the records, the other a quarter.
  const big = lines.slice(0, 12_000).join('\n') + '\n';
  const small = lines.slice(12_000).join('\n') + '\n';

  it('share one room: an uneven split of a small input spills nothing, and the answer is the same', async () => {
    const folder = new SpillFolder();
    try {
      const measure = [await threadOf(big, undefined), await threadOf(small, undefined)].map((s) => s.groupBytes());
      // A budget whose room (a quarter) both threads' groups fit together, while the bigger thread's pass half of it.
      const bytes = Math.ceil((measure[0] + measure[1]) * 4.4);
      assert.ok(measure[0] > bytes / 8 && measure[0] + measure[1] < bytes / 4, `groups ${measure} against a quarter of ${bytes}`);
      const expected = [await threadOf(big, undefined), await threadOf(small, undefined)].map((s) => s.finish(true) as GroupsState[]);
      // Each thread on its own half of the room (not shared): the thread that read more spills.
      const half = new Int32Array(new SharedArrayBuffer(4));
      half[0] = Math.floor(bytes / 8 / 1024);
      const alone = (await threadOf(big, { bytes, folder, packedRoom: half })).finish(true) as GroupsState[];
      assert.ok(alone.some((st) => st.runs.length > 0), 'on its own half of the room, the bigger thread spilled');
      const room = packedRoom(bytes);
      const before = room[0];
      const states = [await threadOf(big, { bytes, folder, packedRoom: room }), await threadOf(small, { bytes, folder, packedRoom: room })].map((s) => s.finish(true) as GroupsState[]);
      for (const perThread of states) for (const st of perThread) assert.equal(st.runs.length, 0, 'no run written');
      assert.ok(room[0] >= 0 && room[0] < before, `the room taken (${before} → ${room[0]} KiB)`);
      for (let q = 0; q < QUERIES.length; q++) {
        const rows = partitionRows(plans()[q], states.map((s) => s[q])).map((r) => r.row);
        assert.ok(rows.length > 0);
        assert.deepEqual(rows, partitionRows(plans()[q], expected.map((s) => s[q])).map((r) => r.row));
      }
    } finally {
      folder.remove();
    }
  });

  it('still bound what all threads keep: past the room, the thread that finishes later spills to what is left', async () => {
    const folder = new SpillFolder();
    try {
      const expected = [await threadOf(big, undefined), await threadOf(small, undefined)].map((s) => s.finish(true) as GroupsState[]);
      const room = new Int32Array(new SharedArrayBuffer(4));
      const first = await threadOf(big, { bytes: 64 << 20, folder, packedRoom: room });
      room[0] = Math.ceil(first.groupBytes() / 1024) + 16;
      const second = await threadOf(small, { bytes: 64 << 20, folder, packedRoom: room });
      const states = [first.finish(true) as GroupsState[], second.finish(true) as GroupsState[]];
      assert.ok(states[0].every((st) => st.runs.length === 0), 'the first to finish kept its groups');
      assert.ok(states[1].some((st) => st.runs.length > 0), 'the second spilled');
      assert.ok(second.groupBytes() <= 16 << 10, `the second keeps what was left (${second.groupBytes()} bytes)`);
      for (let q = 0; q < QUERIES.length; q++) {
        assert.deepEqual(partitionRows(plans()[q], states.map((s) => s[q])).map((r) => r.row), partitionRows(plans()[q], expected.map((s) => s[q])).map((r) => r.row));
      }
    } finally {
      folder.remove();
    }
  });
});

describe('top-Ns of a scan of several aggregations', () => {
  const TOP_PAIRS = 'srcaddr:* AND dstaddr:* | select srcaddr, dstaddr, sum(bytes) as bytes group by srcaddr, dstaddr order by bytes desc, srcaddr, dstaddr limit 10';
  const ACTIONS = '* | select action, count(*) as n group by action order by action';
  /** A scan of the queries over 60,000 wide records (nearly every pair its own group), a budget far above them. */
  async function scanOf(queries: string[]): Promise<ThreadScan> {
    const text = [...generateWideLines({ records: 60_000, seed: 5 })].join('\n') + '\n';
    const scan = new ThreadScan(queries.map((q) => planQuery(q)), 1000, new ColumnUnion(), { bytes: 1 << 30, folder: new SpillFolder() }, { enabled: true, flags: new Int32Array(queries.length), width: 1 << 12 });
    for (const unit of await planUnits({ kind: 'text', text, name: 'wide.flowlog' }, undefined, 1)) await scan.scan(unit, text);
    return scan;
  }

  it('turn to the sketch once they pass a cache-sized table, far below half the budget; a scan of one keeps its table', async () => {
    const several = await scanOf([ACTIONS, TOP_PAIRS]);
    const pairs = several.passes[1] as AggregatePass;
    assert.ok(pairs.sketch, 'the top pairs of a scan of several turned to the sketch');
    assert.ok(pairs.groups.size() < 32_768, `and hold the sampled keys only (${pairs.groups.size()})`);
    assert.ok((several.passes[0] as AggregatePass).groups.size() > 0, 'the other aggregation keeps its groups');
    const alone = await scanOf([TOP_PAIRS]);
    const table = alone.passes[0] as AggregatePass;
    assert.equal(table.sketch, undefined, 'a top-N scanned alone keeps its table within the budget');
    assert.ok(table.groups.size() > 32_768, `(${table.groups.size()} groups)`);
  });
});
