// JSON lines (Tencent CLS shipped to COS, and similar exports): one flat object a line, keys as field names,
// values as strings or numbers. A hand-written scanner walks the bytes once and copies values straight into the
// canonical line (JSON.parse per line would allocate an object and strings for every record); only a string with
// escapes is decoded by JSON.parse, and only an invalid line is handed to JSON.parse for its error message.
//
// - Keys of the form `__NAME__` are CLS metadata (`__TIMESTAMP__`, `__SOURCE__`, `__FILENAME__`, `__HOSTNAME__`,
//   `__TAG__`…), not flow log fields: they are left out. An object whose only other key is `__CONTENT__` or
//   `message` carries a raw text record (CLS "full text" topics, CloudWatch/Firehose wrappers): that text is the line.
// - The first object's keys make a header line (canonical field names where the key is a known spelling, else the
//   key as written); a later object with another key set gets a new header line; the same set in another order is
//   written in the header's order.
// - null and "" become `-`; numbers are copied as written (`25238.0` as `25238`); true/false as words.
// - A line that is not an object, not valid JSON, has a nested value, or a value holding a space or control
//   character (which a space-separated record cannot hold) is a problem: a `!` line.
// - Given the fields a query reads, lines keep only those (jsonProjection.ts), answers unchanged.
// Key layouts are worked out in jsonLayout.ts; values written one by one, their source places and the problems of
// lines that are no flat object in jsonValues.ts; uncompressed files are read as runs of lines by jsonRange.ts.
import { ChunkWriter } from './chunkWriter';
import { LineSink } from './lineSplitter';
import { FlatObjectScanner, Kind, skipBlanks } from './jsonScan';
import { LineJudge, Projection, Verdict, judgeValues, keptLineMayBeHeader, projectHeader } from './jsonProjection';
import { Layout, headerName, keyLayout } from './jsonLayout';
import { CompiledJsonLine, compiledJsonLineOf } from './jsonCompiled';
import { LineKind } from '../records/recordScanner';
import { VALUE_HOLDS_BLANK, VALUE_IS_NESTED, describeBadLine, placeValues, writeRawText, writeValue } from './jsonValues';

export { RAW_TEXT_KEYS, headerName, isMetadataKey } from './jsonLayout';

const NO_KEYS: Uint8Array[] = [];

/** Projections worked out, by header (a file whose objects alternate between a few key sets). */
const PROJECTIONS_KEPT = 64;
/** Lines the compiled reader may give up on before it is turned off for a layout where it gives up on one in four. */
const FAST_MISSES_TRIED = 64;

export class JsonLinesSink implements LineSink {
  private layout: Layout | undefined;
  /** The keys of the last header line written (as a set: the order of keys in an object decides nothing). */
  private headerKeys: string[] | undefined;
  private readonly decoder = new TextDecoder();

  private readonly scan = new FlatObjectScanner();

  /** Fields the consumer reads (DecodeOptions.fields); undefined: every field. */
  private readonly wanted: ReadonlySet<string> | undefined;
  private judge: LineJudge | undefined;
  private readonly projections = new Map<string, Projection | undefined>();
  /** The text of the projected header the engine is bound to; undefined: bound as without projection. */
  private boundProjection: string | undefined;
  /**
   * The engine may be bound to a header that is no header of ours (a record or a text record that reads as a header
   * line): lines are written in full, as without projection, until the next header line of ours.
   */
  private foreign = false;
  /** Where a full or kept line is made to be judged by the engine's scanner (rare lines). */
  private scratch: ChunkWriter | undefined;
  private readonly problemAt = { column: 0 };

  /** The compiled reader of `fastLayout`'s lines (undefined: none, or turned off), where it puts the kept values. */
  private fast: CompiledJsonLine | undefined;
  private fastLayout: Layout | undefined;
  private spans = new Int32Array(16);
  /** Lines it gave up on, since the line `fastLines`. */
  private fastMisses = 0;
  private fastLines = 0;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private viewed: Uint8Array | undefined;

  /** `fields`: canonical names of the only fields the consumer reads (DecodeOptions.fields). */
  constructor(private readonly out: ChunkWriter, fields?: readonly string[]) {
    this.wanted = fields ? new Set(fields) : undefined;
  }

