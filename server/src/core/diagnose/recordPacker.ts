// Records into packed rows (packed.ts), in batches: the record scanner's fields of each line (numbers parsed, IPv4
// addresses as values, the one definition of a malformed record every query uses) checked for what a conversation
// needs, with the reason kept for the first few lines that cannot be used. No string is made per record: only a new
// interface id is decoded.
import { LineKind, RecordScanner } from '../records/recordScanner';
import { FieldKind, layoutOf } from '../records/fieldKinds';
import { bytesEqual, ipv6WordsAt, textOf } from '../records/byteText';
import { RecordFormat } from '../scan';
import { parseAddress } from '../address';
import { DecodeProblem, DecodedChunk } from '../readers/types';
import { ByteInterner } from './byteInterner';
import {
  F_BYTES, F_END, F_PACKETS, F_START, META_ACCEPT, META_BPA, META_DIR, META_EGRESS, META_FLAGS_SHIFT, META_HAS_FLAGS,
  META_INGRESS, META_NODATA, META_REJECT, META_SKIPDATA, META_TRAFFIC, META_V6, RECORD_F64, RECORD_WORDS, RecordBatch, W_DST,
  W_FILE, W_IFACE, W_KEY_HASH, W_LINE, W_META, W_PORTS, W_SRC, compareAddressWords, conversationHash,
  META_SINGLE_SHIFT, META_ATTEMPT_SHIFT, ATTEMPT_YES, ATTEMPT_NO, ATTEMPT_TIE,
} from './packed';
import { recordVerdict } from './closing';
import { portRank } from './roles';
import { MAX_SKIPPED_KEPT, ReadStats, emptyStats } from './readStats';

/**
 * Interface ids beyond this many distinct values are not tracked (their records count as incomplete), and an id
 * longer than MAX_INTERFACE_ID is not used (AWS's are 21 characters, Tencent's 12): hostile input cannot grow the
 * table of names without bound.
 */
export const MAX_INTERFACES = 1 << 17;
const MAX_INTERFACE_ID = 64;
const MAX_SECONDS = 9_999_999_999;

/** Field positions of a record format, -1 where the format has no such field. */
interface Positions {
  iface: number; src: number; dst: number; sport: number; dport: number; proto: number;
  packets: number; bytes: number; start: number; end: number; action: number; status: number;
  flags: number; direction: number; rejectReason: number;
  /** What a conversation needs and this format lacks (empty when nothing). */
  missing: string[];
}

const positionsByFormat = new WeakMap<RecordFormat, Positions>();

function positionsOf(format: RecordFormat): Positions {
  let p = positionsByFormat.get(format);
  if (p) return p;
  const at = (name: string) => format.positionOf.get(name) ?? -1;
  p = {
    iface: at('interface-id'), src: at('srcaddr'), dst: at('dstaddr'), sport: at('srcport'), dport: at('dstport'),
    proto: at('protocol'), packets: at('packets'), bytes: at('bytes'), start: at('start'), end: at('end'),
    action: at('action'), status: at('log-status'), flags: at('tcp-flags'), direction: at('flow-direction'),
    rejectReason: at('reject-reason'), missing: [],
  };
  const need: [string, number][] = [['srcaddr', p.src], ['dstaddr', p.dst], ['srcport', p.sport], ['dstport', p.dport],
    ['protocol', p.proto], ['action', p.action]];
  for (const [name, pos] of need) if (pos < 0) p.missing.push(name);
  positionsByFormat.set(format, p);
  return p;
}

/**
 * The fields a conversation, coverage and scans read (positionsOf): the scanner leaves the others (version,
 * account-id, any custom field) unparsed, though still checked.
 */
export const DIAGNOSIS_FIELDS: readonly string[] = [
  'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action',
  'log-status', 'tcp-flags', 'flow-direction', 'reject-reason',
];

const INTEGER = /^-?\d{1,15}$/;
const UNSIGNED = /^\d{1,15}$/;

const ACCEPT = new Uint8Array([65, 67, 67, 69, 80, 84]);
const REJECT = new Uint8Array([82, 69, 74, 69, 67, 84]);

/** Whether buf[s, e) is the six bytes of `action` (ACCEPT or REJECT), written out: every record asks. */
function isAction(buf: Uint8Array, s: number, e: number, action: Uint8Array): boolean {
  return e - s === 6 && buf[s] === action[0] && buf[s + 1] === action[1] && buf[s + 2] === action[2] && buf[s + 3] === action[3] && buf[s + 4] === action[4] && buf[s + 5] === action[5];
}

