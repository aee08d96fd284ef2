// An aggregation's pass: each record's group found by its key bytes and its aggregates updated; past the memory
// budget the groups spill, near-unique keys go to record runs, and a top-N by an aggregate may turn to its sketch.
import { RecordFormat } from '../scan';
import { QueryPlan } from './plan';
import { RecordView } from './recordEval';
import { AggregateBinding, bindAggregate, numericArguments } from './aggregateBinding';
import { AggregateStates, aggKind } from './groups/aggregates';
import { KeyScratch, KeyTag, hashWords } from './groups/keyCodec';
import { SpillFolder, SpillRun, writeRun } from './groups/spill';
import { PartitionedEntries, PartitionedGroups } from './groups/partitions';
import { CandidateFilter, CountMin, sampled } from './groups/topN';
import { foldRunsIntoSketch } from './groups/sketchFold';
import { RecordRuns } from './groups/recordRuns';
import { KeyMemo, MEMO_WORDS } from './groups/keyMemo';
import { PerFormat, RecordPlace, ScanPass } from './passes';

/** Records whose sketch adds wait to be made together (CountMin.addMany). */
const SKETCH_BATCH = 256;

/** Aggregation: groups by key bytes in a GroupTable, aggregate states beside it; DISTINCT values in their own tables. */
export class AggregatePass implements ScanPass {
  matched = 0;
  groups: PartitionedGroups;
  /** Aggregates with DISTINCT: their indexes, and the (group key, value) entries of each. */
  readonly distinct: number[];
  distinctEntries: PartitionedEntries[];
  /** Groups written out to disk when memory ran short (spill.ts), and their DISTINCT entries. */
  readonly runs: SpillRun[] = [];
  readonly distinctRuns: SpillRun[][];
  readonly kinds: Uint8Array;
  private readonly withValues: boolean;
  private readonly scratch = new KeyScratch();
  private readonly compiled: PerFormat<AggregateBinding>;
  private readonly plain: number[];
  private lastHash = 0;
  private lastGroup = -1;
  private lastStates!: AggregateStates;
  private lastLength = -1;
  private readonly lastKey = new Int32Array(64);
  /** Groups of keys met lately (groups/keyMemo.ts); cleared whenever `groups` is replaced. */
  private readonly memo = new KeyMemo();
  /** Per DISTINCT aggregate: the entry it last added (its words and byte length; -1: none). */
  private readonly lastEntry: Int32Array[];
  private readonly lastEntryLength: Int32Array;

  /**
   * The two-pass top-N plan (groups/topN.ts). `sketch`: the first pass has turned to the sketch (the table holds
   * the sampled keys only). `candidates`: the second pass, which aggregates the groups the sketch lets through.
   */
  private turned?: CountMin;
  /** Adds to the sketch waiting to be made together (CountMin.addMany): their hashes and values, and how many. */
  private readonly pendingHashes = new Int32Array(SKETCH_BATCH);
  private readonly pendingValues = new Float64Array(SKETCH_BATCH);
  private pending = 0;
  readonly candidates?: { sketch: CountMin; lower: number };
  /** The second pass's test of a key against the candidates' lower bound (the sketch's cells as bits). */
  private readonly candidateFilter?: CandidateFilter;
  /**
   * Near-unique keys (groups/recordRuns.ts): records go straight to spill runs, each a group of one record, and the
   * table stays empty. `oneRecord` holds a record's states before they are written.
   */
  recordRuns?: RecordRuns;
  /** A record's aggregate arguments as record runs keep them (one number each). */
  private recordArgs?: Float64Array;
  /** Every aggregate is count(*) or over a numeric field (no DISTINCT): what record runs can hold. */
  private readonly numbersOnly: boolean;
  /** Records this pass had taken when its table last started empty (a spill): groups against records since. */
  private matchedAtReset = 0;

