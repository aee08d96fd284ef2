// GROUP BY over conversations in bounded memory. Groups live in a map up to `maxGroups`; past that the map is
// frozen: a conversation of a group already held still adds to it, and one of any other group is written (its key
// and its aggregates' arguments, one JSON line) to one of PARTITIONS spill files by a hash of its key (each file made
// when it is first written). The frozen map's groups and the partitions' never share a key, so each partition is
// then aggregated on its own, the same way (a partition that is still too big spills again with another hash), and
// the groups of all of them go through one ranking that keeps only the result's rows (HAVING, then the best `limit`
// by ORDER BY). The answer is exact, whatever the number of groups.
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { QueryCancelledError } from '../query/errors';
import { Value, compareValues } from '../query/values';

/** Groups held in memory at most before spilling (about 40 MB of groups). */
export const DEFAULT_MAX_GROUPS = 100_000;
const PARTITIONS = 16;
/** Bytes of a partition's text buffered before it is written. */
const FLUSH_BYTES = 64 * 1024;
/** Spilling again past this depth means keys that do not split (cannot happen with distinct keys): an error, never a loop. */
const MAX_DEPTH = 6;

/** One aggregate of the query: its function, DISTINCT, and whether it takes an argument (count(*) does not). */
export interface AggregateSpec {
  fn: string;
  distinct: boolean;
  hasArg: boolean;
}

/** A group: its key values and its aggregates' states. */
export class Group {
  private readonly count: number[];
  private readonly sum: number[];
  private readonly best: Value[];
  private readonly seen: (Set<Value> | undefined)[];
  private first = true;

  constructor(readonly keys: Value[], private readonly aggs: readonly AggregateSpec[]) {
    this.count = aggs.map(() => 0);
    this.sum = aggs.map(() => 0);
    this.best = aggs.map(() => null);
    this.seen = aggs.map((a) => (a.distinct ? new Set<Value>() : undefined));
  }

  /** Adds one conversation, given its aggregates' arguments (null for count(*)). */
  add(args: readonly Value[]): void {
    for (let i = 0; i < this.aggs.length; i++) {
      const a = this.aggs[i];
      if (!a.hasArg) {
        this.count[i]++;
        continue;
      }
      const v = args[i];
      if (a.fn === 'any_value') {
        if (this.first) this.best[i] = v;
        continue;
      }
      if (v === null) continue;
      const seen = this.seen[i];
      if (seen) {
        if (seen.has(v)) continue;
        seen.add(v);
      }
      this.count[i]++;
      if (a.fn === 'sum' || a.fn === 'avg') {
        const x = typeof v === 'number' ? v : Number(v);
        if (!Number.isNaN(x)) this.sum[i] += x;
      } else if (a.fn === 'min' || a.fn === 'max') {
        const b = this.best[i];
        if (b === null || (a.fn === 'min' ? compareValues(v, b) < 0 : compareValues(v, b) > 0)) this.best[i] = v;
      }
    }
    this.first = false;
  }

  value(i: number): Value {
    switch (this.aggs[i].fn) {
      case 'count': return this.count[i];
      case 'sum': return this.count[i] > 0 ? this.sum[i] : null;
      case 'avg': return this.count[i] > 0 ? this.sum[i] / this.count[i] : null;
      default: return this.best[i];
    }
  }
}

/** What turns finished groups into result rows: HAVING, the ORDER BY key, and the SELECT list. */
export interface GroupOutput {
  readonly limit: number;
  keeps(g: Group): boolean;
  /** The ORDER BY values of a group (empty without ORDER BY). */
  orderKey(g: Group): Value[];
  compareOrder(a: Value[], b: Value[]): number;
  row(g: Group): Value[];
}

/**
 * At most `limit` result rows offered one by one: the best by their sort keys (`compare`), else the first. The kept
 * rows are sorted and cut when twice as many are held; after that, the last one kept is a bar that a row must sort
 * before, and a row that does not is never made (its SELECT values, a conversation's reading perhaps).
 */
export class TopRows {
  private readonly kept: { key: Value[]; row: Value[] }[] = [];
  private bar: Value[] | undefined;

  constructor(private readonly limit: number, private readonly compare?: (a: Value[], b: Value[]) => number) {}

  /** A row by its sort key (empty without ORDER BY), made only when it is kept. */
  offer(key: Value[], makeRow: () => Value[]): void {
    const full = this.compare ? this.limit === 0 || (this.bar !== undefined && this.compare(key, this.bar) >= 0) : this.kept.length >= this.limit;
    if (full) return;
    this.kept.push({ key, row: makeRow() });
    if (this.compare && this.kept.length >= 2 * Math.max(this.limit, 1024)) this.prune();
  }

  rows(): Value[][] {
    if (this.compare) this.prune();
    return this.kept.map((k) => k.row);
  }

  private prune(): void {
    this.kept.sort((a, b) => this.compare!(a.key, b.key));
    this.kept.length = Math.min(this.kept.length, this.limit);
    this.bar = this.kept.length === this.limit && this.limit > 0 ? this.kept[this.limit - 1].key : undefined;
  }
}

/** The result rows of groups given one by one: HAVING, then at most `limit` kept (TopRows). */
export class GroupRanking {
  private readonly top: TopRows;

  constructor(private readonly out: GroupOutput, private readonly ordered: boolean) {
    this.top = new TopRows(out.limit, ordered ? out.compareOrder : undefined);
  }

