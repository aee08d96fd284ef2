// Top-N by a sum or a count over more groups than memory should hold, exactly, in two passes (a heavy-hitter
// plan). `… group by srcaddr, dstaddr, dstport order by sum(bytes) desc limit 20` over a log where nearly every
// record is its own group needs the 20 biggest groups, not all of them:
//
// 1. While a thread's groups stay few, it aggregates as always, and one pass is enough. Once they pass a threshold
//    (on any thread), every thread turns its groups into a count-min sketch of the ranking aggregate (an upper bound
//    of any group's value: each group adds into its own cells, which other groups may share), and keeps exact
//    groups only for a sample of keys (1 in 16, by hash). The rest of the pass adds into the sketch and the sample.
// 2. The sample's N-th best value L is a lower bound of the true N-th best (N sampled groups reach it). A second
//    pass aggregates exactly every group whose sketch estimate reaches L: the true top N are among them (a group
//    reaching L has an estimate reaching L), so ranking them gives the exact answer, ties and all.
//
// Values below zero (Tencent writes -1 counts) are added as zero to the sketch: still an upper bound.
import { envPositiveInteger } from '../../envSettings';

/**
 * Groups a thread aggregates before the plan turns to the sketch, when FLOWLOG_TOPN_THRESHOLD sets it (tests use
 * small files); else undefined: a top-N spills once when its groups pass the thread's table budget, and turns to
 * its sketch when they pass half of it again (threadScan.ts keepTopNsSmall): one spill costs less than reading
 * the input twice. Past that, memory stays that of the sketch and the sampled groups.
 */
export function sketchThreshold(): number | undefined {
  return envPositiveInteger('FLOWLOG_TOPN_THRESHOLD');
}

/** 1 in 2^SAMPLE_BITS keys is aggregated exactly in the sketch pass. */
const SAMPLE_BITS = 4;

/** Whether a key (by its hash) is in the sample. Bits 4–7 from the top: not the partition's (top 8), not the slot's (low). */
export function sampled(hash: number): boolean {
  return ((hash >>> 20) & ((1 << SAMPLE_BITS) - 1)) === 0;
}

const ROWS = 2;

/** Cells a sketch row has at most (two rows of float32: 4 MB), and at least. */
export const MAX_SKETCH_WIDTH = 1 << 19;
const MIN_SKETCH_WIDTH = 1 << 12;

/**
 * The width of a run's sketches: a thread's sketches (one per top-N plan that may turn to it) take at most a quarter
 * of its table budget, in which they count (the summary's five top lists at the default budget: 2 MB each, 10 MB
 * a thread, where 4 MB each took 20 MB beside the budget). Narrower rows share cells among more keys, so more keys
 * reach the lower bound and the second pass aggregates more candidates: the answer stays exact either way.
 */
export function sketchWidth(tableBytes: number, sketchPlans: number): number {
  const each = tableBytes / 4 / Math.max(1, sketchPlans);
  let width = MAX_SKETCH_WIDTH;
  while (width > MIN_SKETCH_WIDTH && width * ROWS * 4 > each) width >>= 1;
  return width;
}

