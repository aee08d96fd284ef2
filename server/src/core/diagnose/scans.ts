// Scans and brute force, per source over a time window.
//
// Defaults from Zeek, whose scan and SSH-guessing detectors are the published, tuned rules of this kind (Amazon
// GuardDuty's Recon:EC2/Portscan, Recon:EC2/PortProbeUnprotectedPort and UnauthorizedAccess:EC2/SSHBruteForce
// findings name the same patterns but publish no thresholds):
// - port scan: one source reaches at least 15 distinct ports on one host within 5 minutes (Zeek policy/misc/scan.zeek,
//   Scan::port_scan_threshold = 15, Scan::port_scan_interval = 5 min);
// - address scan: one source reaches at least 25 distinct hosts on one port within 5 minutes (Scan::addr_scan_threshold
//   = 25, Scan::addr_scan_interval = 5 min); ICMP counts as one "port", so a ping sweep is an address scan;
// - both "mostly rejected": at least half of the attempts' records REJECT. Zeek counts failed connections only; a flow
//   log shows a blocked attempt as REJECT (set the share to 0 to also flag accepted scans);
// - brute force: at least 30 connections (distinct source ports) from one source to one login or database port of one
//   host within 30 minutes (Zeek policy/protocols/ssh/detect-bruteforcing.zeek, SSH::password_guesses_limit = 30,
//   SSH::guessing_timeout = 30 min). Zeek counts failed logins; a flow log cannot see a login, so this counts
//   connections and reports how many were accepted (automation such as Ansible also opens many).
//
// An attempt is a record in the request's direction: from the more client-like port to the more service-like one
// (roles.ts). When the ports tie (ICMP, or both ephemeral), a small direct-mapped cache of recently seen
// directions says which came first, so an answer (an echo reply to many pingers) is not counted as an attempt.
//
// Memory: windows are tumbling (by the record's start), kept until the latest start seen passes their end by the
// lateness, and untouched since the last sweep; each holds one table of distinct (source, target, port) attempts,
// capped at `maxKeysPerWindow` (attempts past the cap are counted as untracked and reported). So memory is bounded
// by a few windows' distinct attempts, whatever the number of sources. Closed windows are grouped into findings
// by scanFindings.ts.
import {
  ATTEMPT_NO, ATTEMPT_YES, F_END, F_START, META_ATTEMPT_SHIFT, META_DIR, META_REJECT, META_TRAFFIC, META_V6, RECORD_F64, RECORD_WORDS, RecordBatch, W_DST, W_FILE, W_LINE,
  W_IFACE, W_META, W_PORTS, W_SRC, mix32,
} from './packed';
import { portRank } from './roles';
import { WordTable } from './wordTable';
import { BV, BruteForceFinding, SV, ScanFinding, ScanFindings } from './scanFindings';

export type { ScanFinding, BruteForceFinding } from './scanFindings';

export interface ScanOptions {
  /** Seconds of a scan window (5 min). */
  scanWindow: number;
  /** Distinct ports on one host (15). */
  portScanThreshold: number;
  /** Distinct hosts on one port (25). */
  addressScanThreshold: number;
  /** Share of an attempt group's records that must be REJECT (0.5). */
  scanMinRejectedShare: number;
  /** Seconds of a brute-force window (30 min). */
  bruteForceWindow: number;
  /** Connections to one port of one host (30). */
  bruteForceThreshold: number;
  bruteForcePorts: readonly number[];
  lateness: number;
  slack: number;
  maxKeysPerWindow: number;
}

export const DEFAULT_BRUTE_FORCE_PORTS: readonly number[] = [22, 23, 21, 3389, 5900, 5985, 5986, 3306, 5432, 1433, 1521, 6379, 27017, 445];

export interface ScanStats {
  attempts: number;
  /** Attempts not tracked because a window's table was full. */
  untracked: number;
  /** Records that came after their window had been closed (counted in a window of their own). */
  lateRecords: number;
}


class Window {
  touched = 0;
  constructor(readonly index: number, readonly start: number, readonly v4: WordTable, readonly v6: WordTable) {}
}

const TIE_SLOTS = 1 << 16;
// The tie cache's hashes: packed.ts hashWords of the 11 key words with these seeds, written out for two at once.
const TIE_SEED_SLOT = 3;
const TIE_SEED_FP = 4;

function tieHash(seed: number, first: number): number {
  return tieStep(0x9e3779b9 ^ Math.imul(seed + 1, 0x27d4eb2f), first);
}

function tieStep(h: number, word: number): number {
  h = Math.imul(h ^ word, 0x01000193);
  return h ^ (h >>> 15);
}

