// Results so far, on the thread that runs the query (partial.ts makes the threads' snapshots): each thread's latest
// snapshot kept, and all of them merged into results now and then. Small aggregations merge by key with each
// aggregate's own merge (exact for the records read), top-Ns by key from the threads' best groups (provisional).
import type { QueryPlan, GroupView } from './plan';
import { rowOrder } from './rowOrder';
import { Value } from './values';
import { AggregateStates } from './groups/aggregates';
import { decodeKeys } from './groups/keyCodec';
import { keyDisplays } from './groups/groupKeys';
import { planAggKinds } from './groups/mergeGroups';
import { freeBuffers } from '../threads/freeBuffers';
import { GroupsSnapshot, KeyList, PartialOptions, PartialPlanResult, PartialResults, PlanSnapshot, ThreadSnapshot, TopCandidate, defaultPartialMs, snapshotBuffers } from './partial';

const DEBUG = process.env.FLOWLOG_DEBUG_PARTIAL === '1';

function freeSnapshot(snapshot: ThreadSnapshot): void {
  freeBuffers(snapshotBuffers(snapshot));
}

/** Key k of a list as a string (a map key: equal values encode to equal bytes on every thread). */
function keyText(list: Buffer, starts: Int32Array, k: number, from = starts[k], to = starts[k + 1]): string {
  return list.toString('latin1', from, to);
}

/** A key list's bytes as a Buffer (one view for all its keys). */
function keyBuffer(list: KeyList): Buffer {
  return Buffer.from(list.bytes.buffer, list.bytes.byteOffset, list.bytes.byteLength);
}

/**
 * The thread that runs the query: each thread's latest snapshot, merged into results so far, handed on at most
 * every `everyMs` (the first once every thread has sent one, or half that time after the first came).
 */
export class PartialCollector {
  private readonly latest = new Map<number, ThreadSnapshot>();
  private lastHanded = 0;
  private firstCame = 0;
  private stopped = false;
  private mergeMs = 0;
  bytesDone = 0;
  bytesTotal = 0;
  private readonly everyMs: number;

  constructor(private readonly plans: readonly QueryPlan[], private readonly options: PartialOptions, private readonly threads: number) {
    this.everyMs = options.everyMs ?? defaultPartialMs();
  }

  /** A thread's snapshot came. */
  add(snapshot: ThreadSnapshot): void {
    if (this.stopped) return;
    const before = this.latest.get(snapshot.thread);
    this.latest.set(snapshot.thread, snapshot);
    // The snapshot it replaces is let go of at once (its arrays came from another thread: external memory, which
    // waits for a full collection otherwise).
    if (before) freeSnapshot(before);
    const now = performance.now();
    if (this.firstCame === 0) this.firstCame = now;
    const due = this.lastHanded === 0 ? this.latest.size >= this.threads || now - this.firstCame >= this.everyMs / 2 : now - this.lastHanded >= this.everyMs * 0.9;
    if (!due) return;
    this.lastHanded = now;
    const merged = this.merged();
    this.mergeMs += performance.now() - now;
    if (DEBUG) {
      const m = process.memoryUsage();
      process.stderr.write(`[partial] merged in ${(performance.now() - now).toFixed(1)} ms (${this.mergeMs.toFixed(0)} ms in all); threads' snapshots ${[...this.latest.values()].map((s) => `${(s.ms ?? 0).toFixed(0)} ms`).join(', ')} in all; rss ${m.rss >> 20} heap ${m.heapUsed >> 20}/${m.heapTotal >> 20} ext ${m.external >> 20} MB\n`);
    }
    this.options.onResults(merged);
  }

  /** No more results so far (the first pass is done: the results are becoming final). */
  stop(): void {
    this.stopped = true;
    for (const s of this.latest.values()) freeSnapshot(s);
    this.latest.clear();
  }

  private merged(): PartialResults {
    const snapshots = [...this.latest.values()];
    const results = this.plans.map((plan, i): PartialPlanResult | undefined => {
      const mine = snapshots.map((s) => s.plans[i]);
      if (mine.some((m) => m === undefined)) return undefined;
      const columns = [...plan.columns];
      const tops = mine.filter((m): m is Extract<PlanSnapshot, { kind: 'top' }> => m!.kind === 'top');
      if (tops.length === mine.length) {
        return { columns, rows: mergeTop(plan, tops.map((t) => t.candidates)), provisional: true, estimated: tops.some((t) => t.estimated) };
      }
      if (tops.length > 0) return undefined;
      const rows = mergeGroups(plan, mine as GroupsSnapshot[]);
      return rows && { columns, rows, provisional: false, estimated: false };
    });
    return { results, records: snapshots.reduce((n, s) => n + s.records, 0), bytesDone: this.bytesDone, bytesTotal: this.bytesTotal };
  }
}

