// What a file is: its compression by magic bytes, then its encoding by the first decompressed bytes, and only
// where the content cannot decide, by its name. A `formatHint` overrides (CSV with space separators, a JSON file
// whose first line is damaged…).
import { FieldSpans, LineKind, classifyLine, scanFields } from '../scan';
import { lookupField } from '../schema';
import { snappyContainer } from './snappy';
import { LZOP_MAGIC } from './lzo';
import { isoPrefixEnd } from './text';
import { Compression, Encoding } from './types';

const PAR1 = [0x50, 0x41, 0x52, 0x31];

const has = (b: Uint8Array, magic: number[], at = 0) => b.length >= at + magic.length && magic.every((x, i) => b[at + i] === x);

/** Whether the bytes start (head) and end (tail) like a Parquet file. */
export function isParquet(head: Uint8Array, tail?: Uint8Array): { start: boolean; end: boolean } {
  return { start: has(head, PAR1), end: tail !== undefined && tail.length >= 4 && has(tail, PAR1, tail.length - 4) };
}

/** Compression by magic bytes; a `.snappy` name admits the snappy shapes without magic (Hadoop, raw). */
export function detectCompression(head: Uint8Array, fileSize: number, name: string): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (has(head, LZOP_MAGIC)) return 'lzo';
  const snappy = snappyContainer(head, fileSize);
  if (snappy === 'framed' || snappy === 'snappy-java') return 'snappy';
  // Without a magic number, Hadoop and raw snappy are taken as snappy only when named so and not plain text:
  // a `.snappy` file an unpacking tool already expanded reads as what it is.
  if (snappy && /\.snappy$/i.test(name) && !looksLikeText(head)) return 'snappy';
  return 'none';
}

/** Mostly printable UTF-8 and no NUL: text. */
export function looksLikeText(head: Uint8Array): boolean {
  const n = Math.min(head.length, 4096);
  if (n === 0) return true;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const c = head[i];
    if (c === 0) return false;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) odd++;
  }
  return odd * 100 < n;
}

export interface EncodingGuess {
  encoding: Encoding;
  csv?: { separator: string; header: boolean };
}

const CSV_SEPARATORS = [',', '\t', '|', ';'];

/** The first lines of decompressed text, without a byte order mark, blank lines left out. */
function firstLines(head: Uint8Array, max: number): string[] {
  const n = Math.min(head.length, 65536);
  let at = n >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const lines: string[] = [];
  const decoder = new TextDecoder();
  while (at < n && lines.length < max) {
    let e = at;
    while (e < n && head[e] !== 10 && head[e] !== 13) e++;
    // A last line cut short by the sample's end is not a line (unless the sample is the whole input).
    if (e === n && head.length >= 65536 && lines.length > 0) break;
    const line = decoder.decode(head.subarray(at, e));
    if (line.trim() !== '') lines.push(line);
    at = e < n && head[e] === 13 && head[e + 1] === 10 ? e + 2 : e + 1;
  }
  return lines;
}

/** Encoding of decompressed bytes, by content; then by the file's name; plain text when nothing says otherwise. */
export function detectEncoding(head: Uint8Array, name: string): EncodingGuess {
  const lines = firstLines(head, 20);
  const first = lines[0];
  const base = name.toLowerCase().replace(/\.(gz|snappy|lzo|lzop)$/, '');
  const named = /\.(json|jsonl|ndjson)$/.test(base) ? 'json' : /\.csv$/.test(base) ? 'csv' : /\.tsv$/.test(base) ? 'tsv' : undefined;
  if (first !== undefined) {
    if (first.trimStart().startsWith('{')) return { encoding: 'json' };
    const bytes = new TextEncoder().encode(first);
    if (isoPrefixEnd(bytes, 0, bytes.length) > 0) return { encoding: 'cloudwatch' };
  }
  // A JSON-named file whose first line is not an object is still read as JSON: each such line is a problem.
  if (named === 'json') return { encoding: 'json' };
  const csv = guessCsv(lines);
  if (csv) return { encoding: 'csv', csv };
  if (named === 'csv' || named === 'tsv') return { encoding: 'csv', csv: { separator: named === 'csv' ? ',' : '\t', header: false } };
  return { encoding: 'text' };
}

