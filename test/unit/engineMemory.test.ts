// What the engine keeps in memory, checked where a bound can be seen without timing anything: groups that spilled
// leave nothing in memory at the end of the scan (the merge reads them from disk a partition at a time), and the
// answer is the same as in memory.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateLines } from '../support/generate';
import { planQuery } from '../../server/src/core/query';
import { ColumnUnion } from '../../server/src/core/query/columns';
import { planUnits } from '../../server/src/core/query/input';
import { GroupsState, ThreadScan } from '../../server/src/core/query/threadScan';
import { partitionRows } from '../../server/src/core/query/groups/mergeGroups';
import { SpillFolder } from '../../server/src/core/query/groups/spill';

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
