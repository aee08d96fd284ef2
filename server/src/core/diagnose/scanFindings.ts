// Findings of the scan detector (scans.ts): a closed window's distinct attempts grouped into port scans, address
// scans and brute force, and the findings of consecutive windows merged into one each (the most distinct ports or
// hosts in a window, the windows, the attempts). Groups are found by sorting the attempts of the sources that may have
// enough of them: no table per group, so a window of a million one-off sources costs one array of counters.
import { RecordRef, formatWords } from './conversation';
import { serviceName } from '../decode/ports';
import { protocolName } from '../decode/protocols';
import { WordTable } from './wordTable';
import { mix32 } from './packed';

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

// A window's tables (scans.ts), one per address family so that IPv4 keys take one word per address (A = 1, or 4 for
// IPv6): scan attempts: source (A), destination (A), port | protocol << 16; values:
export const SV = 6; // records, rejected, first start offset, last end offset, evidence file, evidence line
// brute-force connections: source (A), destination (A), port | protocol << 16, source port; values:
export const BV = 7; // records, rejected records, accepted records, first start offset, last end offset, evidence file, line

/** Findings kept at most per kind (the rest are counted). */
const MAX_FINDINGS = 10_000;

/** The thresholds a window's attempts are held to (scans.ts ScanOptions has them, with their sources). */
export interface FindingThresholds {
  portScanThreshold: number;
  addressScanThreshold: number;
  scanMinRejectedShare: number;
  bruteForceThreshold: number;
}

export class ScanFindings {
  private readonly scanFindings = new Map<string, ScanFinding>();
  private readonly bruteFindings = new Map<string, BruteForceFinding>();
  /** Findings past MAX_FINDINGS (per kind), counted only. */
  droppedFindings = 0;
  private readonly acc = new Int32Array(6);
  private order = new Int32Array(1024);
  /**
   * Entries per bucket of sources in the window being evaluated (a source's bucket: a hash of its address), and each
   * entry's bucket. A bucket counts its sources together, so it is at least any of its sources' count: an entry
   * whose bucket has fewer than a threshold cannot be in a group that reaches it (an upper bound, where a table of
   * sources cost a lookup and a key compare per entry; the groups themselves are counted exactly, by sorting).
   */
  private perBucket = new Int32Array(2048);
  private bucketOf = new Int32Array(1024);

  constructor(private readonly options: FindingThresholds, private readonly files: readonly string[]) {}

  /** Counts the entries of a window's table per bucket of sources (the first A words of a key), once per table evaluated. */
  private countSources(t: WordTable, A: number, KW: number): void {
    const size = t.size;
    // At least two buckets an entry (so at most one source in two shares a bucket with another), a power of two.
    let buckets = this.perBucket.length;
    while (buckets < size * 2) buckets *= 2;
    if (buckets !== this.perBucket.length) this.perBucket = new Int32Array(buckets);
    else this.perBucket.fill(0);
    if (this.bucketOf.length < size) this.bucketOf = new Int32Array(Math.max(size, this.bucketOf.length * 2));
    const perBucket = this.perBucket;
    const bucketOf = this.bucketOf;
    const mask = buckets - 1;
    const keys = t.keys;
    if (A === 1) {
      for (let e = 0; e < size; e++) {
        const b = mix32(keys[e * KW]) & mask;
        perBucket[b]++;
        bucketOf[e] = b;
      }
    } else {
      for (let e = 0; e < size; e++) {
        const k = e * KW;
        const b = mix32(Math.imul(keys[k], 0x9e3779b1) ^ Math.imul(keys[k + 1], 0x85ebca77) ^ Math.imul(keys[k + 2], 0xc2b2ae3d) ^ Math.imul(keys[k + 3], 0x27d4eb2f)) & mask;
        perBucket[b]++;
        bucketOf[e] = b;
      }
    }
  }

  /**
   * The entries of the table just counted whose source may have at least `min` entries (its bucket has: the others
   * cannot reach a threshold, and most sources try once or twice), sorted by `compare`: groups are then runs. Nothing
   * is sorted for a window without a candidate.
   */
  private candidates(size: number, min: number, compare: (a: number, b: number) => number): Int32Array {
    if (this.order.length < size) this.order = new Int32Array(Math.max(size, this.order.length * 2));
    const perBucket = this.perBucket;
    const bucketOf = this.bucketOf;
    let n = 0;
    for (let e = 0; e < size; e++) if (perBucket[bucketOf[e]] >= min) this.order[n++] = e;
    return this.order.subarray(0, n).sort(compare);
  }

