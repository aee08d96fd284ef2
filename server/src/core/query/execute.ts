// The executor: plan once, then one tight loop over the lines of each chunk that tests only the fields the query
// uses. Search and aggregation keep constant memory (groups aside); raw rows are capped.
import { DEFAULT_FORMAT, FieldSpans, RecordFormat, headerNames, isHeaderLine, makeFormat, scanFields } from '../scan';
import { Chunk, QuerySource, readChunks } from './sources';
import { planRanges, runInWorkers } from './workers';
import { parseQuery } from './parser';
import { FormatPlan, GroupView, QueryPlan, RowCtx, exprKey } from './plan';
import { lookupField } from '../schema';
import { QueryCancelledError, QueryError } from './errors';
import { BoundedHeap } from './heap';
import { TextCache, Value, compareValues, detach, intAt, isNumericField } from './values';

export interface QueryOptions {
  /** Rows returned at most for a search or a SQL query without LIMIT (the match count stays exact); default 10,000. */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /**
   * Search queries: the rows found so far, in batches as the scan finds them (file order). The batches, joined,
   * are the first rows of the result; `columns` are the result's.
   */
  onRows?: (rows: Value[][], columns: string[]) => void;
}

export interface QueryStats {
  /** Well-formed records scanned. */
  records: number;
  matched: number;
  /** Record lines skipped: wrong field count, or an unreadable number in a field the query uses. */
  malformed: number;
  bytes: number;
  elapsedMs: number;
}

export interface QueryResult {
  columns: string[];
  rows: Value[][];
  stats: QueryStats;
  kind: 'search' | 'sql';
}

export const DEFAULT_ROW_LIMIT = 10_000;

/** Parses and plans a query without running it: the as-you-type check. */
export function checkQuery(query: string): QueryError | undefined {
  try {
    new QueryPlan(parseQuery(query), query);
    return undefined;
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
}

/**
 * The groups of an aggregation, compact: group g's key values at keys[g × keyCount …], its first row's values at
 * first[g × firstCount …], and the state of its aggregate i at a = g × width + i: its count at acc[2a] and sum at
 * acc[2a + 1], side by side so a record's update touches one cache line (and in
 * `values` for min/max, `sets` for DISTINCT, when the plan has such aggregates). Flat arrays keep many groups
 * cheap to update, to send from a worker and to merge.
 */
export interface GroupTable {
  size: number;
  keyCount: number;
  firstCount: number;
  width: number;
  keys: Value[];
  first: Value[];
  acc: Float64Array;
  values: Value[];
  sets: (Set<Value> | undefined)[];
}

const AGG_STAR = 0;
const AGG_DISTINCT = 1;
const AGG_SUM = 2;
const AGG_MIN = 3;
const AGG_MAX = 4;
const AGG_COUNT = 5;

function aggKinds(plan: QueryPlan): Uint8Array {
  return Uint8Array.from(plan.aggs, (a) => (a.star ? AGG_STAR : a.distinct ? AGG_DISTINCT : a.fn === 'sum' || a.fn === 'avg' ? AGG_SUM : a.fn === 'min' ? AGG_MIN : a.fn === 'max' ? AGG_MAX : AGG_COUNT));
}

function newTable(plan: QueryPlan): GroupTable {
  return {
    size: 0, keyCount: plan.groupBy.length, firstCount: plan.firstRowFields.length, width: plan.aggs.length,
    keys: [], first: [], acc: new Float64Array(0), values: [], sets: [],
  };
}

/** Appends a group with empty states; returns its id. */
function addGroup(t: GroupTable, kinds: Uint8Array, keys: Value[], first: Value[]): number {
  const id = t.size++;
  const width = t.width;
  for (const k of keys) t.keys.push(k);
  for (const v of first) t.first.push(v);
  if (t.size * width * 2 > t.acc.length) {
    const acc = new Float64Array(Math.max(64, t.size * 2) * width * 2);
    acc.set(t.acc);
    t.acc = acc;
  }
  const hasValues = kinds.some((k) => k === AGG_MIN || k === AGG_MAX);
  const hasSets = kinds.includes(AGG_DISTINCT);
  for (let i = 0; i < width; i++) {
    if (hasValues) t.values.push(null);
    if (hasSets) t.sets.push(kinds[i] === AGG_DISTINCT ? new Set() : undefined);
  }
  return id;
}

/**
 * The number of a NULL group key (keys' numbers: interned text < 2^17, see Interner; integers and expression
 * values < 2^16).
 */
const NULL_NUMBER = 1 << 17;

function mixPair(x: number, y: number): number {
  const h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y + 0x7f4a7c15, 0x85ebca77);
  return h ^ (h >>> 15);
}

/** Ids by two numbers ≥ 0 (open addressing; a slot holds x, y and the id, so a probe reads one cache line). */
export class PairTable {
  private slots = new Int32Array(3 * 1024).fill(-1);
  private mask = 1023;
  private size = 0;

  get(x: number, y: number): number {
    const slots = this.slots;
    let i = mixPair(x, y) & this.mask;
    for (;;) {
      const at = i * 3;
      const a = slots[at];
      if (a < 0) return -1;
      if (a === x && slots[at + 1] === y) return slots[at + 2];
      i = (i + 1) & this.mask;
    }
  }

