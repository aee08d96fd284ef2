// Groups packed for another thread (groups/packedState.ts): the same rows as the live tables, each partition in
// exactly one job's blocks, big arrays in buffers of their own, and views into a block never reused by the pool.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateLines } from '../support/generate';
import { planQuery } from '../../server/src/core/query';
import { ColumnUnion } from '../../server/src/core/query/columns';
import { planUnits } from '../../server/src/core/query/input';
import { ThreadScan } from '../../server/src/core/query/threadScan';
import { GroupsState, partitionsForJob, stateForTransfer, unpackedState } from '../../server/src/core/query/passState';
import { partitionRows } from '../../server/src/core/query/groups/mergeGroups';
import { PACK_PARTS, blockRanges, packedGroupCount } from '../../server/src/core/query/groups/packedState';
import { PARTITIONS } from '../../server/src/core/query/groups/partitions';
import { arrayPool, release } from '../../server/src/core/query/groups/arrayPool';
import { bestRows } from '../../server/src/core/query/groups/finishGroups';

const QUERIES = [
  '* | select srcaddr, dstport, count(*) as n, sum(bytes) as b, min(action) as a group by srcaddr, dstport order by b desc, srcaddr, dstport',
  '* | select interface_id, count(distinct srcaddr) as sources, max(start) as last group by interface_id order by interface_id',
  'action:REJECT | select dstport, count(*) as n group by dstport order by n desc, dstport limit 7',
];

/** Each query's groups state after scanning `records` generated records on this thread (as a worker posts it). */
async function statesOf(records: number, seed: number): Promise<GroupsState[]> {
  const text = [...generateLines({ records, seed })].join('\n') + '\n';
  const source = { kind: 'text' as const, text, name: 'generated.flowlog' };
  const scan = new ThreadScan(QUERIES.map((q) => planQuery(q)), 1000, new ColumnUnion());
  for (const unit of await planUnits(source, undefined, 1)) await scan.scan(unit, text);
  return scan.finish(true) as GroupsState[];
}

function rowsOf(query: number, states: GroupsState[]): unknown[] {
  return partitionRows(planQuery(QUERIES[query]), states).map((r) => r.row);
}

describe('packed groups states', () => {
  it('give the same rows as the live tables, for GROUP BY, DISTINCT and a LIMIT', async () => {
    const live = await statesOf(20_000, 7);
    const packed = await statesOf(20_000, 7);
    for (let q = 0; q < QUERIES.length; q++) {
      const moved = stateForTransfer(packed[q]);
      assert.equal(moved.state.parts.length, 0, 'a packed state carries no partition objects');
      assert.ok(moved.buffers.length <= 64 + 16, `${moved.buffers.length} buffers to transfer`);
      const groups = live[q].parts.reduce((n, p) => n + (p ? p.table.size : 0), 0);
      assert.ok(groups > 0);
      assert.equal(packedGroupCount(moved.state.packed!), groups);
      const expected = rowsOf(q, [live[q]]);
      assert.ok(expected.length > 0);
      assert.deepEqual(rowsOf(q, [unpackedState(moved.state)]), expected);
    }
  });

  it('hand each partition to exactly one job of whole blocks, and the jobs together make the whole answer', async () => {
    const live = await statesOf(30_000, 11);
    const packed = (await statesOf(30_000, 11)).map((s) => stateForTransfer(s).state);
    const other = (await statesOf(30_000, 12)).map((s) => stateForTransfer(s).state); // a second worker's groups
    const liveOther = await statesOf(30_000, 12);
    for (const count of [1, 3, 16, 24, 1000]) {
      const ranges = blockRanges(count);
      assert.equal(ranges[0].from, 0);
      assert.equal(ranges[ranges.length - 1].to, PARTITIONS);
      for (let r = 0; r < ranges.length; r++) {
        assert.equal(ranges[r].from % PACK_PARTS, 0);
        if (r > 0) assert.equal(ranges[r].from, ranges[r - 1].to);
      }
    }
    const q = 0;
    const plan = planQuery(QUERIES[q]);
    const seen = new Set<ArrayBuffer>();
    const lists = [];
    for (const { from, to } of blockRanges(5)) {
      const handed = [packed[q], other[q]].map((s) => partitionsForJob(s, from, to));
      for (const h of handed) for (const b of h.buffers) {
        assert.ok(!seen.has(b), 'a buffer goes to one job only');
        seen.add(b);
      }
      lists.push(partitionRows(plan, handed.map((h) => unpackedState(h.state)), from, to));
    }
    const whole = partitionRows(plan, [live[q], liveOther[q]]);
    assert.deepEqual(bestRows(plan, lists).map((r) => r.row), whole.map((r) => r.row));
    assert.throws(() => partitionsForJob(packed[1], 1, 5), /block/);
  });

  it('the pool takes back whole buffers only, never a view into a shared block', () => {
    arrayPool.clear();
    const block = new ArrayBuffer(4096);
    release(new Int32Array(block, 0, 256)); // offset 0, but 1 KB of a 4 KB block
    assert.equal(arrayPool.bytes, 0);
    release(new Int32Array(new ArrayBuffer(4096)));
    assert.equal(arrayPool.bytes, 4096);
    arrayPool.clear();
  });
});
