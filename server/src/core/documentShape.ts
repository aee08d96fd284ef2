// An open document as the readers see a file: how its records are written (detected once, from its first lines and
// its name, as readers/detect.ts detects a file), and its records as canonical lines for the query engine (an
// open JSON or CSV document is queried as the readers would read the same bytes from disk, so the panel, the
// summary and `flowlog query` agree).
import { detectEncoding } from './readers/detect';
import { ChunkWriter } from './readers/chunkWriter';
import { LineSink, LineSplitter } from './readers/lineSplitter';
import { CloudWatchSink, TextSink } from './readers/text';
import { JsonLinesSink } from './readers/json';
import { CsvSink } from './readers/csv';
import { LineShape, TEXT_SHAPE } from './recordLine';

/** Characters of a document's start that detection reads (the readers sniff 64 KiB). */
const SNIFF_CHARS = 64 << 10;

/** Non-blank lines detection reads (readers/detect.ts reads 20). */
const SNIFF_LINES = 20;

/** How the records of `text` are written, judged from its start and its name (`.json`, `.csv`, `.tsv`…). */
export function detectShape(text: string, name = ''): LineShape {
  return shapeOfHead(text.length > SNIFF_CHARS ? text.slice(0, SNIFF_CHARS) : text, name);
}

/**
 * detectShape for a document kept as lines, and the last line it read: an edit after that line cannot change the
 * shape (detection reads the first 20 non-blank lines, within 64 KiB).
 */
export function detectShapeOfLines(lines: readonly string[], name = ''): { shape: LineShape; lastLine: number } {
  let chars = 0;
  let nonBlank = 0;
  let last = 0;
  for (; last < lines.length; last++) {
    chars += lines[last].length + 1;
    if (lines[last].trim() !== '') nonBlank++;
    if (nonBlank >= SNIFF_LINES || chars >= SNIFF_CHARS) break;
  }
  last = Math.min(last, lines.length - 1);
  const head = lines.slice(0, last + 1).join('\n') + (last + 1 < lines.length ? '\n' : '');
  return { shape: shapeOfHead(head.length > SNIFF_CHARS ? head.slice(0, SNIFF_CHARS) : head, name), lastLine: last };
}

export function sameShape(a: LineShape, b: LineShape): boolean {
  return a.encoding === b.encoding && a.separator === b.separator && a.quote === b.quote;
}

function shapeOfHead(headText: string, name: string): LineShape {
  const head = Buffer.from(headText, 'utf8');
  const guess = detectEncoding(head, name.replace(/^.*[\\/]/, ''));
  switch (guess.encoding) {
    case 'json':
    case 'cloudwatch':
      return { encoding: guess.encoding };
    case 'csv':
      return { encoding: 'csv', separator: guess.csv?.separator ?? ',', quote: '"' };
    default:
      return TEXT_SHAPE;
  }
}

/** The canonical lines of a document, and the document line of each (1-based) when they are not the same. */
export interface CanonicalText {
  text: string;
  /** Document line of canonical line n (at index n - 1; 0 for a header line made from JSON keys). */
  lines?: Int32Array;
  /** The first header line of the canonical text, if it starts with one (a JSON document's keys, a CSV header row). */
  header?: string;
}

/**
 * The records of a document of `shape` as the readers make them from a file (one space between values, a header
 * line made of JSON keys or a CSV header row, `!` for a line that is no record), for the engine's text source.
 * Plain text comes back as it is.
 */
export function canonicalText(text: string, shape: LineShape): CanonicalText {
  if (shape.encoding === 'text') return { text };
  const out = new ChunkWriter();
  const sink: LineSink = shape.encoding === 'json'
    ? new JsonLinesSink(out)
    : shape.encoding === 'csv'
      ? new CsvSink(out, { separator: shape.separator, quote: shape.quote, header: false })
      : new CloudWatchSink(out);
  const parts: Buffer[] = [];
  const lineNos: number[] = [];
  let consecutive = true;
  const take = () => {
    const chunk = out.take(0);
    if (!chunk) return;
    parts.push(Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength));
    const n = countLines(chunk.bytes);
    if (chunk.lines) {
      consecutive = false;
      for (const l of chunk.lines) lineNos.push(l);
    } else {
      for (let k = 0; k < n; k++) lineNos.push(chunk.firstLine + k);
    }
  };
  const splitter = new LineSplitter(sink, Number.MAX_SAFE_INTEGER, true);
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += 1 << 20) {
    splitter.push(bytes.subarray(at, Math.min(bytes.length, at + (1 << 20))));
    take();
  }
  splitter.finish();
  take();
  const canonical = Buffer.concat(parts).toString('utf8');
  // A CSV header row is read as a header line by the scanner already (it is a line of field names).
  const lines = consecutive && lineNos[0] === 1 ? undefined : Int32Array.from(lineNos);
  const result: CanonicalText = { text: canonical, lines };
  if (lines && lines[0] === 0) result.header = canonical.slice(0, canonical.indexOf('\n'));
  return result;
}

function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) n++;
  return n;
}

/** Lines of the canonical text → document lines: `line` values of result rows, in place (1-based). */
export function remapLineColumn(columns: readonly string[], rows: (string | number | null)[][], lines: Int32Array | undefined): void {
  if (!lines) return;
  const at = columns.indexOf('line');
  if (at < 0) return;
  for (const row of rows) {
    const v = row[at];
    if (typeof v === 'number' && v >= 1 && v <= lines.length) row[at] = lines[v - 1];
  }
}
