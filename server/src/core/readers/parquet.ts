// Parquet (`….log.parquet`, AWS's S3 delivery option): columns named as the fields with `_` (`log_status`), typed
// (int32/int64/string), compressed with Gzip as AWS writes them (or Snappy/Zstd/Brotli/LZ4 from other writers).
//
// hyparquet parses the file (footer, page headers, encodings, dictionaries, decompression); its row assembly is
// not used: it builds a JS value per cell (a BigInt per int64, a string per text) through a general nested-list
// path, which took 6 s and 500 MB for 920,000 rows. Flow logs have flat columns, so each page's values are written
// straight to canonical text here, a row group at a time, one column chunk at a time: memory follows the row
// group's text (about the size of the records it holds as text), not the file.
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { open, FileHandle } from 'node:fs/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema } from 'hyparquet';
import type { ColumnDecoder, Compressors, DecodedArray, FileMetaData, ParquetParsers, SchemaTree } from 'hyparquet/src/types.js';
import { parquetHeader } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS, convert, convertWithDictionary } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getMaxRepetitionLevel } from 'hyparquet/src/schema.js';
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
}

const SPACE_OR_CONTROL = 'the value holds a space or control character';

/** One column of a row group as canonical text: the value of row r is bytes[offsets[r], offsets[r + 1]). */
class ColumnText {
  bytes = new Uint8Array(1 << 16);
  len = 0;
  offsets = new Int32Array(1);
  rows = 0;
  private problems = new Map<number, string>();

  constructor(readonly name: string) {}

  /** Starts a row group (the buffers are kept from one group to the next). */
  reset(rows: number, problems: Map<number, string>): void {
    if (this.offsets.length < rows + 1) this.offsets = new Int32Array(rows + 1);
    this.offsets[0] = 0;
    this.len = 0;
    this.rows = 0;
    this.problems = problems;
  }

  private room(n: number): void {
    if (this.len + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.bytes.subarray(0, this.len));
    this.bytes = b;
  }

  private next(): void {
    this.offsets[++this.rows] = this.len;
  }

  dash(): void {
    this.room(1);
    this.bytes[this.len++] = 45;
    this.next();
  }

  integer(x: number): void {
    this.room(21);
    const b = this.bytes;
    let o = this.len;
    if (x < 0) {
      b[o++] = 45;
      x = -x;
    }
    let digits = 1;
    for (let p = 10; p <= x && digits < 16; p *= 10) digits++;
    if (x >= 1e16) digits = String(x).length;
    let at = o + digits;
    o = at;
    do {
      const q = Math.floor(x / 10);
      b[--at] = 48 + (x - q * 10);
      x = q;
    } while (x > 0);
    this.len = o;
    this.next();
  }

  ascii(s: string): void {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.bytes[this.len++] = s.charCodeAt(i);
    this.next();
  }

  /** Text bytes; a value with a blank or control character marks its row as a problem. */
  text(v: Uint8Array): void {
    const n = v.length;
    if (n === 0) {
      this.dash();
      return;
    }
    this.room(n);
    const b = this.bytes;
    let o = this.len;
    for (let i = 0; i < n; i++) {
      const c = v[i];
      if (c <= 32 || c === 127) {
        this.problem(SPACE_OR_CONTROL);
        return;
      }
      b[o++] = c;
    }
    this.len = o;
    this.next();
  }

  problem(message: string): void {
    if (!this.problems.has(this.rows)) this.problems.set(this.rows, `${this.name}: ${message}`);
    this.next();
  }

