// The one place the loader reads flow log files: whole lines from the engine's chunk reader, split by the
// scanner, bound to the format of the last header line, checked by the validator. When the engine's readers
// change (byte chunks; JSON, CSV, Parquet and compressed readers that give canonical text lines, see
// ../readers/types.ts), only `readRecordChunks` changes.
import { readChunks } from '../query/sources';
import { DEFAULT_FORMAT, FieldSpans, LineKind, RecordFormat, classifyLine, headerNames, makeFormat, scanFields } from '../scan';
import { Codes, Problem, validateHeader, validateRecord } from '../validate';
import { intAt, isNumericField } from '../query/values';

export type RecordEvent =
  /** A header line: the records after it have these fields. */
  | { kind: 'format'; line: number; format: RecordFormat }
  /** A record to load: its fields as written (`-` kept), in the order of the current format. */
  | { kind: 'record'; line: number; fields: string[] }
  /** A line that is not loaded, and why. */
  | { kind: 'malformed'; line: number; message: string }
  /** Something loaded with a caveat (a header naming an unknown field: that field's values are not loaded). */
  | { kind: 'warning'; line: number; message: string };

export interface RecordChunk {
  events: RecordEvent[];
  bytesDone: number;
  bytesTotal: number;
}

/**
 * Problems that do not stop a record from being stored faithfully: a `-` where an OK record needs a value is
 * NULL, as the query engine reads it; start after end is two valid times. Every other error makes the line
 * malformed (a wrong field count, a value that is not of its field's type).
 */
const STORABLE: ReadonlySet<string> = new Set([Codes.missingValue, Codes.startAfterEnd]);

/** The records of one file, chunk by chunk, in line order (lines 1-based). */
export async function* readRecordChunks(path: string): AsyncGenerator<RecordChunk> {
  let format = DEFAULT_FORMAT;
  let lineNo = 0;
  const spans = new FieldSpans();
  const problems: Problem[] = [];
  for await (const chunk of readChunks({ kind: 'files', paths: [path] })) {
    const events: RecordEvent[] = [];
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
        events.push({ kind: 'format', line: lineNo, format });
        problems.length = 0;
        validateHeader(line, spans, problems);
        for (const p of problems) if (p.severity === 'error') events.push({ kind: 'warning', line: lineNo, message: `${p.message}: its values are not loaded` });
        continue;
      }
      problems.length = 0;
      validateRecord(line, spans, format, problems);
      const error = problems.find((p) => p.severity === 'error' && !STORABLE.has(p.code));
      if (error) {
        events.push({ kind: 'malformed', line: lineNo, message: error.message });
        continue;
      }
      const fields: string[] = new Array<string>(n);
      let bad: string | undefined;
      for (let k = 0; k < n; k++) {
        const s = spans.starts[k];
        const e = spans.ends[k];
        fields[k] = line.slice(s, e);
        // The engine reads numbers of up to 15 digits (exact as doubles); the validator lets longer counts pass.
        if (!bad && isNumericField(format.fields[k]) && !(e - s === 1 && line.charCodeAt(s) === 45) && Number.isNaN(intAt(line, s, e))) {
          bad = `${format.names[k]} ${fields[k]} has more than 15 digits`;
        }
      }
      if (bad) events.push({ kind: 'malformed', line: lineNo, message: bad });
      else events.push({ kind: 'record', line: lineNo, fields });
    }
    yield { events, bytesDone: chunk.bytesDone, bytesTotal: chunk.bytesTotal };
  }
}