  set(x: number, y: number, id: number): void {
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    let i = mixPair(x, y) & this.mask;
    while (this.slots[i * 3] >= 0) i = (i + 1) & this.mask;
    this.slots[i * 3] = x;
    this.slots[i * 3 + 1] = y;
    this.slots[i * 3 + 2] = id;
    this.size++;
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(3 * cap).fill(-1);
    this.mask = cap - 1;
    this.size = 0;
    for (let at = 0; at < old.length; at += 3) if (old[at] >= 0) this.set(old[at], old[at + 1], old[at + 2]);
  }
}

/**
 * How a pass's groups come from another pass's on the same scan: its group keys are some of the other's, its
 * aggregates are some of the other's (count, min, max, and sum/avg of plain numeric fields: integer sums, exact in
 * any order), it takes the same records (same search and WHERE) and reads some of the numeric fields the other
 * reads. Then adding up the other's groups by its keys gives its groups over the records the other took; the
 * records the other skipped as malformed (a number of a field only it reads does not parse) the pass evaluates
 * itself, and the two are merged in the order their groups first occur. E.g. top sources from top pairs, actions
 * from the timeline.
 */
interface Rollup {
  source: QueryPass;
  keyMap: number[];
  aggMap: number[];
  firstMap: number[];
}

export function rollupOf(source: QueryPass, target: QueryPass): Rollup | undefined {
  const a = source.plan;
  const b = target.plan;
  if (!a.aggregate || !b.aggregate || a.filterKey() !== b.filterKey()) return undefined;
  const aNumeric = new Set(a.numericFields().split(' '));
  if (!b.numericFields().split(' ').every((f) => f === '' || aNumeric.has(f))) return undefined;
  const aKeys = a.groupBy.map(exprKey);
  const keyMap = b.groupBy.map((g) => aKeys.indexOf(exprKey(g)));
  const aggMap = b.aggs.map((spec) => {
    if (spec.distinct) return -1;
    const exact = spec.star || spec.fn === 'count' || spec.fn === 'min' || spec.fn === 'max'
      || (spec.arg?.kind === 'column' && isNumericField(lookupField(spec.arg.name)));
    return exact ? a.aggs.findIndex((x) => x.key === spec.key) : -1;
  });
  const firstMap = b.firstRowFields.map((f) => a.firstRowFields.indexOf(f));
  if (keyMap.includes(-1) || aggMap.includes(-1) || firstMap.includes(-1)) return undefined;
  return { source, keyMap, aggMap, firstMap };
}

/**
 * Adds up the groups of `from` into `into` by the rollup's keys (see Rollup), and the groups of `own` (the same
 * plan's, over other records) as they are: in the order of their first records (`fromFirst`, `ownFirst`).
 */
function rollupGroups(into: GroupTable, kinds: Uint8Array, from: GroupTable, r: Rollup, fromFirst: number[], own: GroupTable, ownFirst: number[]): void {
  const index = new GroupIndex();
  const keyCount = into.keyCount;
  const width = into.width;
  const keys: Value[] = new Array<Value>(keyCount);
  let o = 0;
  for (let g = 0; g < from.size; g++) {
    while (o < own.size && ownFirst[o] < fromFirst[g]) addGroupFrom(into, index, kinds, own, o++);
    for (let j = 0; j < keyCount; j++) keys[j] = from.keys[g * from.keyCount + r.keyMap[j]];
    let id = index.find(keys, 0, keyCount);
    if (id === undefined) {
      id = addGroup(into, kinds, keys.slice(), r.firstMap.map((m) => from.first[g * from.firstCount + m]));
      index.add(into.keys, id * keyCount, keyCount, id);
    }
    for (let i = 0; i < width; i++) {
      const at = id * width + i;
      const src = g * from.width + r.aggMap[i];
      const kind = kinds[i];
      if ((kind === AGG_MIN || kind === AGG_MAX) && from.acc[2 * src] > 0) {
        const c = into.acc[2 * at] === 0 ? 0 : compareValues(from.values[src], into.values[at]);
        if (into.acc[2 * at] === 0 || (kind === AGG_MIN ? c < 0 : c > 0)) into.values[at] = from.values[src];
      }
      into.acc[2 * at] += from.acc[2 * src];
      into.acc[2 * at + 1] += from.acc[2 * src + 1];
    }
  }
  while (o < own.size) addGroupFrom(into, index, kinds, own, o++);
}

/** Group ids by key values: the value itself for one key, nested maps for two, a key string for more. */
class GroupIndex {
  readonly one = new Map<Value, number>();
  readonly two = new Map<Value, Map<Value, number>>();
  readonly many = new Map<string, number>();

  /** The id of the group whose keys are keys[at … at + count). */
  find(keys: Value[], at: number, count: number): number | undefined {
    if (count === 0) return this.one.get('');
    if (count === 1) return this.one.get(keys[at]);
    if (count === 2) return this.two.get(keys[at])?.get(keys[at + 1]);
    return this.many.get(keyString(keys.slice(at, at + count)));
  }

  add(keys: Value[], at: number, count: number, id: number): void {
    if (count === 0) this.one.set('', id);
    else if (count === 1) this.one.set(keys[at], id);
    else if (count === 2) {
      let inner = this.two.get(keys[at]);
      if (!inner) this.two.set(keys[at], (inner = new Map()));
      inner.set(keys[at + 1], id);
    } else this.many.set(keyString(keys.slice(at, at + count)), id);
  }
}