/**
 * CSV when a separator other than space appears the same (non-zero) number of times, outside quotes, on most of
 * the first lines, and the first line is not a space-separated flow log line (those never hold these separators).
 */
export function guessCsv(lines: string[]): { separator: string; header: boolean } | undefined {
  if (lines.length === 0) return undefined;
  const spans = new FieldSpans();
  const first = lines[0];
  scanFields(first, 0, first.length, spans);
  const kind = classifyLine(first, spans);
  if (kind === LineKind.Header || kind === LineKind.Comment) return undefined;
  // A space-separated record whose own values are flow-log values (a `;` inside an interface id, a `,` in a
  // hostile value) is text, not a CSV row that splits it in two.
  if (flowLogValueCount(first.split(' ')) >= 4) return undefined;
  let best: { separator: string; count: number } | undefined;
  for (const sep of CSV_SEPARATORS) {
    const counts = lines.map((l) => countOutsideQuotes(l, sep));
    const c0 = counts[0];
    if (c0 === 0) continue;
    const agreeing = counts.filter((c) => c === c0).length;
    if (agreeing * 10 < counts.length * 8) continue;
    if (!best || c0 > best.count) best = { separator: sep, count: c0 };
  }
  if (!best) return undefined;
  const cells = first.split(best.separator).map((c) => c.trim().replace(/^["']|["']$/g, ''));
  const known = cells.filter((c) => lookupField(c) !== undefined).length;
  return { separator: best.separator, header: known >= 2 && known * 2 >= cells.length };
}

function countOutsideQuotes(line: string, sep: string): number {
  let n = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === sep && !quoted) n++;
  }
  return n;
}

const VERSION = /^(?:[2-9]|1[01]|V1)$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}$/;
const ENI = /^eni-[0-9A-Za-z]+$/;
const TIME = /^1\d{9}$/;
const WORDS = new Set(['ACCEPT', 'REJECT', 'OK', 'NODATA', 'SKIPDATA']);

/**
 * Whether a line of text looks like part of a flow log: a header line, a comment, a JSON object, a CloudWatch
 * export line, a CSV row of field names, or a record with at least two values only flow logs have (a version, an
 * address, an `eni-` id, a Unix time, ACCEPT/REJECT, OK/NODATA/SKIPDATA).
 */
export function looksLikeFlowLogLine(line: string): boolean {
  const t = line.trim();
  if (t === '' || t.startsWith('#') || t.startsWith('{')) return true;
  const bytes = new TextEncoder().encode(t);
  const after = isoPrefixEnd(bytes, 0, bytes.length);
  const rest = after > 0 ? new TextDecoder().decode(bytes.subarray(after)) : t;
  const spans = new FieldSpans();
  scanFields(rest, 0, rest.length, spans);
  if (classifyLine(rest, spans) === LineKind.Header) return true;
  const csv = guessCsv([rest]);
  const values = csv ? rest.split(csv.separator).map((v) => v.trim().replace(/^"|"$/g, '')) : rest.split(/\s+/);
  if (csv?.header) return true;
  return values.length >= 4 && flowLogValueCount(values) >= 2;
}

/** How many of `values` only flow logs have: a version, an address, an `eni-` id, a Unix time, an action or status. */
function flowLogValueCount(values: readonly string[]): number {
  let hits = 0;
  for (const v of values) {
    if (VERSION.test(v) || IPV4.test(v) || (v.includes(':') && IPV6.test(v)) || ENI.test(v) || TIME.test(v) || WORDS.has(v)) hits++;
  }
  return hits;
}
