// The one place the loader reads flow log files: canonical lines from the readers (any delivery shape, as the
// engine reads it), split by the scanner, bound to the format of the last header line, malformed as the engine
// says (the validator gives the reason).
import { statSync } from 'node:fs';
import { DecodeError, decodeFile } from '../readers';
import { readReason } from '../readers/pipeline';
import { DEFAULT_FORMAT, FieldSpans, LineKind, RecordFormat, classifyLine, headerNames, makeFormat, scanFields } from '../scan';
import { Problem, validateHeader, validateRecord } from '../validate';
import { LineKind as ScanKind, RecordScanner } from '../records/recordScanner';

/** What the reader finds, line by line, handed to the loader as it goes (synchronously, within a chunk). */
export interface RecordVisitor {
  /** A header line: the records after it have these fields. */
  format(line: number, format: RecordFormat): void;
  /**
   * A record to load: `text` is its line, `spans` its fields (in the order of the current format, `-` kept as
   * written). Both are only valid during the call (the spans object is reused).
   */
  record(line: number, text: string, spans: FieldSpans): void;
  /** A line that is not loaded, and why. */
  malformed(line: number, message: string): void;
  /** Something loaded with a caveat (a header naming an unknown field: that field's values are not loaded). */
  warning(line: number, message: string): void;
}

/** Progress after each chunk: bytes of the file read so far, and its size. */
export interface ChunkProgress {
  bytesDone: number;
  bytesTotal: number;
}

/** The records of one file, in line order (source lines, 1-based), to `visit`; yields after each chunk. */
export async function* readRecordChunks(path: string, visit: RecordVisitor): AsyncGenerator<ChunkProgress> {
  let format = DEFAULT_FORMAT;
  const spans = new FieldSpans();
  const problems: Problem[] = [];
  // Malformed is what the query engine calls malformed (records/recordScanner.ts): a table holds the records a
  // query of the file reads, no more, no fewer. The scanner reads each line's bytes; the validator says why.
  const scanner = new RecordScanner(format);
  const decoder = new TextDecoder();
  let bytesTotal: number;
  try {
    bytesTotal = statSync(path).size;
  } catch (e) {
    throw new DecodeError(path, readReason(e));
  }
  for await (const chunk of decodeFile(path)) {
    const text = decoder.decode(chunk.bytes);
    const unreadable = chunk.problems ? new Map(chunk.problems.map((p) => [p.line, p.message])) : undefined;
    let start = 0;
    for (let k = 0; start < text.length; k++) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = text.length;
      const line = text.slice(start, nl);
      start = nl + 1;
      const lineNo = chunk.lines ? chunk.lines[k] : chunk.firstLine + k;
      if (line === '!' && unreadable?.has(lineNo)) {
        visit.malformed(lineNo, unreadable.get(lineNo)!);
        continue;
      }
      scanFields(line, 0, line.length, spans);
      const kind = classifyLine(line, spans);
      if (kind === LineKind.Blank || kind === LineKind.Comment) continue;
      if (kind === LineKind.Header) {
        format = makeFormat(headerNames(line, spans), Math.max(0, lineNo - 1));
        scanner.bind(format);
        visit.format(lineNo, format);
        problems.length = 0;
        validateHeader(line, spans, problems);
        for (const p of problems) if (p.severity === 'error') visit.warning(lineNo, `${p.message}: its values are not loaded`);
        continue;
      }
      if (scanner.format !== format) scanner.bind(format);
      scanner.setChunk(Buffer.from(line, 'utf8'));
      if (scanner.next() !== ScanKind.Record) {
        problems.length = 0;
        validateRecord(line, spans, format, problems);
        const why = problems.find((p) => p.severity === 'error');
        visit.malformed(lineNo, why?.message ?? 'not a record of its format (a field count or a value not of its type)');
        continue;
      }
      // ClickHouse's unsigned columns (times, codes) cannot hold what the engine reads as a negative number.
      const negative = unsignedNegative(line, spans, format);
      if (negative >= 0) visit.malformed(lineNo, `${format.names[negative]} ${line.slice(spans.starts[negative], spans.ends[negative])} is negative: the table's column is unsigned`);
      else visit.record(lineNo, line, spans);
    }
    yield { bytesDone: chunk.bytesRead, bytesTotal };
  }
}

/** The first field a negative number is written in whose column is unsigned (schema.ts), or -1. */
function unsignedNegative(line: string, spans: FieldSpans, format: RecordFormat): number {
  for (let k = 0; k < spans.count && k < format.fields.length; k++) {
    const f = format.fields[k];
    if (!f || (f.type !== 'timestamp' && f.type !== 'integer')) continue;
    const s = spans.starts[k];
    if (line.charCodeAt(s) === 45 && spans.ends[k] - s > 1) return k;
  }
  return -1;
}
