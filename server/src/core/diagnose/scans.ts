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
// by a few windows' distinct attempts, whatever the number of sources.
import { RecordRef, formatWords } from './conversation';
import { serviceName } from '../decode/ports';
import { protocolName } from '../decode/protocols';
import {
  F_END, F_START, META_REJECT, META_TRAFFIC, META_V6, RECORD_F64, RECORD_WORDS, RecordBatch, W_DST, W_FILE, W_LINE,
  W_IFACE, W_META, W_PORTS, W_SRC, compareAddressWords, hashWords,
} from './packed';
import { portRank } from './roles';
import { WordTable } from './wordTable';

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

export interface ScanFinding {
  kind: 'port-scan' | 'address-scan';
  source: string;
  protocol: number;
  protocolName: string;
  /** Port scan: the host scanned. */
  host: string | null;
  /** Address scan: the port scanned (null for ICMP). */
  port: number | null;
  /** Most distinct ports (port scan) or hosts (address scan) reached in one window. */
  distinct: number;
  /** Windows where the threshold was reached. */
  windows: number;
  /** Attempt records in those windows, and how many were REJECT. */
  attempts: number;
  rejected: number;
  start: number;
  end: number;
  /** The first attempt's record. */
  evidence: RecordRef;
  /** Port scan: some of the ports reached (at most 8, ascending). */
  samplePorts: number[];
}

export interface BruteForceFinding {
  source: string;
  host: string;
  port: number;
  service: string | null;
  protocol: number;
  /** Connections (distinct source ports) in the windows that reached the threshold, and how many were accepted. */
  connections: number;
  accepted: number;
  rejected: number;
  /** Most connections in one window. */
  peak: number;
  windows: number;
  start: number;
  end: number;
  evidence: RecordRef;
}

export interface ScanStats {
  attempts: number;
  /** Attempts not tracked because a window's table was full. */
  untracked: number;
  /** Records that came after their window had been closed (counted in a window of their own). */
  lateRecords: number;
}

// Scan attempt table: key = source (4), destination (4), port | protocol << 16, family; values below.
const SK = 10;
const SV = 6; // records, rejected, first start offset, last end offset, evidence file, evidence line
// Brute-force table: key = source (4), destination (4), port | protocol << 16, source port | family << 16.
const BK = 10;
const BV = 7; // records, rejected records, accepted records, first start offset, last end offset, evidence file, line

class Window {
  touched = 0;
  constructor(readonly start: number, readonly table: WordTable) {}
}

const TIE_SLOTS = 1 << 16;
const MAX_FINDINGS = 10_000;

export class ScanDetector {
  private scanWindows = new Map<number, Window>();
  private bruteWindows = new Map<number, Window>();
  private bruteSet: Uint8Array;
  private watermark = -Infinity;
  private sweepGen = 1;
  private lastScanSize = 0;
  private lastBruteSize = 0;
  private sinceSweep = 0;
  private readonly key = new Int32Array(12);
  private readonly tieKey = new Int32Array(11);
  private readonly tieFp = new Int32Array(TIE_SLOTS);
  private readonly tieDir = new Int8Array(TIE_SLOTS);
  private readonly tieTime = new Float64Array(TIE_SLOTS);
  private readonly scanFindings = new Map<string, ScanFinding>();
  private readonly bruteFindings = new Map<string, BruteForceFinding>();
  readonly stats: ScanStats = { attempts: 0, untracked: 0, lateRecords: 0 };
  /** Findings past MAX_FINDINGS (per kind), counted only. */
  droppedFindings = 0;

  constructor(private readonly options: ScanOptions, private readonly files: readonly string[]) {
    this.bruteSet = new Uint8Array(65536);
    for (const p of options.bruteForcePorts) if (p >= 0 && p < 65536) this.bruteSet[p] = 1;
  }

