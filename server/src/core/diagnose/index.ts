// Connectivity diagnosis (issue 12): conversations and their verdicts, scans and brute force, capture coverage, in
// one pass over the records. Pure core: no vscode import.
import { QuerySource, expandSource } from '../query/input';
import { parseAddress } from '../address';
import { diagnoseThreadCount } from '../threads/pool';
import { readHere } from './records';
import { ReadStats, RecordSink } from './readStats';
import { ConversationJoin, JoinStats } from './join';
import { ClosedConversation, Conversation } from './conversation';
import { ConversationReport } from './report';
import { LocalAddresses } from './localAddress';
import { BruteForceFinding, DEFAULT_BRUTE_FORCE_PORTS, ScanDetector, ScanFinding, ScanOptions, ScanStats } from './scans';
import { DEBUG_DIAGNOSE_MEMORY, debugDiagnoseMemory } from './debugMemory';
import { CompactCoverage, Coverage, InterfaceCoverage } from './coverage';
import { RecordBatch } from './packed';
import { RestartOnOneThread, readOnPool, readerThreads } from './parallel';
import { Reading, ReadingContext, readConversation, readingText } from './readings';
import { Verdict } from './verdict';

export { VERDICTS } from './verdict';
export type { Verdict } from './verdict';
export type { Conversation, RecordRef, DirectionSummary, Endpoint } from './conversation';
export type { Reading, Certainty } from './readings';
export type { ScanFinding, BruteForceFinding } from './scans';
export type { CompactCoverage, InterfaceCoverage, Span, CoverageState } from './coverage';
export { CONVERSATION_COLUMNS, conversationRow } from './rows';
export { readConversation, readingText } from './readings';
export type { ClosedConversation } from './conversation';
export { maybeRunAsDiagnoseWorker } from './parallel';

export interface DiagnoseOptions {
  /** Seconds: windows of two records further apart than this are not one conversation (default 600: one capture window). */
  slack?: number;
  /** Seconds a record may start before the latest start already seen on its interface (default 600). */
  lateness?: number;
  /** Open conversations in memory at most, before spilling to disk (default 150,000: about 30 MB). */
  maxOpen?: number;
  /** Spill partitions (default 16) and where spill files go (default the OS temporary folder). */
  partitions?: number;
  spillDir?: string;
  /** Conversations listed per verdict (default 20), and which verdicts (default every broken one: not ok). */
  limit?: number;
  list?: readonly Verdict[];
  /** Keep every conversation with every record's line and role (an editor's document; memory grows with it). */
  collectAll?: boolean;
  scan?: Partial<Omit<ScanOptions, 'lateness' | 'slack'>>;
  /** Seconds without any record on an interface that count as a coverage gap (default 600). */
  coverageMinGap?: number;
  /** The coverage in typed arrays (DiagnoseResult.compactCoverage) instead of objects (`coverage` is then empty). */
  compactCoverage?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Threads (default FLOWLOG_DIAGNOSE_THREADS, else the engine's count): 1 reads and joins on this thread. */
  threads?: number;
  /** Every closed conversation as it closes, with what its numbers refer to (the conversations source). */
  onConversation?: (c: ClosedConversation, context: ClosedContext) => void;
  /**
   * Hand onConversation every record's line and role (ClosedConversation.records) without keeping the conversations
   * as collectAll does (an editor's index of its document). Memory grows with the input: the join cannot spill.
   */
  keepRecords?: boolean;
}

export type ResolvedDiagnoseOptions = Required<Omit<DiagnoseOptions, 'spillDir' | 'signal' | 'onProgress' | 'scan' | 'threads' | 'onConversation' | 'keepRecords' | 'compactCoverage'>> & {
  scan: Omit<ScanOptions, 'lateness' | 'slack'>;
};

export const DEFAULT_DIAGNOSE_OPTIONS: ResolvedDiagnoseOptions = {
  slack: 600,
  lateness: 600,
  maxOpen: 150_000,
  partitions: 16,
  limit: 20,
  list: ['response-rejected', 'request-rejected', 'no-response', 'one-way'],
  collectAll: false,
  coverageMinGap: 600,
  scan: {
    scanWindow: 300,
    portScanThreshold: 15,
    addressScanThreshold: 25,
    scanMinRejectedShare: 0.5,
    bruteForceWindow: 1800,
    bruteForceThreshold: 30,
    bruteForcePorts: DEFAULT_BRUTE_FORCE_PORTS,
    maxKeysPerWindow: 1 << 18,
  },
};

/** A conversation with its reading. */
export interface DiagnosedConversation extends Conversation {
  reading: Reading;
  /** The reading as one paragraph. */
  readingText: string;
}

export interface DiagnoseResult {
  files: string[];
  options: ResolvedDiagnoseOptions;
  input: ReadStats;
  join: JoinStats;
  verdicts: Record<Verdict, number>;
  /** The listed conversations, broken verdicts first, the most significant first within a verdict. */
  conversations: DiagnosedConversation[];
  /** Every conversation (collectAll only), in the order of their first line. */
  all?: DiagnosedConversation[];
  scans: ScanFinding[];
  bruteForce: BruteForceFinding[];
  scanStats: ScanStats;
  coverage: InterfaceCoverage[];
  /** The same in typed arrays, with the option compactCoverage (and then `coverage` is empty). */
  compactCoverage?: CompactCoverage[];
  /** What the user should know about how far to trust the result (late records, skipped lines, saturation). */
  warnings: string[];
  elapsedMs: number;
}

export function resolveOptions(o: DiagnoseOptions = {}): ResolvedDiagnoseOptions {
  const d = DEFAULT_DIAGNOSE_OPTIONS;
  return {
    slack: o.slack ?? d.slack,
    lateness: o.lateness ?? d.lateness,
    maxOpen: o.maxOpen ?? d.maxOpen,
    partitions: o.partitions ?? d.partitions,
    limit: o.limit ?? d.limit,
    list: o.list ?? d.list,
    collectAll: o.collectAll ?? d.collectAll,
    coverageMinGap: o.coverageMinGap ?? d.coverageMinGap,
    scan: { ...d.scan, ...o.scan },
  };
}

/** What a conversation sink (the conversations source of the query language) gets with each closed conversation. */
export interface ClosedContext {
  /** File names and interface ids by the numbers the conversation's records use. */
  files: readonly string[];
  interfaces: readonly string[];
  /** What a reading of a conversation of this interface knows now (its own address, from the records read so far). */
  readingContext(iface: number): ReadingContext;
}

/**
 * Total bytes of a source (0 for what cannot be measured: a pipe, a file that is gone); a folder's or glob's are
 * those of the flow logs it holds, as the readers will find them.
 */
async function sourceSize(source: QuerySource): Promise<number> {
  if (source.kind === 'text') return source.text.length;
  const expanded = await expandSource(source);
  return expanded.files.reduce((n, f) => n + f.size, 0);
}

/** Records (88 bytes each) handed through all the consumers at a time: 22 KB, within a core's first-level cache. */
const SLICE_RECORDS = 256;

/** The consumers of one read of the input: coverage, interface addresses, scans, the join and the report. */
class DiagnosisRun {
  readonly files: string[] = [];
  readonly interfaceNames: string[] = [];
  readonly report: ConversationReport;
  readonly scans: ScanDetector;
  readonly join: ConversationJoin;
  readonly timeline: Coverage;
  readonly local = new LocalAddresses();
  readonly sink: RecordSink;
  private readonly words = new Int32Array(4);
  private batches = 0;

