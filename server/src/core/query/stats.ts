// What a run tells besides its rows: records, malformed lines, bytes, and what went wrong where (files that could not
// be read, source lines that are not records, files skipped, files that changed while read), added up unit by unit
// as the threads hand them back, in any order.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExpandedSource, FileProblem, ScanUnit, SkippedFile } from './input';
import { UnitOutput } from './threadScan';
import { PassState } from './passState';

export type { FileProblem, SkippedFile } from './input';

/** One file's part of a result (QueryOptions.perFile). */
export interface FileTally {
  file: string;
  /** Where it came from, read from its path (`AWS S3 · 123456789010 · us-east-1 · 2024-01-15`), or its name. */
  delivery: string;
  records: number;
  malformed: number;
  /** Bytes of the file read (as stored: compressed sizes for compressed files). */
  bytes: number;
}

export interface QueryStats {
  /** Well-formed records scanned. */
  records: number;
  matched: number;
  /** Record lines skipped as malformed: wrong field count, a number or address that does not parse (README). */
  malformed: number;
  /** Bytes read, as stored (compressed sizes for compressed files). */
  bytes: number;
  elapsedMs: number;
  /** Threads that scanned (absent when another engine answered, e.g. ClickHouse). */
  threads?: number;
  /** Files that could not be read (or not to their end), with the reason and the line reached; the others were read. */
  fileErrors?: FileProblem[];
  /** Things the result should be read with: a file that changed while read, lines skipped for their length. */
  warnings?: string[];
  /** Files read (a source of files). */
  files?: number;
  /** Files of folders and globs left out because they are not flow logs, with the reason. */
  skipped?: SkippedFile[];
  /**
   * Source lines that are not records (a JSON line that is not an object, a CSV row with an unterminated quote, a
   * line over 1 MiB): each is counted in `malformed`; here their number and the first 100 with file, line, reason.
   */
  decodeProblems?: { count: number; first: FileProblem[] };
  /** Per file: records, malformed lines and bytes (only with QueryOptions.perFile). */
  perFile?: FileTally[];
  /** Top-N queries that read the input twice (a sketch, then their candidates) instead of holding every group. */
  twoPass?: number;
  /** Groups written to disk because they passed the memory budget: run files, and partitions of them with groups. */
  spilled?: { runs: number; partitions: number; bytes: number; records?: number };
  /** Merge (and ranking) jobs of the groups that the thread running the query took beside the workers (scanHere). */
  mergedHere?: number;
}

const KEPT_PROBLEMS = 100;

/** What the units of a run added up to. */
export class RunTally {
  readonly stats: QueryStats;
  /** Per unit, its counts (not its rows: the result keeps those it takes). */
  private readonly outputs = new Map<number, { counts: UnitOutput['counts'] }>();
  private readonly unitsLeft: number[];
  private filesDone = 0;
  private readonly started = performance.now();

  constructor(threads: number, private readonly units: readonly ScanUnit[], private readonly expanded: ExpandedSource | undefined, private readonly perFile = false) {
    this.stats = { records: 0, matched: 0, malformed: 0, bytes: 0, elapsedMs: 0, threads };
    this.unitsLeft = [];
    for (const u of units) this.unitsLeft[u.fileIndex] = (this.unitsLeft[u.fileIndex] ?? 0) + 1;
  }

  unit(unit: ScanUnit, out: Pick<UnitOutput, 'counts'>): void {
    this.outputs.set(unit.index, { counts: out.counts });
    this.stats.records += out.counts.records;
    this.stats.malformed += out.counts.malformed;
    this.stats.bytes += out.counts.bytesRead;
    if (--this.unitsLeft[unit.fileIndex] === 0) this.filesDone++;
  }

  /** Plans answered by the two-pass top-N. */
  twoPass(plans: number): void {
    this.stats.twoPass = (this.stats.twoPass ?? 0) + plans;
  }

  /** Merge jobs run on the thread that runs the query. */
  mergedHere(jobs: number): void {
    if (jobs > 0) this.stats.mergedHere = (this.stats.mergedHere ?? 0) + jobs;
  }