  addBatch(batch: RecordBatch): void {
    const w = batch.words;
    for (let i = 0; i < batch.count; i++) {
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
    const sport = w[o + W_PORTS] & 0xffff;
    const dport = w[o + W_PORTS] >>> 16;
    const rs = portRank(sport);
    const rd = portRank(dport);
    if (rs !== rd) return rs > rd;
    // A tie: which direction of this exchange was seen first?
    let cmp = compareAddressWords(w, o + W_SRC, o + W_DST);
    if (cmp === 0) cmp = sport - dport;
    const dir = cmp <= 0 ? 0 : 1;
    const lo = dir === 0 ? o + W_SRC : o + W_DST;
    const hi = dir === 0 ? o + W_DST : o + W_SRC;
    const k = this.tieKey;
    k[0] = w[o + W_IFACE];
    k[1] = meta & (0xff | META_V6);
    for (let j = 0; j < 4; j++) {
      k[2 + j] = w[lo + j];
      k[6 + j] = w[hi + j];
    }
    k[10] = dir === 0 ? sport | (dport << 16) : dport | (sport << 16);
    const slot = hashWords(k, 0, 11, 3) & (TIE_SLOTS - 1);
    const fp = hashWords(k, 0, 11, 4) | 1;
    if (this.tieFp[slot] === fp && Math.abs(start - this.tieTime[slot]) <= this.options.slack) {
      if (this.tieDir[slot] !== dir) return false; // the other direction came first: this is the answer
      if (start > this.tieTime[slot]) this.tieTime[slot] = start;
      return true;
    }
    this.tieFp[slot] = fp;
    this.tieDir[slot] = dir;
    this.tieTime[slot] = start;
    return true;
  }

  private windowFor(map: Map<number, Window>, seconds: number, start: number, keyWords: number, valueWords: number): Window {
    const index = Math.floor(start / seconds);
    let win = map.get(index);
    if (!win) {
      if (index * seconds + seconds + this.options.lateness < this.watermark) this.stats.lateRecords++;
      // Sized like the last window of its kind, so a busy log does not grow every window from scratch.
      const last = map === this.scanWindows ? this.lastScanSize : this.lastBruteSize;
      win = new Window(index * seconds, new WordTable(keyWords, valueWords, capacityFor(Math.min(last * 1.25, this.options.maxKeysPerWindow))));
      map.set(index, win);
    }
    win.touched = this.sweepGen;
    return win;
  }

  private count(batch: RecordBatch, i: number, meta: number, start: number): void {
    this.stats.attempts++;
    const w = batch.words;
    const o = i * RECORD_WORDS;
    const end = batch.f64[i * RECORD_F64 + F_END];
    const rejected = (meta & META_REJECT) !== 0 ? 1 : 0;
    const k = this.key;
    for (let j = 0; j < 8; j++) k[j] = w[o + W_SRC + j];
    const dport = w[o + W_PORTS] >>> 16;
    const proto = meta & 0xff;
    k[8] = dport | (proto << 16);
    k[9] = meta & META_V6;
    const file = w[o + W_FILE];
    const line = w[o + W_LINE];
    this.bump(this.windowFor(this.scanWindows, this.options.scanWindow, start, SK, SV), k, start, end, file, line, rejected, 0, SV);
    if (this.bruteSet[dport] === 1 && (proto === 6 || proto === 17)) {
      k[9] = (w[o + W_PORTS] & 0xffff) | ((meta & META_V6) << 8);
      this.bump(this.windowFor(this.bruteWindows, this.options.bruteForceWindow, start, BK, BV), k, start, end, file, line, rejected, 1, BV);
    }
  }

  private bump(win: Window, k: Int32Array, start: number, end: number, file: number, line: number, rejected: number, brute: number, width: number): void {
    let e = win.table.upsert(k, 0, this.options.maxKeysPerWindow);
    if (e !== e) {
      this.stats.untracked++;
      return;
    }
    const v = win.table.values;
    if (e < 0) {
      e = -1 - e;
      const b = e * width;
      v[b + width - 4] = start - win.start;
      v[b + width - 3] = end - win.start;
      v[b + width - 2] = file;
      v[b + width - 1] = line;
    } else {
      const b = e * width;
      if (start - win.start < v[b + width - 4]) v[b + width - 4] = start - win.start;
      if (end - win.start > v[b + width - 3]) v[b + width - 3] = end - win.start;
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
    const gen = this.sweepGen++;
    const lateness = this.options.lateness;
    for (const [index, win] of this.scanWindows) {
      if (all || (win.start + this.options.scanWindow + lateness < this.watermark && win.touched < gen)) {
        this.lastScanSize = win.table.size;
        this.evaluateScans(win);
        this.scanWindows.delete(index);
      }
    }
    for (const [index, win] of this.bruteWindows) {
      if (all || (win.start + this.options.bruteForceWindow + lateness < this.watermark && win.touched < gen)) {
        this.lastBruteSize = win.table.size;
        this.evaluateBrute(win);
        this.bruteWindows.delete(index);
      }
    }
  }

  private evaluateScans(win: Window): void {
    const t = win.table;
    const o = this.options;
    // Group the distinct attempts by (source, host) and by (source, port).
    const byHost = new WordTable(9, 7 + 8, capacityFor(t.size)); // distinct, records, rejected, first, last, file, line, 8 sample ports
    const byPort = new WordTable(6, 7, capacityFor(t.size));
    const k = new Int32Array(10);
    for (let e = 0; e < t.size; e++) {
      const kb = e * SK;
      const vb = e * SV;
      const port = t.keys[kb + 8] & 0xffff;
      // by host: source, destination, protocol | family
      for (let j = 0; j < 8; j++) k[j] = t.keys[kb + j];
      k[8] = (t.keys[kb + 8] >>> 16) | (t.keys[kb + 9] << 8);
      accumulate(byHost, k, t.values, vb, port);
      // by port: source, port | protocol << 16, family
      k[4] = t.keys[kb + 8];
      k[5] = t.keys[kb + 9];
      accumulate(byPort, k, t.values, vb, -1);
    }
    for (let g = 0; g < byHost.size; g++) {
      const v = byHost.values;
      const b = g * 15;
      if (v[b] < o.portScanThreshold || v[b + 2] < v[b + 1] * o.scanMinRejectedShare) continue;
      const key = byHost.keys;
      const v6 = (key[g * 9 + 8] & (META_V6 << 8)) !== 0;
      const proto = (key[g * 9 + 8] & 0xff);
      const source = formatWords(key, v6, g * 9);
      const host = formatWords(key, v6, g * 9 + 4);
      const ports: number[] = [];
      for (let j = 0; j < 8 && j < v[b]; j++) ports.push(v[b + 7 + j]);
      this.addScan('port-scan', source, host, null, proto, v, b, win.start, ports);
    }
    for (let g = 0; g < byPort.size; g++) {
      const v = byPort.values;
      const b = g * 7;
      if (v[b] < o.addressScanThreshold || v[b + 2] < v[b + 1] * o.scanMinRejectedShare) continue;
      const key = byPort.keys;
      const v6 = key[g * 6 + 5] !== 0;
      const proto = key[g * 6 + 4] >>> 16;
      const port = key[g * 6 + 4] & 0xffff;
      this.addScan('address-scan', formatWords(key, v6, g * 6), null, proto === 1 || proto === 58 ? null : port, proto, v, b, win.start, []);
    }
  }

  private addScan(kind: ScanFinding['kind'], source: string, host: string | null, port: number | null, protocol: number, v: Int32Array, b: number, winStart: number, ports: number[]): void {
    const id = `${kind}|${source}|${host ?? ''}|${port ?? ''}|${protocol}`;
    const evidence = { file: this.files[v[b + 5]], line: v[b + 6] };
    const f = this.scanFindings.get(id);
    if (f) {
      f.distinct = Math.max(f.distinct, v[b]);
      f.windows++;
      f.attempts += v[b + 1];
      f.rejected += v[b + 2];
      f.start = Math.min(f.start, winStart + v[b + 3]);
      f.end = Math.max(f.end, winStart + v[b + 4]);
      if (before(evidence, f.evidence, this.files)) f.evidence = evidence;
      for (const p of ports) if (f.samplePorts.length < 8 && !f.samplePorts.includes(p)) f.samplePorts.push(p);
      f.samplePorts.sort((x, y) => x - y);
      return;
    }
    if (this.scanFindings.size >= MAX_FINDINGS) {
      this.droppedFindings++;
      return;
    }
    this.scanFindings.set(id, {
      kind, source, protocol, protocolName: protocolName(protocol), host, port, distinct: v[b], windows: 1, attempts: v[b + 1], rejected: v[b + 2],
      start: winStart + v[b + 3], end: winStart + v[b + 4], evidence, samplePorts: ports.sort((x, y) => x - y),
    });
  }

  private evaluateBrute(win: Window): void {
    const t = win.table;
    // Group the connections by (source, host, port).
    const groups = new WordTable(10, 8, capacityFor(t.size)); // connections, accepted, rejected, records, first, last, file, line
    const k = new Int32Array(10);
    for (let e = 0; e < t.size; e++) {
      const kb = e * BK;
      const vb = e * BV;
      for (let j = 0; j < 9; j++) k[j] = t.keys[kb + j];
      k[9] = t.keys[kb + 9] >>> 16; // the family, without the source port
      let g = groups.upsert(k, 0);
      const v = groups.values;
      const tv = t.values;
      if (g < 0) {
        g = -1 - g;
        v[g * 8 + 4] = tv[vb + 3];
        v[g * 8 + 5] = tv[vb + 4];
        v[g * 8 + 6] = tv[vb + 5];
        v[g * 8 + 7] = tv[vb + 6];
      } else {
        const gb = g * 8;
        if (tv[vb + 3] < v[gb + 4]) v[gb + 4] = tv[vb + 3];
        if (tv[vb + 4] > v[gb + 5]) v[gb + 5] = tv[vb + 4];
        if (tv[vb + 5] < v[gb + 6] || (tv[vb + 5] === v[gb + 6] && tv[vb + 6] < v[gb + 7])) {
          v[gb + 6] = tv[vb + 5];
          v[gb + 7] = tv[vb + 6];
        }
      }
      const gb = g * 8;
      v[gb]++;
      if (tv[vb + 2] > 0) v[gb + 1]++;
      else v[gb + 2]++;
      v[gb + 3] += tv[vb];
    }
    for (let g = 0; g < groups.size; g++) {
      const v = groups.values;
      const gb = g * 8;
      if (v[gb] < this.options.bruteForceThreshold) continue;
      const key = groups.keys;
      const v6 = key[g * 10 + 9] !== 0;
      const source = formatWords(key, v6, g * 10);
      const host = formatWords(key, v6, g * 10 + 4);
      const port = key[g * 10 + 8] & 0xffff;
      const protocol = key[g * 10 + 8] >>> 16;
      const id = `${source}|${host}|${port}|${protocol}`;
      const evidence = { file: this.files[v[gb + 6]], line: v[gb + 7] };
      const f = this.bruteFindings.get(id);
      if (f) {
        f.connections += v[gb];
        f.accepted += v[gb + 1];
        f.rejected += v[gb + 2];
        f.peak = Math.max(f.peak, v[gb]);
        f.windows++;
        f.start = Math.min(f.start, win.start + v[gb + 4]);
        f.end = Math.max(f.end, win.start + v[gb + 5]);
        if (before(evidence, f.evidence, this.files)) f.evidence = evidence;
      } else if (this.bruteFindings.size >= MAX_FINDINGS) this.droppedFindings++;
      else {
        this.bruteFindings.set(id, {
          source, host, port, service: serviceName(port, protocol) ?? null, protocol, connections: v[gb], accepted: v[gb + 1], rejected: v[gb + 2],
          peak: v[gb], windows: 1, start: win.start + v[gb + 4], end: win.start + v[gb + 5], evidence,
        });
      }
    }
  }

  /** Closes every window and returns the findings, the strongest first. */
  finish(): { scans: ScanFinding[]; bruteForce: BruteForceFinding[] } {
    this.sweep(true);
    const scans = [...this.scanFindings.values()].sort((a, b) => b.distinct - a.distinct || b.attempts - a.attempts || a.start - b.start || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    const bruteForce = [...this.bruteFindings.values()].sort((a, b) => b.peak - a.peak || b.connections - a.connections || a.start - b.start || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    return { scans, bruteForce };
  }
}

/** A power of two at least `n` (and at least 64). */
function capacityFor(n: number): number {
  let c = 64;
  while (c < n) c *= 2;
  return c;
}

/** Adds one distinct attempt (values at `vb` of an SV-wide row) to its group; `port` ≥ 0 is kept as a sample. */
function accumulate(groups: WordTable, key: Int32Array, tv: Int32Array, vb: number, port: number): void {
  const width = groups.valueWords;
  let g = groups.upsert(key, 0);
  const v = groups.values;
  if (g < 0) {
    g = -1 - g;
    const gb = g * width;
    v[gb + 3] = tv[vb + 2];
    v[gb + 4] = tv[vb + 3];
    v[gb + 5] = tv[vb + 4];
    v[gb + 6] = tv[vb + 5];
  } else {
    const gb = g * width;
    if (tv[vb + 2] < v[gb + 3]) v[gb + 3] = tv[vb + 2];
    if (tv[vb + 3] > v[gb + 4]) v[gb + 4] = tv[vb + 3];
    if (tv[vb + 4] < v[gb + 5] || (tv[vb + 4] === v[gb + 5] && tv[vb + 5] < v[gb + 6])) {
      v[gb + 5] = tv[vb + 4];
      v[gb + 6] = tv[vb + 5];
    }
  }
  const gb = g * width;
  if (port >= 0 && v[gb] < 8) v[gb + 7 + v[gb]] = port;
  v[gb]++;
  v[gb + 1] += tv[vb];
  v[gb + 2] += tv[vb + 1];
}

function before(a: RecordRef, b: RecordRef, files: readonly string[]): boolean {
  const fa = files.indexOf(a.file);
  const fb = files.indexOf(b.file);
  return fa < fb || (fa === fb && a.line < b.line);
}