  constructor(readonly o: ResolvedDiagnoseOptions, options: DiagnoseOptions, inputBytes: number) {
    this.report = new ConversationReport({ limit: o.limit, list: o.list, collectAll: o.collectAll }, this.files, this.interfaceNames);
    this.scans = new ScanDetector({ ...o.scan, lateness: o.lateness, slack: o.slack }, this.files);
    const context: ClosedContext = { files: this.files, interfaces: this.interfaceNames, readingContext: (iface) => this.contextFor(iface) };
    const onConversation = options.onConversation;
    this.join = new ConversationJoin(
      {
        slack: o.slack, lateness: o.lateness, maxOpen: o.maxOpen, keepRecords: o.collectAll || options.keepRecords === true, partitions: o.partitions,
        spillDir: options.spillDir, inputBytes,
      },
      onConversation ? (c: ClosedConversation) => {
        this.report.add(c);
        onConversation(c, context);
      } : (c: ClosedConversation) => this.report.keep(c),
      // Without a conversation sink, the report alone says which conversations it needs in full.
      onConversation ? undefined : (verdict, records, bytes) => this.report.tally(verdict, records, bytes),
    );
    this.timeline = new Coverage(o.coverageMinGap);
    this.sink = {
      files: this.files,
      interfaces: this.interfaceNames,
      onBatch: (batch: RecordBatch, from: number, to: number) => {
        if (DEBUG_DIAGNOSE_MEMORY && ++this.batches % 256 === 0) debugDiagnoseMemory(`joined ${this.batches} batches, ${this.join.stats.peakOpen} open at most`);
        // A slice at a time through every consumer, so that it is read from the cache after the first (a whole batch is
        // bigger than a core's cache, and when another thread packed it, not in this core's cache at all).
        for (let a = from; a < to; a += SLICE_RECORDS) {
          const b = Math.min(to, a + SLICE_RECORDS);
          this.local.addRange(batch, a, b);
          this.timeline.addRange(batch, a, b);
          this.scans.addRange(batch, a, b);
          this.join.addRange(batch, a, b);
        }
      },
    };
  }

  contextFor(iface: number): ReadingContext {
    const words = this.words;
    return {
      slackSeconds: this.o.slack,
      isLocal: (address: string) => {
        const a = parseAddress(address);
        if (!a) return undefined;
        words.fill(0);
        if (a.family === 4) words[0] = a.value | 0;
        else for (let k = 0; k < 4; k++) words[k] = (a.bytes[k * 4] << 24) | (a.bytes[k * 4 + 1] << 16) | (a.bytes[k * 4 + 2] << 8) | a.bytes[k * 4 + 3];
        return this.local.isLocal(iface, words, a.family === 6);
      },
    };
  }

