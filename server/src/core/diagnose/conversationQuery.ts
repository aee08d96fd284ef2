// Queries over conversations (issue 12): the query language (`[search] [| SQL]`, the engine's own parser, scalar
// semantics and functions) over the rows of the diagnosis, one row per conversation with CONVERSATION_COLUMNS:
//   verdict:response-rejected | select interface_id, count(*) group by interface_id
// The rows are made as the diagnosis closes each conversation (a streaming join over files, folders, .gz, parsed on
// the engine's threads) and evaluated at once: a search keeps its first rows, a SELECT its top rows by ORDER BY, a
// GROUP BY its groups (spilling past a bound: conversationGroups.ts); nothing holds every conversation.
import { forEachChild, mapChildren } from '../query/ast';
import type { Expr, OrderItem, SelectItem } from '../query/ast';
import { QueryError } from '../query/errors';
import { compileScalar } from '../query/expr';
import { Evaluator, aggregateFunction, isAggregateName, scalarFunction, SQL_FUNCTION_NAMES } from '../query/functions';
import { parseQuery } from '../query/parser';
import type { QuerySource } from '../query/input';
import { Value, compareValues, truthy } from '../query/values';
import { DiagnoseOptions, DiagnoseResult, diagnose } from './index';
import { AggregateSpec, DEFAULT_MAX_GROUPS, Group, GroupOutput, GroupRanking, GroupTable, TopRows } from './conversationGroups';
import { compileConversationSearch } from './conversationSearch';
import { COLUMN_NAMES, ConversationView, columnIndex } from './conversationView';

/** Rows of a search (no SQL, or SQL without LIMIT) at most, as the engine's searches (DEFAULT_ROW_LIMIT). */
export const DEFAULT_CONVERSATION_ROWS = 10_000;

export interface ConversationQueryOptions {
  /** Rows at most for a query without LIMIT (default DEFAULT_CONVERSATION_ROWS). */
  limit?: number;
  /** Groups a GROUP BY holds in memory before spilling (default DEFAULT_MAX_GROUPS). */
  maxGroups?: number;
  diagnose?: DiagnoseOptions;
}

export interface ConversationQueryResult {
  columns: string[];
  rows: Value[][];
  kind: 'search' | 'sql';
  stats: {
    /** Conversations the diagnosis found (the rows of the table queried), and those the query took. */
    records: number;
    matched: number;
    /** Record lines of the input skipped as malformed, and records read. */
    malformed: number;
    inputRecords: number;
    /** Bytes of input read. */
    bytes: number;
    elapsedMs: number;
    warnings: string[];
  };
}

type Row = ConversationView;
type Test = (r: Row) => boolean;
type Call = Extract<Expr, { kind: 'call' }>;

interface AggSpec extends AggregateSpec {
  arg?: Evaluator<Row>;
  key: string;
}

/** Canonical text of an expression (positions out, names lower case): equal texts, equal expressions. */
function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v) => (k === 'offset' ? undefined : k === 'name' && typeof v === 'string' ? v.toLowerCase() : v));
}