export class ScanDetector {
  private scanWindows = new Map<number, Window>();
  private bruteWindows = new Map<number, Window>();
  private bruteSet: Uint8Array;
  private watermark = -Infinity;
  private sweepGen = 1;
  /** Tables of closed windows, cleared, for the next windows; and the tables windows are grouped in when closing. */
  private readonly scanPool = { v4: [] as WordTable[], v6: [] as WordTable[] };
  private readonly brutePool = { v4: [] as WordTable[], v6: [] as WordTable[] };
  private sinceSweep = 0;
  /** The window of the last attempt of each kind (until the next sweep, which may close it). */
  private recentScan: Window | undefined;
  private recentBrute: Window | undefined;
  private readonly key = new Int32Array(12);
  /** The tie cache: per slot, the latest start seen and fingerprint * 2 + direction (NaN: empty). */
  private readonly tie = new Float64Array(TIE_SLOTS * 2).fill(NaN);
  private readonly found: ScanFindings;
  readonly stats: ScanStats = { attempts: 0, untracked: 0, lateRecords: 0 };

  constructor(private readonly options: ScanOptions, files: readonly string[]) {
    this.found = new ScanFindings(options, files);
    this.bruteSet = new Uint8Array(65536);
    for (const p of options.bruteForcePorts) if (p >= 0 && p < 65536) this.bruteSet[p] = 1;
  }

  /** Counts the attempts among records from .. to - 1 of a batch. */
  addRange(batch: RecordBatch, from: number, to: number): void {
    const w = batch.words;
    for (let i = from; i < to; i++) {
      const o = i * RECORD_WORDS;
      const meta = w[o + W_META];
      if ((meta & META_TRAFFIC) === 0) continue;
      const start = batch.f64[i * RECORD_F64 + F_START];
      if (start > this.watermark) this.watermark = start;
      if (this.isAttempt(batch, i, meta, start)) this.count(batch, i, meta, start);
      if (++this.sinceSweep >= 65536) this.sweep(false);
    }
  }

  /** Whether record i goes from the client side to the service side (see the header). */
  private isAttempt(batch: RecordBatch, i: number, meta: number, start: number): boolean {
    const w = batch.words;
    const o = i * RECORD_WORDS;
    // What the ports say, the reader told (packed.ts META_ATTEMPT_SHIFT) or not.
    const told = (meta >>> META_ATTEMPT_SHIFT) & 3;
    if (told === ATTEMPT_YES) return true;
    if (told === ATTEMPT_NO) return false;
    const sport = w[o + W_PORTS] & 0xffff;
    const dport = w[o + W_PORTS] >>> 16;
    if (told === 0) {
      const rs = portRank(sport);
      const rd = portRank(dport);
      if (rs !== rd) return rs > rd;
    }
    // A tie: which direction of this exchange was seen first? The conversation key (the join's: interface,
    // protocol, the endpoints in a fixed order) hashed twice, a slot and a fingerprint, in one walk over its words.
    const dir = (meta & META_DIR) === 0 ? 0 : 1;
    const lo = dir === 0 ? o + W_SRC : o + W_DST;
    const hi = dir === 0 ? o + W_DST : o + W_SRC;
    let hs = tieHash(TIE_SEED_SLOT, w[o + W_IFACE]);
    let hf = tieHash(TIE_SEED_FP, w[o + W_IFACE]);
    const family = meta & (0xff | META_V6);
    hs = tieStep(hs, family);
    hf = tieStep(hf, family);
    for (let j = 0; j < 4; j++) {
      hs = tieStep(hs, w[lo + j]);
      hf = tieStep(hf, w[lo + j]);
    }
    for (let j = 0; j < 4; j++) {
      hs = tieStep(hs, w[hi + j]);
      hf = tieStep(hf, w[hi + j]);
    }
    const ports = dir === 0 ? sport | (dport << 16) : dport | (sport << 16);
    hs = tieStep(hs, ports);
    hf = tieStep(hf, ports);
    const slot = mix32(hs) & (TIE_SLOTS - 1);
    const fp = (mix32(hf) | 1) >>> 0; // unsigned, so that fp * 2 + dir reads back with %
    // One cache line a slot: the latest start of the direction seen first, and its fingerprint and direction.
    const tie = this.tie;
    const stamp = fp * 2 + dir;
    const seen = tie[slot * 2 + 1];
    if (seen - (seen % 2) === fp * 2 && Math.abs(start - tie[slot * 2]) <= this.options.slack) {
      if (seen % 2 !== dir) return false; // the other direction came first: this is the answer
      if (start > tie[slot * 2]) tie[slot * 2] = start;
      return true;
    }
    tie[slot * 2] = start;
    tie[slot * 2 + 1] = stamp;
    return true;
  }

