// What reading a source for the diagnosis gives besides its records: counts, the first few skipped lines with why,
// files that could not be read or changed while read; and the contracts between a reader and the diagnosis.
import { ExpandedSource, UnitReadInfo } from '../query/input';
import { DecodeError } from '../readers/types';
import { RecordBatch } from './packed';

/** A line the diagnosis could not use, with its position. */
export interface SkippedLine {
  file: string;
  line: number;
  reason: string;
}

export interface ReadStats {
  /** Well-formed record lines (header, comment and blank lines aside): the engine's `records` of the same input. */
  records: number;
  /** OK records with every traffic field: they join conversations. */
  traffic: number;
  nodata: number;
  skipdata: number;
  /** Malformed record lines, as every query counts them (wrong field count, a number or address that does not parse). */
  malformed: number;
  /**
   * Well-formed records a conversation cannot use: `-` in a field it needs, a format without such a field, an action
   * other than ACCEPT/REJECT, a log-status other than OK/NODATA/SKIPDATA, start after end, addresses of two families.
   */
  incomplete: number;
  /** The first few skipped lines, with why (malformed and incomplete). */
  skipped: SkippedLine[];
  bytes: number;
  /** Files that could not be read (or not to their end), with the reason; the records before the damage count. */
  fileErrors?: { file: string; message: string }[];
  /** Files that changed while they were read. */
  changed?: string[];
}

export function emptyStats(): ReadStats {
  return { records: 0, traffic: 0, nodata: 0, skipdata: 0, malformed: 0, incomplete: 0, skipped: [], bytes: 0 };
}

/** Skipped lines kept in ReadStats.skipped (the rest are counted). */
export const MAX_SKIPPED_KEPT = 20;

export interface ReadOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** What a reader hands the diagnosis: batches whose file and interface numbers index these lists (which grow). */
export interface RecordSink {
  files: string[];
  interfaces: string[];
  /** Records from .. to - 1 of a batch (reused: keep what you need before returning). */
  onBatch(batch: RecordBatch, from: number, to: number): void;
}

/** Adds one unit's problems to the stats of the whole read. */
export function addUnitProblems(stats: ReadStats, info: UnitReadInfo, error?: DecodeError): void {
  if (info.changed) (stats.changed ??= []).push(info.changed);
  if (info.skipped) (stats.changed ??= []).push(`a file was left out: ${info.skipped}`);
  if (error) (stats.fileErrors ??= []).push({ file: error.path, message: error.line !== undefined ? `line ${error.line}: ${error.reason}` : error.reason });
}

/** Inputs that name nothing readable (a missing path, a glob matching nothing), and files left out of folders. */
export function addExpansionProblems(stats: ReadStats, expanded: ExpandedSource): void {
  for (const e of expanded.errors) (stats.fileErrors ??= []).push({ file: e.file, message: e.message });
  for (const f of expanded.skipped) (stats.changed ??= []).push(`${f.file} was left out: ${f.reason}`);
}