  add(g: Group): void {
    if (this.out.keeps(g)) this.top.offer(this.ordered ? this.out.orderKey(g) : [], () => this.out.row(g));
  }

  rows(): Value[][] {
    return this.top.rows();
  }
}

export interface GroupTableOptions {
  maxGroups?: number;
  /** Where spill folders go (default FLOWLOG_SPILL_DIR, else the OS temporary folder). */
  spillDir?: string;
  signal?: AbortSignal;
}

/** Groups of one level: a map up to maxGroups, the rest spilled to partitions (made on first need). */
export class GroupTable {
  private readonly groups = new Map<string, Group>();
  private partitions: PartitionWriter[] | undefined;
  private readonly maxGroups: number;
  /** Conversations written to partitions (all levels): the stats say the GROUP BY spilled. */
  spilledRows = 0;

  constructor(private readonly aggs: readonly AggregateSpec[], private readonly options: GroupTableOptions, private readonly spill = new SpillFolder(options.spillDir), private readonly depth = 0) {
    this.maxGroups = Math.max(1, options.maxGroups ?? DEFAULT_MAX_GROUPS);
  }

  get size(): number {
    return this.groups.size;
  }

  /** Adds a conversation of the group `keys`; `args` gives its aggregates' arguments (asked once at most). */
  add(keys: Value[], args: () => Value[]): void {
    const id = groupId(keys);
    let g = this.groups.get(id);
    if (!g) {
      if (this.groups.size >= this.maxGroups) {
        this.toPartition(id, keys, args());
        return;
      }
      this.groups.set(id, (g = new Group(keys, this.aggs)));
    }
    g.add(args());
  }

  /** Every group, to `ranking`, then the spill files removed. The table cannot be used after. */
  async finish(ranking: GroupRanking, emptyGroup: boolean): Promise<void> {
    try {
      // SQL: an aggregate without GROUP BY is one row, even over no conversation.
      if (emptyGroup && this.groups.size === 0 && !this.partitions) this.groups.set('[]', new Group([], this.aggs));
      await this.drain(ranking);
    } finally {
      this.spill.remove();
    }
  }

  /** Drops the groups and the spill files (a query that failed or was cancelled). */
  discard(): void {
    for (const p of this.partitions ?? []) p.close();
    this.partitions = undefined;
    this.groups.clear();
    this.spill.remove();
  }

  private async drain(ranking: GroupRanking): Promise<void> {
    for (const g of this.groups.values()) ranking.add(g);
    this.groups.clear();
    const parts = this.partitions;
    if (!parts) return;
    for (const p of parts) p.close();
    for (const p of parts) {
      if (p.rows === 0) continue;
      if (this.depth + 1 > MAX_DEPTH) throw new Error('GROUP BY spill: a partition does not split (more spill levels than expected)');
      const next = new GroupTable(this.aggs, this.options, this.spill, this.depth + 1);
      for await (const line of createInterface({ input: createReadStream(p.path), crlfDelay: Infinity })) {
        if (this.options.signal?.aborted) throw new QueryCancelledError();
        const [keys, args] = JSON.parse(line, reviveNumber) as [Value[], Value[]];
        next.add(keys, () => args);
      }
      rmSync(p.path, { force: true });
      await next.drain(ranking);
      this.spilledRows += next.spilledRows;
    }
  }

  private toPartition(id: string, keys: Value[], args: Value[]): void {
    this.partitions ??= Array.from({ length: PARTITIONS }, (_, i) => new PartitionWriter(this.spill.file(`d${this.depth}-p${i}`)));
    this.partitions[hashText(id, this.depth) % PARTITIONS].write(JSON.stringify([keys, args], keepNumber) + '\n');
    this.spilledRows++;
  }
}

/** A group's map key: numbers and texts apart (1 and '1' are two groups, as in SQL). */
function groupId(keys: readonly Value[]): string {
  if (keys.length !== 1) return JSON.stringify(keys, keepNumber);
  const v = keys[0];
  return v === null ? 'N' : typeof v === 'number' ? `n${v}` : `s${v}`;
}

// JSON has no Infinity or NaN: such numbers travel as {"n":"Infinity"}.
function keepNumber(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? { n: String(v) } : v;
}

function reviveNumber(_key: string, v: unknown): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Number((v as { n: string }).n) : v;
}

/** FNV-1a over the UTF-16 units, seeded by the level (each level splits by another hash). */
function hashText(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  return (Math.imul(h, 0x2c1b3c6d) >>> 0) >>> 8;
}

/** The spill folder of one query, made on first need and removed at the end. */
class SpillFolder {
  private dir: string | undefined;

  constructor(private readonly parent = process.env.FLOWLOG_SPILL_DIR || tmpdir()) {}

  file(name: string): string {
    this.dir ??= mkdtempSync(join(this.parent, 'flowlog-groups-'));
    return join(this.dir, `${name}-${Math.random().toString(36).slice(2, 8)}.jsonl`);
  }

  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** Lines appended to one partition file through a buffer; the file is made on the first write to disk. */
class PartitionWriter {
  private fd = -1;
  private pending: string[] = [];
  private pendingBytes = 0;
  private closed = false;
  rows = 0;

  constructor(readonly path: string) {}

  write(line: string): void {
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.rows++;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.closed = true;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    if (this.fd < 0) this.fd = openSync(this.path, 'w');
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
  }
}
