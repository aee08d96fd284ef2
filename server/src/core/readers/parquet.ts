// Parquet (`….log.parquet`, AWS's S3 delivery option): columns named as the fields with `_` (`log_status`), typed
// (int32/int64/string), compressed with Gzip as AWS writes them (or Snappy/Zstd/Brotli/LZ4 from other writers).
//
// hyparquet parses the file (footer, page headers, decompression); its row assembly is not used: it builds a JS
// value per cell (a BigInt per int64, a string per text) through a general nested-list path, which took 6 s and
// 500 MB for 920,000 rows. Flow logs have flat columns: each column chunk of a row group is decoded straight from its
// pages into cells of text (parquetColumns.ts: a dictionary's values rendered once, a cell an index), then the rows
// are written out as canonical lines, the cells side by side. Memory follows the row group's cells (an index a
// cell, plus the text of plain values), not the file.
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { open, FileHandle } from 'node:fs/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema } from 'hyparquet';
import type { ColumnDecoder, Compressors, DecodedArray, FileMetaData, ParquetParsers, SchemaTree } from 'hyparquet/src/types.js';
import { parquetHeader } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS, convert, convertWithDictionary } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getMaxRepetitionLevel } from 'hyparquet/src/schema.js';
import { ChunkWriter, FLUSH_BYTES } from './chunkWriter';
import { ColumnCells, FlatType, UnsupportedPage, flatTypeOf, readDataPageV1, readDictionary } from './parquetColumns';
import { headerName } from './json';
import { DecodedChunk } from './types';

/** hyparquet-compressors, loaded with the first page that needs it: its Snappy WebAssembly and codec tables take
 * about 10 MB in every thread that loads them, and AWS writes Gzip pages. */
let pureJs: Compressors | undefined;
function pureJsCompressors(): Compressors {
  pureJs ??= (require('hyparquet-compressors') as typeof import('hyparquet-compressors')).compressors;
  return pureJs;
}

/** Page decompressors: Node's zlib for gzip and brotli (native, faster), hyparquet-compressors for the rest. */
const COMPRESSORS: Compressors = {
  // The declared page size as the output buffer (zlib's 16 KiB pieces joined at the end cost twice the page), but
  // no more than deflate can make of the input (a damaged header allocates nothing huge); a page inflating far
  // past what it declares is damage, not text to hold.
  GZIP: (input, outputLength) =>
    gunzipSync(input, { chunkSize: Math.max(64, Math.min(outputLength + 1, input.length * 1100 + (64 << 10))), maxOutputLength: outputLength + (1 << 20) }),
  BROTLI: (input) => brotliDecompressSync(input),
  SNAPPY: (input, length) => pureJsCompressors().SNAPPY!(input, length),
  ZSTD: (input, length) => pureJsCompressors().ZSTD!(input, length),
  LZ4: (input, length) => pureJsCompressors().LZ4!(input, length),
  LZ4_RAW: (input, length) => pureJsCompressors().LZ4_RAW!(input, length),
};

/** Text columns come back as their bytes (copied to the output as they are), not as JS strings. */
const PARSERS: ParquetParsers = { ...DEFAULT_PARSERS, stringFromBytes: (bytes: Uint8Array) => bytes };

export class ParquetError extends Error {
  constructor(message: string, readonly row?: number) {
    super(message);
  }
}

export interface ParquetOptions {
  signal?: AbortSignal;
  /** Mark the lines as having no place in a source line (DecodedChunk.sourceColumns). */
  sourceColumns?: boolean;
  /** The consumer keeps no view of a chunk once it asks for the next: one output buffer serves every chunk. */
  reuseBuffers?: boolean;
}

/** The column names of a Parquet file, from its footer (nothing else is read). */
export async function parquetColumnNames(path: string): Promise<string[]> {
  const file = await asyncBufferFromFile(path);
  try {
    return parquetSchema(await parquetMetadataAsync(file)).children.map((c) => c.element.name);
  } catch (e) {
    throw new ParquetError(`not a readable Parquet file: ${(e as Error).message}`);
  }
}

