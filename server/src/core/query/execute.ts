// The executor: plan once, then one tight loop over the lines of each chunk that tests only the fields the query
// uses. Search and aggregation keep constant memory (groups aside); raw rows are capped.
import { DEFAULT_FORMAT, FieldSpans, RecordFormat, headerNames, isHeaderLine, makeFormat, scanFields } from '../scan';
import { Chunk, QuerySource, readChunks } from './sources';
import { planRanges, runInWorkers } from './workers';
import { parseQuery } from './parser';
import { FormatPlan, QueryPlan, RowCtx } from './plan';
import { QueryCancelledError, QueryError } from './errors';
import { BoundedHeap } from './heap';
import { Value, compareValues, detach, intAt } from './values';

export interface QueryOptions {
  /** Rows returned at most for a search or a SQL query without LIMIT (the match count stays exact); default 10,000. */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
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

export type AggState = { n: number; sum: number; any: boolean; v: Value; set?: Set<Value> };

export interface Group {
  keys: Value[];
  aggs: AggState[];
  first: Value[];
}

const newState = (distinct: boolean): AggState => ({ n: 0, sum: 0, any: false, v: null, set: distinct ? new Set() : undefined });

function keyOf(v: Value): string {
  return v === null ? '\u0000' : typeof v === 'number' ? `n${v}` : `s${v}`;
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
  groups: Map<Value, Group>;
  formatNames?: string[];
  /** A header line was seen after the start of a range that did not begin its file (the format changed mid-range). */
  lateHeader: boolean;
}

/** One pass over chunks of lines: the tight loop. Followers evaluate more plans on the same scan. */
export class QueryPass {
  private readonly row: RowCtx;
  private readonly followers: QueryPass[] = [];
  /** Groups of two-key queries, by first then second key (the flat map in the result holds the same groups). */
  private readonly nested = new Map<Value, Map<Value, Group>>();
  private format: RecordFormat;
  private fp: FormatPlan;
  private file = '';
  private lineNo = 0;
  private seq = 0;
  private readonly heap?: BoundedHeap<{ keys: Value[]; row: Value[]; seq: number }>;
  private readonly rowLimit: number;
  readonly result: PassResult;

  constructor(
    private readonly plan: QueryPlan,
    cap: number,
    initialFormat: RecordFormat = DEFAULT_FORMAT,
    private readonly rangeStartsFile = true,
    private readonly spans = new FieldSpans(),
  ) {
    this.row = { t: '', sp: spans, nums: new Float64Array(64) };
    this.format = initialFormat;
    this.fp = plan.forFormat(initialFormat);
    const sqlRows = plan.kind === 'sql' && !plan.aggregate;
    this.rowLimit = sqlRows ? Math.min(plan.limit ?? cap, cap) : cap;
    if (sqlRows && plan.orderBy.length > 0) {
      this.heap = new BoundedHeap(this.rowLimit, (a, b) => compareKeys(a.keys, b.keys, plan.orderBy) || a.seq - b.seq);
    }
    this.result = { records: 0, matched: 0, malformed: 0, lines: 0, rows: [], ordered: [], groups: new Map(), lateHeader: false };
  }

  /** Evaluates `plan` too, on the lines this pass scans: several queries for the price of one scan. */
  follow(plan: QueryPlan, cap: number): QueryPass {
    const follower = new QueryPass(plan, cap, this.format, this.rangeStartsFile, this.spans);
    this.followers.push(follower);
    return follower;
  }

  private bind(format: RecordFormat): void {
    this.format = format;
    this.fp = this.plan.forFormat(format);
    for (const f of this.followers) f.bind(format);
  }

