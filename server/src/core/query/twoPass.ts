// Between the two passes of a top-N that turned to its sketch (groups/topN.ts): the threads' sketches added up,
// threads that stayed exact folded in, and the lower bound taken from the sampled keys, whose values are exact.
import { QueryPlan } from './plan';
import { Candidates } from './threadScan';
import { GroupsState, PassState, unpackedState } from './passState';
import { CountMin, sampled } from './groups/topN';
import { AggregateStates } from './groups/aggregates';
import { partitionRows, planAggKinds } from './groups/mergeGroups';
import { PARTITIONS, PartitionData, PartitionedGroups } from './groups/partitions';
import { foldRunsIntoSketch } from './groups/sketchFold';
import type { OrderedRow } from './rowOrder';
import { bestRows } from './groups/finishGroups';
import { GroupTable } from './groups/groupTable';
import { freeBuffers } from '../threads/freeBuffers';

/**
 * The threads' sketches of each plan added up as each thread's states arrive, each thread's freed once it is in
 * the sum: the thread that runs the query holds one sketch per plan and the one being added, not every thread's
 * (the summary's four top lists on two threads were 32 MB of sketches at once beside the sums).
 */
export class SketchSums {
  private readonly sums: (CountMin | undefined)[] = [];
  private work: Promise<void> = Promise.resolve();

  /** A thread's final states: their sketches are added (a slice at a time: the event loop gets turns) and freed. */
  add(states: readonly PassState[]): void {
    states.forEach((state, i) => {
      if (state.kind !== 'groups' || !state.sketch) return;
      const cells = state.sketch;
      state.sketch = undefined;
      state.sketched = true;
      this.work = this.work.then(async () => {
        const sum = (this.sums[i] ??= CountMin.over(new Float32Array(new SharedArrayBuffer(cells.byteLength))));
        await mergeSketch(sum, cells);
        freeBuffers([cells.buffer]);
      });
    });
  }

  /** Plan i's sum, once every sketch given is in it. */
  async of(i: number): Promise<CountMin | undefined> {
    await this.work;
    return this.sums[i];
  }
}

/**
 * For each plan whose first pass turned to the sketch on some thread, what its second pass needs; undefined for
 * the others (their first pass is their answer). `sums` has been given every thread's states.
 */
export async function secondPasses(plans: readonly QueryPlan[], finals: PassState[][], sums: SketchSums, rank: SampleRanker = bestSampledRows): Promise<(Candidates | undefined)[]> {
  const out: (Candidates | undefined)[] = [];
  for (const [i, plan] of plans.entries()) {
    const sum = plan.rankAggregate === undefined ? undefined : await sums.of(i);
    out.push(sum && (await candidatesOf(plan, finals.map((f) => f[i]).filter((s): s is GroupsState => s?.kind === 'groups'), sum, rank)));
  }
  return out;
}

/**
 * The best LIMIT rows of the sampled groups (their partitions are consumed): bestSampledRows on this thread, or
 * the run's own ranking on worker threads (run.ts), which keeps a language server's main thread free.
 */
export type SampleRanker = (plan: QueryPlan, samples: GroupsState[]) => Promise<OrderedRow[]>;

async function candidatesOf(plan: QueryPlan, states: GroupsState[], sketch: CountMin, rank: SampleRanker): Promise<Candidates | undefined> {
  const samples: GroupsState[] = [];
  for (const state of states) samples.push(state.sketched ? state : foldExact(plan, state, sketch));
  const rows = await rank(plan, samples);
  const n = plan.limit!;
  const nth = rows.length >= n ? rows[n - 1].keys[0] : null;
  if (process.env.FLOWLOG_DEBUG_TOPN === '1') process.stderr.write(`[topN] ${plan.text.slice(0, 60)}: sample rows ${rows.length}, lower bound ${nth}\n`);
  return { cells: sketch.cells, lower: typeof nth === 'number' ? nth : -Infinity };
}

/** Cells of a sketch merged before the event loop gets a turn (a whole sketch took 30–50 ms on the server's main thread). */
const SKETCH_SLICE = 1 << 17;

async function mergeSketch(into: CountMin, other: Float32Array): Promise<void> {
  for (let from = 0; from < other.length; from += SKETCH_SLICE) {
    into.merge(other, from, Math.min(other.length, from + SKETCH_SLICE));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Milliseconds of merging before the event loop gets a turn (a language server answers its requests between). */
const SLICE_MS = 8;

/**
 * The best LIMIT rows of the sampled groups, merged a partition at a time with the event loop let in every few
 * milliseconds: on the high-cardinality bench file this was 0.3–0.5 s of one synchronous step on the server's main
 * thread (check requests waited behind it).
 */
export async function bestSampledRows(plan: QueryPlan, given: GroupsState[]): Promise<OrderedRow[]> {
  const samples = given.map(unpackedState);
  let best: OrderedRow[] = [];
  let slice = performance.now();
  for (let p = 0; p < PARTITIONS; p++) {
    const rows = partitionRows(plan, samples, p, p + 1);
    if (rows.length > 0) best = bestRows(plan, [best, rows]);
    if (performance.now() - slice > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
  return best;
}

/**
 * A thread that never turned to the sketch: its groups' ranking values into the sketch (as upper bounds), and a
 * state of its sampled groups only (the others' values are not complete: other threads have them in sketches).
 */
function foldExact(plan: QueryPlan, packedOrLive: GroupsState, sketch: CountMin): GroupsState {
  const state = unpackedState(packedOrLive);
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
  foldRunsIntoSketch(state.runs, kinds, rank, sketch, kept);
  return { kind: 'groups', parts: kept.parts, distinct: [], bytes: 0, runs: [], distinctRuns: [] };
}