  /** Port scans and address scans among a window's distinct attempts (addresses of A words). */
  evaluateScans(t: WordTable, A: number, winStart: number): void {
    if (t.size === 0) return;
    const o = this.options;
    const keys = t.keys;
    const values = t.values;
    const KW = 2 * A + 1;
    const PP = 2 * A; // port | protocol << 16
    const v6 = A === 4;
    // Group by sorting: by (source, host, protocol, port) for port scans, by (source, port, protocol, host) for address
    // scans. No table per group: a run of equal keys is one.
    const sameHost = (a: number, b: number) => {
      for (let j = 0; j < 2 * A; j++) {
        const d = keys[a * KW + j] - keys[b * KW + j];
        if (d !== 0) return d;
      }
      return (keys[a * KW + PP] >>> 16) - (keys[b * KW + PP] >>> 16);
    };
    const samePort = (a: number, b: number) => {
      for (let j = 0; j < A; j++) {
        const d = keys[a * KW + j] - keys[b * KW + j];
        if (d !== 0) return d;
      }
      return keys[a * KW + PP] - keys[b * KW + PP];
    };
    const runs = (order: Int32Array, same: (a: number, b: number) => number, threshold: number, emit: (from: number, to: number, acc: Int32Array) => void) => {
      const acc = this.acc; // records, rejected, first, last, file, line
      for (let i = 0; i < order.length; ) {
        let j = i + 1;
        while (j < order.length && same(order[i], order[j]) === 0) j++;
        if (j - i >= threshold) {
          acc.fill(0);
          acc[2] = 2 ** 31 - 1;
          acc[3] = -(2 ** 31);
          acc[4] = 2 ** 31 - 1;
          for (let k = i; k < j; k++) {
            const vb = order[k] * SV;
            acc[0] += values[vb];
            acc[1] += values[vb + 1];
            if (values[vb + 2] < acc[2]) acc[2] = values[vb + 2];
            if (values[vb + 3] > acc[3]) acc[3] = values[vb + 3];
            if (values[vb + 4] < acc[4] || (values[vb + 4] === acc[4] && values[vb + 5] < acc[5])) {
              acc[4] = values[vb + 4];
              acc[5] = values[vb + 5];
            }
          }
          if (acc[1] >= acc[0] * o.scanMinRejectedShare) emit(i, j, acc);
        }
        i = j;
      }
    };
    // Port scans: ports ascending within a group, so its first eight are the sample.
    const min = Math.min(o.portScanThreshold, o.addressScanThreshold);
    this.countSources(t, A, KW);
    const byHost = this.candidates(t.size, min, (a, b) => sameHost(a, b) || (keys[a * KW + PP] & 0xffff) - (keys[b * KW + PP] & 0xffff));
    runs(byHost, sameHost, o.portScanThreshold, (from, to, acc) => {
      const e = byHost[from] * KW;
      const ports: number[] = [];
      for (let k = from; k < to && ports.length < 8; k++) ports.push(keys[byHost[k] * KW + PP] & 0xffff);
      this.addScan('port-scan', formatWords(keys, v6, e), formatWords(keys, v6, e + A), null, keys[e + PP] >>> 16, to - from, acc, winStart, ports);
    });
    const byPort = this.candidates(t.size, min, samePort); // after the port scans: it reuses their buffer
    runs(byPort, samePort, o.addressScanThreshold, (from, to, acc) => {
      const e = byPort[from] * KW;
      const proto = keys[e + PP] >>> 16;
      this.addScan('address-scan', formatWords(keys, v6, e), null, proto === 1 || proto === 58 ? null : keys[e + PP] & 0xffff, proto, to - from, acc, winStart, []);
    });
  }

