// The scan loop: one unit of work, chunk by chunk, line by line, each record handed to every pass. It counts
// records and malformed lines once for all passes, binds header lines, places each record at its SOURCE line (the
// readers' chunks say which source line each canonical line comes from: JSON, CSV and Parquet have made-up header
// lines), and notices what the threads need to know (a header line where a parallel split could not see it).
import { LineKind, RecordScanner } from '../records/recordScanner';
import { ScanUnit, UnitReadInfo, readUnit, unitFormat } from './input';
import { RecordPlace, ScanPass } from './passes';
import { QueryCancelledError } from './errors';
import { fieldsRead } from './fieldsRead';
import { DecodeError, DecodeProblem, DecodedChunk } from '../readers/types';

/** Decode problems a unit keeps (with their lines) for the stats; the rest are counted. */
export const KEPT_DECODE_PROBLEMS = 100;

/** What a unit's scan counted. */
export interface UnitCounts {
  unit: number;
  records: number;
  malformed: number;
  /** Source lines of the unit (to number the lines of the next unit of the same file). */
  lines: number;
  /** Bytes of the unit read (as stored: compressed bytes for a compressed file). */
  bytesRead: number;
  /** Lines longer than the cap, skipped (each counts as malformed). */
  overlong: number;
  /** Source lines that are not records (each counts as malformed), and the first of them (unit-relative lines). */
  decodeProblems: number;
  keptProblems: DecodeProblem[];
  /** A header line that did not start its file: units after it, split from the same file, bound another format. */
  lateHeader: boolean;
  changed?: string;
  /** The file, found in a folder, is not a flow log: why (nothing of it was scanned). */
  skipped?: string;
  /** The file could not be read to its end: why (the records before the damage were scanned). */
  error?: { file: string; message: string; line?: number };
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
  const counts: UnitCounts = {
    unit: unit.index, records: 0, malformed: 0, lines: 0, bytesRead: 0, overlong: 0, decodeProblems: 0, keptProblems: [],
    lateHeader: false,
  };
  const place: RecordPlace = { file: unit.file, line: 0, seq: unit.index * SEQ_PER_UNIT };
  const info: UnitReadInfo = {};
  // JSON lines leave out of their lines the fields no query reads (readers/jsonProjection.ts).
  const fields = fieldsRead(passes.map((p) => p.plan));
  // The same list lets the scanner skip writing what no pass reads of a plain record.
  scanner.readOnly(fields);
  try {
    // Records are read out of a chunk while it is scanned (text decoded, keys copied): its buffer can be reused.
    for await (const chunk of readUnit(unit, text, info, { maxLineBytes: control.maxLineBytes, reuseBuffers: true, fields })) {
      if (control.cancelled?.()) throw new QueryCancelledError();
      scanChunk(chunk, scanner, passes, place, unit, counts);
      counts.bytesRead = chunk.bytesRead;
      if (chunk.problems) {
        for (const p of chunk.problems) {
          counts.decodeProblems++;
          if (p.longLine) counts.overlong++;
          if (counts.keptProblems.length < KEPT_DECODE_PROBLEMS) counts.keptProblems.push(p);
        }
      }
      control.onProgress?.(chunk.bytesRead);
      control.afterChunk?.();
      // An open document is read from memory: let the event loop answer requests (and cancellation) between chunks.
      if (unit.kind === 'text') await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    counts.error = e.line !== undefined ? { file: e.path, message: e.reason, line: e.line } : { file: e.path, message: e.reason };
  }
  counts.changed = info.changed;
  if (info.skipped) counts.skipped = info.skipped;
  return counts;
}

/** The hot loop: every line of a chunk, each record placed at its source line. */
function scanChunk(chunk: DecodedChunk, scanner: RecordScanner, passes: readonly ScanPass[], place: RecordPlace, unit: ScanUnit, counts: UnitCounts): void {
  scanner.setChunk(chunk.bytes);
  const n = passes.length;
  const only = n === 1 ? passes[0] : undefined;
  // Canonical line k of the chunk (from 0) is source line lines[k], or firstLine + k when they run on.
  const lines = chunk.lines;
  const base = scanner.line;
  const shift = chunk.firstLine - base - 1;
  let records = 0;
  let malformed = 0;
  for (;;) {
    const kind = scanner.next();
    if (kind === LineKind.Record) {
      records++;
      place.line = lines ? lines[scanner.line - base - 1] : scanner.line + shift;
      place.seq++;
      if (only) only.record(scanner, scanner.format, place);
      else for (let p = 0; p < n; p++) passes[p].record(scanner, scanner.format, place);
    } else if (kind === LineKind.End) break;
    else if (kind === LineKind.Malformed) malformed++;
    else if (kind === LineKind.Header) {
      const line = lines ? lines[scanner.line - base - 1] : scanner.line + shift;
      // A header line binds the records after it; later ranges of the same file were started without it. A header
      // the reader made up (line 0: JSON keys, a CSV key row, Parquet columns) comes with every range that needs one.
      if (!unit.endsFile && line !== 0 && !(unit.startsFile && line === 1)) counts.lateHeader = true;
    }
  }
  counts.records += records;
  counts.malformed += malformed;
  // The source line of the chunk's last line: the unit's line count so far.
  const count = scanner.line - base;
  if (count > 0) {
    const last = lines ? lines[count - 1] : chunk.firstLine + count - 1;
    if (last > counts.lines) counts.lines = last;
  }
}
