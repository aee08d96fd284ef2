// Where the fields of canonical lines are in their source lines (DecodeOptions.sourceColumns), so that a problem
// found in a canonical line (lint, the editor) is shown on the JSON value or CSV cell it comes from. Recorded by
// the sinks as they write, line by line, in UTF-16 columns (as editors count).
import { SourceColumns } from './types';

/** The line has no place in the source (a made-up header, a `!` line, a Parquet row): column 1. */
export const NO_SOURCE = -2;
/** The line's fields are at recorded spans. */
export const SPANS = -1;

export class SourceColumnsBuilder {
  private shift: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private first: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private spans: Int32Array<ArrayBuffer> = new Int32Array(4096);
  private lines = 0;
  private spanCount = 0;

  /** A new line (no place in the source until said otherwise). */
  line(): void {
    if (this.lines === this.shift.length) {
      this.shift = grow(this.shift);
      this.first = grow(this.first);
    }
    this.shift[this.lines] = NO_SOURCE;
    this.first[this.lines] = this.spanCount;
    this.lines++;
  }

  /** The current line is its source line as written, from column `by` on. */
  shifted(by: number): void {
    this.shift[this.lines - 1] = by;
  }

  /** The next field of the current line is at source columns [start, end). */
  span(start: number, end: number): void {
    if (2 * this.spanCount + 2 > this.spans.length) this.spans = grow(this.spans);
    this.shift[this.lines - 1] = SPANS;
    this.spans[2 * this.spanCount] = start;
    this.spans[2 * this.spanCount + 1] = end;
    this.spanCount++;
  }

  /** The current line has no place in the source after all (it became a `!` line). */
  unplaced(): void {
    this.shift[this.lines - 1] = NO_SOURCE;
    this.spanCount = this.first[this.lines - 1];
  }

  /** Takes back the current line (to put another before it); restore it with `restore`. */
  takeLast(): { shift: number; spans: Int32Array } {
    const k = this.lines - 1;
    const saved = { shift: this.shift[k], spans: this.spans.slice(2 * this.first[k], 2 * this.spanCount) };
    this.spanCount = this.first[k];
    this.lines--;
    return saved;
  }

  restore(saved: { shift: number; spans: Int32Array }): void {
    for (let i = 0; i < saved.spans.length; i += 2) this.span(saved.spans[i], saved.spans[i + 1]);
    this.shift[this.lines - 1] = saved.shift;
  }

  take(): SourceColumns {
    const out = { shift: this.shift.slice(0, this.lines), first: this.first.slice(0, this.lines), spans: this.spans.slice(0, 2 * this.spanCount) };
    this.lines = 0;
    this.spanCount = 0;
    return out;
  }
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** UTF-16 units of the UTF-8 bytes buf[start, end) (a 4-byte sequence is two). */
export function utf16Length(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if ((b & 0xc0) !== 0x80) n += b >= 0xf0 ? 2 : 1;
  }
  return n;
}

/**
 * Source columns [start, end) (1-based, end exclusive) of columns [start, end) (0-based, within the line) of
 * canonical line k, whose text is text[lineStart, …): moved by the line's shift, or the span of the field they fall
 * in, or column 1 when the line has no place in the source or the columns span several fields.
 */
export function sourceRange(columns: SourceColumns | undefined, k: number, text: string, lineStart: number, start: number, end: number): { start: number; end: number } {
  if (!columns) return { start: start + 1, end: end + 1 };
  const shift = columns.shift[k];
  if (shift >= 0) return { start: start + shift + 1, end: end + shift + 1 };
  if (shift === SPANS) {
    // Canonical fields are separated by one space: the field is the count of spaces before `start`.
    let field = 0;
    for (let i = lineStart; i < lineStart + start; i++) if (text.charCodeAt(i) === 32) field++;
    let lastField = field;
    for (let i = lineStart + start; i < lineStart + end - 1; i++) if (text.charCodeAt(i) === 32) lastField++;
    const at = columns.first[k] + field;
    const next = k + 1 < columns.first.length ? columns.first[k + 1] : columns.spans.length / 2;
    if (field === lastField && at < next) return { start: columns.spans[2 * at] + 1, end: columns.spans[2 * at + 1] + 1 };
  }
  return { start: 1, end: 2 };
}