function keyString(keys: Value[]): string {
  return keys.map((v) => (v === null ? '\u0000' : typeof v === 'number' ? `n${v}` : `s${v}`)).join('\u0001');
}

/** What one pass over some lines found: everything needed to merge passes and finish the result. */
export interface PassResult {
  records: number;
  matched: number;
  malformed: number;
  /** Lines seen (to number the lines of later ranges of the same file). */
  lines: number;
  /** Raw search rows (file and line last) or plain SQL rows without ORDER BY, in file order. */
  rows: Value[][];
  ordered: { keys: Value[]; row: Value[]; seq: number }[];
  groups: GroupTable;
  formatNames?: string[];
  /** A header line was seen after the start of a range that did not begin its file (the format changed mid-range). */
  lateHeader: boolean;
  /** Rows found before the first such header (rows bound as one thread binds them, when earlier ranges had none). */
  rowsBeforeLateHeader?: number;
}

/** One pass over chunks of lines: the tight loop. Followers evaluate more plans on the same scan. */
export class QueryPass {
  /** The record under evaluation, shared by the leader and its followers. */
  private readonly row: RowCtx;
  private readonly followers: QueryPass[] = [];
  /** This pass and its followers (on the leader). */
  private readonly passes: QueryPass[] = [this];
  /** The passes that evaluate each record: the others are rolled up from one of these at the end (see rollupOf). */
  private live: QueryPass[] = [this];
  /** The followers rolled up from a live pass (they evaluate only the records their source found malformed). */
  private rolled: QueryPass[] = [];
  private derived?: Rollup;
  /** Records so far (leader), and the record number at which each group of this pass was added. */
  private recordSeq = 0;
  private readonly groupFirst: number[] = [];
  private planned = false;
  /** The numeric fields any pass reads, parsed once per record (leader); `bad[k]` marks one that did not parse. */
  private numeric: number[] = [];
  private bad: Uint8Array;
  /** Aggregate kinds (AGG_*), by aggregate index. */
  private readonly aggKinds: Uint8Array;
  private format: RecordFormat;
  private fp: FormatPlan;
  private file = '';
  private lineNo = 0;
  private seq = 0;
  private readonly heap?: BoundedHeap<{ keys: Value[]; row: Value[]; seq: number }>;
  private readonly rowLimit: number;
  readonly result: PassResult;

  constructor(
    readonly plan: QueryPlan,
    cap: number,
    initialFormat: RecordFormat = DEFAULT_FORMAT,
    private readonly rangeStartsFile = true,
    shared?: { row: RowCtx; bad: Uint8Array },
    private readonly leader?: QueryPass,
  ) {
    this.row = shared?.row ?? { t: '', sp: new FieldSpans(), nums: new Float64Array(64), tc: new TextCache() };
    this.bad = shared?.bad ?? new Uint8Array(64);
    this.format = initialFormat;
    this.fp = plan.forFormat(initialFormat);
    this.aggKinds = aggKinds(plan);
    const sqlRows = plan.kind === 'sql' && !plan.aggregate;
    this.rowLimit = sqlRows ? Math.min(plan.limit ?? cap, cap) : cap;
    if (sqlRows && plan.orderBy.length > 0) {
      this.heap = new BoundedHeap(this.rowLimit, (a, b) => compareKeys(a.keys, b.keys, plan.orderBy) || a.seq - b.seq);
    }
    this.result = { records: 0, matched: 0, malformed: 0, lines: 0, rows: [], ordered: [], groups: newTable(plan), lateHeader: false };
    this.numeric = this.fp.numericPositions;
  }

  /** Evaluates `plan` too, on the lines this pass scans: several queries for the price of one scan. */
  follow(plan: QueryPlan, cap: number): QueryPass {
    const follower = new QueryPass(plan, cap, this.format, this.rangeStartsFile, { row: this.row, bad: this.bad }, this);
    this.followers.push(follower);
    this.passes.push(follower);
    this.planned = false;
    this.bind(this.format);
    return follower;
  }

  private bind(format: RecordFormat): void {
    for (const p of this.passes) {
      p.format = format;
      p.fp = p.plan.forFormat(format);
      // Field positions may differ in the new format: the caches by field value number start over.
      p.byValue = undefined;
      p.nullGroup = -1;
      p.byPair = undefined;
      p.numberedOnly = p.result.groups.size === 0;
      p.exprNumbers = [];
      p.exprLast = [];
      p.exprLastNumber = [];
      p.distinctSeen = [];
      p.distinctFirst = [];
    }
    const union = new Set<number>();
    for (const p of this.passes) for (const k of p.fp.numericPositions) union.add(k);
    this.numeric = [...union].sort((a, b) => a - b);
  }