  longLine(lineNo: number, cap: number): void {
    this.out.longLine(lineNo, cap);
  }

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const i = skipBlanks(buf, start, end);
    if (i === end) {
      this.out.line(lineNo, buf, start, start);
      return;
    }
    if (buf[i] !== 123 /* { */ || !this.scan.scan(buf, i, end, this.layout?.keyBytes ?? NO_KEYS) || this.scan.stop !== end) {
      this.out.problem(lineNo, describeBadLine(this.decoder, buf, start, end));
      return;
    }
    this.object(buf, start, end, lineNo);
  }

  /**
   * Lines `buf[start, cut)`, each ending with `\n`, none holding `\r` (a Buffer: its indexOf is memchr), numbered
   * from `firstLineNo`; returns how many. A line of one object is scanned once, its end found by the scan itself
   * (no search for the line break); any other line goes through `line`.
   */
  run(buf: Buffer, start: number, cut: number, firstLineNo: number, cap: number): number {
    let lineNo = firstLineNo;
    let i = start;
    if (buf !== this.viewed) {
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.viewed = buf;
    }
    let fast = this.fastReader();
    while (i < cut) {
      if (fast !== undefined) {
        // The usual line: the keys of the last, values the engine counts as a record's (jsonCompiled.ts).
        const stop = fast(buf, i, cut, this.view, this.spans);
        if (stop >= 0 && stop - i <= cap) {
          this.writeSpans(buf, stop - i, lineNo);
          i = stop + 1;
          lineNo++;
          continue;
        }
        this.fastMissed(lineNo);
      }
      let stop = -1;
      if (buf[i] === 123 /* { */ && this.scan.scan(buf, i, cut, this.layout?.keyBytes ?? NO_KEYS) && buf[this.scan.stop] === 10) {
        stop = this.scan.stop;
        if (stop - i <= cap) this.object(buf, i, stop, lineNo);
        else this.out.longLine(lineNo, cap);
      } else {
        stop = buf.indexOf(10, i);
        if (stop - i > cap) this.out.longLine(lineNo, cap);
        else this.line(buf, i, stop, lineNo);
      }
      i = stop + 1;
      lineNo++;
      fast = this.fastReader();
    }
    return lineNo - firstLineNo;
  }

  /**
   * The compiled reader of the line after the last one, when that one was a kept line of its layout (same key
   * bytes, projected header bound, no header pending): undefined where only the general path can tell.
   */
  private fastReader(): CompiledJsonLine | undefined {
    const layout = this.layout;
    const p = layout?.projection;
    if (!layout || !p || this.foreign || layout.pendingHeader || this.boundProjection !== p.key) return undefined;
    if (this.fastLayout !== layout) {
      this.fastLayout = layout;
      this.fastMisses = 0;
      this.fastLines = 0;
      this.fast = compiledJsonLineOf(layout.keyBytes, layout.sourceOf, p);
      if (this.spans.length < 2 * p.kept.length) this.spans = new Int32Array(2 * p.kept.length);
    }
    return this.fast;
  }

  /** A line the compiled reader gave up on: it is turned off for the layout when that is often (odd values all along). */
  private fastMissed(lineNo: number): void {
    if (this.fastMisses++ === 0) this.fastLines = lineNo;
    if (this.fastMisses > FAST_MISSES_TRIED && this.fastMisses * 4 > lineNo - this.fastLines) this.fast = undefined;
  }

  /** The kept line of the object the compiled reader just read (`sourceBytes`: the object's length). */
  private writeSpans(buf: Uint8Array, sourceBytes: number, lineNo: number): void {
    const out = this.out;
    const spans = this.spans;
    const kept = this.fastLayout!.projection!.kept.length;
    out.begin(lineNo);
    const dst = out.reserve(sourceBytes + 2 * kept + 2);
    let o = out.size;
    for (let j = 0; j < kept; j++) {
      if (j > 0) dst[o++] = 32;
      const s = spans[2 * j];
      if (s < 0) dst[o++] = 45;
      else {
        const e = spans[2 * j + 1];
        for (let x = s; x < e; x++) dst[o++] = buf[x];
      }
    }
    out.commit(o);
    out.end();
  }

  /** The object just scanned, from the line `buf[start, end)`. */
  private object(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const layout = this.layoutFor(buf);
    if (typeof layout === 'string') {
      this.out.problem(lineNo, layout);
      return;
    }
    if (layout.rawText >= 0) {
      // A text record is read by the engine as a line of its own (it may even be a header line).
      this.bindFull();
      if (this.wanted) this.foreign = true;
      writeRawText(this.out, this.scan, buf, start, layout.rawText, lineNo);
      return;
    }
    if (layout.projection && !this.foreign) {
      this.writeProjected(buf, start, end, layout, layout.projection, lineNo);
      return;
    }
    // Bound as without projection before the line, and before the header it may bring (a header of keys that are
    // no field names is no header line for the engine: it is read as a line under the header bound then).
    this.bindFull();
    if (this.writeFull(this.out, buf, start, end, layout, lineNo) && layout.pendingHeader) {
      // Written once a record of the new key set is good, so a bad line alone does not change the header.
      this.out.headerBeforeLastLine(layout.pendingHeader.map(headerName));
      this.headerKeys = layout.pendingHeader;
      layout.pendingHeader = undefined;
      this.boundProjection = undefined;
      this.foreign = false;
    }
  }

  /** Writes every column of the object just scanned as one line; false when a value made it a problem line. */
  private writeFull(out: ChunkWriter, buf: Uint8Array, start: number, end: number, layout: Layout, lineNo: number): boolean {
    out.begin(lineNo);
    const columns = layout.sourceOf.length;
    if (out.columns) placeValues(out.columns, this.scan, buf, start, end, layout);
    // Values are copied straight into the output buffer: never longer than the source line plus a separator
    // and a `-` per column (an escaped string decodes to fewer bytes than it is written with).
    const room = end - start + 2 * columns + 2;
    let dst = out.reserve(room);
    let o = out.size;
    for (let c = 0; c < columns; c++) {
      if (c > 0) dst[o++] = 32;
      const k = layout.identity ? c : layout.sourceOf[c];
      const kind = this.scan.valKind[k] as Kind;
      if (kind === Kind.Raw) {
        // The scanner saw every byte: none is a space or control character.
        const e = this.scan.valEnd[k];
        for (let x = this.scan.valStart[k]; x < e; x++) dst[o++] = buf[x];
      } else if (kind === Kind.Missing) dst[o++] = 45;
      else {
        out.commit(o);
        const problem = writeValue(out, this.scan, buf, k);
        if (problem) {
          out.abandon(lineNo, `${layout.keys[k]}: ${problem}`);
          return false;
        }
        o = out.size;
        dst = out.reserve(room);
      }
    }
    out.commit(o);
    out.end();
    return true;
  }

  /**
   * The object just scanned as a line of the kept columns, or the line that the engine counts as its full line
   * would be counted (a malformed record, a comment), after the projected header when the engine needs it bound.
   */
  private writeProjected(buf: Uint8Array, start: number, end: number, layout: Layout, p: Projection, lineNo: number): void {
    const sourceOf = layout.identity ? undefined : layout.sourceOf;
    const verdict = judgeValues(buf, this.scan, sourceOf, p, this.problemAt);
    if (verdict === Verdict.Problem) {
      const k = sourceOf ? sourceOf[this.problemAt.column] : this.problemAt.column;
      this.out.problem(lineNo, `${layout.keys[k]}: ${this.scan.valKind[k] === Kind.Nested ? VALUE_IS_NESTED : VALUE_HOLDS_BLANK}`);
      return;
    }
    if (verdict === Verdict.Ask || (verdict === Verdict.Record && keptLineMayBeHeader(buf, this.scan, sourceOf, p))) {
      this.writeJudged(buf, start, end, layout, p, lineNo);
      return;
    }
    this.bindProjection(layout, p);
    if (verdict === Verdict.Record) this.writeKept(this.out, buf, end - start, layout, p, lineNo);
    else this.writeMarker(verdict === Verdict.Comment ? 35 /* # */ : 33 /* ! */, lineNo);
  }

  /** The rare object whose full line only the engine's scanner can judge: made in full, judged, then written. */
  private writeJudged(buf: Uint8Array, start: number, end: number, layout: Layout, p: Projection, lineNo: number): void {
    const judge = (this.judge ??= new LineJudge());
    const scratch = (this.scratch ??= new ChunkWriter());
    scratch.expected = 0; // a buffer of the line's size, not of a chunk
    this.writeFull(scratch, buf, start, end, layout, lineNo); // no value is a problem: judgeValues saw them all
    const full = scratch.take(0)!.bytes;
    const kind = judge.kindOf(full, 0, full.length, p.full);
    if (kind === LineKind.Header) {
      // The engine binds this record's values as field names: from here on, lines as without projection.
      if (layout.pendingHeader) {
        this.out.header(layout.pendingHeader.map(headerName));
        this.headerKeys = layout.pendingHeader;
        layout.pendingHeader = undefined;
        this.boundProjection = undefined;
      } else this.bindFull();
      this.out.line(lineNo, full, 0, full.length - 1);
      this.foreign = true;
      return;
    }
    this.bindProjection(layout, p);
    if (kind !== LineKind.Record) {
      this.writeMarker(kind === LineKind.Comment ? 35 : 33, lineNo);
      return;
    }
    scratch.expected = 0;
    this.writeKept(scratch, buf, end - start, layout, p, lineNo);
    const kept = scratch.take(0)!.bytes;
    if (judge.kindOf(kept, 0, kept.length, p.format) === LineKind.Record) {
      this.out.line(lineNo, kept, 0, kept.length - 1);
      return;
    }
    // The kept values alone would read otherwise (as a header line): this record goes in full, under the full header.
    this.bindFull();
    this.out.line(lineNo, full, 0, full.length - 1);
  }

  /** Writes the kept columns of the object just scanned as one line (values judged: none is a problem). */
  private writeKept(out: ChunkWriter, buf: Uint8Array, sourceBytes: number, layout: Layout, p: Projection, lineNo: number): void {
    out.begin(lineNo);
    const kept = p.kept;
    const room = sourceBytes + 2 * kept.length + 2;
    let dst = out.reserve(room);
    let o = out.size;
    const scan = this.scan;
    for (let j = 0; j < kept.length; j++) {
      if (j > 0) dst[o++] = 32;
      const k = layout.identity ? kept[j] : layout.sourceOf[kept[j]];
      const kind = scan.valKind[k] as Kind;
      if (kind === Kind.Raw) {
        const e = scan.valEnd[k];
        for (let x = scan.valStart[k]; x < e; x++) dst[o++] = buf[x];
      } else if (kind === Kind.Missing) dst[o++] = 45;
      else {
        out.commit(o);
        writeValue(out, this.scan, buf, k);
        o = out.size;
        dst = out.reserve(room);
      }
    }
    out.commit(o);
    out.end();
  }

  /** A line the engine counts as the full line would be: `!` (malformed: one field) or `#` (a comment). */
  private writeMarker(byte: number, lineNo: number): void {
    this.out.begin(lineNo);
    this.out.byte(byte);
    this.out.end();
  }

  /** The projected header bound before a kept line: written when the key set is new, or another header is bound. */
  private bindProjection(layout: Layout, p: Projection): void {
    if (layout.pendingHeader) {
      this.headerKeys = layout.pendingHeader;
      layout.pendingHeader = undefined;
    } else if (this.boundProjection === p.key) return;
    this.out.header(p.names);
    this.boundProjection = p.key;
    this.foreign = false;
  }

  /** The engine bound as without projection: the full header again where a projected one was written last. */
  private bindFull(): void {
    if (this.boundProjection === undefined) return;
    if (this.headerKeys) this.out.header(this.headerKeys.map(headerName));
    this.boundProjection = undefined;
  }

  /** The layout of the object just scanned: the last one when its keys were the same bytes, else worked out. */
  private layoutFor(buf: Uint8Array): Layout | string {
    return this.scan.sameKeys && this.layout ? this.layout : this.newLayout(buf);
  }

  private newLayout(buf: Uint8Array): Layout | string {
    const layout = keyLayout(this.scan, buf, this.headerKeys, this.decoder);
    if (typeof layout === 'string') return layout;
    if (this.wanted && layout.rawText < 0) layout.projection = this.projectionOf(Array.from(layout.sourceOf, (k) => headerName(layout.keys[k])));
    this.layout = layout;
    return layout;
  }

  private projectionOf(names: string[]): Projection | undefined {
    const key = names.join(' ');
    if (this.projections.has(key)) return this.projections.get(key);
    if (this.projections.size >= PROJECTIONS_KEPT) this.projections.clear();
    const p = projectHeader(names, this.wanted!, (this.judge ??= new LineJudge()));
    this.projections.set(key, p);
    return p;
  }
}
