// The floor for the summary's goal: the summary's sections computed by one hand-written loop, with no query engine
// (no plans, no passes, no generic group tables), on the engine's own primitives (chunks, scanFields, intAt,
// Interner). A per-record scan that gives the same figures cannot do much less work than this, so its time over
// the count scan's shows what ratio the goal can reach on the machine. It is for the bench's generated files only:
// the default field order, a header line known by its first letter.
import { FieldSpans, scanFields, spanEquals } from '../server/src/core/scan';
import { Interner, compareValues, intAt } from '../server/src/core/query/values';
import { readChunks } from '../server/src/core/query/sources';
import { PairTable } from '../server/src/core/query/execute';
import type { Summary } from '../server/src/core/summaryTypes';

const F = { iface: 2, src: 3, dst: 4, dstport: 6, protocol: 7, packets: 8, bytes: 9, start: 10, end: 11, action: 12, status: 13 };

export interface FloorFigures {
  records: number;
  bytes: number;
  packets: number;
  firstStart: number;
  lastEnd: number;
  interfaces: number;
  /** The top rows of the sections the bench compares with the engine's, as the engine's queries order them. */
  topPairs: [string, string, number, number][];
  topRejectedPorts: [number, number][];
  topRejectedSources: [string, number][];
  protocols: [number, number, number][];
  interfaceRows: [string, number, number, number, number, number][];
  minuteBuckets: number;
}

/** Float64 accumulators by id, `width` per id, grown on demand. */
class Acc {
  a: Float64Array;
  constructor(readonly width: number) {
    this.a = new Float64Array(width * 1024);
  }
  at(id: number): Float64Array {
    if ((id + 1) * this.width > this.a.length) {
      const grown = new Float64Array(Math.max(this.a.length * 2, (id + 1) * this.width));
      grown.set(this.a);
      this.a = grown;
    }
    return this.a;
  }
}

