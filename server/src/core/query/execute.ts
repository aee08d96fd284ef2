// The executor: plan once, then one tight loop over the lines of each chunk that tests only the fields the query
// uses. Search and aggregation keep constant memory (groups aside); raw rows are capped.
import { DEFAULT_FORMAT, FieldSpans, RecordFormat, headerNames, isHeaderLine, makeFormat, scanFields } from '../scan';
import { Chunk, QuerySource, readChunks } from './sources';
import { parseQuery } from './parser';
import { FormatPlan, QueryPlan, RowCtx } from './plan';
import { QueryCancelledError, QueryError } from './errors';
import { BoundedHeap } from './heap';
import { Value, compareValues, intAt } from './values';

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

type AggState = { n: number; sum: number; any: boolean; v: Value; set?: Set<Value> };

interface Group {
  keys: Value[];
  aggs: AggState[];
  first: Value[];
}

const newState = (distinct: boolean): AggState => ({ n: 0, sum: 0, any: false, v: null, set: distinct ? new Set() : undefined });

function keyOf(v: Value): string {
  return v === null ? '\u0000' : typeof v === 'number' ? `n${v}` : `s${v}`;
}

/** Parses, plans and runs `query` over `source`. Rejects with QueryError, or QueryCancelledError when aborted. */
export async function runQuery(source: QuerySource, query: string, options: QueryOptions = {}): Promise<QueryResult> {
  const started = performance.now();
  const plan = new QueryPlan(parseQuery(query), query);
  const cap = options.limit ?? DEFAULT_ROW_LIMIT;
  const stats: QueryStats = { records: 0, matched: 0, malformed: 0, bytes: 0, elapsedMs: 0 };
  const spans = new FieldSpans();
  const row: RowCtx = { t: '', sp: spans };
  const sql = plan.kind === 'sql';
  const aggregate = plan.aggregate;

  // Outputs.
  const rawRows: Value[][] = [];
  const groups = new Map<Value, Group>();
  const ordered = sql && !aggregate && plan.orderBy.length > 0;
  const rowLimit = sql && !aggregate ? Math.min(plan.limit ?? cap, cap) : cap;
  const heap = ordered
    ? new BoundedHeap<{ keys: Value[]; row: Value[]; seq: number }>(rowLimit, (a, b) => compareKeys(a.keys, b.keys, plan.orderBy) || a.seq - b.seq)
    : undefined;
  let firstFormat: RecordFormat | undefined;

  let format = DEFAULT_FORMAT;
  let fp: FormatPlan = plan.forFormat(format);
  let file = '';
  let lineNo = 0;
  let seq = 0;

  const accumulate = (g: Group) => {
    const states = g.aggs;
    for (let i = 0; i < states.length; i++) {
      const spec = plan.aggs[i];
      const st = states[i];
      if (spec.star) {
        st.n++;
        continue;
      }
      const v = fp.aggArgs[i]!(row);
      if (v === null) continue;
      if (st.set) {
        st.set.add(v);
        continue;
      }
      st.n++;
      switch (spec.fn) {
        case 'sum':
        case 'avg':
          st.sum += Number(v);
          break;
        case 'min':
          if (!st.any || compareValues(v, st.v) < 0) st.v = v;
          break;
        case 'max':
          if (!st.any || compareValues(v, st.v) > 0) st.v = v;
          break;
        default:
          break;
      }
      st.any = true;
    }
  };

  const groupFor = (): Group => {
    const keyFns = fp.groupKeys;
    let key: Value = '';
    let keys: Value[];
    if (keyFns.length === 0) {
      keys = [];
    } else if (keyFns.length === 1) {
      // One key: the value itself is the Map key (5 and '5' stay apart), no string to build per record.
      key = keyFns[0](row);
      const g = groups.get(key);
      if (g) return g;
      keys = [key];
    } else {
      keys = keyFns.map((f) => f(row));
      key = keys.map(keyOf).join('\u0001');
    }
    let g = groups.get(key);
    if (!g) {
      g = { keys, aggs: plan.aggs.map((a) => newState(a.distinct)), first: fp.firstRow.map((f) => f(row)) };
      groups.set(key, g);
    }
    return g;
  };

  const processChunk = (chunk: Chunk) => {
    if (chunk.fileStart) {
      format = DEFAULT_FORMAT;
      fp = plan.forFormat(format);
      file = chunk.file;
      lineNo = 0;
    }
    const text = chunk.text;
    row.t = text;
    const len = text.length;
    let start = 0;
    while (start < len) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = len;
      lineNo++;
      const n = scanFields(text, start, nl, spans);
      start = nl + 1;
      if (n === 0) continue;
      const c0 = text.charCodeAt(spans.starts[0]);
      if (c0 === 35) continue; // # comment
      if (c0 >= 97 && c0 <= 122 && isHeaderLine(text, spans)) {
        format = makeFormat(headerNames(text, spans), lineNo - 1);
        fp = plan.forFormat(format);
        continue;
      }
      if (n !== format.fields.length) {
        stats.malformed++;
        continue;
      }
      const numeric = fp.numericPositions;
      let bad = false;
      for (let i = 0; i < numeric.length; i++) {
        const k = numeric[i];
        const s = spans.starts[k];
        const e = spans.ends[k];
        if (!(e - s === 1 && text.charCodeAt(s) === 45) && Number.isNaN(intAt(text, s, e))) {
          bad = true;
          break;
        }
      }
      if (bad) {
        stats.malformed++;
        continue;
      }
      stats.records++;
      if (!fp.search(row)) continue;
      if (fp.where && !fp.where(row)) continue;
      stats.matched++;
      if (aggregate) {
        accumulate(groupFor());
      } else if (heap) {
        heap.push({ keys: fp.orderKeys.map((f) => f(row)), row: fp.project.map((f) => f(row)), seq: seq++ });
      } else if (rawRows.length < rowLimit) {
        firstFormat ??= format;
        const values = fp.project.map((f) => f(row));
        if (!sql) values.push(file, lineNo);
        rawRows.push(values);
      }
    }
  };

  for await (const chunk of readChunks(source)) {
    if (options.signal?.aborted) throw new QueryCancelledError();
    processChunk(chunk);
    stats.bytes = chunk.bytesDone;
    options.onProgress?.(chunk.bytesDone, chunk.bytesTotal);
    // Let cancellation and progress messages through between chunks.
    await new Promise<void>((r) => setImmediate(r));
  }
  if (options.signal?.aborted) throw new QueryCancelledError();

  let columns: string[];
  let rows: Value[][];
  if (!sql) {
    columns = [...(firstFormat ?? format).names, 'file', 'line'];
    rows = rawRows;
  } else if (!aggregate) {
    columns = plan.columns.flatMap((c) => (c === '*' ? [...(firstFormat ?? format).names] : [c]));
    rows = heap ? heap.sorted().map((h) => h.row) : rawRows;
  } else {
    if (groups.size === 0 && plan.groupBy.length === 0) groups.set('', { keys: [], aggs: plan.aggs.map((a) => newState(a.distinct)), first: plan.firstRowFields.map(() => null) });
    columns = plan.columns;
    rows = finishGroups(plan, groups);
  }
  stats.elapsedMs = Math.round((performance.now() - started) * 10) / 10;
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