  /** Which followers can be rolled up from another pass instead of evaluating each record (once, before the scan). */
  private planRollups(): void {
    this.planned = true;
    this.live = [this];
    this.rolled = [];
    // Sources first: a pass is rolled up only from a live pass with more group keys.
    const byKeys = [...this.followers].sort((x, y) => y.plan.groupBy.length - x.plan.groupBy.length);
    for (const f of byKeys) {
      f.derived = undefined;
      for (const source of this.live) {
        const r = source.plan.groupBy.length > f.plan.groupBy.length ? rollupOf(source, f) : undefined;
        if (r) {
          f.derived = r;
          break;
        }
      }
      if (f.derived) this.rolled.push(f);
      else this.live.push(f);
    }
  }

  process(chunk: Chunk): void {
    if (!this.planned) this.planRollups();
    const row = this.row;
    const spans = row.sp;
    const tc = row.tc;
    const passes = this.passes;
    const bad = this.bad;
    if (chunk.fileStart) {
      this.bind(DEFAULT_FORMAT);
      this.lineNo = 0;
    }
    this.file = chunk.file;
    const text = chunk.text;
    row.t = text;
    const len = text.length;
    let start = 0;
    while (start < len) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = len;
      this.lineNo++;
      const n = scanFields(text, start, nl, spans);
      start = nl + 1;
      if (n === 0) continue;
      const c0 = text.charCodeAt(spans.starts[0]);
      if (c0 === 35) continue; // # comment
      if (c0 >= 97 && c0 <= 122 && isHeaderLine(text, spans)) {
        // Parallel ranges bind the format of the file's first line; a header anywhere else needs one thread.
        if (!(this.rangeStartsFile && this.lineNo === 1)) {
          for (const p of passes) {
            p.result.rowsBeforeLateHeader ??= p.result.rows.length;
            p.result.lateHeader = true;
          }
        }
        this.bind(makeFormat(headerNames(text, spans), this.lineNo - 1));
        continue;
      }
      if (n !== this.format.fields.length) {
        for (let i = 0; i < passes.length; i++) passes[i].result.malformed++;
        continue;
      }
      // Parse the numeric fields the passes read once; a number that does not parse makes the line malformed
      // for the passes that read it.
      const numeric = this.numeric;
      if (row.nums.length < n) {
        row.nums = new Float64Array(n * 2);
        this.growBad(n * 2);
      }
      const nums = row.nums;
      let anyBad = false;
      for (let i = 0; i < numeric.length; i++) {
        const k = numeric[i];
        const s = spans.starts[k];
        const e = spans.ends[k];
        if (e - s === 1 && text.charCodeAt(s) === 45) {
          nums[k] = NaN;
          bad[k] = 0;
        } else {
          const v = intAt(text, s, e);
          nums[k] = v;
          if (v !== v) {
            bad[k] = 1;
            anyBad = true;
          } else bad[k] = 0;
        }
      }
      tc.next();
      this.recordSeq++;
      const live = this.live;
      for (let i = 0; i < live.length; i++) live[i].evaluate(anyBad);
      if (anyBad) {
        // A record its source skips as malformed, a rolled-up pass may still take (it reads fewer numbers).
        const rolled = this.rolled;
        for (let i = 0; i < rolled.length; i++) if (rolled[i].derived!.source.isBad()) rolled[i].evaluate(true);
      }
    }
    for (const p of passes) p.result.lines = this.lineNo;
  }

  private growBad(size: number): void {
    // The followers share the array: grow it in place for all of them (the leader's is the one they hold).
    const grown = new Uint8Array(size);
    grown.set(this.bad);
    for (const p of this.passes) p.bad = grown;
  }

  /** Whether a numeric field this pass reads did not parse in the current record. */
  private isBad(): boolean {
    const numeric = this.fp.numericPositions;
    for (let i = 0; i < numeric.length; i++) if (this.bad[numeric[i]] === 1) return true;
    return false;
  }

  /** The plan's work on the current record (its field count checked, its numbers parsed). */
  private evaluate(anyBad: boolean): void {
    const plan = this.plan;
    const row = this.row;
    const res = this.result;
    const fp = this.fp;
    if (anyBad) {
      const numeric = fp.numericPositions;
      const bad = this.bad;
      for (let i = 0; i < numeric.length; i++) {
        if (bad[numeric[i]] === 1) {
          res.malformed++;
          return;
        }
      }
    }
    res.records++;
    if (!fp.matchesAll && !fp.search(row)) return;
    if (fp.where && !fp.where(row)) return;
    res.matched++;
    if (plan.aggregate) {
      this.accumulate(this.groupId());
    } else if (this.heap) {
      this.heap.push({ keys: fp.orderKeys.map((f) => detach(f(row))), row: fp.project.map((f) => detach(f(row))), seq: this.seq++ });
    } else if (res.rows.length < this.rowLimit) {
      res.formatNames ??= [...this.format.names];
      const values = fp.project.map((f) => detach(f(row)));
      if (plan.kind === 'search') {
        const lead = this.leader ?? this;
        values.push(lead.file, lead.lineNo);
      }
      res.rows.push(values);
    }
  }

  /** The result, with the format names for column headers. */
  finish(): PassResult {
    this.result.formatNames ??= [...this.format.names];
    if (this.heap) this.result.ordered = this.heap.sorted();
    const t = this.result.groups;
    t.acc = t.acc.slice(0, t.size * t.width * 2);
    for (const f of this.followers) if (!f.derived) f.finish();
    for (const f of this.followers) if (f.derived) f.finishRollup(f.derived);
    return this.result;
  }

  private finishRollup(r: Rollup): void {
    // The records of its own (those its source found malformed) are counted in `res` already, and its malformed
    // lines all (a number it reads that does not parse is one its source reads too).
    const from = r.source.result;
    const res = this.result;
    res.records += from.records;
    res.matched += from.matched;
    res.formatNames ??= [...this.format.names];
    const own = res.groups;
    res.groups = newTable(this.plan);
    rollupGroups(res.groups, this.aggKinds, from.groups, r, r.source.groupFirst, own, this.groupFirst);
    res.groups.acc = res.groups.acc.slice(0, res.groups.size * res.groups.width * 2);
  }

  // The group of the record: by the numbers of its key values (byValue, byPair) when they have numbers, else one
  // Map lookup for one key (the value itself is the key, so 5 and '5' stay apart; text values come interned, see
  // TextCache), two for two keys (pairs, time × action) without building a key string per record, a key string
  // for more. The index by values is filled lazily: groups [0, indexed) are in it.
  private readonly index = new GroupIndex();
  private indexed = 0;
  /**
   * Every group was found by its key numbers under the current format: the caches by number know them all, so a
   * value number they miss is a new group (no lookup by value needed).
   */
  private numberedOnly = true;

  /** Group ids + 1 by the number of the key's value (one key), and the id of the NULL key's group (or -1). */
  private byValue?: Int32Array;
  private nullGroup = -1;
  /** Group ids by the numbers of the two keys' values. */
  private byPair?: PairTable;
  /** Per DISTINCT aggregate: the (group, value number) pairs seen (plain fields). */
  private distinctSeen: PairTable[] = [];
  /** Per DISTINCT aggregate: the value numbers group 0 has seen (1), as bytes. */
  private distinctFirst: (Uint8Array | undefined)[] = [];

  private growDistinctFirst(i: number, n: number): Uint8Array {
    const old = this.distinctFirst[i];
    const grown = new Uint8Array(Math.max(256, (n + 1) * 2));
    if (old) grown.set(old);
    this.distinctFirst[i] = grown;
    return grown;
  }
  /** Numbers of the values of keys that are expressions (not plain fields), by key. */
  private exprNumbers: Map<Value, number>[] = [];
  /** By key: the last expression value numbered, and its number. */
  private exprLast: (Value | undefined)[] = [];
  private exprLastNumber: number[] = [];

  /**
   * A small number for the value of group key i of the current record, the same for the same value while the
   * format stays: the interned text's number (plain text field), the integer (plain numeric field, 0…65535), or
   * a number given per distinct value (expressions); NULL_NUMBER for NULL. -1 when there is none (too many
   * values).
   */
  private keyNumber(i: number): number {
    const fp = this.fp;
    const row = this.row;
    const k = fp.groupFields[i];
    if (k >= 0) {
      if (fp.groupFieldNumeric[i]) {
        const n = row.nums[k];
        return (n >>> 0) === n && n < 1 << 16 ? n : n !== n ? NULL_NUMBER : -1;
      }
      const id = row.tc.id(row.t, row.sp.starts, row.sp.ends, k);
      return id === -1 ? NULL_NUMBER : id;
    }
    const v = fp.groupKeys[i](row);
    if (v === null) return NULL_NUMBER;
    // Consecutive records often share the value (histogram buckets of time-ordered logs): the last one's number.
    if (v === this.exprLast[i]) return this.exprLastNumber[i];
    const numbers = (this.exprNumbers[i] ??= new Map());
    let n = numbers.get(v);
    if (n === undefined) {
      if (numbers.size >= 1 << 16) return -1;
      n = numbers.size;
      numbers.set(v, n);
    }
    this.exprLast[i] = v;
    this.exprLastNumber[i] = n;
    return n;
  }

  private groupId(): number {
    const fp = this.fp;
    const keyFns = fp.groupKeys;
    const row = this.row;
    switch (keyFns.length) {
      case 0:
        return this.result.groups.size > 0 ? 0 : this.newGroup([]);
      case 1: {
        // The value's number indexes a cache of the group ids, in front of the map by value.
        const n = this.keyNumber(0);
        if (n === NULL_NUMBER) {
          if (this.nullGroup < 0) this.nullGroup = (this.numberedOnly ? undefined : this.caughtUp().one.get(null)) ?? this.newGroup([null]);
          return this.nullGroup;
        }
        if (n >= 0) {
          const cache = this.byValue && n < this.byValue.length ? this.byValue : this.growByValue(n);
          const known = cache[n] - 1;
          if (known >= 0) return known;
          const a = keyFns[0](row);
          const id = (this.numberedOnly ? undefined : this.caughtUp().one.get(a)) ?? this.newGroup([detach(a)]);
          cache[n] = id + 1;
          return id;
        }
        this.numberedOnly = false;
        const a = keyFns[0](row);
        const id = this.caughtUp().one.get(a);
        if (id !== undefined) return id;
        return this.newGroup([detach(a)]);
      }
      case 2: {
        const x = this.keyNumber(0);
        const y = x >= 0 ? this.keyNumber(1) : -1;
        if (y >= 0) {
          const pairs = (this.byPair ??= new PairTable());
          const known = pairs.get(x, y);
          if (known >= 0) return known;
          const a = keyFns[0](row);
          const b = keyFns[1](row);
          const id = (this.numberedOnly ? undefined : this.caughtUp().two.get(a)?.get(b)) ?? this.newGroup([detach(a), detach(b)]);
          pairs.set(x, y, id);
          return id;
        }
        this.numberedOnly = false;
        const a = keyFns[0](row);
        const b = keyFns[1](row);
        const id = this.caughtUp().two.get(a)?.get(b);
        if (id !== undefined) return id;
        return this.newGroup([detach(a), detach(b)]);
      }
      default: {
        this.numberedOnly = false;
        const keys = keyFns.map((f) => detach(f(row)));
        return this.caughtUp().find(keys, 0, keys.length) ?? this.newGroup(keys);
      }
    }
  }

  /** The index by key values, with the groups added since it was last used. */
  private caughtUp(): GroupIndex {
    const t = this.result.groups;
    for (let g = this.indexed; g < t.size; g++) this.index.add(t.keys, g * t.keyCount, t.keyCount, g);
    this.indexed = t.size;
    return this.index;
  }

  private growByValue(n: number): Int32Array {
    const grown = new Int32Array(Math.max(256, (n + 1) * 2));
    if (this.byValue) grown.set(this.byValue);
    this.byValue = grown;
    return grown;
  }

  private newGroup(keys: Value[]): number {
    this.groupFirst.push((this.leader ?? this).recordSeq);
    return addGroup(this.result.groups, this.aggKinds, keys, this.fp.firstRow.map((f) => detach(f(this.row))));
  }

  private accumulate(id: number): void {
    const kinds = this.aggKinds;
    const width = kinds.length;
    const args = this.fp.aggArgs;
    const fields = this.fp.aggFields;
    const row = this.row;
    const t = this.result.groups;
    const acc = t.acc;
    const base = id * width;
    for (let i = 0; i < width; i++) {
      const kind = kinds[i];
      const at = base + i;
      if (kind === AGG_STAR) {
        acc[2 * at]++;
        continue;
      }
      const k = fields[i];
      if (k >= 0 && kind === AGG_SUM) {
        // sum/avg of a plain numeric field: the parsed number (NaN for `-`, which is NULL).
        const x = row.nums[k];
        if (x === x) {
          acc[2 * at]++;
          acc[2 * at + 1] += x;
        }
        continue;
      }
      if (k >= 0 && (kind === AGG_MIN || kind === AGG_MAX)) {
        // min/max of a plain numeric field: compared as numbers, without a Value per record.
        const x = row.nums[k];
        if (x !== x) continue;
        const n = ++acc[2 * at];
        const current = t.values[at] as number;
        if (n === 1 || (kind === AGG_MIN ? x < current : x > current)) t.values[at] = x;
        continue;
      }
      const v = k >= 0 ? (row.nums[k] !== row.nums[k] ? null : row.nums[k]) : args[i]!(row);
      if (v === null) continue;
      if (kind === AGG_DISTINCT) {
        // A plain field's value number, when it has one, says whether the group has seen the value.
        let n = -1;
        if (k >= 0) {
          const x = row.nums[k];
          if ((x | 0) === x && x >= 0) n = x;
        } else if (this.fp.aggTextFields[i] >= 0) n = row.tc.id(row.t, row.sp.starts, row.sp.ends, this.fp.aggTextFields[i]);
        if (n >= 0 && id === 0 && n < 1 << 17) {
          // Group 0 (the one group of a query without GROUP BY): a byte per value number.
          let seen = this.distinctFirst[i];
          if (seen === undefined || n >= seen.length) seen = this.growDistinctFirst(i, n);
          if (seen[n] === 1) continue;
          seen[n] = 1;
        } else if (n >= 0) {
          const seen = (this.distinctSeen[i] ??= new PairTable());
          if (seen.get(id, n) >= 0) continue;
          seen.set(id, n, 0);
        }
        const set = t.sets[at]!;
        if (!set.has(v)) set.add(detach(v));
        continue;
      }
      const n = ++acc[2 * at];
      if (kind === AGG_SUM) acc[2 * at + 1] += typeof v === 'number' ? v : Number(v);
      else if (kind === AGG_MIN) {
        if (n === 1 || compareValues(v, t.values[at]) < 0) t.values[at] = detach(v);
      } else if (kind === AGG_MAX) {
        if (n === 1 || compareValues(v, t.values[at]) > 0) t.values[at] = detach(v);
      }
    }
  }
}