export async function summaryFloor(path: string): Promise<FloorFigures> {
  const sp = new FieldSpans();
  const ifaces = new Interner();
  const srcs = new Interner();
  const dsts = new Interner();
  const actions = new Interner();
  const pairs = new PairTable();
  const pairKeys: number[] = []; // source and destination ids by pair id
  const pairAcc = new Acc(3); // records, bytes, bytes seen
  const ifaceAcc = new Acc(5); // records, bytes, rejects, nodata, skipdata
  const protoAcc = new Acc(3); // records, bytes, seen
  const rejPorts = new Float64Array(65536);
  const rejSrc = new Acc(1);
  const minutes = new Map<number, number>(); // minute × action → id
  const minuteAcc = new Acc(2);
  let records = 0;
  let bytesSum = 0;
  let packetsSum = 0;
  let first = Infinity;
  let last = -Infinity;
  let reject = -2;
  for await (const chunk of readChunks({ kind: 'files', paths: [path] })) {
    const t = chunk.text;
    const len = t.length;
    let s = 0;
    while (s < len) {
      let nl = t.indexOf('\n', s);
      if (nl < 0) nl = len;
      const n = scanFields(t, s, nl, sp);
      s = nl + 1;
      if (n !== 14 || t.charCodeAt(sp.starts[0]) === 118) continue; // the header line starts with "version"
      const st = sp.starts;
      const en = sp.ends;
      records++;
      const bytes = intAt(t, st[F.bytes], en[F.bytes]);
      const packets = intAt(t, st[F.packets], en[F.packets]);
      const start = intAt(t, st[F.start], en[F.start]);
      const end = intAt(t, st[F.end], en[F.end]);
      const dstport = intAt(t, st[F.dstport], en[F.dstport]);
      const protocol = intAt(t, st[F.protocol], en[F.protocol]);
      const hasBytes = bytes === bytes;
      if (hasBytes) bytesSum += bytes;
      if (packets === packets) packetsSum += packets;
      if (start < first) first = start;
      if (end > last) last = end;
      const iface = ifaces.id(t, st[F.iface], en[F.iface]);
      const src = srcs.id(t, st[F.src], en[F.src]);
      const dst = dsts.id(t, st[F.dst], en[F.dst]);
      const action = actions.id(t, st[F.action], en[F.action]);
      if (reject === -2 && actions.list[action] === 'REJECT') reject = action;
      const rejected = action === reject;
      let a = ifaceAcc.at(iface);
      a[iface * 5]++;
      if (hasBytes) a[iface * 5 + 1] += bytes;
      if (rejected) a[iface * 5 + 2]++;
      if (spanEquals(t, st[F.status], en[F.status], 'NODATA')) a[iface * 5 + 3]++;
      else if (spanEquals(t, st[F.status], en[F.status], 'SKIPDATA')) a[iface * 5 + 4]++;
      if (protocol === protocol) {
        a = protoAcc.at(protocol);
        a[protocol * 3]++;
        a[protocol * 3 + 2] = 1;
        if (hasBytes) a[protocol * 3 + 1] += bytes;
      }
      let pair = pairs.get(src, dst);
      if (pair < 0) {
        pairs.set(src, dst, (pair = pairKeys.length / 2));
        pairKeys.push(src, dst);
      }
      a = pairAcc.at(pair);
      a[pair * 3]++;
      if (hasBytes) {
        a[pair * 3 + 1] += bytes;
        a[pair * 3 + 2] = 1;
      }
      if (rejected) {
        if (dstport === dstport) rejPorts[dstport]++;
        rejSrc.at(src)[src]++;
      }
      if (start === start) {
        const key = Math.floor(start / 60) * 8 + (action & 7);
        let m = minutes.get(key);
        if (m === undefined) minutes.set(key, (m = minutes.size));
        a = minuteAcc.at(m);
        a[m * 2]++;
        if (hasBytes) a[m * 2 + 1] += bytes;
      }
    }
  }
  const pairRows: { src: string; dst: string; bytes: number; records: number }[] = [];
  for (let id = 0; id * 2 < pairKeys.length; id++) {
    if (pairAcc.a[id * 3 + 2] === 1) pairRows.push({ src: srcs.list[pairKeys[id * 2]], dst: dsts.list[pairKeys[id * 2 + 1]], bytes: pairAcc.a[id * 3 + 1], records: pairAcc.a[id * 3] });
  }
  // The engine's order: bytes desc, then srcaddr, dstaddr as text (NULL `-` groups have no bytes: left out).
  pairRows.sort((p, q) => q.bytes - p.bytes || compareValues(p.src, q.src) || compareValues(p.dst, q.dst));
  const topPairs = pairRows.slice(0, 10).map((p): FloorFigures['topPairs'][number] => [p.src, p.dst, p.bytes, p.records]);
  const ports: [number, number][] = [];
  rejPorts.forEach((r, port) => r > 0 && ports.push([port, r]));
  ports.sort((p, q) => q[1] - p[1] || p[0] - q[0]);
  const rejSources: [string, number][] = [];
  srcs.list.forEach((src, id) => id < rejSrc.a.length && rejSrc.a[id] > 0 && rejSources.push([src, rejSrc.a[id]]));
  rejSources.sort((p, q) => q[1] - p[1] || compareValues(p[0], q[0]));
  const protocols: [number, number, number][] = [];
  for (let p = 0; p * 3 < protoAcc.a.length; p++) if (protoAcc.a[p * 3 + 2] === 1) protocols.push([p, protoAcc.a[p * 3], protoAcc.a[p * 3 + 1]]);
  protocols.sort((p, q) => q[1] - p[1] || p[0] - q[0]);
  const ifaceRows: FloorFigures['interfaceRows'] = ifaces.list.map((name, i) => [name, ...(Array.from(ifaceAcc.a.subarray(i * 5, i * 5 + 5)) as [number, number, number, number, number])]);
  ifaceRows.sort((p, q) => q[1] - p[1] || compareValues(p[0], q[0]));
  return {
    records, bytes: bytesSum, packets: packetsSum, firstStart: first, lastEnd: last,
    interfaces: ifaces.list.filter((v) => v !== '-').length,
    topPairs, topRejectedPorts: ports.slice(0, 10), topRejectedSources: rejSources.slice(0, 10), protocols, interfaceRows: ifaceRows, minuteBuckets: minutes.size,
  };
}

/** Where the floor's figures differ from the engine's summary (empty when they agree). */
export function floorDifferences(floor: FloorFigures, s: Summary): string[] {
  const diffs: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${what}: floor ${JSON.stringify(a).slice(0, 120)} vs engine ${JSON.stringify(b).slice(0, 120)}`);
  };
  same('totals', [floor.records, floor.bytes, floor.packets, floor.firstStart, floor.lastEnd, floor.interfaces], [s.records, s.bytes, s.packets, s.firstStart, s.lastEnd, s.interfaces]);
  same('top pairs', floor.topPairs, s.sections.topPairs.rows);
  same('top rejected ports', floor.topRejectedPorts, s.sections.topRejectedPorts.rows.map((r) => [r[0], r[2]]));
  same('top rejected sources', floor.topRejectedSources, s.sections.topRejectedSources.rows);
  same('protocols', floor.protocols, s.sections.protocols.rows.filter((r) => r[0] !== null).map((r) => [r[0], r[2], r[3]]));
  same('interfaces', floor.interfaceRows, s.sections.interfaces.rows);
  same('timeline minutes × actions', floor.minuteBuckets, s.sections.timeline.rows.filter((r) => r[0] !== null).length);
  return diffs;
}
