// The scan loop: one unit of work, chunk by chunk, line by line, each record handed to every pass. It counts
// records and malformed lines once for all passes, binds header lines, and notices what the threads need to know
// (a header line where a parallel split could not see it).
import { RecordFormat } from '../scan';
import { LineKind, RecordScanner } from '../records/recordScanner';
import { ScanUnit, UnitReadInfo, readUnit, unitFormat } from './input';
import { RecordPlace, ScanPass } from './passes';
import { QueryCancelledError } from './errors';
import { DecodeError } from '../readers/types';

/** What a unit's scan counted. */
export interface UnitCounts {
  unit: number;
  records: number;
  malformed: number;
  /** Lines of the unit (to number the lines of the next unit of the same file). */
  lines: number;
  /** Lines longer than the cap, skipped (each counts as malformed). */
  overlong: number;
  /** A header line that did not start its file: units after it, split from the same file, bound another format. */
  lateHeader: boolean;
  /** The formats the unit's records were bound to (its first, and any header line's). */
  formats: RecordFormat[];
  changed?: string;
  /** The file could not be read to its end: why (the records before the damage were scanned). */
  error?: { file: string; message: string };
}

export interface ScanControl {
  /** Checked between chunks: cancellation. */
  cancelled?: () => boolean;
  /** Bytes of this unit consumed so far. */
  onProgress?: (bytesDone: number) => void;
  /** After each chunk (e.g. to hand on search rows found so far). */
  afterChunk?: () => void;
  /** Lines longer than this are skipped (default 1 MiB). */
  maxLineBytes?: number;
}

/** 2^32: a record's sequence is its unit's index times this plus its number in the unit. */
export const SEQ_PER_UNIT = 4294967296;

/** Scans one unit, handing each well-formed record to every pass. */
export async function scanUnit(unit: ScanUnit, text: string | undefined, passes: readonly ScanPass[], control: ScanControl = {}): Promise<UnitCounts> {
  const scanner = new RecordScanner(unitFormat(unit));
  scanner.file = unit.file;
  const counts: UnitCounts = { unit: unit.index, records: 0, malformed: 0, lines: 0, overlong: 0, lateHeader: false, formats: [scanner.format] };
  const place: RecordPlace = { file: unit.file, line: 0, seq: unit.index * SEQ_PER_UNIT };
  const info: UnitReadInfo = {};
  try {
    for await (const chunk of readUnit(unit, text, info, control.maxLineBytes)) {
      if (control.cancelled?.()) throw new QueryCancelledError();
      scanChunk(chunk.bytes, scanner, passes, place, unit, counts);
      if (chunk.overlong) counts.overlong += chunk.overlong.length;
      control.onProgress?.(chunk.bytesDone);
      control.afterChunk?.();
      // An open document is read from memory: let the event loop answer requests (and cancellation) between chunks.
      if (unit.kind === 'text') await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    counts.error = { file: e.path, message: e.reason };
  }
  counts.lines = scanner.line;
  counts.changed = info.changed;
  return counts;
}

/** The hot loop: every line of a chunk. */
function scanChunk(bytes: Uint8Array, scanner: RecordScanner, passes: readonly ScanPass[], place: RecordPlace, unit: ScanUnit, counts: UnitCounts): void {
  scanner.setChunk(bytes);
  const n = passes.length;
  const only = n === 1 ? passes[0] : undefined;
  let records = 0;
  let malformed = 0;
  for (;;) {
    const kind = scanner.next();
    if (kind === LineKind.Record) {
      records++;
      place.line = scanner.line;
      place.seq++;
      if (only) only.record(scanner, scanner.format, place);
      else for (let p = 0; p < n; p++) passes[p].record(scanner, scanner.format, place);
    } else if (kind === LineKind.End) break;
    else if (kind === LineKind.Malformed) malformed++;
    else if (kind === LineKind.Header) {
      if (!(unit.startsFile && scanner.line === 1)) counts.lateHeader = true;
      counts.formats.push(scanner.format);
    }
  }
  counts.records += records;
  counts.malformed += malformed;
}