/** Decodes a Parquet file to canonical lines: a header line of the columns, then one line a row (row numbers from 1). */
export async function* decodeParquet(path: string, options: ParquetOptions = {}): AsyncGenerator<DecodedChunk> {
  const file = await asyncBufferFromFile(path);
  const tail = new Uint8Array(await file.slice(Math.max(0, file.byteLength - 4)));
  if (file.byteLength < 12 || String.fromCharCode(...tail) !== 'PAR1') {
    throw new ParquetError('the file ends without a Parquet footer (truncated?)');
  }
  let metadata: FileMetaData;
  let schemaTree: SchemaTree;
  try {
    metadata = await parquetMetadataAsync(file);
    schemaTree = parquetSchema(metadata);
  } catch (e) {
    throw new ParquetError(`not a readable Parquet file: ${(e as Error).message}`);
  }
  const columns: { name: string; path: SchemaTree[] }[] = [];
  for (const child of schemaTree.children) {
    if (child.children.length > 0) throw new ParquetError(`column ${child.element.name} is nested (a flow log has flat columns)`);
    columns.push({ name: child.element.name, path: [schemaTree, child] });
  }
  const out = new ChunkWriter(options.sourceColumns, options.reuseBuffers);
  out.header(columns.map((c) => headerName(c.name)));
  // Column chunks are read straight into one buffer (hyparquet's file reader copies them twice more), used again
  // from one chunk to the next: a chunk is decoded into its cells (which copy what they keep) before the next read.
  const scratch = new ChunkBuffer();
  const handle = await open(path, 'r');
  try {
    yield* readGroups();
  } finally {
    await handle.close();
  }
  async function* readGroups(): AsyncGenerator<DecodedChunk> {
    let groupStart = 0;
    let bytesDone = 0;
    const cells = columns.map((c) => new ColumnCells(c.name));
    for (const group of metadata.row_groups) {
      options.signal?.throwIfAborted();
      const rows = Number(group.num_rows);
      try {
        for (let k = 0; k < columns.length; k++) {
          const c = columns[k];
          const chunk = group.columns.find((cc) => cc.meta_data?.path_in_schema.length === 1 && cc.meta_data.path_in_schema[0] === c.name);
          const col = cells[k];
          col.reset(rows);
          if (!chunk?.meta_data) {
            // A column without data in this group: all missing.
            for (let r = 0; r < rows; r++) col.dash();
          } else {
            const meta = chunk.meta_data;
            const dictionary = meta.dictionary_page_offset;
            let start = Number(meta.data_page_offset);
            if (dictionary !== undefined && Number(dictionary) > 0 && Number(dictionary) < start) start = Number(dictionary);
            const end = start + Number(meta.total_compressed_size);
            if (end > file.byteLength) throw new Error(`column ${c.name} goes past the end of the file`);
            const length = end - start;
            const buffer = await readBytes(handle, start, length, scratch);
            const element = c.path[1].element;
            const decoder: ColumnDecoder = {
              pathInSchema: meta.path_in_schema, type: meta.type, element, schemaPath: c.path, codec: meta.codec,
              parsers: PARSERS, compressors: COMPRESSORS, utf8: false,
            };
            const flat = flatTypeOf(meta.type, element.converted_type, element.logical_type as { type?: string; isSigned?: boolean } | undefined);
            let done = false;
            if (flat) {
              try {
                readFlatChunk(buffer, length, rows, col, decoder, flat);
                done = true;
              } catch (e) {
                if (!(e instanceof UnsupportedPage)) throw e;
                col.reset(rows);
              }
            }
            if (!done) readColumnChunk(buffer, length, rows, col, decoder);
            bytesDone = Math.max(bytesDone, end);
          }
          if (col.rows !== rows) throw new Error(`column ${c.name} has ${col.rows} values for ${rows} rows`);
        }
      } catch (e) {
        const pending = out.take(bytesDone);
        if (pending) yield pending;
        throw new ParquetError(`rows ${groupStart + 1}–${groupStart + rows}: ${(e as Error).message}`, groupStart + 1);
      }
      // Rows as lines: the columns' cells side by side.
      const width = cells.length;
      const checked = cells.filter((c) => c.hasBad);
      for (let r = 0; r < rows; r++) {
        const rowNo = groupStart + r + 1;
        if (checked.length > 0) {
          const bad = checked.find((c) => c.cell[r] >= 0 && c.badEntry[c.cell[r]] === 1);
          if (bad) {
            out.problem(rowNo, bad.bad[bad.cell[r]]);
            continue;
          }
        }
        out.begin(rowNo);
        let need = width + 1;
        for (let c = 0; c < width; c++) {
          const e = cells[c].cell[r];
          need += e < 0 ? 1 : cells[c].entryOff[e + 1] - cells[c].entryOff[e];
        }
        const dst = out.reserve(need);
        let o = out.size;
        for (let c = 0; c < width; c++) {
          if (c > 0) dst[o++] = 32;
          const col = cells[c];
          const e = col.cell[r];
          if (e < 0) {
            dst[o++] = 45;
            continue;
          }
          const src = col.entries;
          const end = col.entryOff[e + 1];
          for (let i = col.entryOff[e]; i < end; i++) dst[o++] = src[i];
        }
        out.commit(o);
        out.end();
        if (out.size >= FLUSH_BYTES) yield out.take(bytesDone)!;
      }
      groupStart += rows;
    }
    const last = out.take(file.byteLength);
    if (last) yield last;
  }
}

/** The buffer column chunks are read into, grown as needed (an ArrayBuffer of its own, the bytes from offset 0). */
class ChunkBuffer {
  private buf = Buffer.alloc(0);

