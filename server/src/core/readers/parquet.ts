// Parquet (`….log.parquet`, AWS's S3 delivery option): columns named as the fields with `_` (`log_status`), typed
// (int32/int64/string), compressed with Gzip as AWS writes them (or Snappy/Zstd/Brotli/LZ4 from other writers).
// Read with hyparquet one row group at a time (in slices of rows where the file has an offset index, so pages
// outside the slice are not even read), so memory follows the row group, not the file.
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync, parquetScan, parquetSchema } from 'hyparquet';
import type { Compressors, FileMetaData } from 'hyparquet';
import { compressors as pureJsCompressors } from 'hyparquet-compressors';
import { ChunkWriter, FLUSH_BYTES } from './chunkWriter';
import { headerName } from './json';
import { DecodedChunk } from './types';

/** Page decompressors: Node's zlib for gzip and brotli (native, faster), hyparquet-compressors for the rest. */
const COMPRESSORS: Compressors = {
  ...pureJsCompressors,
  GZIP: (input) => gunzipSync(input),
  BROTLI: (input) => brotliDecompressSync(input),
};

/** Rows read at once when the file has an offset index (else a whole row group). */
const SLICE_ROWS = 65536;

export class ParquetError extends Error {
  constructor(message: string, readonly row?: number) {
    super(message);
  }
}

export interface ParquetProgress {
  signal?: AbortSignal;
}

/** Decodes a Parquet file to canonical lines: a header line of the columns, then one line a row (row numbers from 1). */
export async function* decodeParquet(path: string, options: ParquetProgress = {}): AsyncGenerator<DecodedChunk> {
  const file = await asyncBufferFromFile(path);
  const tail = new Uint8Array(await file.slice(Math.max(0, file.byteLength - 4)));
  if (file.byteLength < 12 || String.fromCharCode(...tail) !== 'PAR1') {
    throw new ParquetError('the file ends without a Parquet footer (truncated?)');
  }
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new ParquetError(`not a readable Parquet file: ${(e as Error).message}`);
  }
  const schema = parquetSchema(metadata);
  const columns: string[] = [];
  for (const child of schema.children) {
    if (child.children.length > 0) throw new ParquetError(`column ${child.element.name} is nested (a flow log has flat columns)`);
    columns.push(child.element.name);
  }
  const out = new ChunkWriter();
  out.header(columns.map(headerName));
  const totalRows = Number(metadata.num_rows);
  const fileSize = file.byteLength;
  const progress = (rows: number) => (totalRows > 0 ? Math.min(fileSize, Math.round((fileSize * rows) / totalRows)) : fileSize);
  let scan: Awaited<ReturnType<typeof parquetScan>>;
  try {
    scan = await parquetScan({ file, metadata, columns, compressors: COMPRESSORS });
  } catch (e) {
    throw new ParquetError(`cannot read the file's row groups: ${(e as Error).message}`);
  }
  const hasOffsetIndex = metadata.row_groups.every((g) => g.columns.every((c) => c.offset_index_offset !== undefined));
  const values: ArrayLike<unknown>[] = new Array(columns.length);
  // Slices never cross a row group: a group is the most read at once (a slice of it with an offset index).
  const groupEnds: number[] = [];
  let rows = 0;
  for (const g of metadata.row_groups) groupEnds.push((rows += Number(g.num_rows)));
  const slices: [number, number][] = [];
  for (const range of scan.ranges) {
    let at = range.rowStart;
    for (const groupEnd of groupEnds) {
      while (at < range.rowEnd && at < groupEnd) {
        const stop = Math.min(range.rowEnd, groupEnd, hasOffsetIndex ? at + SLICE_ROWS : groupEnd);
        slices.push([at, stop]);
        at = stop;
      }
    }
  }
  for (const [rowStart, rowEnd] of slices) {
    options.signal?.throwIfAborted();
    try {
      for (let c = 0; c < columns.length; c++) values[c] = await scan.readColumn({ column: columns[c], rowStart, rowEnd });
    } catch (e) {
      const pending = out.take(progress(rowStart));
      if (pending) yield pending;
      throw new ParquetError(`rows ${rowStart + 1}–${rowEnd}: ${(e as Error).message}`, rowStart + 1);
    }
    for (let r = 0; r < rowEnd - rowStart; r++) {
      const rowNo = rowStart + r + 1;
      out.begin(rowNo);
      let problem = '';
      for (let c = 0; c < columns.length && !problem; c++) {
        if (c > 0) out.space();
        problem = writeValue(out, values[c][r]);
        if (problem) problem = `${columns[c]}: ${problem}`;
      }
      if (problem) out.abandon(rowNo, problem);
      else out.end();
      if (out.size >= FLUSH_BYTES) yield out.take(progress(rowNo))!;
    }
  }
  const last = out.take(fileSize);
  if (last) yield last;
}

function writeValue(out: ChunkWriter, v: unknown): string {
  if (v === null || v === undefined) {
    out.dash();
    return '';
  }
  switch (typeof v) {
    case 'number':
      out.text(Number.isFinite(v) ? String(v) : '-');
      return '';
    case 'bigint':
    case 'boolean':
      out.text(String(v));
      return '';
    case 'string':
      return writeText(out, v);
    default:
      if (v instanceof Uint8Array) return writeText(out, new TextDecoder().decode(v));
      if (v instanceof Date) {
        out.text(String(Math.floor(v.getTime() / 1000)));
        return '';
      }
      return 'the value is not a number or text';
  }
}

function writeText(out: ChunkWriter, s: string): string {
  if (s === '') {
    out.dash();
    return '';
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 0x85 || c === 0xa0 || c === 0x2028 || c === 0x2029) return 'the value holds a space or control character';
  }
  out.text(s);
  return '';
}