/** Why the scanner called the current line malformed (only for the few lines kept in `skipped`). */
export function malformedReason(scanner: RecordScanner, overlong: boolean): string {
  if (overlong) return 'a line longer than 1 MiB (skipped)';
  const format = scanner.format;
  const layout = layoutOf(format);
  const expected = layout.kinds.length;
  if (scanner.count !== expected) return `${scanner.count} fields where the format has ${expected}`;
  for (let k = 0; k < expected; k++) {
    const value = textOf(scanner.buf, scanner.starts[k], scanner.ends[k]);
    if (value === '-') continue;
    const name = format.names[k];
    const kind = layout.kinds[k];
    if (kind === FieldKind.Bounded) {
      if (!UNSIGNED.test(value) || Number(value) < layout.low[k] || Number(value) > layout.high[k]) return `${name} is not a whole number from ${layout.low[k]} to ${layout.high[k]}`;
    } else if (kind === FieldKind.Integer) {
      if (!INTEGER.test(value)) return `${name} is not a whole number`;
    } else if (kind === FieldKind.Address) {
      if (!parseAddress(value)) return `${name} is not an IP address`;
    }
  }
  return 'malformed';
}

/**
 * Packs the records of a unit's chunks into batches. Interface ids are numbered by its interner, files by the index
 * the caller gives (a reader on another thread numbers its own and the main thread renumbers: parallel.ts).
 */
export class RecordPacker {
  readonly stats: ReadStats = emptyStats();
  /** The batch being filled (a reader on another thread swaps in the next slot of its ring in onBatch). */
  batch: RecordBatch;
  private scanner = new RecordScanner();
  private fileIndex = 0;
  private fileName = '';
  private lineBase = 0;
  /** The current chunk's source lines (DecodedChunk.lines) or its first line, and the scanner's line before it. */
  private chunkLines: Int32Array | undefined;
  private chunkShift = 0;
  private chunkBase = 0;
  /** The last source line read in the unit (its line count, for the ranges after it). */
  private lastLine = 0;
  private problems: readonly DecodeProblem[] | undefined;
  private format: RecordFormat | undefined;
  private p: Positions = positionsOf(this.scanner.format);

  constructor(readonly interfaces: ByteInterner = new ByteInterner(MAX_INTERFACES), capacity = 4096, batch?: RecordBatch) {
    this.batch = batch ?? new RecordBatch(capacity);
  }

  /** Starts a unit: its file's index and name, the format its first records are bound to, and the lines before it. */
  startUnit(fileIndex: number, fileName: string, format: RecordFormat, lineBase = 0): void {
    this.scanner = new RecordScanner(format);
    this.scanner.readOnly(DIAGNOSIS_FIELDS);
    this.scanner.file = fileName;
    this.fileIndex = fileIndex;
    this.fileName = fileName;
    this.lineBase = lineBase;
    this.lastLine = 0;
  }

  /** Lines of the unit read so far (the source line of its last line). */
  get lines(): number {
    return this.lastLine;
  }

  /** The source line of the scanner's current line, in the unit (1-based; 0 for a header line a reader made up). */
  private sourceLine(): number {
    const l = this.chunkLines;
    return l ? l[this.scanner.line - this.chunkBase - 1] : this.scanner.line + this.chunkShift;
  }

  /** The format bound at this point of the unit. */
  get currentFormat(): RecordFormat {
    return this.scanner.format;
  }

  private skip(reason: string, malformed: boolean): void {
    const s = this.stats;
    if (malformed) s.malformed++;
    else s.incomplete++;
    if (s.skipped.length < MAX_SKIPPED_KEPT) s.skipped.push({ file: this.fileName, line: this.lineBase + this.sourceLine(), reason });
  }

