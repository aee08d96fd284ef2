// The records adapter: the one place where the diagnosis reads flow log text. It reads a source with the engine's
// chunk reader and line scanner (query/sources.ts readChunks, scan.ts scanFields / classifyLine / headerNames /
// makeFormat), honours header lines, and turns each record into a packed row (packed.ts) in batches. When the
// engine's readers move to byte chunks and new encodings (readers/types.ts), only this module changes.
import { FieldSpans, LineKind, RecordFormat, DEFAULT_FORMAT, classifyLine, headerNames, makeFormat, scanFields, spanEquals } from '../scan';
import { QuerySource, readChunks, sourceBytes } from '../query/sources';
import { Interner, intAt } from '../query/values';
import { ipv4At, parseAddress } from '../address';
import {
  F_BYTES, F_END, F_PACKETS, F_START, META_ACCEPT, META_BPA, META_EGRESS, META_FLAGS_SHIFT, META_HAS_FLAGS, META_INGRESS,
  META_NODATA, META_REJECT, META_SKIPDATA, META_TRAFFIC, META_V6, RECORD_F64, RECORD_WORDS, RecordBatch, W_DST, W_FILE,
  W_IFACE, W_LINE, W_META, W_PORTS, W_SRC,
} from './packed';

/** A line the diagnosis could not use, with its position. */
export interface SkippedLine {
  file: string;
  line: number;
  reason: string;
}

export interface ReadStats {
  /** Record lines read (header, comment and blank lines aside). */
  records: number;
  /** OK records with every traffic field: they join conversations. */
  traffic: number;
  nodata: number;
  skipdata: number;
  /** Records that could not be read (wrong field count, a number or address that does not parse, start after end). */
  malformed: number;
  /** OK records with `-` in a field a conversation needs, or whose format has no such field. */
  incomplete: number;
  /** The first few skipped lines, with why (malformed and incomplete). */
  skipped: SkippedLine[];
  bytes: number;
}

export interface ReadOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Awaited after each chunk of text (a reader on another thread waits there for its consumer). */
  between?: () => Promise<void> | void;
}

/**
 * Interface ids beyond this many distinct values are not tracked (their records count as incomplete), and an id
 * longer than MAX_INTERFACE_ID is malformed (AWS's are 21 characters, Tencent's 12): hostile input cannot grow the
 * table of names without bound.
 */
const MAX_INTERFACES = 1 << 17;
const MAX_INTERFACE_ID = 64;
const MAX_SKIPPED_KEPT = 20;
const MAX_SECONDS = 9_999_999_999;

/** Field positions of a record format, -1 where the format has no such field. */
interface Positions {
  count: number;
  iface: number; src: number; dst: number; sport: number; dport: number; proto: number;
  packets: number; bytes: number; start: number; end: number; action: number; status: number;
  flags: number; direction: number; rejectReason: number;
  /** What a conversation needs and this format lacks (empty when nothing). */
  missing: string[];
}

function positionsOf(format: RecordFormat): Positions {
  const at = (name: string) => format.positionOf.get(name) ?? -1;
  const p: Positions = {
    count: format.names.length,
    iface: at('interface-id'), src: at('srcaddr'), dst: at('dstaddr'), sport: at('srcport'), dport: at('dstport'),
    proto: at('protocol'), packets: at('packets'), bytes: at('bytes'), start: at('start'), end: at('end'),
    action: at('action'), status: at('log-status'), flags: at('tcp-flags'), direction: at('flow-direction'),
    rejectReason: at('reject-reason'), missing: [],
  };
  const need: [string, number][] = [['interface-id', p.iface], ['srcaddr', p.src], ['dstaddr', p.dst], ['srcport', p.sport],
    ['dstport', p.dport], ['protocol', p.proto], ['start', p.start], ['end', p.end], ['action', p.action]];
  for (const [name, pos] of need) if (pos < 0) p.missing.push(name);
  return p;
}

const DEFAULT_POSITIONS = positionsOf(DEFAULT_FORMAT);

/** Reads records into packed rows; its file and interface lists grow as it reads (records refer to them by index). */
export class RecordReader {
  /** File names by the index in each record's W_FILE. */
  readonly files: string[] = [];
  /** Interface ids by the id in W_IFACE (`interfaces.list[id]`). */
  readonly interfaces = new Interner(MAX_INTERFACES);
  readonly stats: ReadStats = { records: 0, traffic: 0, nodata: 0, skipdata: 0, malformed: 0, incomplete: 0, skipped: [], bytes: 0 };

