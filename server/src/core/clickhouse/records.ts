// The one place the loader reads flow log files: whole lines from the engine's chunk reader, split by the
// scanner, bound to the format of the last header line, checked by the validator. When the engine's readers
// change (byte chunks; JSON, CSV, Parquet and compressed readers that give canonical text lines, see
// ../readers/types.ts), only `readRecordChunks` changes.
import { readChunks } from '../query/sources';
import { DEFAULT_FORMAT, FieldSpans, LineKind, RecordFormat, classifyLine, headerNames, makeFormat, scanFields } from '../scan';
import { Codes, Problem, validateHeader, validateRecord } from '../validate';
import { intAt, isNumericField } from '../query/values';

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

/**
 * Problems that do not stop a record from being stored faithfully: a `-` where an OK record needs a value is
 * NULL, as the query engine reads it; start after end is two valid times. Every other error makes the line
 * malformed (a wrong field count, a value that is not of its field's type).
 */
const STORABLE: ReadonlySet<string> = new Set([Codes.missingValue, Codes.startAfterEnd]);

/** The records of one file, in line order (lines 1-based), to `visit`; yields after each chunk. */
export async function* readRecordChunks(path: string, visit: RecordVisitor): AsyncGenerator<ChunkProgress> {
  let format = DEFAULT_FORMAT;
  let lineNo = 0;
  const spans = new FieldSpans();
  const problems: Problem[] = [];
  for await (const chunk of readChunks({ kind: 'files', paths: [path] })) {
    const text = chunk.text;
    let start = 0;
    while (start < text.length) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = text.length;
      const line = text.slice(start, nl);
      start = nl + 1;
      lineNo++;
      const n = scanFields(line, 0, line.length, spans);
      const kind = classifyLine(line, spans);
      if (kind === LineKind.Blank || kind === LineKind.Comment) continue;
      if (kind === LineKind.Header) {
        format = makeFormat(headerNames(line, spans), lineNo - 1);
        visit.format(lineNo, format);
        problems.length = 0;
        validateHeader(line, spans, problems);
        for (const p of problems) if (p.severity === 'error') visit.warning(lineNo, `${p.message}: its values are not loaded`);
        continue;
      }
      problems.length = 0;
      validateRecord(line, spans, format, problems);
      let error: Problem | undefined;
      for (const p of problems) {
        if (p.severity === 'error' && !STORABLE.has(p.code)) {
          error = p;
          break;
        }
      }
      if (error) {
        visit.malformed(lineNo, error.message);
        continue;
      }
      // The engine reads numbers of up to 15 digits (exact as doubles); the validator lets longer counts pass.
      let bad = -1;
      for (let k = 0; k < n && bad < 0; k++) {
        const s = spans.starts[k];
        const e = spans.ends[k];
        if (e - s > 15 && isNumericField(format.fields[k]) && Number.isNaN(intAt(line, s, e))) bad = k;
      }
      if (bad >= 0) visit.malformed(lineNo, `${format.names[bad]} ${line.slice(spans.starts[bad], spans.ends[bad])} has more than 15 digits`);
      else visit.record(lineNo, line, spans);
    }
    yield { bytesDone: chunk.bytesDone, bytesTotal: chunk.bytesTotal };
  }
}