  private addScan(kind: ScanFinding['kind'], source: string, host: string | null, port: number | null, protocol: number, distinct: number, acc: Int32Array, winStart: number, ports: number[]): void {
    const id = `${kind}|${source}|${host ?? ''}|${port ?? ''}|${protocol}`;
    const evidence = { file: this.files[acc[4]], line: acc[5] };
    const f = this.scanFindings.get(id);
    if (f) {
      f.distinct = Math.max(f.distinct, distinct);
      f.windows++;
      f.attempts += acc[0];
      f.rejected += acc[1];
      f.start = Math.min(f.start, winStart + acc[2]);
      f.end = Math.max(f.end, winStart + acc[3]);
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
      kind, source, protocol, protocolName: protocolName(protocol), host, port, distinct, windows: 1, attempts: acc[0], rejected: acc[1],
      start: winStart + acc[2], end: winStart + acc[3], evidence, samplePorts: ports,
    });
  }

  /** Brute force among a window's distinct connections (addresses of A words). */
  evaluateBrute(t: WordTable, A: number, winStart: number): void {
    if (t.size === 0) return;
    const keys = t.keys;
    const tv = t.values;
    const KW = 2 * A + 2;
    const v6 = A === 4;
    // Group the connections by (source, host, port | protocol): sorted, a run is a group.
    const group = (a: number, b: number) => {
      for (let j = 0; j <= 2 * A; j++) {
        const d = keys[a * KW + j] - keys[b * KW + j];
        if (d !== 0) return d;
      }
      return 0;
    };
    this.countSources(t, A, KW);
    const order = this.candidates(t.size, this.options.bruteForceThreshold, group);
    for (let i = 0; i < order.length; ) {
      let j = i + 1;
      while (j < order.length && group(order[i], order[j]) === 0) j++;
      if (j - i >= this.options.bruteForceThreshold) {
        let accepted = 0;
        let first = 2 ** 31 - 1;
        let last = -(2 ** 31);
        let file = 2 ** 31 - 1;
        let line = 0;
        for (let k = i; k < j; k++) {
          const vb = order[k] * BV;
          if (tv[vb + 2] > 0) accepted++;
          if (tv[vb + 3] < first) first = tv[vb + 3];
          if (tv[vb + 4] > last) last = tv[vb + 4];
          if (tv[vb + 5] < file || (tv[vb + 5] === file && tv[vb + 6] < line)) {
            file = tv[vb + 5];
            line = tv[vb + 6];
          }
        }
        const e = order[i] * KW;
        const source = formatWords(keys, v6, e);
        const host = formatWords(keys, v6, e + A);
        const port = keys[e + 2 * A] & 0xffff;
        const protocol = keys[e + 2 * A] >>> 16;
        const connections = j - i;
        const id = `${source}|${host}|${port}|${protocol}`;
        const evidence = { file: this.files[file], line };
        const f = this.bruteFindings.get(id);
        if (f) {
          f.connections += connections;
          f.accepted += accepted;
          f.rejected += connections - accepted;
          f.peak = Math.max(f.peak, connections);
          f.windows++;
          f.start = Math.min(f.start, winStart + first);
          f.end = Math.max(f.end, winStart + last);
          if (before(evidence, f.evidence, this.files)) f.evidence = evidence;
        } else if (this.bruteFindings.size >= MAX_FINDINGS) this.droppedFindings++;
        else {
          this.bruteFindings.set(id, {
            source, host, port, service: serviceName(port, protocol) ?? null, protocol, connections, accepted, rejected: connections - accepted,
            peak: connections, windows: 1, start: winStart + first, end: winStart + last, evidence,
          });
        }
      }
      i = j;
    }
  }

  /** The findings, the strongest first. */
  findings(): { scans: ScanFinding[]; bruteForce: BruteForceFinding[] } {
    const scans = [...this.scanFindings.values()].sort((a, b) => b.distinct - a.distinct || b.attempts - a.attempts || a.start - b.start || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    const bruteForce = [...this.bruteFindings.values()].sort((a, b) => b.peak - a.peak || b.connections - a.connections || a.start - b.start || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    return { scans, bruteForce };
  }
}

function before(a: RecordRef, b: RecordRef, files: readonly string[]): boolean {
  const fa = files.indexOf(a.file);
  const fb = files.indexOf(b.file);
  return fa < fb || (fa === fb && a.line < b.line);
}