  process(chunk: Chunk): void {
    const spans = this.spans;
    const followers = this.followers;
    if (chunk.fileStart) {
      this.bind(DEFAULT_FORMAT);
      this.lineNo = 0;
    }
    this.file = chunk.file;
    const text = chunk.text;
    this.row.t = text;
    for (const f of followers) {
      f.file = chunk.file;
      f.row.t = text;
    }
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
        if (!(this.rangeStartsFile && this.lineNo === 1)) this.result.lateHeader = true;
        this.bind(makeFormat(headerNames(text, spans), this.lineNo - 1));
        continue;
      }
      this.evaluate(text, n);
      for (let i = 0; i < followers.length; i++) {
        followers[i].lineNo = this.lineNo;
        followers[i].evaluate(text, n);
      }
    }
    this.result.lines = this.lineNo;
    for (const f of followers) f.result.lines = this.lineNo;
  }

  /** The plan's work on one scanned record line of `n` fields. */
  private evaluate(text: string, n: number): void {
    const plan = this.plan;
    const spans = this.spans;
    const row = this.row;
    const res = this.result;
    const fp = this.fp;
    if (n !== this.format.fields.length) {
      res.malformed++;
      return;
    }
    // Parse the numeric fields the query reads once; a number that does not parse makes the line malformed.
    const numeric = fp.numericPositions;
    if (row.nums.length < n) row.nums = new Float64Array(n * 2);
    const nums = row.nums;
    let bad = false;
    for (let i = 0; i < numeric.length; i++) {
      const k = numeric[i];
      const s = spans.starts[k];
      const e = spans.ends[k];
      if (e - s === 1 && text.charCodeAt(s) === 45) {
        nums[k] = NaN;
      } else {
        const v = intAt(text, s, e);
        if (v !== v) {
          bad = true;
          break;
        }
        nums[k] = v;
      }
    }
    if (bad) {
      res.malformed++;
      return;
    }
    res.records++;
    if (!fp.search(row)) return;
    if (fp.where && !fp.where(row)) return;
    res.matched++;
    if (plan.aggregate) {
      this.accumulate(this.groupFor());
    } else if (this.heap) {
      this.heap.push({ keys: fp.orderKeys.map((f) => detach(f(row))), row: fp.project.map((f) => detach(f(row))), seq: this.seq++ });
    } else if (res.rows.length < this.rowLimit) {
      res.formatNames ??= [...this.format.names];
      const values = fp.project.map((f) => detach(f(row)));
      if (plan.kind === 'search') values.push(this.file, this.lineNo);
      res.rows.push(values);
    }
  }

  /** The result, with the format names for column headers. */
  finish(): PassResult {
    this.result.formatNames ??= [...this.format.names];
    if (this.heap) this.result.ordered = this.heap.sorted();
    for (const f of this.followers) f.finish();
    return this.result;
  }

  private groupFor(): Group {
    const keyFns = this.fp.groupKeys;
    const groups = this.result.groups;
    const row = this.row;
    let key: Value = '';
    let keys: Value[];
    if (keyFns.length === 0) {
      keys = [];
    } else if (keyFns.length === 1) {
      // One key: the value itself is the Map key (5 and '5' stay apart), no string to build per record.
      key = keyFns[0](row);
      const g = groups.get(key);
      if (g) return g;
      key = detach(key);
      keys = [key];
    } else if (keyFns.length === 2) {
      // Two keys (pairs, time × action): nested maps find the group without building a key string per record.
      const a = keyFns[0](row);
      const b = keyFns[1](row);
      let inner = this.nested.get(a);
      if (inner) {
        const g = inner.get(b);
        if (g) return g;
      } else {
        inner = new Map();
        this.nested.set(detach(a), inner);
      }
      keys = [detach(a), detach(b)];
      key = keys.map(keyOf).join('\u0001');
      const g: Group = { keys, aggs: this.plan.aggs.map((x) => newState(x.distinct)), first: this.fp.firstRow.map((f) => detach(f(row))) };
      inner.set(keys[1], g);
      groups.set(key, g);
      return g;
    } else {
      keys = keyFns.map((f) => detach(f(row)));
      key = keys.map(keyOf).join('\u0001');
    }
    let g = groups.get(key);
    if (!g) {
      g = { keys, aggs: this.plan.aggs.map((a) => newState(a.distinct)), first: this.fp.firstRow.map((f) => detach(f(row))) };
      groups.set(key, g);
    }
    return g;
  }

  private accumulate(g: Group): void {
    const states = g.aggs;
    const aggs = this.plan.aggs;
    const args = this.fp.aggArgs;
    for (let i = 0; i < states.length; i++) {
      const spec = aggs[i];
      const st = states[i];
      if (spec.star) {
        st.n++;
        continue;
      }
      const v = args[i]!(this.row);
      if (v === null) continue;
      if (st.set) {
        if (!st.set.has(v)) st.set.add(detach(v));
        continue;
      }
      st.n++;
      switch (spec.fn) {
        case 'sum':
        case 'avg':
          st.sum += Number(v);
          break;
        case 'min':
          if (!st.any || compareValues(v, st.v) < 0) st.v = detach(v);
          break;
        case 'max':
          if (!st.any || compareValues(v, st.v) > 0) st.v = detach(v);
          break;
        default:
          break;
      }
      st.any = true;
    }
  }
}

/** Merges the results of passes over consecutive ranges, in file order. */
export function mergePasses(plan: QueryPlan, parts: PassResult[], cap: number): PassResult {
  const out: PassResult = { records: 0, matched: 0, malformed: 0, lines: 0, rows: [], ordered: [], groups: new Map(), lateHeader: false };
  const heap = plan.kind === 'sql' && !plan.aggregate && plan.orderBy.length > 0
    ? new BoundedHeap<{ keys: Value[]; row: Value[]; seq: number }>(Math.min(plan.limit ?? cap, cap), (a, b) => compareKeys(a.keys, b.keys, plan.orderBy) || a.seq - b.seq)
    : undefined;
  const rowLimit = plan.kind === 'sql' && !plan.aggregate ? Math.min(plan.limit ?? cap, cap) : cap;
  parts.forEach((p, index) => {
    out.records += p.records;
    out.matched += p.matched;
    out.malformed += p.malformed;
    out.lateHeader ||= p.lateHeader;
    out.formatNames ??= p.formatNames;
    for (const r of p.rows) if (out.rows.length < rowLimit) out.rows.push(r);
    for (const o of p.ordered) heap?.push({ ...o, seq: index * 2 ** 32 + o.seq });
    for (const [key, g] of p.groups) {
      const have = out.groups.get(key);
      if (!have) {
        out.groups.set(key, g);
        continue;
      }
      g.aggs.forEach((st, i) => mergeState(plan.aggs[i].fn, have.aggs[i], st));
    }
  });
  if (heap) out.ordered = heap.sorted();
  return out;
}

