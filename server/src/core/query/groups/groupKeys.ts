// A plan's GROUP BY keys for one record format: a writer that puts a record's key values into the scratch (plain
// fields as their bytes or parsed numbers, histogram() buckets as numbers, other expressions as their values),
// and how each key position is shown at the end.
import type { Expr } from '../ast';
import { bucketStart, histogramSeconds } from '../functions';
import { RecordCompiler, RecordView } from '../recordEval';
import { KeyDisplay, KeyScratch } from './keyCodec';
import { isFileColumn } from '../plan';

export type KeyWriter = (r: RecordView, scratch: KeyScratch) => void;

const MINUS = 45;

function isHistogram(e: Expr): e is Extract<Expr, { kind: 'call' }> {
  return e.kind === 'call' && e.name === 'histogram';
}

/** How each key position is shown: histogram buckets as ISO text (they are kept as numbers). */
export function keyDisplays(groupBy: readonly Expr[]): KeyDisplay[] {
  return groupBy.map((g) => (isHistogram(g) ? KeyDisplay.Bucket : KeyDisplay.Plain));
}

/** The writer of one key's value (a DISTINCT aggregate's argument too: its values are keys of their own). */
export function keyPart(e: Expr, rc: RecordCompiler): KeyWriter {
  if (isHistogram(e)) {
    const seconds = histogramSeconds(e);
    const arg = e.args[0];
    const k = arg.kind === 'column' ? rc.position(arg.name) : -1;
    if (k >= 0 && rc.isNumeric(k)) {
      // Logs come in time order: the bucket of the previous record is usually this one's.
      let lastT = NaN;
      let lastBucket = 0;
      return (r, s) => {
        const t = r.nums[k];
        if (t !== t) return s.null();
        if (t !== lastT) {
          lastT = t;
          lastBucket = bucketStart(t, seconds);
        }
        s.number(lastBucket);
      };
    }
    const x = rc.expr(arg);
    return (r, s) => {
      const v = x(r);
      const t = v === null ? NaN : Number(v);
      if (t !== t) s.null();
      else s.number(bucketStart(t, seconds));
    };
  }
  if (e.kind === 'column' && isFileColumn(e.name)) {
    // The file changes once per file: its bytes are encoded once.
    let lastFile = '';
    let bytes = new Uint8Array(0);
    return (r, s) => {
      if (r.file !== lastFile) {
        lastFile = r.file;
        bytes = new TextEncoder().encode(r.file);
      }
      s.text(bytes, 0, bytes.length);
    };
  }
  if (e.kind === 'column') {
    const k = rc.position(e.name);
    if (k < 0) return (_r, s) => s.null();
    if (rc.isNumeric(k)) {
      return (r, s) => {
        const v = r.nums[k];
        if (v !== v) s.null();
        else s.number(v);
      };
    }
    if (rc.isAddress(k)) {
      // The scanner parsed it: IPv4 as 4 bytes (its text is canonical), IPv6 as written.
      return (r, s) => {
        const v = r.nums[k];
        if (v >= 0) s.ipv4(v);
        else if (v !== v) s.null();
        else s.text(r.buf, r.starts[k], r.ends[k]);
      };
    }
    return (r, s) => {
      const a = r.starts[k];
      const b = r.ends[k];
      if (b - a === 1 && r.buf[a] === MINUS) s.null();
      else s.text(r.buf, a, b);
    };
  }
  const x = rc.expr(e);
  return (r, s) => s.value(x(r));
}

/** The writer of all keys of a record, in order (the scratch is reset first). */
export function keyWriter(groupBy: readonly Expr[], rc: RecordCompiler): KeyWriter {
  const parts = groupBy.map((g) => keyPart(g, rc));
  switch (parts.length) {
    case 0:
      return (_r, s) => s.reset();
    case 1: {
      const [a] = parts;
      return (r, s) => {
        s.reset();
        a(r, s);
      };
    }
    case 2: {
      const [a, b] = parts;
      return (r, s) => {
        s.reset();
        a(r, s);
        b(r, s);
      };
    }
    case 3: {
      const [a, b, c] = parts;
      return (r, s) => {
        s.reset();
        a(r, s);
        b(r, s);
        c(r, s);
      };
    }
    default:
      return (r, s) => {
        s.reset();
        for (const p of parts) p(r, s);
      };
  }
}