  /**
   * Packs every record of a chunk of canonical lines (the readers' DecodedChunk: its bytes, and the source line of
   * each); `onBatch` gets each full batch (reused: keep what you need before returning). Calls `onHeader` for a
   * header line (its source line in the unit: 0 for one a reader made up from JSON keys or CSV columns).
   */
  chunk(chunk: Pick<DecodedChunk, 'bytes' | 'firstLine' | 'lines' | 'problems'>, onBatch: (batch: RecordBatch) => void, onHeader?: (line: number) => void): void {
    const scanner = this.scanner;
    scanner.setChunk(chunk.bytes);
    this.chunkLines = chunk.lines;
    this.chunkBase = scanner.line;
    this.chunkShift = chunk.firstLine - scanner.line - 1;
    this.problems = chunk.problems;
    const stats = this.stats;
    for (;;) {
      const kind = scanner.next();
      if (kind === LineKind.Record) {
        stats.records++;
        if (scanner.format !== this.format) {
          this.format = scanner.format;
          this.p = positionsOf(scanner.format);
        }
        if (this.pack()) {
          const batch = this.batch;
          if (++batch.count === batch.capacity) {
            onBatch(batch);
            this.batch.count = 0;
          }
        }
      } else if (kind === LineKind.End) break;
      else if (kind === LineKind.Malformed) {
        const s = stats;
        s.malformed++;
        if (s.skipped.length < MAX_SKIPPED_KEPT) {
          const line = this.sourceLine();
          const problem = this.problems?.find((p) => p.line === line);
          s.skipped.push({ file: this.fileName, line: this.lineBase + line, reason: problem ? problem.message : malformedReason(scanner, false) });
        }
      } else if (kind === LineKind.Header) onHeader?.(this.sourceLine());
    }
    const count = scanner.line - this.chunkBase;
    if (count > 0) {
      const last = this.chunkLines ? this.chunkLines[count - 1] : chunk.firstLine + count - 1;
      if (last > this.lastLine) this.lastLine = last;
    }
  }

  /** Hands on the last, partial batch. */
  flush(onBatch: (batch: RecordBatch) => void): void {
    if (this.batch.count > 0) onBatch(this.batch);
    this.batch.count = 0;
  }

  /** The record the scanner is on into the next row of the batch; false when it is skipped. */
  private pack(): boolean {
    const sc = this.scanner;
    const p = this.p;
    const buf = sc.buf;
    const st = sc.starts;
    const en = sc.ends;
    const nums = sc.nums;
    if (p.iface < 0 || p.start < 0 || p.end < 0) {
      this.skip(`the format has no ${[p.iface < 0 ? 'interface-id' : '', p.start < 0 ? 'start' : '', p.end < 0 ? 'end' : ''].filter(Boolean).join(', ')}`, false);
      return false;
    }
    const start = nums[p.start];
    const end = nums[p.end];
    if (!(start >= 0 && end >= start && end <= MAX_SECONDS)) {
      this.skip(start >= 0 && end >= 0 && end < start ? 'start is after end' : 'start/end are not Unix seconds', false);
      return false;
    }
    const is = st[p.iface];
    const ie = en[p.iface];
    if (ie - is > MAX_INTERFACE_ID || (ie - is === 1 && buf[is] === 45)) {
      this.skip(ie - is === 1 ? 'interface-id is `-`' : `interface-id is longer than ${MAX_INTERFACE_ID} characters`, false);
      return false;
    }
    let meta = 0;
    if (p.status >= 0) {
      const s = st[p.status];
      const e = en[p.status];
      // OK first (nearly every record), by its two bytes.
      if (e - s === 2 && buf[s] === 79 && buf[s + 1] === 75) meta = 0;
      else if (bytesEqual(buf, s, e, 'NODATA')) meta = META_NODATA;
      else if (bytesEqual(buf, s, e, 'SKIPDATA')) meta = META_SKIPDATA;
      else {
        this.skip('log-status is not OK, NODATA or SKIPDATA', false);
        return false;
      }
    }
    const iface = this.interfaces.id(buf, is, ie);
    if (iface < 0) {
      this.skip(`more than ${MAX_INTERFACES} distinct interfaces`, false);
      return false;
    }
    const batch = this.batch;
    const row = batch.count * RECORD_WORDS;
    const w = batch.words;
    const stats = this.stats;
    if (meta === 0) {
      // An OK record: the traffic fields, when the format has them all. One that lacks them still counts for coverage.
      if (p.missing.length > 0) this.skip(`the format has no ${p.missing.join(', ')}`, false);
      else meta = this.traffic(row);
      if (meta !== 0) stats.traffic++;
    } else if (meta === META_NODATA) stats.nodata++;
    else stats.skipdata++;
    const f = batch.count * RECORD_F64;
    const d = batch.f64;
    w[row + W_IFACE] = iface;
    w[row + W_META] = meta;
    w[row + W_FILE] = this.fileIndex;
    w[row + W_LINE] = this.lineBase + this.sourceLine();
    d[f + F_START] = start;
    d[f + F_END] = end;
    const packets = p.packets >= 0 ? nums[p.packets] : NaN;
    const bytes = p.bytes >= 0 ? nums[p.bytes] : NaN;
    d[f + F_PACKETS] = packets >= 0 ? packets : NaN;
    d[f + F_BYTES] = bytes >= 0 ? bytes : NaN;
    return true;
  }

