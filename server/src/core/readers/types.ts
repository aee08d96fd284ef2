// What every reader of a delivered flow log gives the engine, the validator and the CLI: canonical text lines.
// Whatever the delivery (plain or compressed text, CloudWatch exports, CLS JSON or CSV, Parquet), a reader turns
// it into the one form the engine scans: one record a line, fields separated by one space, `-` for a missing
// value, and a header line of field names first when the source names its fields (JSON keys, CSV header, Parquet
// columns). So every query, the summary and lint give the same answers on the same records in any encoding.

/** How a file's bytes are compressed. */
export type Compression = 'none' | 'gzip' | 'snappy' | 'lzo';

/** How records are written once decompressed. */
export type Encoding = 'text' | 'cloudwatch' | 'json' | 'csv' | 'parquet';

/** What detection decided for one file (by content first, then by name). */
export interface DetectedFormat {
  compression: Compression;
  encoding: Encoding;
  /** CSV only: the separator and whether the first row names the fields. */
  csv?: { separator: string; header: boolean };
}

/**
 * Whole canonical lines decoded from one file. `bytes` holds them as UTF-8, each ending with `\n` (the file's last
 * line too). Lines that carry no record of the source keep their place: a blank or undecodable source line becomes
 * an empty line or a `!` line (see DecodeProblem), so that the engine's line count stays the source's.
 */
export interface DecodedChunk {
  /** Owned by the consumer once handed out: the reader never writes to it again (it may be kept or transferred). */
  bytes: Uint8Array;
  /**
   * The source line (1-based; the row number for Parquet; 0 for a header line the reader made up) of each line
   * in `bytes`, when they are not consecutive from `firstLine`; else undefined (plain text: always undefined).
   */
  lines?: Int32Array;
  /** The source line of the chunk's first line (1-based; 0 when it is a made-up header line). */
  firstLine: number;
  /** Bytes of the file (as stored: compressed sizes for compressed files) consumed so far. */
  bytesRead: number;
  /** Source lines that could not be decoded as a record, in this chunk (each is a `!` line in `bytes`). */
  problems?: DecodeProblem[];
  /** With DecodeOptions.sourceColumns: where each line's fields are in its source line. */
  sourceColumns?: SourceColumns;
}

/**
 * Where the fields of a chunk's canonical lines are in their source lines, in 0-based UTF-16 columns. For line k:
 * `shift[k]` ≥ 0: the line is its source line as written from column shift[k] on (plain text: 0; a CloudWatch line
 * after its time); -1: field f is at columns [spans[2i], spans[2i + 1]) with i = first[k] + f (JSON values, CSV
 * cells); -2: it has no place in the source (a made-up header line, a `!` line, a Parquet row).
 */
export interface SourceColumns {
  shift: Int32Array;
  first: Int32Array;
  spans: Int32Array;
}

/** A source line that is not a record (a JSON line that is not an object, a CSV row with an unterminated quote…). */
export interface DecodeProblem {
  /** 1-based source line. */
  line: number;
  message: string;
  /** The line was longer than the cap (its bytes were skipped, not read). */
  longLine?: true;
}

/** A file that cannot be read on (unreadable, corrupt gzip member, truncated Parquet): thrown after the chunks read. */
export class DecodeError extends Error {
  constructor(readonly path: string, readonly reason: string, readonly line?: number) {
    super(`${path}${line !== undefined ? `:${line}` : ''}: ${reason}`);
  }
}

/** A file found in a folder turns out not to be a flow log (DecodeOptions.onlyFlowLogs): skipped, with the reason. */
export class NotAFlowLogError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`${path}: ${reason}`);
  }
}
