// A flow log with known answers for the connectivity diagnosis: conversations of every verdict, scans, brute force,
// coverage gaps, NODATA and SKIPDATA spans, planted among realistic noise (background traffic on every interface,
// clock skew between the two directions' windows, records split across windows, long-lived flows over many windows,
// NAT'd replies that never pair, IPv6, records a little out of order). Every conversation written is known, noise
// included, so precision and recall can be computed over the whole file. Deterministic for a seed.
import type { Verdict } from '../../server/src/core/diagnose';

export interface PlantedConversation {
  /** What it is (`response-rejected tcp`, `noise ok`, `nat request`, …). */
  label: string;
  verdict: Verdict;
  interfaceId: string;
  protocol: number;
  client: { address: string; port: number };
  server: { address: string; port: number };
  /** 1-based lines of its records in the written file. */
  lines: number[];
  /** The rule cannot know the truth here (NAT'd halves): the verdict is what it is documented to say. */
  undecidable?: string;
}

export interface PlantedScan {
  kind: 'port-scan' | 'address-scan';
  source: string;
  host: string | null;
  port: number | null;
  protocol: number;
}

export interface PlantedBruteForce {
  source: string;
  host: string;
  port: number;
}

export interface PlantedSpan {
  interfaceId: string;
  from: number;
  to: number;
}

export interface PlantedLog {
  /** The file's text: a header line, then the records. */
  text: string;
  conversations: PlantedConversation[];
  scans: PlantedScan[];
  bruteForce: PlantedBruteForce[];
  gaps: PlantedSpan[];
  nodata: PlantedSpan[];
  skipdata: PlantedSpan[];
}

export interface PlantOptions {
  seed?: number;
  /** Background conversations (default 1,500). */
  noise?: number;
  /** First second of the log (default 1700000000, aligned to the hour). */
  start?: number;
  /** Hours the log spans (default 6). */
  hours?: number;
}

