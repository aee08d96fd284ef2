// Spilled groups into a top-N's sketch: each group's ranking value goes into the sketch (an upper bound: a key
// written in several runs adds each part, and conservative update keeps every estimate at or above the key's
// sum), and the sampled keys' partial states into the exact sample. A thread that stayed exact while others
// sketched folds its runs so (twoPass.ts), and so does a pass that spilled before it turned to its sketch.
import { AggregateStates } from './aggregates';
import { GroupTable } from './groupTable';
import { PARTITIONS, PartitionedGroups } from './partitions';
import { SpillRun, closeRunFiles, forEachRunGroup } from './spill';
import { CountMin, sampled } from './topN';

export function foldRunsIntoSketch(runs: readonly SpillRun[], kinds: Uint8Array, rank: number, sketch: CountMin, kept: PartitionedGroups): void {
  const one = new AggregateStates(kinds, 1);
  for (const run of runs) {
    for (let p = 0; p < PARTITIONS; p++) {
      forEachRunGroup(run, p, (g) => {
        one.acc.fill(0);
        one.values.length = 0;
        if (run.records) one.addRecordAt(0, g.acc, g.accStart, g.firstSeq);
        else one.mergeAt(0, g.acc, g.accStart, g.values, 0);
        const value = one.finish(0, rank);
        sketch.add(g.hash, typeof value === 'number' ? value : 0);
        if (!sampled(g.hash)) return;
        const t = new GroupTable();
        t.findOrAddWords(g.keyWords, g.keyStart, (g.len + 3) >>> 2, g.len, g.hash, g.firstSeq);
        const id = kept.findWords(t, 0);
        kept.current.states.merge(id, one, 0);
      });
    }
  }
  closeRunFiles();
}