  constructor(readonly plan: QueryPlan, candidates?: { sketch: CountMin; lower: number }) {
    this.candidates = candidates;
    if (candidates) this.candidateFilter = new CandidateFilter(candidates.sketch, candidates.lower);
    const numericArg = numericArguments(plan);
    this.kinds = Uint8Array.from(plan.aggs, (a, i) => aggKind(a, numericArg[i]));
    this.distinct = plan.aggs.flatMap((a, i) => (a.distinct ? [i] : []));
    this.plain = plan.aggs.flatMap((a, i) => (a.distinct ? [] : [i]));
    this.distinctRuns = this.distinct.map(() => []);
    this.lastEntry = this.distinct.map(() => new Int32Array(16));
    this.lastEntryLength = new Int32Array(this.distinct.length).fill(-1);
    this.groups = new PartitionedGroups(this.kinds);
    this.distinctEntries = this.distinct.map(() => new PartitionedEntries());
    this.withValues = new AggregateStates(this.kinds, 0).hasValues();
    this.numbersOnly = plan.aggs.every((a, i) => !a.distinct && (a.star || numericArg[i]));
    this.compiled = new PerFormat((format) => bindAggregate(plan, this.distinct, format));
  }

  /** The first pass's sketch once it turned to it, with every record's value added. */
  get sketch(): CountMin | undefined {
    this.flushSketch();
    return this.turned;
  }

  private flushSketch(): void {
    if (this.pending === 0) return;
    this.turned!.addMany(this.pendingHashes, this.pendingValues, this.pending);
    this.pending = 0;
  }

  /** Whether some of the groups (or DISTINCT entries) were written to disk. */
  get hasSpilled(): boolean {
    return this.runs.length > 0 || this.distinctRuns.some((r) => r.length > 0);
  }

  /** Writes the groups found so far to a run file (partition by partition) and starts over empty. */
  spill(folder: SpillFolder): void {
    this.recordRuns?.flush();
    this.matchedAtReset = this.matched;
    if (this.groups.size() === 0) return;
    this.runs.push(writeRun(folder.next(), this.groups.parts.map((p) => p && { table: p.table, acc: p.states.acc, values: p.states.values }), this.kinds.length, this.withValues));
    this.distinctEntries.forEach((entries, j) => {
      if (entries.size() > 0) this.distinctRuns[j].push(writeRun(folder.next(), entries.parts.map((t) => t && { table: t }), 0, false, true));
    });
    this.groups.release();
    for (const e of this.distinctEntries) e.release();
    this.groups = new PartitionedGroups(this.kinds);
    this.distinctEntries = this.distinct.map(() => new PartitionedEntries());
    this.lastLength = -1;
    this.memo.clear();
    this.lastEntryLength.fill(-1);
  }

  /** A unit starts: keys met in another unit are found in the tables again (their first record's sequence kept). */
  beginUnit(): void {
    this.lastLength = -1;
    this.memo.clear();
    this.lastEntryLength.fill(-1);
  }

  record(r: RecordView, format: RecordFormat, place: RecordPlace): void {
    const c = this.compiled.get(format);
    if (c.filter && !c.filter(r)) return;
    this.matched++;
    const s = this.scratch;
    c.keys(r, s);
    const words = s.seal();
    if (this.recordRuns) {
      this.writeRecord(r, c, words, place.seq);
      return;
    }
    if (this.turned || this.candidates) {
      // The two-pass top-N: the sketch takes every record; only sampled keys (first pass) or the keys the sketch
      // lets through (second pass) are aggregated.
      const hash = this.hashOf(words);
      if (this.turned) {
        const n = this.pending;
        this.pendingHashes[n] = hash;
        this.pendingValues[n] = this.rankValue(r, c);
        if ((this.pending = n + 1) === SKETCH_BATCH) this.flushSketch();
        if (!sampled(hash)) return;
      } else if (!this.candidateFilter!.passes(hash)) return;
    }
    const g = this.group(words, place.seq);
    const states = this.lastStates;
    const plain = this.plain;
    const nums = r.nums;
    for (let j = 0; j < plain.length; j++) {
      const i = plain[j];
      const k = c.numberArg[i];
      if (k >= 0) states.addNumber(g, i, nums[k], place.seq);
      else {
        const arg = c.valueArg[i];
        if (arg === undefined) states.addNumber(g, i, 1, place.seq); // count(*)
        else {
          // A number that is not NaN: addNumber's fast path does what add does with it.
          const v = arg(r);
          if (typeof v === 'number' && v === v) states.addNumber(g, i, v, place.seq);
          else states.add(g, i, v, place.seq);
        }
      }
    }
    if (this.distinct.length > 0) this.addDistinct(r, c, words, place.seq);
  }