/** Merges the results of passes over consecutive ranges, in file order. */
export function mergePasses(plan: QueryPlan, parts: PassResult[], cap: number): PassResult {
  const out: PassResult = { records: 0, matched: 0, malformed: 0, lines: 0, rows: [], ordered: [], groups: newTable(plan), lateHeader: false };
  const heap = plan.kind === 'sql' && !plan.aggregate && plan.orderBy.length > 0
    ? new BoundedHeap<{ keys: Value[]; row: Value[]; seq: number }>(Math.min(plan.limit ?? cap, cap), (a, b) => compareKeys(a.keys, b.keys, plan.orderBy) || a.seq - b.seq)
    : undefined;
  const rowLimit = plan.kind === 'sql' && !plan.aggregate ? Math.min(plan.limit ?? cap, cap) : cap;
  const kinds = aggKinds(plan);
  const index = new GroupIndex();
  // The first range's groups are taken as they are (the merge only adds the later ranges' to them).
  if (parts.length > 0) {
    const first = parts[0].groups;
    out.groups = first;
    for (let g = 0; g < first.size; g++) index.add(first.keys, g * first.keyCount, first.keyCount, g);
  }
  parts.forEach((p, partIndex) => {
    out.records += p.records;
    out.matched += p.matched;
    out.malformed += p.malformed;
    out.lateHeader ||= p.lateHeader;
    out.formatNames ??= p.formatNames;
    for (const r of p.rows) if (out.rows.length < rowLimit) out.rows.push(r);
    for (const o of p.ordered) heap?.push({ ...o, seq: partIndex * 2 ** 32 + o.seq });
    if (partIndex > 0) mergeGroups(out.groups, index, kinds, p.groups);
  });
  if (heap) out.ordered = heap.sorted();
  return out;
}