  /** The traffic fields of an OK record into the row: its meta word, or 0 when a field a conversation needs is missing. */
  private traffic(row: number): number {
    const sc = this.scanner;
    const p = this.p;
    const buf = sc.buf;
    const st = sc.starts;
    const en = sc.ends;
    const nums = sc.nums;
    const w = this.batch.words;
    const src = nums[p.src];
    const dst = nums[p.dst];
    const sport = nums[p.sport];
    const dport = nums[p.dport];
    const proto = nums[p.proto];
    // `-` parses as NaN in every one of these.
    if (src !== src || dst !== dst || sport !== sport || dport !== dport || proto !== proto || (en[p.action] - st[p.action] === 1 && buf[st[p.action]] === 45)) {
      this.skip('a traffic field is `-`', false);
      return 0;
    }
    let family = 0;
    if (src >= 0 && dst >= 0) {
      w[row + W_SRC] = src | 0;
      w[row + W_SRC + 1] = 0;
      w[row + W_SRC + 2] = 0;
      w[row + W_SRC + 3] = 0;
      w[row + W_DST] = dst | 0;
      w[row + W_DST + 1] = 0;
      w[row + W_DST + 2] = 0;
      w[row + W_DST + 3] = 0;
    } else if (src < 0 && dst < 0) {
      // IPv6 (the scanner checked both: -1 in nums): parsed here from the bytes.
      if (!ipv6WordsAt(buf, st[p.src], en[p.src], w, row + W_SRC)) return this.badAddress();
      if (!ipv6WordsAt(buf, st[p.dst], en[p.dst], w, row + W_DST)) return this.badAddress();
      family = META_V6;
    } else {
      this.skip('srcaddr and dstaddr are of different families', false);
      return 0;
    }
    const as = st[p.action];
    const ae = en[p.action];
    const accept = isAction(buf, as, ae, ACCEPT);
    if (!accept && !isAction(buf, as, ae, REJECT)) {
      this.skip('action is not ACCEPT or REJECT', false);
      return 0;
    }
    let meta = META_TRAFFIC | proto | family | (accept ? META_ACCEPT : META_REJECT);
    const ports = sport | (dport << 16);
    w[row + W_PORTS] = ports;
    // The reader's share of the join: which endpoint of the conversation's key sent it, and the key's hash.
    let cmp = compareAddressWords(w, row + W_SRC, row + W_DST);
    if (cmp === 0) cmp = sport - dport;
    if (cmp <= 0) w[row + W_KEY_HASH] = conversationHash(proto | family, w, row + W_SRC, row + W_DST, ports);
    else {
      meta |= META_DIR;
      w[row + W_KEY_HASH] = conversationHash(proto | family, w, row + W_DST, row + W_SRC, dport | (sport << 16));
    }
    if (p.flags >= 0) {
      const flags = nums[p.flags];
      if (flags >= 0 && flags <= 255) meta |= META_HAS_FLAGS | (flags << META_FLAGS_SHIFT);
    }
    if (p.direction >= 0) {
      if (bytesEqual(buf, st[p.direction], en[p.direction], 'ingress')) meta |= META_INGRESS;
      else if (bytesEqual(buf, st[p.direction], en[p.direction], 'egress')) meta |= META_EGRESS;
    }
    if (p.rejectReason >= 0 && bytesEqual(buf, st[p.rejectReason], en[p.rejectReason], 'BPA')) meta |= META_BPA;
    // The joining thread's work that needs this record alone, done here (the reader thread has time to spare): the
    // verdict of a conversation of this record alone, and whether the ports make it a scan attempt.
    const dir = cmp <= 0 ? 0 : 1;
    const flags = meta & META_HAS_FLAGS ? (meta >>> META_FLAGS_SHIFT) & 255 : -1;
    const single = recordVerdict(proto, dir === 0 ? sport : dport, dir === 0 ? dport : sport, dir, accept, nums[p.start], flags);
    const rs = portRank(sport);
    const rd = portRank(dport);
    const attempt = rs === rd ? ATTEMPT_TIE : rs > rd ? ATTEMPT_YES : ATTEMPT_NO;
    return meta | ((single + 1) << META_SINGLE_SHIFT) | (attempt << META_ATTEMPT_SHIFT);
  }

  private badAddress(): number {
    // The scanner accepts what address.ts isIPv6At accepts, so this is not reached; kept as a guard.
    this.skip('srcaddr/dstaddr is not an IP address', false);
    return 0;
  }
}