  /** The hash of the key in the scratch (the previous record's when the key is the same). */
  private hashOf(words: number): number {
    const s = this.scratch;
    if (s.length === this.lastLength) {
      const last = this.lastKey;
      const key = s.words;
      let q = 0;
      while (q < words && last[q] === key[q]) q++;
      if (q === words) return this.lastHash;
    }
    return hashWords(s.words, 0, words, s.length);
  }

  /** The ranking aggregate's value of a record, as the sketch adds it (a count adds 1; a sum its number, not NULL). */
  private rankValue(r: RecordView, c: AggregateBinding): number {
    const i = this.plan.rankAggregate!;
    const spec = this.plan.aggs[i];
    if (spec.star) return 1;
    const k = c.numberArg[i];
    const v = k >= 0 ? r.nums[k] : c.valueArg[i]?.(r) ?? null;
    if (spec.fn === 'count') return v === null || v !== v ? 0 : 1;
    return typeof v === 'number' && v === v ? v : 0;
  }

  /**
   * The group of the key in the scratch (and its partition's states in lastStates): the previous record's when
   * the key is the same (time-ordered logs repeat keys).
   */
  private group(words: number, seq: number): number {
    const s = this.scratch;
    const key = s.words;
    if (s.length === this.lastLength) {
      const last = this.lastKey;
      let q = 0;
      while (q < words && last[q] === key[q]) q++;
      if (q === words) return this.lastGroup;
    }
    const hash = hashWords(key, 0, words, s.length);
    const memo = this.memo.on && words <= MEMO_WORDS ? this.memo : undefined;
    let g = memo ? memo.get(key, words, s.length, hash) : -1;
    if (g >= 0) this.lastStates = memo!.found;
    else {
      g = this.groups.find(s, words, hash, seq);
      this.lastStates = this.groups.current.states;
      memo?.put(key, words, s.length, hash, g, this.lastStates);
    }
    this.lastHash = hash;
    if (words <= this.lastKey.length) {
      for (let q = 0; q < words; q++) this.lastKey[q] = key[q];
      this.lastLength = s.length;
      this.lastGroup = g;
    } else this.lastLength = -1;
    return g;
  }

  /** A top-N by an aggregate still keeping every group (not yet a sketch, not a second pass, not record runs). */
  get canSketch(): boolean {
    return !this.turned && !this.candidates && !this.recordRuns && this.plan.rankAggregate !== undefined;
  }

  /**
   * Whether the table is not worth keeping: it holds more than `ratio` groups per record taken since it started
   * empty, and the pass could write records to runs instead (no sketch, no candidates, every aggregate count(*)
   * or over a numeric field: those runs hold a number per aggregate).
   */
  nearUnique(ratio: number): boolean {
    if (this.recordRuns || this.turned || this.candidates || !this.numbersOnly) return false;
    const taken = this.matched - this.matchedAtReset;
    return taken > 0 && this.groups.size() > taken * ratio;
  }

  /**
   * From now on each record goes to a run as a group of one (groups/recordRuns.ts), through an arena of
   * `arenaBytes`; the table keeps the groups so far (and is spilled with the arena when the budget asks). The
   * merge meets them all, partition by partition.
   */
  toRecordRuns(folder: SpillFolder, arenaBytes: number): void {
    this.recordRuns = new RecordRuns(arenaBytes, this.kinds.length, folder, this.runs);
    this.recordArgs = new Float64Array(this.kinds.length);
    this.lastLength = -1;
    this.memo.clear();
  }

  /** A record as a group of its own in the record runs: its key, hash and its aggregates' arguments. */
  private writeRecord(r: RecordView, c: AggregateBinding, words: number, seq: number): void {
    const s = this.scratch;
    const args = this.recordArgs!;
    for (let i = 0; i < args.length; i++) {
      const k = c.numberArg[i];
      if (k >= 0) args[i] = r.nums[k];
      else {
        // count(*) (any number), or a numeric field this format lacks (NULL).
        const arg = c.valueArg[i];
        const v = arg ? arg(r) : 1;
        args[i] = v === null ? NaN : Number(v);
      }
    }
    this.recordRuns!.add(s.words, words, s.length, hashWords(s.words, 0, words, s.length), seq, args);
  }