/**
 * The table with its key values as numbers into a list of the distinct ones (`keyIds`, `keyDict`), and
 * `unpackKeys` back: a worker posts each distinct key value once (pairs repeat each address many times).
 */
export function packKeys(t: GroupTable): GroupTable & { keyDict?: Value[]; keyIds?: Int32Array } {
  const numbers = new Map<Value, number>();
  const dict: Value[] = [];
  const ids = new Int32Array(t.keys.length);
  t.keys.forEach((v, i) => {
    let n = numbers.get(v);
    if (n === undefined) {
      n = dict.length;
      dict.push(v);
      numbers.set(v, n);
    }
    ids[i] = n;
  });
  return { ...t, keys: [], keyDict: dict, keyIds: ids };
}

export function unpackKeys(t: GroupTable & { keyDict?: Value[]; keyIds?: Int32Array }): GroupTable {
  if (!t.keyDict || !t.keyIds) return t;
  const dict = t.keyDict;
  const keys: Value[] = new Array<Value>(t.keyIds.length);
  for (let i = 0; i < keys.length; i++) keys[i] = dict[t.keyIds[i]];
  const { keyDict, keyIds, ...table } = t;
  void keyDict;
  void keyIds;
  return { ...table, keys };
}

/** Adds the groups of `from` (a later range) to `into`: new keys append, known ones merge their states. */
function mergeGroups(into: GroupTable, index: GroupIndex, kinds: Uint8Array, from: GroupTable): void {
  for (let g = 0; g < from.size; g++) addGroupFrom(into, index, kinds, from, g);
}