function closest(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of COLUMN_NAMES) {
    const d = editDistance(lower, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best ?? COLUMN_NAMES.find((c) => c.includes(lower) || lower.includes(c));
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** A query over conversations, checked and compiled once. */
export class ConversationQuery {
  readonly kind: 'search' | 'sql';
  readonly columns: string[];
  readonly aggregate: boolean = false;
  /** GROUP BY was written (else an aggregate query is one row, even over no conversation). */
  readonly grouped: boolean = false;
  readonly limit: number;
  private readonly search: Test;
  private readonly where?: Test;
  private readonly select: Evaluator<Row>[] = [];
  private readonly order: { value: Evaluator<Row>; descending: boolean }[] = [];
  private readonly groupKeys: Evaluator<Row>[] = [];
  private readonly groupKeyTexts: string[] = [];
  readonly aggs: AggSpec[] = [];
  private readonly groupSelect: Evaluator<Group>[] = [];
  private readonly groupOrder: { value: Evaluator<Group>; descending: boolean }[] = [];
  private readonly groupHaving?: Evaluator<Group>;

  constructor(private readonly text: string, rowLimit = DEFAULT_CONVERSATION_ROWS) {
    const query = parseQuery(text);
    const sql = query.sql;
    if (sql?.from && sql.from.name.toLowerCase() !== 'conversations') this.fail(`this query is over conversations: FROM ${sql.from.name} names no other table here (write FROM conversations, or leave FROM out)`, sql.from.offset);
    this.search = compileConversationSearch(query.search, (name, offset) => this.column(name, offset), (message, offset) => this.fail(message, offset));
    this.kind = sql ? 'sql' : 'search';
    this.limit = sql?.limit ?? rowLimit;
    if (!sql) {
      this.columns = [...COLUMN_NAMES];
      this.select = COLUMN_NAMES.map((_, k) => (r: Row) => r.get(k));
      return;
    }
    if (sql.where) {
      this.checkNoAggregate(sql.where, 'WHERE');
      const w = this.row(sql.where);
      this.where = (r) => truthy(w(r));
    }
    const items: SelectItem[] = sql.select.flatMap((s) => (s.expr.kind === 'star'
      ? COLUMN_NAMES.map((name): SelectItem => ({ expr: { kind: 'column', name, offset: s.expr.offset }, text: name }))
      : [s]));
    this.columns = items.map((s) => s.alias ?? s.text);
    const resolve = (e: Expr, clause: 'group' | 'order'): Expr => {
      if (e.kind === 'number' && Number.isInteger(e.value)) {
        const item = items[e.value - 1];
        if (!item) this.fail(`there is no column ${e.value} in the SELECT list`, e.offset);
        return item.expr;
      }
      if (e.kind === 'column') {
        const item = items.find((s) => s.alias !== undefined && s.alias.toLowerCase() === e.name.toLowerCase());
        if (item && (clause === 'order' || columnIndex(e.name) < 0)) return item.expr;
      }
      return e;
    };
    const groupBy = sql.groupBy.map((g) => resolve(g, 'group'));
    this.grouped = groupBy.length > 0;
    const orderBy: OrderItem[] = sql.orderBy.map((o) => ({ expr: resolve(o.expr, 'order'), descending: o.descending }));
    const withAliases = (e: Expr): Expr => {
      if (e.kind === 'column') return items.find((s) => s.alias?.toLowerCase() === e.name.toLowerCase())?.expr ?? e;
      if (e.kind === 'call' && isAggregateName(e.name)) return e;
      return mapChildren(e, withAliases);
    };
    const having = sql.having ? withAliases(sql.having) : undefined;
    groupBy.forEach((g) => this.checkNoAggregate(g, 'GROUP BY'));
    this.aggregate = groupBy.length > 0 || having !== undefined || items.some((s) => hasAggregate(s.expr)) || orderBy.some((o) => hasAggregate(o.expr));
    if (!this.aggregate) {
      this.select = items.map((s) => this.row(s.expr));
      this.order = orderBy.map((o) => ({ value: this.row(o.expr), descending: o.descending }));
      return;
    }
    const star = sql.select.find((s) => s.expr.kind === 'star');
    if (star) this.fail('SELECT * cannot be used with aggregates or GROUP BY', star.expr.offset);
    this.groupKeys = groupBy.map((g) => this.row(g));
    this.groupKeyTexts = groupBy.map(exprKey);
    this.groupSelect = items.map((s) => this.group(s.expr));
    this.groupHaving = having ? this.group(having) : undefined;
    this.groupOrder = orderBy.map((o) => ({ value: this.group(o.expr), descending: o.descending }));
  }

  private fail(message: string, offset: number): never {
    throw new QueryError(message, this.text, offset);
  }

  private column(name: string, offset: number): number {
    const k = columnIndex(name);
    if (k < 0) {
      const guess = closest(name);
      this.fail(`conversations have no column ${name}${guess ? `; did you mean ${guess}?` : ''} (columns: ${COLUMN_NAMES.join(', ')})`, offset);
    }
    return k;
  }

  private checkNoAggregate(e: Expr, clause: string): void {
    if (e.kind === 'call' && isAggregateName(e.name)) this.fail(`${e.name}() is an aggregate: not allowed in ${clause}${clause === 'WHERE' ? ' (filter groups with HAVING)' : ''}`, e.offset);
    forEachChild(e, (c) => this.checkNoAggregate(c, clause));
  }

  /** An expression over one conversation's row. */
  private row(e: Expr): Evaluator<Row> {
    if (e.kind === 'call') {
      if (isAggregateName(e.name)) this.fail(`${e.name}() is an aggregate: not allowed here`, e.offset);
      this.checkCall(e);
    }
    return compileScalar<Row>(e, (c) => this.row(c), (c) => {
      const k = this.column(c.name, c.offset);
      return (r) => r.get(k);
    });
  }

  private checkCall(e: Call): void {
    const fn = scalarFunction(e.name);
    if (!fn) this.fail(`unknown function ${e.name}() (functions: ${SQL_FUNCTION_NAMES.join(', ')})`, e.offset);
    if (e.distinct) this.fail(`DISTINCT is only allowed in aggregates, not in ${e.name}()`, e.offset);
    if (e.args.length < fn.minArgs || e.args.length > fn.maxArgs) {
      this.fail(`${e.name}() takes ${fn.minArgs === fn.maxArgs ? fn.minArgs : `${fn.minArgs}–${fn.maxArgs}`} argument${fn.maxArgs === 1 ? '' : 's'}: ${fn.signature}`, e.offset);
    }
    fn.check?.(e, (message, offset) => this.fail(message, offset));
  }

  /** An expression over a group: its keys, its aggregates, and scalar SQL over them. */
  private group(e: Expr): Evaluator<Group> {
    const keyIndex = this.groupKeyTexts.indexOf(exprKey(e));
    if (keyIndex >= 0) return (g) => g.keys[keyIndex];
    if (e.kind === 'call' && isAggregateName(e.name)) {
      const i = this.aggIndex(e);
      return (g) => g.value(i);
    }
    if (e.kind === 'call') this.checkCall(e);
    return compileScalar<Group>(e, (c) => this.group(c), (column) => {
      this.column(column.name, column.offset);
      this.fail(`${column.name} is neither in GROUP BY nor inside an aggregate: group by it, or use an aggregate such as any_value(${column.name})`, column.offset);
    });
  }

  private aggIndex(e: Call): number {
    const fn = aggregateFunction(e.name)!;
    const key = exprKey({ ...e, name: fn.name });
    const found = this.aggs.findIndex((a) => a.key === key);
    if (found >= 0) return found;
    if (e.distinct && !fn.distinct) this.fail(`${e.name}(distinct …) is not supported`, e.offset);
    const star = fn.name === 'count' && e.args.length === 1 && e.args[0].kind === 'star';
    if (star && e.distinct) this.fail('count(distinct *) is not supported', e.offset);
    if (e.args.length !== 1) this.fail(`${e.name}() takes one argument`, e.offset);
    if (!star) forEachChild(e, (c) => this.checkNoAggregate(c, 'an aggregate'));
    this.aggs.push({ fn: fn.name, distinct: e.distinct, hasArg: !star, arg: star ? undefined : this.row(e.args[0]), key });
    return this.aggs.length - 1;
  }

  /** Whether a conversation is taken (search, then WHERE). */
  takes(r: Row): boolean {
    return this.search(r) && (this.where === undefined || this.where(r));
  }

  selectRow(r: Row): Value[] {
    return this.select.map((f) => f(r));
  }

  orderKey(r: Row): Value[] {
    return this.order.map((o) => o.value(r));
  }

  get ordered(): boolean {
    return this.order.length > 0;
  }

  compareOrder(a: Value[], b: Value[]): number {
    for (let i = 0; i < this.order.length; i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return this.order[i].descending ? -c : c;
    }
    return 0;
  }

  groupKey(r: Row): Value[] {
    return this.groupKeys.map((f) => f(r));
  }

  /** Aggregates' arguments of one conversation, in aggs order (null for count(*)). */
  aggregateArgs(r: Row): Value[] {
    return this.aggs.map((a) => (a.arg ? a.arg(r) : null));
  }

  /** How groups become result rows: HAVING, ORDER BY, LIMIT, SELECT. */
  groupOutput(): GroupOutput {
    const { groupHaving: having, groupOrder: order, groupSelect: select } = this;
    return {
      limit: this.limit,
      keeps: (g) => having === undefined || truthy(having(g)),
      orderKey: (g) => order.map((o) => o.value(g)),
      compareOrder: (a, b) => {
        for (let i = 0; i < order.length; i++) {
          const c = compareValues(a[i], b[i]);
          if (c !== 0) return order[i].descending ? -c : c;
        }
        return 0;
      },
      row: (g) => select.map((f) => f(g)),
    };
  }

  get groupOrdered(): boolean {
    return this.groupOrder.length > 0;
  }
}

function hasAggregate(e: Expr): boolean {
  if (e.kind === 'call' && isAggregateName(e.name)) return true;
  let found = false;
  forEachChild(e, (c) => {
    found ||= hasAggregate(c);
  });
  return found;
}

/** The error of a query over conversations, or undefined when it would run. */
export function checkConversationQuery(text: string): QueryError | undefined {
  try {
    new ConversationQuery(text);
    return undefined;
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
}

const NO_KEY: Value[] = [];

/**
 * Runs a query over the conversations of `source` (checked before the input is read: a query error costs nothing).
 * Rows of a search come in the order the diagnosis closes conversations (about their end time).
 */
export async function runConversationQuery(source: QuerySource, text: string, options: ConversationQueryOptions = {}): Promise<ConversationQueryResult> {
  const t0 = performance.now();
  const q = new ConversationQuery(text, options.limit);
  const view = new ConversationView();
  let conversations = 0;
  let matched = 0;
  // Without GROUP BY: the first `limit` rows, or the best by ORDER BY.
  const top = new TopRows(q.limit, q.ordered ? (a, b) => q.compareOrder(a, b) : undefined);
  const groups = q.aggregate ? new GroupTable(q.aggs, { maxGroups: options.maxGroups, spillDir: options.diagnose?.spillDir, signal: options.diagnose?.signal }) : undefined;
  let result: DiagnoseResult;
  let out: Value[][];
  const warnings: string[] = [];
  try {
    result = await diagnose(source, {
      ...options.diagnose,
      limit: 0,
      list: [],
      collectAll: false,
      onConversation: (c, ctx) => {
        conversations++;
        view.set(c, ctx);
        if (!q.takes(view)) return;
        matched++;
        if (groups) groups.add(q.groupKey(view), () => q.aggregateArgs(view));
        else top.offer(q.ordered ? q.orderKey(view) : NO_KEY, () => q.selectRow(view));
      },
    });
    if (groups) {
      const ranking = new GroupRanking(q.groupOutput(), q.groupOrdered);
      await groups.finish(ranking, !q.grouped);
      out = ranking.rows();
      if (groups.spilledRows > 0) warnings.push(`GROUP BY spilled ${groups.spilledRows.toLocaleString('en-US')} conversations to disk (more than ${(options.maxGroups ?? DEFAULT_MAX_GROUPS).toLocaleString('en-US')} groups): the answer is exact`);
    } else out = top.rows();
  } catch (e) {
    groups?.discard();
    throw e;
  }
  return {
    columns: q.columns,
    rows: out,
    kind: q.kind,
    stats: {
      records: conversations,
      matched,
      malformed: result.input.malformed,
      inputRecords: result.input.records,
      bytes: result.input.bytes,
      elapsedMs: Math.round(performance.now() - t0),
      warnings: [...result.warnings, ...warnings],
    },
  };
}
