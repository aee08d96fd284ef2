// Between the two passes of a top-N that turned to its sketch (groups/topN.ts): the threads' sketches added up,
// threads that stayed exact folded in, and the lower bound taken from the sampled keys, whose values are exact.
import { QueryPlan } from './plan';
import { Candidates, GroupsState, PassState } from './threadScan';
import { CountMin, sampled } from './groups/topN';
import { AggregateStates } from './groups/aggregates';
import { partitionRows, planAggKinds } from './groups/mergeGroups';
import { PARTITIONS, PartitionData, PartitionedGroups } from './groups/partitions';
import { forEachRunGroup } from './groups/spill';
import { GroupTable } from './groups/groupTable';

/**
 * For each plan whose first pass turned to the sketch on some thread, what its second pass needs; undefined for
 * the others (their first pass is their answer).
 */
export function secondPasses(plans: readonly QueryPlan[], finals: PassState[][]): (Candidates | undefined)[] {
  return plans.map((plan, i) => {
    if (plan.rankAggregate === undefined) return undefined;
    const states = finals.map((f) => f[i]).filter((s): s is GroupsState => s?.kind === 'groups');
    if (!states.some((s) => s.sketch)) return undefined;
    const width = new CountMin().width;
    const sketch = new CountMin(width, new Float32Array(new SharedArrayBuffer(states.find((s) => s.sketch)!.sketch!.byteLength)));
    const samples: GroupsState[] = [];
    for (const state of states) {
      if (state.sketch) {
        sketch.merge(state.sketch);
        samples.push(state);
      } else samples.push(foldExact(plan, state, sketch));
    }
    const rows = partitionRows(plan, samples);
    const n = plan.limit!;
    const nth = rows.length >= n ? rows[n - 1].keys[0] : null;
    if (process.env.FLOWLOG_DEBUG_TOPN === '1') process.stderr.write(`[topN] ${plan.text.slice(0, 60)}: sample rows ${rows.length}, lower bound ${nth}\n`);
    return { cells: sketch.cells, lower: typeof nth === 'number' ? nth : -Infinity };
  });
}

/**
 * A thread that never turned to the sketch: its groups' ranking values into the sketch (as upper bounds), and a
 * state of its sampled groups only (the others' values are not complete: other threads have them in sketches).
 */
function foldExact(plan: QueryPlan, state: GroupsState, sketch: CountMin): GroupsState {
  const kinds = planAggKinds(plan);
  const rank = plan.rankAggregate!;
  const kept = new PartitionedGroups(kinds);
  const add = (hash: number, value: unknown) => sketch.add(hash, typeof value === 'number' ? value : 0);
  state.parts.forEach((part) => {
    if (!part) return;
    const data = part as PartitionData & { states?: AggregateStates };
    const states = data.states ?? AggregateStates.of(kinds, data.acc, data.values);
    const table = GroupTable.from(data.table);
    for (let g = 0; g < table.size; g++) {
      add(table.hashes[g], states.finish(g, rank));
      if (!sampled(table.hashes[g])) continue;
      const id = kept.findWords(table, g);
      kept.current.states.merge(id, states, g);
    }
  });
  for (const run of state.runs) {
    for (let p = 0; p < PARTITIONS; p++) {
      forEachRunGroup(run, p, (g) => {
        const one = new AggregateStates(kinds, 1);
        one.mergeAt(0, g.acc, g.accStart, g.values, 0);
        add(g.hash, one.finish(0, rank));
        if (!sampled(g.hash)) return;
        const t = new GroupTable();
        t.findOrAddWords(g.keyWords, g.keyStart, (g.len + 3) >>> 2, g.len, g.hash, g.firstSeq);
        const id = kept.findWords(t, 0);
        kept.current.states.merge(id, one, 0);
      });
    }
  }
  return { kind: 'groups', parts: kept.parts, distinct: [], bytes: 0, runs: [], distinctRuns: [] };
}