  /**
   * Reads every record of `source`, calling `onBatch` with each full batch (and the last one). The batch is reused:
   * a consumer keeps what it needs before returning. Malformed lines are counted and skipped (the first few kept
   * with their position), never fatal.
   */
  read(source: QuerySource, onBatch: (batch: RecordBatch) => void, options: ReadOptions = {}): Promise<void> {
    return readInto(this, source, onBatch, options);
  }
}

async function readInto(reader: RecordReader, source: QuerySource, onBatch: (batch: RecordBatch) => void, options: ReadOptions): Promise<void> {
  const { files, interfaces, stats } = reader;
  const batch = new RecordBatch();
  const spans = new FieldSpans();
  const v6 = new Int32Array(4);
  let positions = DEFAULT_POSITIONS;
  let fileIndex = -1;
  let line = 0;
  const total = sourceBytes(source);

  const skip = (reason: string, malformed: boolean) => {
    if (malformed) stats.malformed++;
    else stats.incomplete++;
    if (stats.skipped.length < MAX_SKIPPED_KEPT) stats.skipped.push({ file: files[fileIndex], line, reason });
  };

  /** Address at text[s, e) into words[at..at+4); its family bit, or -1 when it is not an address. */
  const address = (t: string, s: number, e: number, words: Int32Array, at: number): number => {
    const v4 = ipv4At(t, s, e);
    if (v4 >= 0) {
      words[at] = v4 | 0;
      words[at + 1] = 0;
      words[at + 2] = 0;
      words[at + 3] = 0;
      return 0;
    }
    const a = parseAddress(t.slice(s, e));
    if (!a || a.family !== 6) return -1;
    const b = a.bytes;
    for (let k = 0; k < 4; k++) v6[k] = (b[k * 4] << 24) | (b[k * 4 + 1] << 16) | (b[k * 4 + 2] << 8) | b[k * 4 + 3];
    words.set(v6, at);
    return META_V6;
  };

  for await (const chunk of readChunks(source)) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
    if (chunk.fileStart || fileIndex < 0) {
      files.push(chunk.file);
      fileIndex = files.length - 1;
      line = 0;
      positions = DEFAULT_POSITIONS;
    }
    const t = chunk.text;
    const len = t.length;
    let s = 0;
    while (s < len) {
      let nl = t.indexOf('\n', s);
      if (nl < 0) nl = len;
      line++;
      const n = scanFields(t, s, nl, spans);
      s = nl + 1;
      if (n === 0) continue;
      // Tencent Cloud's `V1` records start with a letter, as header lines do: tell them apart without the header check
      // (which looks up every field's name).
      const v1 = spans.ends[0] - spans.starts[0] === 2 && t.charCodeAt(spans.starts[0]) === 86 && t.charCodeAt(spans.starts[0] + 1) === 49;
      const kind = v1 ? LineKind.Record : classifyLine(t, spans);
      if (kind === LineKind.Header) {
        positions = positionsOf(makeFormat(headerNames(t, spans), line - 1));
        continue;
      }
      if (kind !== LineKind.Record) continue;
      stats.records++;
      const p = positions;
      if (n !== p.count) {
        skip(`${n} fields where the format has ${p.count}`, true);
        continue;
      }
      const st = spans.starts;
      const en = spans.ends;
      if (p.iface < 0 || p.start < 0 || p.end < 0) {
        skip(`the format has no ${[p.iface < 0 ? 'interface-id' : '', p.start < 0 ? 'start' : '', p.end < 0 ? 'end' : ''].filter(Boolean).join(', ')}`, false);
        continue;
      }
      const start = intAt(t, st[p.start], en[p.start]);
      const end = intAt(t, st[p.end], en[p.end]);
      if (!(start >= 0 && end >= start && end <= MAX_SECONDS)) {
        skip(start >= 0 && end >= 0 && end < start ? 'start is after end' : 'start/end are not Unix seconds', true);
        continue;
      }
      if (en[p.iface] - st[p.iface] > MAX_INTERFACE_ID) {
        skip(`interface-id is longer than ${MAX_INTERFACE_ID} characters`, true);
        continue;
      }
      const iface = interfaces.id(t, st[p.iface], en[p.iface]);
      if (iface < 0) {
        skip(`more than ${MAX_INTERFACES} distinct interfaces`, false);
        continue;
      }
      const row = batch.count * RECORD_WORDS;
      const f = batch.count * RECORD_F64;
      const w = batch.words;
      const d = batch.f64;
      let meta = 0;
      if (p.status >= 0) {
        if (spanEquals(t, st[p.status], en[p.status], 'NODATA')) meta = META_NODATA;
        else if (spanEquals(t, st[p.status], en[p.status], 'SKIPDATA')) meta = META_SKIPDATA;
        else if (!spanEquals(t, st[p.status], en[p.status], 'OK')) {
          skip('log-status is not OK, NODATA or SKIPDATA', true);
          continue;
        }
      }
      if (meta === 0) {
        // An OK record: the traffic fields, when the format has them all.
        if (p.missing.length > 0) {
          skip(`the format has no ${p.missing.join(', ')}`, false);
          meta = -1;
        } else if (t.charCodeAt(st[p.src]) === 45 || t.charCodeAt(st[p.action]) === 45 || t.charCodeAt(st[p.proto]) === 45 || t.charCodeAt(st[p.sport]) === 45) {
          skip('a traffic field is `-`', false);
          meta = -1;
        } else {
          const sf = address(t, st[p.src], en[p.src], w, row + W_SRC);
          const df = address(t, st[p.dst], en[p.dst], w, row + W_DST);
          const sport = intAt(t, st[p.sport], en[p.sport]);
          const dport = intAt(t, st[p.dport], en[p.dport]);
          const proto = intAt(t, st[p.proto], en[p.proto]);
          const accept = spanEquals(t, st[p.action], en[p.action], 'ACCEPT');
          const reject = !accept && spanEquals(t, st[p.action], en[p.action], 'REJECT');
          if (sf < 0 || df < 0 || sf !== df) {
            skip(sf < 0 || df < 0 ? 'srcaddr/dstaddr is not an IP address' : 'srcaddr and dstaddr are of different families', true);
            continue;
          }
          if (!(sport >= 0 && sport <= 65535 && dport >= 0 && dport <= 65535)) {
            skip('a port is not 0–65535', true);
            continue;
          }
          if (!(proto >= 0 && proto <= 255)) {
            skip('protocol is not 0–255', true);
            continue;
          }
          if (!accept && !reject) {
            skip('action is not ACCEPT or REJECT', true);
            continue;
          }
          meta = META_TRAFFIC | proto | sf | (accept ? META_ACCEPT : META_REJECT);
          w[row + W_PORTS] = sport | (dport << 16);
          if (p.flags >= 0) {
            const flags = intAt(t, st[p.flags], en[p.flags]);
            if (flags >= 0 && flags <= 255) meta |= META_HAS_FLAGS | (flags << META_FLAGS_SHIFT);
          }
          if (p.direction >= 0) {
            if (spanEquals(t, st[p.direction], en[p.direction], 'ingress')) meta |= META_INGRESS;
            else if (spanEquals(t, st[p.direction], en[p.direction], 'egress')) meta |= META_EGRESS;
          }
          if (p.rejectReason >= 0 && spanEquals(t, st[p.rejectReason], en[p.rejectReason], 'BPA')) meta |= META_BPA;
          stats.traffic++;
        }
        if (meta === -1) {
          // Still a window of the interface for coverage: the record proves capture was on.
          meta = 0;
        }
      } else if (meta === META_NODATA) stats.nodata++;
      else stats.skipdata++;
      w[row + W_IFACE] = iface;
      w[row + W_META] = meta;
      w[row + W_FILE] = fileIndex;
      w[row + W_LINE] = line;
      d[f + F_START] = start;
      d[f + F_END] = end;
      d[f + F_PACKETS] = p.packets >= 0 ? intAt(t, st[p.packets], en[p.packets]) : NaN;
      d[f + F_BYTES] = p.bytes >= 0 ? intAt(t, st[p.bytes], en[p.bytes]) : NaN;
      if (++batch.count === batch.capacity) {
        onBatch(batch);
        batch.count = 0;
      }
    }
    stats.bytes = chunk.bytesDone;
    options.onProgress?.(chunk.bytesDone, total);
    if (options.between) await options.between();
  }
  if (batch.count > 0) onBatch(batch);
  batch.count = 0;
}
