// A direct-mapped memo (4,096 keys) in front of an aggregation's partitioned group tables: key hash → group, for the
// keys met lately. A section with few keys (actions, protocols, interfaces, the timeline's current minutes) finds
// its group here in one compact array instead of in one of 256 partitions' tables, whose scattered arrays (slots,
// key lengths and starts, key words) miss the cache once ten passes share a scan. It only remembers what the
// tables hold: it is cleared whenever they are replaced (spill, sketch) and at each unit's start.
import type { AggregateStates } from './aggregates';

const SIZE = 4096;
/** Keys up to this many words are remembered (an interface id is 6, a minute and an action 6). */
export const MEMO_WORDS = 8;
/** Lookups between checks of the hit rate; below a quarter the memo turns off until it is next cleared. */
const CHECK_EVERY = 8192;

export class KeyMemo {
  private readonly keys = new Int32Array(SIZE * MEMO_WORDS);
  private readonly lengths = new Int32Array(SIZE).fill(-1);
  private readonly hashes = new Int32Array(SIZE);
  private readonly groups = new Int32Array(SIZE);
  private readonly states: (AggregateStates | undefined)[] = new Array<AggregateStates | undefined>(SIZE).fill(undefined);
  on = true;
  private lookups = 0;
  private hits = 0;
  /** The states of the group last found. */
  found!: AggregateStates;

  /** The group of key words key[0, words) (byte length `len`), or -1 when not remembered. */
  get(key: Int32Array, words: number, len: number, hash: number): number {
    const e = hash & (SIZE - 1);
    if (++this.lookups === CHECK_EVERY) this.check();
    if (this.lengths[e] !== len || this.hashes[e] !== hash) return -1;
    const keys = this.keys;
    const at = e * MEMO_WORDS;
    for (let q = 0; q < words; q++) if (keys[at + q] !== key[q]) return -1;
    this.hits++;
    this.found = this.states[e]!;
    return this.groups[e];
  }

  /** Remembers group g (with its partition's states) for the key (at most MEMO_WORDS words). */
  put(key: Int32Array, words: number, len: number, hash: number, g: number, states: AggregateStates): void {
    const e = hash & (SIZE - 1);
    const keys = this.keys;
    const at = e * MEMO_WORDS;
    for (let q = 0; q < words; q++) keys[at + q] = key[q];
    this.lengths[e] = len;
    this.hashes[e] = hash;
    this.groups[e] = g;
    this.states[e] = states;
  }

  /** Forgets every key (the tables were replaced, or a unit starts) and tries again. */
  clear(): void {
    this.lengths.fill(-1);
    this.states.fill(undefined);
    this.on = true;
    this.lookups = 0;
    this.hits = 0;
  }

  private check(): void {
    if (this.hits * 4 < this.lookups) this.on = false;
    this.lookups = 0;
    this.hits = 0;
  }
}