  /** Removes what the run left on disk (a join that spilled and was not finished). */
  dispose(): void {
    this.join.dispose();
  }
}

/**
 * Diagnoses the records of an open document or of files on disk (plain or .gz; a folder's files as given). Big inputs
 * are parsed on the engine's worker threads while this thread joins (parallel.ts).
 */
export async function diagnose(source: QuerySource, options: DiagnoseOptions = {}): Promise<DiagnoseResult> {
  const t0 = performance.now();
  const o = resolveOptions(options);
  const inputBytes = await sourceSize(source);
  let readers = readerThreads(source, inputBytes, options.threads ?? diagnoseThreadCount());
  const readOptions = { signal: options.signal, onProgress: options.onProgress };
  for (;;) {
    const run = new DiagnosisRun(o, options, inputBytes);
    let input: ReadStats;
    try {
      input = readers > 0 && source.kind === 'files' ? await readOnPool(source, run.sink, readers, readOptions) : await readHere(source, run.sink, readOptions);
    } catch (e) {
      run.dispose();
      if (e instanceof RestartOnOneThread && readers > 0) {
        readers = 0;
        continue;
      }
      throw e;
    }
    try {
      return finishRun(run, input, t0, options.compactCoverage === true);
    } finally {
      run.dispose();
    }
  }
}

function finishRun(run: DiagnosisRun, input: ReadStats, t0: number, compact: boolean): DiagnoseResult {
  const { o, join, scans, timeline, report, files, interfaceNames } = run;
  debugDiagnoseMemory('read');
  const compactCoverage = compact ? timeline.finishCompact(interfaceNames) : undefined;
  const coverage = compact ? [] : timeline.finish(interfaceNames);
  debugDiagnoseMemory('coverage made');
  const untrackedCoverage = timeline.untrackedRecords;
  join.finish();
  const found = scans.finish();

  const withReading = ({ iface, conversation }: { iface: number; conversation: Conversation }): DiagnosedConversation => {
    const reading = readConversation(conversation, run.contextFor(iface));
    return { ...conversation, reading, readingText: readingText(reading) };
  };

  const warnings: string[] = [];
  if (input.malformed + input.incomplete > 0) {
    const first = input.skipped[0];
    warnings.push(`${input.malformed + input.incomplete} record lines could not be used (${input.malformed} malformed, ${input.incomplete} without what a conversation needs)${first ? `; the first: ${first.file}:${first.line}: ${first.reason}` : ''}. \`flowlog lint\` lists them.`);
  }
  for (const f of input.fileErrors ?? []) warnings.push(`${f.file}: ${f.message} (the records before were read)`);
  for (const c of input.changed ?? []) warnings.push(c);
  if (join.stats.lateRecords > 0) {
    warnings.push(`${join.stats.lateRecords} records started more than ${o.lateness} s before records of their interface already read (files out of time order?): their conversations may be split. Give the files in time order, or raise --lateness.`);
  }
  if (scans.stats.untracked > 0) {
    warnings.push(`${scans.stats.untracked} scan attempts were not tracked: more than ${o.scan.maxKeysPerWindow} distinct attempts in a window. Scan findings may be missing.`);
  }
  if (scans.droppedFindings > 0) warnings.push(`${scans.droppedFindings} more scan or brute-force findings were left out (10,000 kept per kind).`);
  if (untrackedCoverage > 0) warnings.push(`Coverage is kept for the first 100,000 interfaces; ${untrackedCoverage} records of others were left out of it.`);
  if (input.traffic === 0 && input.records > input.nodata + input.skipdata) warnings.push('No record had every field a conversation needs (interface-id, srcaddr, dstaddr, srcport, dstport, protocol, start, end, action).');

  debugDiagnoseMemory('finished');
  return {
    files,
    options: o,
    input,
    join: join.stats,
    verdicts: report.counts,
    conversations: report.listed().map(withReading),
    all: o.collectAll ? report.everything().map(withReading) : undefined,
    scans: found.scans,
    bruteForce: found.bruteForce,
    scanStats: scans.stats,
    coverage,
    compactCoverage,
    warnings,
    elapsedMs: Math.round(performance.now() - t0),
  };
}

/** Where a record stands in the diagnosis: its conversation and its role there. */
export interface RecordDiagnosis {
  conversation: DiagnosedConversation;
  role: 'request' | 'reply';
}

/**
 * Index of a `collectAll` diagnosis by record: file → line → its conversation and role (what diagnostics and hovers
 * on a record need).
 */
export function indexByRecord(result: DiagnoseResult): Map<string, Map<number, RecordDiagnosis>> {
  const index = new Map<string, Map<number, RecordDiagnosis>>();
  for (const conversation of result.all ?? []) {
    for (const r of conversation.records ?? []) {
      let lines = index.get(r.file);
      if (!lines) index.set(r.file, (lines = new Map()));
      lines.set(r.line, { conversation, role: r.role });
    }
  }
  return index;
}