  /**
   * The scan ended before the record runs wrote anything: the records in the arena go into the table, in memory
   * (a query whose groups fit its budget spills nothing, however unique its keys).
   */
  drainRecordRuns(): void {
    const runs = this.recordRuns;
    if (!runs || runs.wroteRuns) return;
    runs.drain((i32, keyAt, len, hash, seq, f64, argsAt) => {
      const g = this.groups.findKey(i32, keyAt, (len + 3) >>> 2, len, hash, seq);
      this.groups.current.states.addRecordAt(g, f64, argsAt, seq);
    });
    this.lastLength = -1;
    this.memo.clear();
  }

  /** Bytes the record runs' arena holds (not yet written). */
  get recordBytes(): number {
    return this.recordRuns?.usedBytes ?? 0;
  }

  /** The pass is done: what its record runs hold is written and their arena freed. */
  closeRecordRuns(): void {
    this.recordRuns?.close();
  }

  /**
   * The first pass of the two-pass top-N: the groups so far go into a new sketch (each with its ranking value, an
   * upper bound: negative values as zero) and only the sampled ones stay, exact. The rest of the pass follows them.
   */
  toSketch(width: number): void {
    if (!this.canSketch) return;
    const sketch = new CountMin(width);
    const kept = new PartitionedGroups(this.kinds);
    const rank = this.plan.rankAggregate!; // canSketch: there is one
    for (const part of this.groups.parts) {
      if (!part) continue;
      const { table, states } = part;
      for (let g = 0; g < table.size; g++) {
        const hash = table.hashes[g];
        const value = states.finish(g, rank);
        sketch.add(hash, typeof value === 'number' ? value : 0);
        if (!sampled(hash)) continue;
        const target = kept.findWords(table, g);
        kept.current.states.merge(target, states, g);
      }
    }
    // Groups spilled before the turn go into the sketch and the sample too; the second pass reads the input again,
    // so the runs themselves are done with.
    foldRunsIntoSketch(this.runs, this.kinds, rank, sketch, kept);
    this.runs.length = 0;
    this.groups.release();
    this.groups = kept;
    this.turned = sketch;
    this.lastLength = -1;
    this.memo.clear();
  }

  /** Each DISTINCT aggregate's (group key, value) into its entries, in its group's partition. NULLs are not values. */
  private addDistinct(r: RecordView, c: AggregateBinding, words: number, seq: number): void {
    const s = this.scratch;
    const groupHash = this.lastHash;
    const keyLength = s.length;
    for (let j = 0; j < this.distinct.length; j++) {
      s.length = keyLength;
      c.distinctArg[j](r, s);
      if (s.length === keyLength + 1 && s.bytes[keyLength] === KeyTag.Null) continue;
      const w = s.seal();
      if (this.sameAsLastEntry(j, w)) continue;
      this.distinctEntries[j].add(s, w, hashWords(s.words, 0, w, s.length), groupHash, keyLength, seq);
    }
    s.length = keyLength;
    s.seal();
  }

  /**
   * Whether DISTINCT aggregate j's entry in the scratch (sealed, `words` words) is the one it last added (runs of
   * the same value, e.g. an interface's records): its table has it already. Else it becomes the last one.
   */
  private sameAsLastEntry(j: number, words: number): boolean {
    const s = this.scratch;
    let last = this.lastEntry[j];
    if (s.length === this.lastEntryLength[j]) {
      let q = 0;
      while (q < words && last[q] === s.words[q]) q++;
      if (q === words) return true;
    }
    if (words > last.length) last = this.lastEntry[j] = new Int32Array(words * 2);
    for (let q = 0; q < words; q++) last[q] = s.words[q];
    this.lastEntryLength[j] = s.length;
    return false;
  }

  /** Bytes of the groups and DISTINCT entries (what spilling frees). */
  groupBytes(): number {
    return this.groups.byteSize() + this.distinctEntries.reduce((n, e) => n + e.byteSize(), 0) + (this.recordRuns?.usedBytes ?? 0);
  }

  /** Whether a spill would free something (groups in the table, or records in the record runs' arena). */
  get holdsGroups(): boolean {
    return this.groups.size() > 0 || (this.recordRuns?.usedBytes ?? 0) > 0;
  }

  /** Bytes the pass holds: its groups, and the sketch of a first pass that turned to it. */
  byteSize(): number {
    return this.groupBytes() + (this.turned ? this.turned.cells.byteLength : 0);
  }
}
