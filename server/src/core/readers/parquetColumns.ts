// One flat Parquet column of a row group as cells of canonical text, decoded straight from its pages into typed
// arrays: each row's cell is an entry (its text as bytes) by index. A dictionary page's values are rendered as text
// once, so a dictionary-encoded cell (addresses, actions, ports, times, as DuckDB and AWS write them) costs one index;
// a plain value is rendered as it is read. Nothing is made per cell (no JS value, no string, no BigInt).
//
// Handled here: data pages v1 of PLAIN or (PLAIN|RLE)_DICTIONARY values of INT32, INT64, BYTE_ARRAY (text), BOOLEAN,
// FLOAT and DOUBLE without a converted type that changes their meaning, with definition levels. Anything else
// (data pages v2, DELTA encodings, timestamps, decimals, unsigned types…) is decoded by hyparquet and its values
// written as cells by `value` (parquet.ts); one column chunk takes one path or the other.

/** A column chunk this module does not decode: it goes through hyparquet. */
export class UnsupportedPage extends Error {}

const SPACE_OR_CONTROL = 'the value holds a space or control character';
const NULL = -1;

export class ColumnCells {
  /** Text of the entries, back to back: entry e is entries[entryOff[e], entryOff[e + 1]). */
  entries = new Uint8Array(1 << 16);
  private entryLen = 0;
  entryOff = new Int32Array(1025);
  entryCount = 0;
  /** Entries that cannot be a field value (a space or control character in text), with why; `hasBad` when any. */
  bad: string[] = [];
  badEntry = new Uint8Array(1024);
  hasBad = false;
  /** Per row: its entry, or -1 for a missing value (`-`). */
  cell = new Int32Array(1);
  rows = 0;

  constructor(readonly name: string) {}

  /** Starts a row group (the buffers are kept from one group to the next). */
  reset(rows: number): void {
    if (this.cell.length < rows) this.cell = new Int32Array(rows);
    this.rows = 0;
    this.entryLen = 0;
    this.entryCount = 0;
    this.entryOff[0] = 0;
    this.hasBad = false;
    this.bad.length = 0;
  }

  private room(n: number): void {
    if (this.entryLen + n > this.entries.length) {
      let size = this.entries.length * 2;
      while (size < this.entryLen + n) size *= 2;
      const b = new Uint8Array(size);
      b.set(this.entries.subarray(0, this.entryLen));
      this.entries = b;
    }
  }

  private endEntry(): number {
    const e = this.entryCount++;
    if (this.entryCount + 1 > this.entryOff.length) {
      const o = new Int32Array(this.entryOff.length * 2);
      o.set(this.entryOff);
      this.entryOff = o;
      const b = new Uint8Array(o.length);
      b.set(this.badEntry);
      this.badEntry = b;
    }
    this.entryOff[this.entryCount] = this.entryLen;
    this.badEntry[e] = 0;
    return e;
  }

  /** An entry of text bytes; one holding a blank or control character is marked bad. */
  textEntry(src: Uint8Array, start: number, end: number): number {
    const n = end - start;
    if (n === 0) return this.asciiEntry('-');
    this.room(n);
    const b = this.entries;
    let o = this.entryLen;
    let blank = false;
    for (let i = start; i < end; i++) {
      const c = src[i];
      if (c <= 32 || c === 127) blank = true;
      b[o++] = c;
    }
    this.entryLen = o;
    const e = this.endEntry();
    if (blank) this.markBad(e, SPACE_OR_CONTROL);
    return e;
  }

  markBad(e: number, message: string): void {
    this.badEntry[e] = 1;
    this.bad[e] = `${this.name}: ${message}`;
    this.hasBad = true;
  }

  /** An entry of an integer's decimal digits. */
  intEntry(x: number): number {
    this.room(24);
    const b = this.entries;
    let o = this.entryLen;
    if (x < 0) {
      b[o++] = 45;
      x = -x;
    }
    if (x < 2147483648) {
      // Integer arithmetic: the usual case (ports, counts, times).
      let digits = 1;
      for (let p = 10; p <= x && digits < 10; p *= 10) digits++;
      let at = o + digits;
      o = at;
      let v = x | 0;
      do {
        const q = (v / 10) | 0;
        b[--at] = 48 + (v - q * 10);
        v = q;
      } while (v > 0);
    } else {
      const s = String(x);
      for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
    }
    this.entryLen = o;
    return this.endEntry();
  }