/** A key's cell in the second row (the first row's is hash & mask): mixed, so independent of it. */
function secondCell(hash: number, width: number, mask: number): number {
  let h = Math.imul(hash ^ (hash >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return width + ((h ^ (h >>> 16)) & mask);
}

/** The smallest float32 at or above x (cells round up, so an estimate never falls below a true value). */
function roundUp(x: number): number {
  const f = Math.fround(x);
  if (f >= x) return f;
  scratch32[0] = f;
  scratchBits[0] += f >= 0 ? 1 : -1;
  return scratch32[0];
}
const scratch32 = new Float32Array(1);
const scratchBits = new Int32Array(scratch32.buffer);

/**
 * A count-min sketch of non-negative values by key hash, with conservative update: two rows of float32 cells, a
 * key's estimate is the smaller of its two cells, and adding raises each of them only as far as the new estimate.
 * Every cell stays at or above the true value of every key mapped to it, so estimates are upper bounds, and two
 * threads' sketches added cell by cell still are.
 */
export class CountMin {
  readonly cells: Float32Array;
  private readonly mask: number;

  constructor(readonly width = MAX_SKETCH_WIDTH, cells?: Float32Array) {
    this.cells = cells ?? new Float32Array(ROWS * width);
    this.mask = width - 1;
  }

  /** The sketch whose cells these are (another thread's, or the shared sum). */
  static over(cells: Float32Array): CountMin {
    return new CountMin(cells.length / ROWS, cells);
  }

  private second(hash: number): number {
    return secondCell(hash, this.width, this.mask);
  }

  add(hash: number, value: number): void {
    if (!(value > 0)) return;
    const cells = this.cells;
    const i = hash & this.mask;
    const j = this.second(hash);
    const a = cells[i];
    const b = cells[j];
    const e = roundUp((a < b ? a : b) + value);
    if (a < e) cells[i] = e;
    if (b < e) cells[j] = e;
  }

  /**
   * Adds values[k] for hashes[k], k < n, in one tight loop: the cells' cache misses of different keys overlap (added
   * one a record, between the rest of the record's work, each miss was waited for on its own).
   */
  addMany(hashes: Int32Array, values: Float64Array, n: number): void {
    const cells = this.cells;
    const mask = this.mask;
    const width = this.width;
    for (let k = 0; k < n; k++) {
      const value = values[k];
      if (!(value > 0)) continue;
      const hash = hashes[k];
      const i = hash & mask;
      const j = secondCell(hash, width, mask);
      const a = cells[i];
      const b = cells[j];
      const e = roundUp((a < b ? a : b) + value);
      if (a < e) cells[i] = e;
      if (b < e) cells[j] = e;
    }
  }

  estimate(hash: number): number {
    const a = this.cells[hash & this.mask];
    const b = this.cells[this.second(hash)];
    return a < b ? a : b;
  }

  /** Adds another sketch's cells [from, to) (all of them by default) to this one's. */
  merge(other: Float32Array, from = 0, to = this.cells.length): void {
    const cells = this.cells;
    for (let i = from; i < to; i++) {
      const sum = cells[i] + other[i];
      const f = Math.fround(sum);
      cells[i] = f >= sum ? f : roundUp(sum);
    }
  }
}

/**
 * The second pass's test of a key, `estimate(hash) >= lower`, as one bit per cell (the cell reaches `lower`): the
 * same answer from 64 KB instead of the sketch's 2 MB. Every record of the second pass looks its key up, and a
 * sketch of megabytes misses the cache on nearly every look (on the wide 1.8 M bench file the summary's five
 * lookups took a sixth of a worker's time).
 */
export class CandidateFilter {
  private readonly bits: Int32Array;
  private readonly mask: number;
  private readonly width: number;

  constructor(sketch: CountMin, lower: number) {
    const cells = sketch.cells;
    this.width = sketch.width;
    this.mask = sketch.width - 1;
    this.bits = new Int32Array((cells.length + 31) >>> 5);
    // A NaN bound rejects nothing (no estimate is below it), as the sketch's test does.
    const bound = lower === lower ? lower : -Infinity;
    for (let i = 0; i < cells.length; i++) if (cells[i] >= bound) this.bits[i >>> 5] |= 1 << (i & 31);
  }

  /** Whether the key's estimate reaches the lower bound (both its cells do: the estimate is the smaller). */
  passes(hash: number): boolean {
    const i = hash & this.mask;
    if ((this.bits[i >>> 5] & (1 << (i & 31))) === 0) return false;
    const j = secondCell(hash, this.width, this.mask);
    return (this.bits[j >>> 5] & (1 << (j & 31))) !== 0;
  }
}
