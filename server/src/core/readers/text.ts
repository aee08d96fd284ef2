// Plain text and CloudWatch Logs exports: lines that are already (nearly) canonical.
import { ChunkWriter } from './chunkWriter';
import { LineSink } from './lineSplitter';

/** Plain text passes through: records, header and comment lines as written (the engine judges them). */
export class TextSink implements LineSink {
  constructor(private readonly out: ChunkWriter) {}

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    this.out.line(lineNo, buf, start, end);
  }

  lines(buf: Uint8Array, start: number, end: number, firstLineNo: number, count: number): void {
    this.out.lines(buf, start, end, firstLineNo, count);
  }

  longLine(lineNo: number, cap: number): void {
    this.out.longLine(lineNo, cap);
  }
}

/**
 * A CloudWatch Logs export (`<task>/<stream>/000000.gz`): each line is the event's ingestion time in ISO-8601,
 * a space, then the record. The time is dropped: the record's own `start`/`end` say when the traffic was, and
 * the engine knows only flow log fields. A line without the prefix passes through unchanged.
 */
export class CloudWatchSink implements LineSink {
  constructor(private readonly out: ChunkWriter) {}

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const after = isoPrefixEnd(buf, start, end);
    // The time is ASCII: its bytes are its columns.
    this.out.line(lineNo, buf, after < 0 ? start : after, end, after < 0 ? 0 : after - start);
  }

  longLine(lineNo: number, cap: number): void {
    this.out.longLine(lineNo, cap);
  }
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Where the record starts after a leading `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM) ` prefix of `buf[start, end)`,
 * or -1 when there is none.
 */
export function isoPrefixEnd(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 21) return -1;
  const pattern = 'dddd-dd-ddTdd:dd:dd';
  for (let k = 0; k < pattern.length; k++) {
    const c = buf[start + k];
    const p = pattern.charCodeAt(k);
    if (p === 100 /* d */ ? !isDigit(c) : c !== p) return -1;
  }
  let i = start + pattern.length;
  if (buf[i] === 46 /* . */) {
    i++;
    while (i < end && isDigit(buf[i])) i++;
  }
  if (buf[i] === 90 /* Z */) i++;
  else if (buf[i] === 43 || buf[i] === 45) {
    // ±HH:MM or ±HHMM
    i++;
    let digits = 0;
    while (i < end && (isDigit(buf[i]) || buf[i] === 58) && digits < 5) {
      i++;
      digits++;
    }
  }
  if (i >= end || buf[i] !== 32) return -1;
  return i + 1;
}