function mergeState(fn: string, into: AggState, from: AggState): void {
  if (into.set && from.set) {
    for (const v of from.set) into.set.add(v);
    return;
  }
  into.n += from.n;
  into.sum += from.sum;
  if (from.any) {
    if (!into.any) into.v = from.v;
    else if (fn === 'min' && compareValues(from.v, into.v) < 0) into.v = from.v;
    else if (fn === 'max' && compareValues(from.v, into.v) > 0) into.v = from.v;
  }
  into.any ||= from.any;
}

/** Columns and rows of a finished (merged) pass. */
export function finishResult(plan: QueryPlan, pass: PassResult): { columns: string[]; rows: Value[][] } {
  const names = pass.formatNames ?? [...DEFAULT_FORMAT.names];
  if (plan.kind === 'search') return { columns: [...names, 'file', 'line'], rows: pass.rows };
  if (!plan.aggregate) {
    const columns = plan.columns.flatMap((c) => (c === '*' ? names : [c]));
    return { columns, rows: plan.orderBy.length > 0 ? pass.ordered.map((o) => o.row) : pass.rows };
  }
  if (pass.groups.size === 0 && plan.groupBy.length === 0) {
    pass.groups.set('', { keys: [], aggs: plan.aggs.map((a) => newState(a.distinct)), first: plan.firstRowFields.map(() => null) });
  }
  return { columns: plan.columns, rows: finishGroups(plan, pass.groups) };
}

/** Parses, plans and runs `query` over `source`. Rejects with QueryError, or QueryCancelledError when aborted. */
export async function runQuery(source: QuerySource, query: string, options: QueryOptions = {}): Promise<QueryResult> {
  const started = performance.now();
  const plan = new QueryPlan(parseQuery(query), query);
  const cap = options.limit ?? DEFAULT_ROW_LIMIT;
  let merged: PassResult | undefined;
  let bytes = 0;
  const ranges = source.kind === 'files' ? await planRanges(source.paths) : undefined;
  if (ranges) {
    merged = await runInWorkers(query, ranges, cap, options);
    if (merged?.lateHeader) merged = undefined; // a header mid-file: the ranges bound the wrong format
    if (merged) bytes = ranges.reduce((n, r) => n + (r.end - r.start), 0);
  }
  if (!merged) {
    const pass = new QueryPass(plan, cap);
    for await (const chunk of readChunks(source)) {
      if (options.signal?.aborted) throw new QueryCancelledError();
      pass.process(chunk);
      bytes = chunk.bytesDone;
      options.onProgress?.(chunk.bytesDone, chunk.bytesTotal);
      // Let cancellation and progress messages through between chunks.
      await new Promise<void>((r) => setImmediate(r));
    }
    if (options.signal?.aborted) throw new QueryCancelledError();
    merged = pass.finish();
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

function finalValue(spec: QueryPlan['aggs'][number], st: AggState): Value {
  if (st.set) {
    if (spec.fn === 'count') return st.set.size;
    const values = [...st.set];
    if (spec.fn === 'sum') return values.length ? values.reduce<number>((s, v) => s + Number(v), 0) : null;
    if (spec.fn === 'avg') return values.length ? values.reduce<number>((s, v) => s + Number(v), 0) / values.length : null;
    const sorted = values.sort(compareValues);
    return sorted.length ? (spec.fn === 'min' ? sorted[0] : sorted[sorted.length - 1]) : null;
  }
  switch (spec.fn) {
    case 'count': return st.n;
    case 'sum': return st.any ? st.sum : null;
    case 'avg': return st.any ? st.sum / st.n : null;
    default: return st.any ? st.v : null;
  }
}

function finishGroups(plan: QueryPlan, groups: Map<Value, Group>): Value[][] {
  const out: { row: Value[]; keys: Value[] }[] = [];
  for (const g of groups.values()) {
    const view = { keys: g.keys, aggs: g.aggs.map((st, i) => finalValue(plan.aggs[i], st)), first: g.first };
    if (plan.groupHaving) {
      const h = plan.groupHaving(view);
      if (h === null || h === 0 || h === '') continue;
    }
    out.push({ row: plan.groupSelect.map((f) => f(view)), keys: plan.groupOrder.map((f) => f(view)) });
  }
  const limit = plan.limit ?? Infinity;
  if (plan.groupOrder.length > 0) {
    const cmp = (a: { keys: Value[] }, b: { keys: Value[] }) => compareKeys(a.keys, b.keys, plan.orderBy);
    if (limit < out.length) {
      const heap = new BoundedHeap<{ row: Value[]; keys: Value[] }>(limit, cmp);
      for (const r of out) heap.push(r);
      return heap.sorted().map((r) => r.row);
    }
    out.sort(cmp);
  }
  return out.slice(0, limit).map((r) => r.row);
}