  asciiEntry(s: string): number {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.entries[this.entryLen++] = s.charCodeAt(i);
    return this.endEntry();
  }

  /** The next row's cell. */
  push(entry: number): void {
    this.cell[this.rows++] = entry;
  }

  dash(): void {
    this.cell[this.rows++] = NULL;
  }

  /** A value as hyparquet converts it (the general path). */
  value(v: unknown): void {
    if (v instanceof Uint8Array) this.push(this.textEntry(v, 0, v.length));
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) this.push(this.intEntry(v));
      else if (Number.isFinite(v)) this.push(this.asciiEntry(String(v)));
      else this.dash();
    } else if (typeof v === 'bigint') {
      const x = Number(v);
      this.push(Number.isSafeInteger(x) ? this.intEntry(x) : this.asciiEntry(v.toString()));
    } else if (v === null || v === undefined) this.dash();
    else if (typeof v === 'string') {
      const bytes = new TextEncoder().encode(v);
      this.push(this.textEntry(bytes, 0, bytes.length));
    } else if (typeof v === 'boolean') this.push(this.asciiEntry(v ? 'true' : 'false'));
    else if (v instanceof Date) this.push(this.intEntry(Math.floor(v.getTime() / 1000)));
    else {
      const e = this.asciiEntry('-');
      this.markBad(e, 'the value is not a number or text');
      this.push(e);
    }
  }
}

/** The physical type of a column, when this module renders its values. */
export type FlatType = 'INT32' | 'INT64' | 'BYTE_ARRAY' | 'BOOLEAN' | 'FLOAT' | 'DOUBLE';

const TEXT_TYPES = new Set(['UTF8', 'STRING', 'ENUM', 'JSON']);
const INT_TYPES = new Set(['INT_8', 'INT_16', 'INT_32', 'INT_64', 'INTEGER']);