/** Adds group g of `from` to `into` (`index` its groups by keys): a new key appends, a known one merges states. */
function addGroupFrom(into: GroupTable, index: GroupIndex, kinds: Uint8Array, from: GroupTable, g: number): void {
  const { keyCount, firstCount, width } = from;
  let id = index.find(from.keys, g * keyCount, keyCount);
  if (id === undefined) {
    id = addGroup(into, kinds, from.keys.slice(g * keyCount, (g + 1) * keyCount), from.first.slice(g * firstCount, (g + 1) * firstCount));
    index.add(into.keys, id * keyCount, keyCount, id);
  }
  for (let i = 0; i < width; i++) {
    const a = id * width + i;
    const b = g * width + i;
    const kind = kinds[i];
    if (kind === AGG_DISTINCT) {
      const set = into.sets[a]!;
      for (const v of from.sets[b]!) set.add(v);
      continue;
    }
    if ((kind === AGG_MIN || kind === AGG_MAX) && from.acc[2 * b] > 0) {
      const c = into.acc[2 * a] === 0 ? 0 : compareValues(from.values[b], into.values[a]);
      if (into.acc[2 * a] === 0 || (kind === AGG_MIN ? c < 0 : c > 0)) into.values[a] = from.values[b];
    }
    into.acc[2 * a] += from.acc[2 * b];
    into.acc[2 * a + 1] += from.acc[2 * b + 1];
  }
}

/** Columns and rows of a finished (merged) pass. */
export function finishResult(plan: QueryPlan, pass: PassResult): { columns: string[]; rows: Value[][] } {
  const names = pass.formatNames ?? [...DEFAULT_FORMAT.names];
  if (plan.kind === 'search') return { columns: [...names, 'file', 'line'], rows: pass.rows };
  if (!plan.aggregate) {
    const columns = plan.columns.flatMap((c) => (c === '*' ? names : [c]));
    return { columns, rows: plan.orderBy.length > 0 ? pass.ordered.map((o) => o.row) : pass.rows };
  }
  if (pass.groups.size === 0 && plan.groupBy.length === 0) addGroup(pass.groups, aggKinds(plan), [], plan.firstRowFields.map(() => null));
  return { columns: plan.columns, rows: finishGroups(plan, pass.groups) };
}

/**
 * Runs `pass` (and the passes that follow it) over `source` on this thread, yielding between chunks so that
 * cancellation and progress messages get through; `afterChunk` sees each chunk once the pass has processed it.
 */