  private windowFor(brute: boolean, start: number): Window {
    const seconds = brute ? this.options.bruteForceWindow : this.options.scanWindow;
    const index = Math.floor(start / seconds);
    // Records come roughly in time order: most fall in the window of the record before (touched since the last sweep).
    const recent = brute ? this.recentBrute : this.recentScan;
    if (recent !== undefined && recent.index === index) return recent;
    const map = brute ? this.bruteWindows : this.scanWindows;
    let win = map.get(index);
    if (!win) {
      if (index * seconds + seconds + this.options.lateness < this.watermark) this.stats.lateRecords++;
      // Tables of closed windows are reused: a busy log does not grow (and drop) big arrays window after window.
      const pool = brute ? this.brutePool : this.scanPool;
      const extra = brute ? 1 : 0;
      win = new Window(index, index * seconds, pool.v4.pop() ?? new WordTable(3 + extra, brute ? BV : SV, 1024), pool.v6.pop() ?? new WordTable(9 + extra, brute ? BV : SV, 64));
      map.set(index, win);
    }
    win.touched = this.sweepGen;
    if (brute) this.recentBrute = win;
    else this.recentScan = win;
    return win;
  }

  private count(batch: RecordBatch, i: number, meta: number, start: number): void {
    this.stats.attempts++;
    const w = batch.words;
    const o = i * RECORD_WORDS;
    const end = batch.f64[i * RECORD_F64 + F_END];
    const rejected = (meta & META_REJECT) !== 0 ? 1 : 0;
    const k = this.key;
    const v6 = (meta & META_V6) !== 0;
    const A = v6 ? 4 : 1;
    for (let j = 0; j < A; j++) {
      k[j] = w[o + W_SRC + j];
      k[A + j] = w[o + W_DST + j];
    }
    const dport = w[o + W_PORTS] >>> 16;
    const proto = meta & 0xff;
    k[2 * A] = dport | (proto << 16);
    const file = w[o + W_FILE];
    const line = w[o + W_LINE];
    const win = this.windowFor(false, start);
    this.bump(v6 ? win.v6 : win.v4, win.start, k, start, end, file, line, rejected, 0, SV);
    if (this.bruteSet[dport] === 1 && (proto === 6 || proto === 17)) {
      k[2 * A + 1] = w[o + W_PORTS] & 0xffff;
      const bw = this.windowFor(true, start);
      this.bump(v6 ? bw.v6 : bw.v4, bw.start, k, start, end, file, line, rejected, 1, BV);
    }
  }

  private bump(table: WordTable, winStart: number, k: Int32Array, start: number, end: number, file: number, line: number, rejected: number, brute: number, width: number): void {
    let e = table.upsert(k, 0, this.options.maxKeysPerWindow);
    if (e !== e) {
      this.stats.untracked++;
      return;
    }
    const v = table.values;
    if (e < 0) {
      e = -1 - e;
      const b = e * width;
      v[b + width - 4] = start - winStart;
      v[b + width - 3] = end - winStart;
      v[b + width - 2] = file;
      v[b + width - 1] = line;
    } else {
      const b = e * width;
      if (start - winStart < v[b + width - 4]) v[b + width - 4] = start - winStart;
      if (end - winStart > v[b + width - 3]) v[b + width - 3] = end - winStart;
      if (file < v[b + width - 2] || (file === v[b + width - 2] && line < v[b + width - 1])) {
        v[b + width - 2] = file;
        v[b + width - 1] = line;
      }
    }
    const b = e * width;
    v[b]++;
    v[b + 1] += rejected;
    if (brute) v[b + 2] += 1 - rejected;
  }

  /** Evaluates and drops the windows that are complete (all of them at the end). */
  sweep(all: boolean): void {
    this.sinceSweep = 0;
    this.recentScan = undefined;
    this.recentBrute = undefined;
    const gen = this.sweepGen++;
    const lateness = this.options.lateness;
    for (const brute of [false, true]) {
      const map = brute ? this.bruteWindows : this.scanWindows;
      const seconds = brute ? this.options.bruteForceWindow : this.options.scanWindow;
      const pool = brute ? this.brutePool : this.scanPool;
      for (const [index, win] of map) {
        if (!all && !(win.start + seconds + lateness < this.watermark && win.touched < gen)) continue;
        for (const [table, A] of [[win.v4, 1], [win.v6, 4]] as const) {
          if (brute) this.found.evaluateBrute(table, A, win.start);
          else this.found.evaluateScans(table, A, win.start);
          table.clear();
        }
        map.delete(index);
        pool.v4.push(win.v4);
        pool.v6.push(win.v6);
      }
    }
  }

  /** Closes every window and returns the findings, the strongest first. */
  finish(): { scans: ScanFinding[]; bruteForce: BruteForceFinding[] } {
    this.sweep(true);
    return this.found.findings();
  }

  /** Findings past the 10,000 kept per kind, counted only. */
  get droppedFindings(): number {
    return this.found.droppedFindings;
  }
}