  value(v: unknown): void {
    if (v instanceof Uint8Array) this.text(v);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) this.integer(v);
      else if (Number.isFinite(v)) this.ascii(String(v));
      else this.dash();
    } else if (typeof v === 'bigint') {
      const x = Number(v);
      if (Number.isSafeInteger(x)) this.integer(x);
      else this.ascii(v.toString());
    } else if (v === null || v === undefined) this.dash();
    else if (typeof v === 'string') this.text(new TextEncoder().encode(v));
    else if (typeof v === 'boolean') this.ascii(v ? 'true' : 'false');
    else if (v instanceof Date) this.integer(Math.floor(v.getTime() / 1000));
    else this.problem('the value is not a number or text');
  }
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
  const out = new ChunkWriter(options.sourceColumns);
  out.header(columns.map((c) => headerName(c.name)));
  // Column chunks are read straight into one buffer each (hyparquet's file reader copies them twice more).
  const handle = await open(path, 'r');
  try {
    yield* readGroups();
  } finally {
    await handle.close();
  }
  async function* readGroups(): AsyncGenerator<DecodedChunk> {
    let groupStart = 0;
    let bytesDone = 0;
    const allTexts = columns.map((c) => new ColumnText(c.name));
    for (const group of metadata.row_groups) {
      options.signal?.throwIfAborted();
      const rows = Number(group.num_rows);
      const problems = new Map<number, string>();
      const texts: ColumnText[] = [];
      try {
        for (let k = 0; k < columns.length; k++) {
          const c = columns[k];
          const chunk = group.columns.find((cc) => cc.meta_data?.path_in_schema.length === 1 && cc.meta_data.path_in_schema[0] === c.name);
          const text = allTexts[k];
          text.reset(rows, problems);
          if (!chunk?.meta_data) {
            // A column without data in this group: all missing.
            for (let r = 0; r < rows; r++) text.dash();
          } else {
            const meta = chunk.meta_data;
            const dictionary = meta.dictionary_page_offset;
            let start = Number(meta.data_page_offset);
            if (dictionary !== undefined && Number(dictionary) > 0 && Number(dictionary) < start) start = Number(dictionary);
            const end = start + Number(meta.total_compressed_size);
            if (end > file.byteLength) throw new Error(`column ${c.name} goes past the end of the file`);
            const buffer = await readBytes(handle, start, end - start);
            readColumnChunk(buffer, rows, text, {
              pathInSchema: meta.path_in_schema,
              type: meta.type,
              element: c.path[1].element,
              schemaPath: c.path,
              codec: meta.codec,
              parsers: PARSERS,
              compressors: COMPRESSORS,
              utf8: false,
            });
            bytesDone = Math.max(bytesDone, end);
          }
          if (text.rows !== rows) throw new Error(`column ${c.name} has ${text.rows} values for ${rows} rows`);
          texts.push(text);
        }
      } catch (e) {
        const pending = out.take(bytesDone);
        if (pending) yield pending;
        throw new ParquetError(`rows ${groupStart + 1}–${groupStart + rows}: ${(e as Error).message}`, groupStart + 1);
      }
      // Rows as lines: the columns' values side by side.
      const bytes = texts.map((t) => t.bytes);
      const offsets = texts.map((t) => t.offsets);
      const width = texts.length;
      for (let r = 0; r < rows; r++) {
        const rowNo = groupStart + r + 1;
        if (problems.size > 0 && problems.has(r)) {
          out.problem(rowNo, problems.get(r)!);
          continue;
        }
        out.begin(rowNo);
        let need = width + 1;
        for (let c = 0; c < width; c++) need += offsets[c][r + 1] - offsets[c][r];
        const dst = out.reserve(need);
        let o = out.size;
        for (let c = 0; c < width; c++) {
          if (c > 0) dst[o++] = 32;
          const src = bytes[c];
          const off = offsets[c];
          const e = off[r + 1];
          for (let i = off[r]; i < e; i++) dst[o++] = src[i];
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

async function readBytes(handle: FileHandle, position: number, length: number): Promise<ArrayBuffer> {
  const buf = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new Error('the file ends inside a column chunk (truncated?)');
    done += bytesRead;
  }
  // allocUnsafeSlow: a buffer of its own (never a slice of the shared pool), so its ArrayBuffer is exactly these bytes.
  return buf.buffer as ArrayBuffer;
}

/** The pages of one flat column chunk, each value written to `text` as it is decoded. */
function readColumnChunk(buffer: ArrayBuffer, rows: number, text: ColumnText, decoder: ColumnDecoder): void {
  if (getMaxRepetitionLevel(decoder.schemaPath) > 0) throw new Error(`column ${text.name} is repeated`);
  const maxDef = getMaxDefinitionLevel(decoder.schemaPath);
  const reader = { view: new DataView(buffer), offset: 0 };
  let dictionary: DecodedArray | undefined;
  while (text.rows < rows && reader.offset < buffer.byteLength) {
    const header = parquetHeader(reader);
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
      writeValues(text, convertWithDictionary(dataPage, dictionary, daph.encoding, decoder), definitionLevels, maxDef, daph.num_values);
    } else if (header.type === 'DATA_PAGE_V2') {
      const daph2 = header.data_page_header_v2!;
      const { definitionLevels, dataPage } = readDataPageV2(compressed, header, decoder);
      writeValues(text, convertWithDictionary(dataPage, dictionary, daph2.encoding, decoder), definitionLevels, maxDef, daph2.num_values);
    }
    // Index pages carry no values.
  }
}

/** Writes a page's values; a definition level under the maximum is a missing value (`-`). */
function writeValues(text: ColumnText, values: DecodedArray, defs: number[] | undefined, maxDef: number, count: number): void {
  const hasDefs = maxDef > 0 && defs !== undefined && defs.length > 0;
  let vi = 0;
  // int64 columns come as BigInt64Array: read as two 32-bit halves, no BigInt made per value.
  const halves = values instanceof BigInt64Array && values.byteOffset % 4 === 0 ? new Int32Array(values.buffer, values.byteOffset, values.length * 2) : undefined;
  for (let i = 0; i < count; i++) {
    if (hasDefs && defs![i] < maxDef) {
      text.dash();
      continue;
    }
    if (halves) {
      const lo = halves[2 * vi] >>> 0;
      const hi = halves[2 * vi + 1];
      const x = hi * 4294967296 + lo;
      if (Number.isSafeInteger(x)) text.integer(x);
      else text.ascii((values as BigInt64Array)[vi].toString());
      vi++;
    } else text.value(values[vi++]);
  }
}