/** Whether a column's values are read here (its physical type, without a converted type that changes them). */
export function flatTypeOf(type: string, convertedType: string | undefined, logicalType: { type?: string; isSigned?: boolean } | undefined): FlatType | undefined {
  const logical = logicalType?.type;
  if (logical === 'INTEGER' && logicalType?.isSigned === false) return undefined;
  switch (type) {
    case 'INT32':
    case 'INT64':
      return (convertedType === undefined || INT_TYPES.has(convertedType)) && (logical === undefined || logical === 'INTEGER') ? type : undefined;
    case 'BYTE_ARRAY':
      return (convertedType === undefined || TEXT_TYPES.has(convertedType)) && (logical === undefined || TEXT_TYPES.has(logical)) ? type : undefined;
    case 'BOOLEAN':
    case 'FLOAT':
    case 'DOUBLE':
      return convertedType === undefined && logical === undefined ? type : undefined;
  }
  return undefined;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Entries for the values of a PLAIN page (a dictionary page's, or a data page's); their indices into `out`. */
function plainValues(page: Uint8Array, pos: number, count: number, type: FlatType, cells: ColumnCells, out: Int32Array): number {
  const dv = view(page);
  switch (type) {
    case 'INT32':
      for (let k = 0; k < count; k++, pos += 4) out[k] = cells.intEntry(dv.getInt32(pos, true));
      return pos;
    case 'INT64':
      for (let k = 0; k < count; k++, pos += 8) {
        const lo = dv.getUint32(pos, true);
        const hi = dv.getInt32(pos + 4, true);
        const x = hi * 4294967296 + lo;
        out[k] = Number.isSafeInteger(x) ? cells.intEntry(x) : cells.asciiEntry(dv.getBigInt64(pos, true).toString());
      }
      return pos;
    case 'BYTE_ARRAY':
      for (let k = 0; k < count; k++) {
        const n = dv.getUint32(pos, true);
        pos += 4;
        if (pos + n > page.length) throw new Error('a text value runs past the end of its page');
        out[k] = cells.textEntry(page, pos, pos + n);
        pos += n;
      }
      return pos;
    case 'BOOLEAN':
      for (let k = 0; k < count; k++) out[k] = cells.asciiEntry((page[pos + (k >> 3)] >> (k & 7)) & 1 ? 'true' : 'false');
      return pos + ((count + 7) >> 3);
    case 'FLOAT':
    case 'DOUBLE': {
      const size = type === 'FLOAT' ? 4 : 8;
      for (let k = 0; k < count; k++, pos += size) {
        const x = size === 4 ? dv.getFloat32(pos, true) : dv.getFloat64(pos, true);
        out[k] = Number.isSafeInteger(x) ? cells.intEntry(x) : Number.isFinite(x) ? cells.asciiEntry(String(x)) : cells.asciiEntry('-');
      }
      return pos;
    }
  }
}

/** Scratch arrays reused from page to page. */
let scratchDefs = new Uint8Array(1 << 16);
let scratchIdx = new Int32Array(1 << 16);

function defsFor(n: number): Uint8Array {
  if (scratchDefs.length < n) scratchDefs = new Uint8Array(n);
  return scratchDefs;
}

function idxFor(n: number): Int32Array {
  if (scratchIdx.length < n) scratchIdx = new Int32Array(n);
  return scratchIdx;
}

/** A dictionary page's values as entries; the entry of dictionary index i is base + i. */
export function readDictionary(page: Uint8Array, count: number, type: FlatType, cells: ColumnCells): number {
  const base = cells.entryCount;
  plainValues(page, 0, count, type, cells, idxFor(count));
  return base;
}

/**
 * The cells of a data page v1 (decompressed): definition levels (when the column is optional), then PLAIN or
 * dictionary-index values. `dictBase` is the entry of dictionary index 0 (-1: no dictionary).
 */
export function readDataPageV1(page: Uint8Array, numValues: number, encoding: string, maxDef: number, type: FlatType, cells: ColumnCells, dictBase: number): void {
  let pos = 0;
  let defs: Uint8Array | undefined;
  let present = numValues;
  if (maxDef > 0) {
    const length = view(page).getUint32(0, true);
    pos = 4;
    defs = defsFor(numValues);
    readHybrid(page, pos, pos + length, bitWidth(maxDef), defs, numValues);
    pos += length;
    present = 0;
    for (let i = 0; i < numValues; i++) if (defs[i] === maxDef) present++;
  }
  const values = idxFor(present);
  if (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') {
    if (dictBase < 0) throw new Error('a dictionary-encoded page without a dictionary');
    const width = page[pos++];
    if (width > 24) throw new UnsupportedPage(`dictionary indices of ${width} bits`);
    if (width === 0) values.fill(0, 0, present);
    else readHybrid(page, pos, page.length, width, values, present);
    for (let k = 0; k < present; k++) values[k] += dictBase;
  } else if (encoding === 'PLAIN') {
    plainValues(page, pos, present, type, cells, values);
  } else {
    throw new UnsupportedPage(`${encoding} pages`);
  }
  if (!defs || present === numValues) {
    for (let k = 0; k < numValues; k++) cells.push(values[k]);
    return;
  }
  let v = 0;
  for (let i = 0; i < numValues; i++) {
    if (defs[i] === maxDef) cells.push(values[v++]);
    else cells.dash();
  }
}

function bitWidth(max: number): number {
  return 32 - Math.clz32(max);
}

/**
 * The RLE / bit-packing hybrid encoding (definition levels, dictionary indices) of `width` ≤ 24 bits, from
 * b[pos, end) into out[0, count).
 */
function readHybrid(b: Uint8Array, pos: number, end: number, width: number, out: Uint8Array | Int32Array, count: number): void {
  const mask = (1 << width) - 1;
  let seen = 0;
  while (seen < count) {
    if (pos >= end) throw new Error('the levels or indices of a page end early (corrupt page)');
    let header = 0;
    let shift = 0;
    let c: number;
    do {
      c = b[pos++];
      header += (c & 0x7f) * 2 ** shift;
      shift += 7;
    } while (c & 0x80 && shift < 35);
    if (header & 1) {
      // Bit-packed: groups of 8 values, least significant bits first; a group takes `width` bytes.
      const values = Math.floor(header / 2) * 8;
      const groupEnd = pos + (values / 8) * width;
      if (groupEnd > end) throw new Error('bit-packed values run past their page (corrupt page)');
      let buffer = 0;
      let bits = 0;
      for (let k = 0; k < values; k++) {
        while (bits < width) {
          buffer |= b[pos++] << bits;
          bits += 8;
        }
        if (seen < count) out[seen++] = buffer & mask;
        buffer >>>= width;
        bits -= width;
      }
      pos = groupEnd;
    } else {
      const run = Math.floor(header / 2);
      let value = 0;
      const bytes = (width + 7) >> 3;
      for (let i = 0; i < bytes; i++) value |= b[pos++] << (8 * i);
      const stop = Math.min(count, seen + run);
      for (; seen < stop; seen++) out[seen] = value;
    }
  }
}