  atLeast(n: number): Buffer {
    if (this.buf.length < n) this.buf = Buffer.allocUnsafeSlow(Math.max(n, Math.floor(this.buf.length * 1.5), 64 << 10));
    return this.buf;
  }
}

/** `length` bytes of the file from `position`, in the scratch buffer (its ArrayBuffer holds them from offset 0). */
async function readBytes(handle: FileHandle, position: number, length: number, scratch: ChunkBuffer): Promise<ArrayBuffer> {
  const buf = scratch.atLeast(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new Error('the file ends inside a column chunk (truncated?)');
    done += bytesRead;
  }
  // allocUnsafeSlow: a buffer of its own (never a slice of the shared pool), so its ArrayBuffer starts with these bytes.
  return buf.buffer as ArrayBuffer;
}

/** The pages of a column chunk of a type parquetColumns.ts reads, decoded straight into cells. */
function readFlatChunk(buffer: ArrayBuffer, length: number, rows: number, cells: ColumnCells, decoder: ColumnDecoder, type: FlatType): void {
  if (getMaxRepetitionLevel(decoder.schemaPath) > 0) throw new Error(`column ${cells.name} is repeated`);
  const maxDef = getMaxDefinitionLevel(decoder.schemaPath);
  const reader = { view: new DataView(buffer, 0, length), offset: 0 };
  let dictBase = -1;
  while (cells.rows < rows && reader.offset < length) {
    const header = parquetHeader(reader);
    // The buffer may be longer than the chunk (it is reused): a page past the chunk's end is damage, not bytes.
    if (reader.offset + header.compressed_page_size > length) throw new Error('a page goes past the end of its column chunk');
    const compressed = new Uint8Array(buffer, reader.offset, header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const page = decompressPage(compressed, Number(header.uncompressed_page_size), decoder.codec, decoder.compressors);
      dictBase = readDictionary(page, header.dictionary_page_header!.num_values, type, cells);
    } else if (header.type === 'DATA_PAGE') {
      const daph = header.data_page_header!;
      const page = decompressPage(compressed, Number(header.uncompressed_page_size), decoder.codec, decoder.compressors);
      readDataPageV1(page, daph.num_values, daph.encoding, maxDef, type, cells, dictBase);
    } else if (header.type === 'DATA_PAGE_V2') {
      throw new UnsupportedPage('data pages v2');
    }
    // Index pages carry no values.
  }
}

/** The pages of one flat column chunk through hyparquet's decoders (encodings and types not read above). */
function readColumnChunk(buffer: ArrayBuffer, length: number, rows: number, cells: ColumnCells, decoder: ColumnDecoder): void {
  if (getMaxRepetitionLevel(decoder.schemaPath) > 0) throw new Error(`column ${cells.name} is repeated`);
  const maxDef = getMaxDefinitionLevel(decoder.schemaPath);
  const reader = { view: new DataView(buffer, 0, length), offset: 0 };
  let dictionary: DecodedArray | undefined;
  while (cells.rows < rows && reader.offset < length) {
    const header = parquetHeader(reader);
    // The buffer may be longer than the chunk (it is reused): a page past the chunk's end is damage, not bytes.
    if (reader.offset + header.compressed_page_size > length) throw new Error('a page goes past the end of its column chunk');
    const compressed = new Uint8Array(buffer, reader.offset, header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const dph = header.dictionary_page_header!;
      const page = decompressPage(compressed, Number(header.uncompressed_page_size), decoder.codec, decoder.compressors);
      const values = readPlain({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }, decoder.type, dph.num_values, decoder.element.type_length);
      dictionary = convert(values, decoder);
    } else if (header.type === 'DATA_PAGE') {
      const daph = header.data_page_header!;
      const page = decompressPage(compressed, Number(header.uncompressed_page_size), decoder.codec, decoder.compressors);
      const { definitionLevels, dataPage } = readDataPage(page, daph, decoder);
      writeValues(cells, convertWithDictionary(dataPage, dictionary, daph.encoding, decoder), definitionLevels, maxDef, daph.num_values);
    } else if (header.type === 'DATA_PAGE_V2') {
      const daph2 = header.data_page_header_v2!;
      const { definitionLevels, dataPage } = readDataPageV2(compressed, header, decoder);
      writeValues(cells, convertWithDictionary(dataPage, dictionary, daph2.encoding, decoder), definitionLevels, maxDef, daph2.num_values);
    }
    // Index pages carry no values.
  }
}

/** Writes a page's values; a definition level under the maximum is a missing value (`-`). */
function writeValues(cells: ColumnCells, values: DecodedArray, defs: number[] | undefined, maxDef: number, count: number): void {
  const hasDefs = maxDef > 0 && defs !== undefined && defs.length > 0;
  let vi = 0;
  for (let i = 0; i < count; i++) {
    if (hasDefs && defs![i] < maxDef) cells.dash();
    else cells.value(values[vi++]);
  }
}