/**
 * The threads' best groups of a top-N merged by key (counts and sums add; other aggregates, or one not known on
 * some thread, are null), ranked by the plan's ORDER BY, LIMIT applied.
 */
export function mergeTop(plan: QueryPlan, lists: TopCandidate[][]): Value[][] {
  const byKey = new Map<string, TopCandidate>();
  const additive = plan.aggs.map((a) => !a.distinct && (a.fn === 'count' || a.fn === 'sum'));
  for (const list of lists) {
    for (const c of list) {
      const key = JSON.stringify(c.keys);
      const had = byKey.get(key);
      if (!had) {
        byKey.set(key, { keys: c.keys, aggs: c.aggs.map((v, i) => (additive[i] ? v : null)), seq: c.seq });
        continue;
      }
      had.seq = Math.min(had.seq, c.seq);
      const more = c.aggs;
      had.aggs = had.aggs.map((v, i) => (typeof v === 'number' && typeof more[i] === 'number' ? v + (more[i] as number) : null));
    }
  }
  return finishViews(plan, [...byKey.values()].map((c) => ({ view: { keys: c.keys, aggs: c.aggs }, seq: c.seq })));
}


/**
 * The threads' groups of a small aggregation merged by key (each aggregate by its own merge), DISTINCT values
 * counted; undefined when there is nothing to show yet, or a DISTINCT aggregate other than a count.
 */
export function mergeGroups(plan: QueryPlan, snapshots: readonly GroupsSnapshot[]): Value[][] | undefined {
  const kinds = planAggKinds(plan);
  const width = kinds.length;
  const total = snapshots.reduce((n, s) => n + s.seqs.length, 0);
  if (total === 0) return plan.groupBy.length === 0 ? undefined : [];
  const distinctAggs = plan.aggs.flatMap((a, i) => (a.distinct ? [i] : []));
  if (distinctAggs.some((i) => plan.aggs[i].fn !== 'count')) return undefined;
  const count = plan.groupBy.length;
  const display = keyDisplays(plan.groupBy);
  const states = new AggregateStates(kinds, total);
  const index = new Map<string, number>();
  const groups: { keys: Value[]; seq: number }[] = [];
  for (const s of snapshots) {
    const text = keyBuffer(s.keys);
    for (let g = 0; g < s.seqs.length; g++) {
      const key = keyText(text, s.keys.starts, g);
      let id = index.get(key);
      if (id === undefined) {
        id = groups.length;
        index.set(key, id);
        const keys = new Array<Value>(count).fill(null);
        decodeKeys(s.keys.bytes, s.keys.starts[g], count, display, keys);
        groups.push({ keys, seq: s.seqs[g] });
      } else groups[id].seq = Math.min(groups[id].seq, s.seqs[g]);
      states.mergeAt(id, s.acc, g * width * 2, s.values, g * width);
    }
  }
  // Each DISTINCT aggregate's values per group (by the group's key bytes), once each.
  const distinctSets = distinctAggs.map((_, j) => {
    const sets = new Map<string, Set<string>>();
    for (const s of snapshots) {
      const d = s.distinct[j];
      if (!d) continue;
      const text = keyBuffer(d.entries);
      const starts = d.entries.starts;
      for (let e = 0; e < d.groupLength.length; e++) {
        const from = starts[e];
        const group = keyText(text, starts, e, from, from + d.groupLength[e]);
        let set = sets.get(group);
        if (!set) sets.set(group, (set = new Set()));
        set.add(keyText(text, starts, e, from + d.groupLength[e]));
      }
    }
    return sets;
  });
  const keyOf = [...index.keys()];
  const views = groups.map((g, id) => {
    const aggs = Array.from({ length: width }, (_, i) => states.finish(id, i));
    distinctAggs.forEach((i, j) => (aggs[i] = distinctSets[j].get(keyOf[id])?.size ?? 0));
    return { view: { keys: g.keys, aggs }, seq: g.seq };
  });
  states.release();
  return finishViews(plan, views);
}

/** Groups to result rows: HAVING, ORDER BY (ties in the order groups first occurred), LIMIT, the SELECT list. */
function finishViews(plan: QueryPlan, groups: { view: GroupView; seq: number }[]): Value[][] {
  const ranked: { keys: Value[]; seq: number; view: GroupView }[] = [];
  for (const { view, seq } of groups) {
    if (plan.groupHaving) {
      const h = plan.groupHaving(view);
      if (h === null || h === 0 || h === '') continue;
    }
    ranked.push({ keys: plan.groupOrder.map((f) => f(view)), seq, view });
  }
  ranked.sort(rowOrder(plan));
  return ranked.slice(0, plan.limit ?? ranked.length).map((r) => plan.groupSelect.map((f) => f(r.view)));
}