export async function scanOnThisThread(
  source: QuerySource,
  pass: QueryPass,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
  afterChunk?: (chunk: Chunk) => void,
): Promise<PassResult> {
  for await (const chunk of readChunks(source)) {
    if (options.signal?.aborted) throw new QueryCancelledError();
    pass.process(chunk);
    afterChunk?.(chunk);
    options.onProgress?.(chunk.bytesDone, chunk.bytesTotal);
    await new Promise<void>((r) => setImmediate(r));
  }
  if (options.signal?.aborted) throw new QueryCancelledError();
  return pass.finish();
}

/** Parses, plans and runs `query` over `source`. Rejects with QueryError, or QueryCancelledError when aborted. */
export async function runQuery(source: QuerySource, query: string, options: QueryOptions = {}): Promise<QueryResult> {
  const started = performance.now();
  const plan = new QueryPlan(parseQuery(query), query);
  const cap = options.limit ?? DEFAULT_ROW_LIMIT;
  // Rows handed to onRows so far: a rerun on one thread (after the workers) goes on from there.
  let emitted = 0;
  const onRows = options.onRows && plan.kind === 'search'
    ? (rows: Value[][], columns: string[]) => {
      emitted += rows.length;
      options.onRows!(rows, columns);
    }
    : undefined;
  let merged: PassResult | undefined;
  let bytes = 0;
  const ranges = source.kind === 'files' ? await planRanges(source.paths) : undefined;
  if (ranges) {
    merged = await runInWorkers(query, ranges, cap, { ...options, onRows });
    if (merged?.lateHeader) merged = undefined; // a header mid-file: the ranges bound the wrong format
    if (merged) bytes = ranges.reduce((n, r) => n + (r.end - r.start), 0);
  }
  if (!merged) {
    const pass = new QueryPass(plan, cap);
    merged = await scanOnThisThread(source, pass, options, (chunk) => {
      bytes = chunk.bytesDone;
      if (onRows && pass.result.rows.length > emitted) onRows(pass.result.rows.slice(emitted), finishResult(plan, pass.result).columns);
    });
  }
  const { columns, rows } = finishResult(plan, merged);
  const stats: QueryStats = {
    records: merged.records, matched: merged.matched, malformed: merged.malformed, bytes,
    elapsedMs: Math.round((performance.now() - started) * 10) / 10,
  };
  return { columns, rows, stats, kind: plan.kind };
}

function compareKeys(a: Value[], b: Value[], order: { descending: boolean }[]): number {
  for (let i = 0; i < order.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) {
      // NULLs stay last in both directions (as DuckDB orders them).
      if (a[i] === null || b[i] === null) return c;
      return order[i].descending ? -c : c;
    }
  }
  return 0;
}

/** The value of aggregate i of group g. */
function finalValue(spec: QueryPlan['aggs'][number], t: GroupTable, g: number, i: number): Value {
  const at = g * t.width + i;
  const set = spec.distinct ? t.sets[at] : undefined;
  if (set) {
    if (spec.fn === 'count') return set.size;
    const values = [...set];
    if (spec.fn === 'sum') return values.length ? values.reduce<number>((s, v) => s + Number(v), 0) : null;
    if (spec.fn === 'avg') return values.length ? values.reduce<number>((s, v) => s + Number(v), 0) / values.length : null;
    const sorted = values.sort(compareValues);
    return sorted.length ? (spec.fn === 'min' ? sorted[0] : sorted[sorted.length - 1]) : null;
  }
  const n = t.acc[2 * at];
  switch (spec.fn) {
    case 'count': return n;
    case 'sum': return n > 0 ? t.acc[2 * at + 1] : null;
    case 'avg': return n > 0 ? t.acc[2 * at + 1] / n : null;
    default: return n > 0 ? t.values[at] : null;
  }
}

function finishGroups(plan: QueryPlan, t: GroupTable): Value[][] {
  const viewOf = (g: number, into?: GroupView): GroupView => {
    const view = into ?? { keys: [], aggs: [], first: [] };
    for (let i = 0; i < t.keyCount; i++) view.keys[i] = t.keys[g * t.keyCount + i];
    for (let i = 0; i < plan.aggs.length; i++) view.aggs[i] = finalValue(plan.aggs[i], t, g, i);
    for (let i = 0; i < t.firstCount; i++) view.first[i] = t.first[g * t.firstCount + i];
    return view;
  };
  // HAVING and the ORDER BY keys are evaluated on one reused view; the SELECT list only for the groups kept.
  type Out = { g: number; keys: Value[] };
  const scratch = viewOf(0);
  const out: Out[] = [];
  for (let g = 0; g < t.size; g++) {
    viewOf(g, scratch);
    if (plan.groupHaving) {
      const h = plan.groupHaving(scratch);
      if (h === null || h === 0 || h === '') continue;
    }
    out.push({ g, keys: plan.groupOrder.map((f) => f(scratch)) });
  }
  const rows = (kept: Out[]) => kept.map((o) => {
    const view = viewOf(o.g);
    return plan.groupSelect.map((f) => f(view));
  });
  const limit = plan.limit ?? Infinity;
  if (plan.groupOrder.length > 0) {
    const cmp = (a: Out, b: Out) => compareKeys(a.keys, b.keys, plan.orderBy);
    if (limit < out.length) {
      const heap = new BoundedHeap<Out>(limit, cmp);
      for (const r of out) heap.push(r);
      return rows(heap.sorted());
    }
    out.sort(cmp);
  }
  return rows(out.slice(0, limit));
}