interface Rec {
  iface: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: number;
  start: number;
  end: number;
  action: 'ACCEPT' | 'REJECT' | '-';
  status: 'OK' | 'NODATA' | 'SKIPDATA';
  conv: number;
  /** Order key: start plus a little jitter (files are only roughly in time order). */
  order: number;
}

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const WINDOW = 60;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function plantConversations(options: PlantOptions = {}): PlantedLog {
  const rnd = prng(options.seed ?? 12);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)];
  const T0 = options.start ?? 1_700_000_000 - (1_700_000_000 % 3600);
  const hours = options.hours ?? 6;
  const T1 = T0 + hours * 3600;
  const recs: Rec[] = [];
  const conversations: PlantedConversation[] = [];
  const usedKeys = new Set<string>();

  // Instances, each with its interface, an IPv4 and an IPv6 address.
  const instances = Array.from({ length: 8 }, (_, i) => ({
    iface: `eni-${(0x1000a0 + i).toString(16)}planted${i}`,
    v4: `10.0.${1 + (i >> 2)}.${10 + i}`,
    v6: `2001:db8:100::${(0xa0 + i).toString(16)}`,
  }));
  const [web, db, bastion, app, idle, gappy, busy, natted] = instances;
  const clientsV4 = Array.from({ length: 300 }, () => `${pick([198, 203, 192])}.${pick([51, 0])}.${pick([100, 113, 2])}.${1 + int(254)}`);
  const clientsV6 = Array.from({ length: 40 }, () => `2001:db8:${(0x200 + int(0xd00)).toString(16)}::${(1 + int(0xfffe)).toString(16)}`);
  const remoteServices: [string, number][] = [['198.51.100.20', 443], ['203.0.113.50', 443], ['192.0.2.80', 80], ['198.51.100.53', 53]];

  const ephemeral = () => 32768 + int(28232);
  const keyOf = (iface: string, proto: number, a: string, ap: number, b: string, bp: number) => {
    const x = `${a}|${ap}`;
    const y = `${b}|${bp}`;
    return `${iface}/${proto}/${x < y ? x + '/' + y : y + '/' + x}`;
  };
  /** A key not used before (so two planted conversations never merge); a new client port until it is. */
  const freshPort = (iface: string, proto: number, a: string, b: string, bp: number, port = ephemeral()) => {
    let p = port;
    while (usedKeys.has(keyOf(iface, proto, a, p, b, bp))) p = ephemeral();
    usedKeys.add(keyOf(iface, proto, a, p, b, bp));
    return p;
  };

  interface Plan {
    label: string;
    verdict: Verdict;
    iface: string;
    proto: number;
    client: string;
    cport: number;
    server: string;
    sport: number;
    /** Windows: [request action or null, reply action or null] per window, from `at`. */
    windows: [Rec['action'] | null, Rec['action'] | null][];
    at: number;
    /** Seconds the reply's window start is off from the request's (clock skew). */
    skew?: number;
    /** Windows are this long (default 60 s). */
    window?: number;
    undecidable?: string;
  }

  const plant = (p: Plan) => {
    const id = conversations.length;
    conversations.push({ label: p.label, verdict: p.verdict, interfaceId: p.iface, protocol: p.proto, client: { address: p.client, port: p.cport }, server: { address: p.server, port: p.sport }, lines: [], undecidable: p.undecidable });
    const w = p.window ?? WINDOW;
    p.windows.forEach(([req, rep], k) => {
      const ws = p.at + k * w;
      // A record's start is its first packet in the window: a reply's comes a moment after its request's, unless the
      // clocks of the two windows are skewed.
      const reqStart = ws + int(10);
      if (req) recs.push(rec(p.iface, p.client, p.server, p.cport, p.sport, p.proto, reqStart, ws + w, req, id));
      if (rep) {
        const start = reqStart + int(3) + (p.skew ?? 0);
        recs.push(rec(p.iface, p.server, p.client, p.sport, p.cport, p.proto, start, Math.max(start, ws + w + (p.skew ?? 0)), rep, id));
      }
    });
    return id;
  };
  const rec = (iface: string, src: string, dst: string, sport: number, dport: number, proto: number, start: number, end: number, action: Rec['action'], conv: number): Rec =>
    ({ iface, src, dst, sport, dport, proto, start, end, action, status: 'OK', conv, order: start + int(45) });
  const time = (from = T0 + 600, to = T1 - 3600) => from + int(to - from);
  const inbound = (label: string, verdict: Verdict, inst: typeof web, proto: number, port: number, windows: Plan['windows'], extra: Partial<Plan> = {}) => {
    const v6 = extra.client?.includes(':') ?? false;
    const client = extra.client ?? pick(clientsV4);
    const server = v6 ? inst.v6 : inst.v4;
    const cport = proto === 1 || proto === 58 ? 0 : freshPort(inst.iface, proto, client, server, port);
    if (cport === 0) usedKeys.add(keyOf(inst.iface, proto, client, 0, server, 0));
    return plant({ label, verdict, iface: inst.iface, proto, client, cport, server, sport: port, windows, at: time(), ...extra });
  };
  const outbound = (label: string, verdict: Verdict, inst: typeof web, proto: number, remote: string, port: number, windows: Plan['windows'], extra: Partial<Plan> = {}) => {
    const local = remote.includes(':') ? inst.v6 : inst.v4;
    const cport = proto === 1 || proto === 58 ? 0 : freshPort(inst.iface, proto, local, remote, port);
    return plant({ label, verdict, iface: inst.iface, proto, client: local, cport, server: remote, sport: port, windows, at: time(), ...extra });
  };
  const A = 'ACCEPT' as const;
  const R = 'REJECT' as const;

  // ---- the verdicts, planted ----
  // The seed's case: a ping accepted in, its reply rejected out (a stateless network ACL), and its TCP and UDP kin.
  for (let i = 0; i < 6; i++) inbound('response-rejected icmp', 'response-rejected', pick([web, app, db]), 1, 0, [[A, R]], { client: clientsV4[i], skew: int(120) - 30 });
  for (let i = 0; i < 10; i++) inbound('response-rejected tcp', 'response-rejected', pick([web, app]), 6, pick([443, 80, 8080]), [[A, R]], { skew: int(60) - 20 });
  for (let i = 0; i < 4; i++) outbound('response-rejected tcp out', 'response-rejected', pick([app, db]), 6, pick(remoteServices)[0], 443, [[A, R], [A, R]]);
  for (let i = 0; i < 4; i++) outbound('response-rejected udp', 'response-rejected', pick([web, app]), 17, '198.51.100.53', 53, [[A, R]]);
  for (let i = 0; i < 4; i++) inbound('response-rejected ipv6', 'response-rejected', web, 6, 443, [[A, R]], { client: pick(clientsV6) });
  // Requests rejected (a security group or a network ACL on the way in or out).
  for (let i = 0; i < 12; i++) inbound('request-rejected tcp', 'request-rejected', pick([db, bastion]), 6, pick([22, 3389, 5432, 3306]), i % 3 === 0 ? [[R, null], [R, null]] : [[R, null]]);
  for (let i = 0; i < 4; i++) inbound('request-rejected icmp', 'request-rejected', pick([db, bastion]), 1, 0, [[R, null]], { client: clientsV4[10 + i] });
  for (let i = 0; i < 4; i++) outbound('request-rejected out', 'request-rejected', db, 6, pick(remoteServices)[0], 443, [[R, null]]);
  for (let i = 0; i < 3; i++) inbound('request-rejected ipv6', 'request-rejected', bastion, 6, 22, [[R, null]], { client: pick(clientsV6) });
  // Accepted, nothing came back.
  for (let i = 0; i < 8; i++) inbound('no-response tcp', 'no-response', pick([app, db]), 6, pick([8443, 9200, 6379]), [[A, null]]);
  for (let i = 0; i < 4; i++) outbound('no-response icmp', 'no-response', app, 1, ['198.51.100.99', '203.0.113.77', '192.0.2.55', '198.51.100.98'][i], 0, [[A, null]]);
  for (let i = 0; i < 3; i++) outbound('no-response ipv6', 'no-response', app, 6, '2001:db8:ffff::1', 443, [[A, null]]);
  // One direction only, not request-like: UDP that is never answered, and replies whose requests were never logged.
  for (let i = 0; i < 6; i++) outbound('one-way udp', 'one-way', pick([web, app, db]), 17, '10.0.9.9', pick([514, 8125]), i % 2 ? [[A, null], [A, null], [A, null]] : [[A, null]]);
  for (let i = 0; i < 4; i++) inbound('one-way reply only', 'one-way', web, 6, 443, [[null, A]]);
  // Both directions accepted.
  for (let i = 0; i < 10; i++) inbound('ok tcp', 'ok', pick([web, app]), 6, pick([443, 80]), [[A, A]], { skew: int(90) - 45 });
  for (let i = 0; i < 4; i++) inbound('ok ipv6', 'ok', web, 6, 443, [[A, A]], { client: pick(clientsV6) });
  // Long-lived flows over many windows: one conversation each.
  for (let i = 0; i < 4; i++) outbound('long-lived ok', 'ok', pick([app, db]), 6, pick(remoteServices)[0], 443, Array.from({ length: 40 + int(40) }, () => [A, A] as [typeof A, typeof A]), { at: time(T0 + 600, T1 - 6000) });
  for (let i = 0; i < 2; i++) inbound('long-lived response-rejected', 'response-rejected', web, 6, 443, Array.from({ length: 30 }, () => [A, R] as [typeof A, typeof R]), { at: time(T0 + 600, T1 - 6000) });
  // Records split across windows: the request in two windows, the reply in the second only; 10-minute windows too.
  for (let i = 0; i < 6; i++) inbound('split across windows', 'ok', pick([web, app]), 6, 443, [[A, null], [A, A]]);
  for (let i = 0; i < 3; i++) inbound('split 10-minute windows', 'response-rejected', pick([web, app]), 6, 443, [[A, null], [null, R]], { window: 600 });
  // Clock skew: the reply's window starts well before the request's (an ICMP echo, where only the times and actions tell).
  for (let i = 0; i < 3; i++) inbound('skewed icmp', 'response-rejected', web, 1, 0, [[A, R]], { client: clientsV4[20 + i], skew: -50 });
  // The same two hosts ping again two hours later: another conversation.
  {
    const client = clientsV4[30];
    const at = time(T0 + 600, T1 - 3 * 3600);
    plant({ label: 'repeated ping 1', verdict: 'ok', iface: web.iface, proto: 1, client, cport: 0, server: web.v4, sport: 0, windows: [[A, A]], at });
    plant({ label: 'repeated ping 2', verdict: 'response-rejected', iface: web.iface, proto: 1, client, cport: 0, server: web.v4, sport: 0, windows: [[A, R]], at: at + 7200 });
  }
  // NAT'd: the reply is logged to the translated address (a load balancer without client IP preservation), so the two
  // halves never pair: the rule says no-response for the request and one-way for the reply; it cannot know better.
  for (let i = 0; i < 4; i++) {
    const client = pick(clientsV4);
    const nat = `10.0.200.${10 + i}`;
    const cport = freshPort(natted.iface, 6, client, natted.v4, 80);
    usedKeys.add(keyOf(natted.iface, 6, nat, cport, natted.v4, 80));
    const at = time();
    plant({ label: 'nat request', verdict: 'no-response', iface: natted.iface, proto: 6, client, cport, server: natted.v4, sport: 80, windows: [[A, null]], at, undecidable: 'the reply went to a translated address' });
    plant({ label: 'nat reply', verdict: 'one-way', iface: natted.iface, proto: 6, client: nat, cport, server: natted.v4, sport: 80, windows: [[null, A]], at, undecidable: 'the request came from an untranslated address' });
  }

  // ---- scans and brute force ----
  const scans: PlantedScan[] = [];
  const bruteForce: PlantedBruteForce[] = [];
  const scanAt = (minute: number) => T0 - (T0 % 300) + 300 * minute + 5;
  // A port scan: 60 ports of the bastion from one source port, in two minutes, 95% rejected.
  {
    const source = '45.33.32.156';
    const sourcePort = 54321;
    const at = scanAt(20);
    for (let k = 0; k < 60; k++) {
      const port = k < 50 ? [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 1521, 1723, 3306, 3389, 5432, 5900, 6379, 8080, 8443][k % 25] + (k >= 25 ? 10000 : 0) : 40000 + k;
      const open = k === 1;
      const verdict: Verdict = open ? 'ok' : k % 20 === 7 ? 'no-response' : 'request-rejected';
      usedKeys.add(keyOf(bastion.iface, 6, source, sourcePort, bastion.v4, port));
      plant({ label: 'port scan probe', verdict, iface: bastion.iface, proto: 6, client: source, cport: sourcePort, server: bastion.v4, sport: port, windows: [[verdict === 'request-rejected' ? R : A, open ? A : null]], at: at + Math.floor(k * 2) });
    }
    scans.push({ kind: 'port-scan', source, host: bastion.v4, port: null, protocol: 6 });
  }
  // An address scan: port 23 on 40 hosts, each host its own interface, rejected.
  {
    const source = '185.220.101.4';
    const at = scanAt(40);
    for (let k = 0; k < 40; k++) {
      const iface = `eni-0scan${k.toString(16).padStart(4, '0')}`;
      const host = `10.0.50.${10 + k}`;
      const cport = freshPort(iface, 6, source, host, 23);
      plant({ label: 'address scan probe', verdict: 'request-rejected', iface, proto: 6, client: source, cport, server: host, sport: 23, windows: [[R, null]], at: at + k * 3 });
    }
    scans.push({ kind: 'address-scan', source, host: null, port: 23, protocol: 6 });
  }
  // A ping sweep of 30 hosts: an ICMP address scan.
  {
    const source = '192.0.2.66';
    const at = scanAt(55);
    for (let k = 0; k < 30; k++) {
      const iface = `eni-0sweep${k.toString(16).padStart(3, '0')}`;
      plant({ label: 'ping sweep probe', verdict: 'request-rejected', iface, proto: 1, client: source, cport: 0, server: `10.0.60.${10 + k}`, sport: 0, windows: [[R, null]], at: at + k * 4 });
    }
    scans.push({ kind: 'address-scan', source, host: null, port: null, protocol: 1 });
  }
  // SSH brute force: 45 connections to the bastion in 20 minutes, accepted and answered.
  {
    const source = '203.0.113.200';
    const at = T0 - (T0 % 1800) + 1800 * 4 + 10;
    for (let k = 0; k < 45; k++) {
      const cport = freshPort(bastion.iface, 6, source, bastion.v4, 22);
      plant({ label: 'ssh brute force', verdict: 'ok', iface: bastion.iface, proto: 6, client: source, cport, server: bastion.v4, sport: 22, windows: [[A, A]], at: at + k * 25 });
    }
    bruteForce.push({ source, host: bastion.v4, port: 22 });
  }
  // RDP brute force, every connection rejected.
  {
    const source = '198.51.100.250';
    const at = T0 - (T0 % 1800) + 1800 * 6 + 10;
    for (let k = 0; k < 36; k++) {
      const cport = freshPort(db.iface, 6, source, db.v4, 3389);
      plant({ label: 'rdp brute force', verdict: 'request-rejected', iface: db.iface, proto: 6, client: source, cport, server: db.v4, sport: 3389, windows: [[R, null]], at: at + k * 40 });
    }
    bruteForce.push({ source, host: db.v4, port: 3389 });
  }

  // ---- coverage ----
  const gaps: PlantedSpan[] = [];
  const nodata: PlantedSpan[] = [];
  const skipdata: PlantedSpan[] = [];
  const gapFrom = T0 + 2 * 3600;
  const gapTo = gapFrom + 45 * 60;
  const idleFrom = T0 + 3 * 3600;
  const idleTo = idleFrom + 30 * 60;
  // Background: every main interface has a DNS exchange every 4 minutes (so only planted gaps are gaps), and random
  // conversations of every kind, below every scan and brute-force threshold.
  for (const inst of [web, db, bastion, app, idle, gappy, busy, natted]) {
    for (let t = T0; t < T1; t += 240) {
      const at = t + int(30);
      if (inst === gappy && at + WINDOW > gapFrom - 120 && at < gapTo + 120) continue;
      if (inst === idle && at + WINDOW > idleFrom - 60 && at < idleTo + 60) continue;
      const port = freshPort(inst.iface, 17, inst.v4, '10.0.0.2', 53);
      plant({ label: 'noise dns', verdict: 'ok', iface: inst.iface, proto: 17, client: inst.v4, cport: port, server: '10.0.0.2', sport: 53, windows: [[A, A]], at });
    }
  }
  // The gap: nothing at all from gappy for 45 minutes (its DNS exchanges stop; nothing else is planted on it).
  let lastBefore = -Infinity;
  let firstAfter = Infinity;
  // NODATA windows on idle for 30 minutes (the capture is on, there is no traffic), then traffic again.
  for (let t = idleFrom; t < idleTo; t += WINDOW) recs.push({ iface: idle.iface, src: '-', dst: '-', sport: 0, dport: 0, proto: 0, start: t, end: t + WINDOW, action: '-', status: 'NODATA', conv: -1, order: t });
  nodata.push({ interfaceId: idle.iface, from: idleFrom, to: idleTo });
  // A SKIPDATA window on busy, amid its traffic.
  const skipAt = T0 + 4 * 3600 + 30;
  recs.push({ iface: busy.iface, src: '-', dst: '-', sport: 0, dport: 0, proto: 0, start: skipAt, end: skipAt + WINDOW, action: '-', status: 'SKIPDATA', conv: -1, order: skipAt });
  skipdata.push({ interfaceId: busy.iface, from: skipAt, to: skipAt + WINDOW });

  const noise = options.noise ?? 1500;
  const noiseHosts = [web, app, db, busy];
  for (let i = 0; i < noise; i++) {
    const inst = pick(noiseHosts);
    const r = rnd();
    if (r < 0.5) inbound('noise ok', 'ok', inst, 6, pick([443, 443, 80, 8080]), int(4) === 0 ? [[A, A], [A, A]] : [[A, A]], { skew: int(40) - 20 });
    else if (r < 0.6) inbound('noise ok ipv6', 'ok', inst, 6, 443, [[A, A]], { client: pick(clientsV6) });
    else if (r < 0.75) outbound('noise ok out', 'ok', inst, 6, pick(remoteServices)[0], 443, [[A, A]]);
    else if (r < 0.85) inbound('noise rejected', 'request-rejected', inst, 6, pick([22, 3389, 23, 445]), [[R, null]]);
    else if (r < 0.9) outbound('noise ping', 'ok', inst, 1, `10.${20 + (i >> 8)}.${i & 255}.${1 + int(250)}`, 0, [[A, A]]);
    else if (r < 0.95) outbound('noise syslog', 'one-way', inst, 17, '10.0.9.10', 514, [[A, null]]);
    else inbound('noise no-response', 'no-response', inst, 6, 9000 + int(10), [[A, null]]);
  }

  // Write: roughly in time order (each record's order key is its start plus up to 45 s of jitter).
  recs.sort((a, b) => a.order - b.order);
  const lines = [HEADER];
  for (const r of recs) {
    const packets = r.status === 'OK' ? 1 + int(20) : '-';
    const bytes = r.status === 'OK' ? (packets as number) * (r.src.includes(':') ? 60 + int(1400) : 40 + int(1400)) : '-';
    const fields = r.status === 'OK'
      ? ['2', '123456789012', r.iface, r.src, r.dst, r.sport, r.dport, r.proto, packets, bytes, r.start, r.end, r.action, 'OK']
      : ['2', '123456789012', r.iface, '-', '-', '-', '-', '-', '-', '-', r.start, r.end, '-', r.status];
    lines.push(fields.join(' '));
    if (r.conv >= 0) conversations[r.conv].lines.push(lines.length);
    if (r.iface === gappy.iface) {
      if (r.end <= gapFrom) lastBefore = Math.max(lastBefore, r.end);
      if (r.start >= gapFrom) firstAfter = Math.min(firstAfter, r.start);
    }
  }
  gaps.push({ interfaceId: gappy.iface, from: lastBefore, to: firstAfter });
  return { text: lines.join('\n') + '\n', conversations, scans, bruteForce, gaps, nodata, skipdata };
}