  /** Files read to their end so far, of all. */
  files(): { done: number; total: number } {
    return { done: this.filesDone, total: this.unitsLeft.length };
  }

  /** Counts the spill runs of the groups (and removes their folders: call after merging). */
  spills(states: PassState[][]): void {
    const folders = new Set<string>();
    for (const perThread of states) for (const st of perThread) {
      if (st.kind !== 'groups') continue;
      // Records written straight to runs (near-unique keys, groups/recordRuns.ts): their runs are counted below.
      if (st.recordRuns) {
        const s = (this.stats.spilled ??= { runs: 0, partitions: 0, bytes: 0 });
        s.records = (s.records ?? 0) + st.recordRuns;
      }
      for (const run of [...st.runs, ...st.distinctRuns.flat()]) {
        const s = (this.stats.spilled ??= { runs: 0, partitions: 0, bytes: 0 });
        s.runs++;
        s.bytes += run.offsets[run.offsets.length - 1];
        for (let p = 0; p + 1 < run.offsets.length; p++) if (run.offsets[p + 1] > run.offsets[p]) s.partitions++;
        folders.add(dirname(run.path));
      }
    }
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  }

  finish(matched: number): QueryStats {
    const stats = this.stats;
    stats.matched = matched;
    const warnings: string[] = [];
    const fileErrors: FileProblem[] = [...(this.expanded?.errors ?? [])];
    const problems: FileProblem[] = [];
    let problemCount = 0;
    let overlong = 0;
    const perFile = new Map<number, FileTally>();
    const skipped: SkippedFile[] = [...(this.expanded?.skipped ?? [])];
    // Units in file order; the lines of a later range of a file are shifted by the lines of the ranges before it.
    let lineOffset = 0;
    let previous: ScanUnit | undefined;
    for (const unit of this.units) {
      const out = this.outputs.get(unit.index);
      if (!out) continue;
      lineOffset = previous && !unit.startsFile && previous.file === unit.file ? lineOffset + (this.outputs.get(previous.index)?.counts.lines ?? 0) : 0;
      previous = unit;
      const c = out.counts;
      if (c.skipped) {
        skipped.push({ file: unit.file, reason: c.skipped });
        continue;
      }
      overlong += c.overlong;
      if (c.changed) warnings.push(c.changed);
      // The records read before a file's damage count; its problem is reported; the other files go on.
      if (c.error) fileErrors.push(c.error.line !== undefined ? { ...c.error, line: c.error.line + lineOffset } : c.error);
      problemCount += c.decodeProblems;
      for (const p of c.keptProblems) {
        if (problems.length < KEPT_PROBLEMS) problems.push({ file: unit.file, line: p.line + lineOffset, message: p.message });
      }
      if (this.perFile) {
        let t = perFile.get(unit.fileIndex);
        if (!t) {
          t = { file: unit.file, delivery: this.expanded?.files[unit.fileIndex]?.delivery ?? unit.file, records: 0, malformed: 0, bytes: 0 };
          perFile.set(unit.fileIndex, t);
        }
        t.records += c.records;
        t.malformed += c.malformed;
        t.bytes += c.bytesRead;
      }
    }
    if (overlong > 0) warnings.push(`${overlong} line${overlong === 1 ? '' : 's'} longer than 1 MiB skipped (counted as malformed)`);
    if (warnings.length > 0) stats.warnings = warnings;
    if (fileErrors.length > 0) stats.fileErrors = fileErrors;
    if (problemCount > 0) stats.decodeProblems = { count: problemCount, first: problems };
    if (this.expanded) {
      const found = new Set(skipped.map((s) => s.file));
      stats.files = this.expanded.files.filter((f) => !found.has(f.path)).length;
      if (skipped.length > 0) stats.skipped = skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    }
    if (this.perFile) stats.perFile = [...perFile.values()];
    stats.elapsedMs = Math.round((performance.now() - this.started) * 10) / 10;
    return stats;
  }
}
