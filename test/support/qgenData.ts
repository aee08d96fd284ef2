// The files the random differential test queries: small, seeded, and full of the cases a query engine gets wrong.
// NULL-heavy fields (NODATA/SKIPDATA records, `-` in custom fields), IPv6, a header with another field order and
// extra fields, a `.gz` file with CRLF line ends and a second header in the middle, comments, blank lines, double
// spaces, trailing comments, and a few malformed lines. The generator knows every line it wrote, so the oracle can
// check its own reading of the files (see duckdbOracle.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng } from './rng';
import { expandV6, formatV6 } from './address6';

/** How a field's values are typed in a query: numbers, text, or addresses (text that CIDR blocks match). */
export type FieldKind = 'int' | 'text' | 'addr';

export interface QueryField {
  /** Canonical (hyphenated) name. */
  name: string;
  kind: FieldKind;
}

const DEFAULT_FIELDS = [
  'version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes',
  'start', 'end', 'action', 'log-status',
];

const INT_FIELDS = new Set(['srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'tcp-flags', 'traffic-path', 'packets-lost-no-route']);
const ADDR_FIELDS = new Set(['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr']);

/** The custom format of b.flowlog: another order, fields of versions 3 to 10, two default fields left out. */
const B_FIELDS = [
  'version', 'vpc-id', 'subnet-id', 'instance-id', 'interface-id', 'type', 'srcaddr', 'dstaddr', 'srcport', 'dstport',
  'pkt-srcaddr', 'pkt-dstaddr', 'protocol', 'bytes', 'packets', 'start', 'end', 'action', 'tcp-flags', 'log-status',
  'flow-direction', 'traffic-path', 'interface-tag',
];

/** The second part of c.flowlog.gz (after a header in the middle): the default fields reordered, account-id left out. */
const C2_FIELDS = [
  'action', 'log-status', 'start', 'end', 'version', 'interface-id', 'protocol', 'srcaddr', 'srcport', 'dstaddr',
  'dstport', 'bytes', 'packets',
];

/** Fields no file has: a query may still name them (NULL everywhere). */
const ABSENT_FIELDS = ['tgw-id', 'packets-lost-no-route'];

/** Every field a generated query may name. */
export const QUERY_FIELDS: readonly QueryField[] = [...new Set([...DEFAULT_FIELDS, ...B_FIELDS, ...ABSENT_FIELDS])].map((name) => ({
  name,
  kind: INT_FIELDS.has(name) ? 'int' : ADDR_FIELDS.has(name) ? 'addr' : 'text',
}));

export function queryField(name: string): QueryField {
  const f = QUERY_FIELDS.find((q) => q.name === name);
  if (!f) throw new Error(`not a query field: ${name}`);
  return f;
}

/** A run of lines of one file bound to one field order. Lines are 1-based. */
export interface Segment {
  /** The header line that binds the order, or undefined for the default format. */
  headerLine?: number;
  firstLine: number;
  lastLine: number;
  fields: string[];
}

export interface DataFile {
  path: string;
  gzip: boolean;
  segments: Segment[];
  /** Record lines the generator broke on purpose (wrong field count, a number or address that does not parse). */
  malformedLines: number[];
  /** Well-formed record lines. */
  records: number;
}

export type SourceName = 'a' | 'b' | 'c' | 'ab' | 'abc';

export interface Dataset {
  dir: string;
  files: DataFile[];
  /** The files of each source, by index into `files`, in the order they are given to the engine. */
  sources: Record<SourceName, number[]>;
  /** Distinct values seen per field (well-formed records only), sorted: literals that hit. */
  values: Record<string, string[]>;
}

export const SOURCE_NAMES: readonly SourceName[] = ['a', 'b', 'c', 'ab', 'abc'];

/** The canonical fields of a source's formats, in first-seen order (the union a raw search returns). */
export function sourceFields(ds: Dataset, source: SourceName): string[] {
  const out: string[] = [];
  for (const i of ds.sources[source]) for (const s of ds.files[i].segments) for (const f of s.fields) if (!out.includes(f)) out.push(f);
  return out;
}

export function sourcePaths(ds: Dataset, source: SourceName): string[] {
  return ds.sources[source].map((i) => ds.files[i].path);
}

/** How a header spells the names: hyphenated, snake_case or camelCase (all accepted in header lines). */
type Spelling = 'hyphen' | 'snake' | 'camel';

function spell(name: string, how: Spelling): string {
  if (how === 'hyphen') return name;
  if (how === 'snake') return name.replace(/-/g, '_');
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

interface Pools {
  enis: string[];
  servers: string[];
  clients: string[];
  scanners: string[];
  v6: string[];
  vpcs: string[];
  subnets: string[];
  instances: string[];
  tags: string[];
}

function makePools(rng: Rng): Pools {
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[rng.int(16)]).join('');
  const group = () => (rng.chance(0.3) ? String(rng.int(10)) : rng.int(0x10000).toString(16));
  return {
    enis: Array.from({ length: 12 }, (_, i) => `eni-${i % 3 === 0 ? hex(8) : hex(17)}`),
    servers: Array.from({ length: 24 }, () => `10.0.${rng.int(8)}.${1 + rng.int(250)}`),
    clients: Array.from({ length: 80 }, () => `172.31.${rng.int(16)}.${1 + rng.int(250)}`),
    scanners: Array.from({ length: 120 }, () => `${1 + rng.int(222)}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`),
    // Canonical (RFC 5952) text: lower case, no leading zeros, `::` for the zero run.
    v6: Array.from({ length: 24 }, () => formatV6(expandV6(`2001:db8:${rng.int(4).toString(16)}:${group()}::${(1 + rng.int(0xfff)).toString(16)}`)!)),
    vpcs: Array.from({ length: 4 }, () => `vpc-${hex(8)}`),
    subnets: Array.from({ length: 6 }, () => `subnet-${hex(8)}`),
    instances: Array.from({ length: 8 }, () => `i-${hex(17)}`),
    // Values with a quote, LIKE wildcards, mixed case and characters past ASCII (tags are Unicode), for string
    // literals, patterns and case-insensitive search.
    tags: ['env=prod', 'env=Prod', "owner=o'neil", 'name=db_1', 'name=dbx1', 'pct=100%', 'team=ops', 'owner=Müller', 'OWNER=MÜLLER', 'team=运维', 'mood=😀'],
  };
}

const SERVICE_PORTS = [443, 443, 443, 80, 22, 3306, 5432, 8080, 53, 123];
const SCAN_PORTS = [22, 3389, 445, 23, 3389, 22, 1433];

/** One flow's values for every field any file has (text as written; `-` for NULL). */
function makeFlow(rng: Rng, p: Pools, time: number): Record<string, string> {
  const start = time + rng.int(60);
  const end = start + rng.pick([0, 1, 30, 59, 60, 60, 60, 120]);
  const eni = rng.pick(p.enis);
  const base: Record<string, string> = {
    version: rng.chance(0.05) ? 'V1' : '2', 'account-id': rng.chance(0.03) ? 'unknown' : '123456789010', 'interface-id': eni,
    start: String(start), end: String(end), 'vpc-id': rng.chance(0.1) ? '-' : rng.pick(p.vpcs), 'subnet-id': rng.pick(p.subnets),
    'instance-id': rng.chance(0.35) ? '-' : rng.pick(p.instances), 'interface-tag': rng.chance(0.4) ? '-' : rng.pick(p.tags),
  };
  const r = rng.next();
  if (r < 0.12) {
    // NODATA / SKIPDATA: the traffic fields are `-` (Tencent writes -1 counts sometimes).
    const minusOne = rng.chance(0.1);
    for (const f of ['srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'action', 'type', 'pkt-srcaddr', 'pkt-dstaddr', 'tcp-flags', 'flow-direction', 'traffic-path']) base[f] = '-';
    if (minusOne) base.packets = base.bytes = '-1';
    base['log-status'] = rng.chance(0.7) ? 'NODATA' : 'SKIPDATA';
    return base;
  }
  let src: string, dst: string, sport: number, dport: number, proto: number;
  let action = 'ACCEPT';
  const k = rng.next();
  if (k < 0.15) {
    src = rng.pick(p.scanners); dst = rng.pick(p.servers); sport = 1024 + rng.int(64000); dport = rng.pick(SCAN_PORTS); proto = 6;
    action = rng.chance(0.85) ? 'REJECT' : 'ACCEPT';
  } else if (k < 0.19) {
    src = rng.pick(p.clients); dst = rng.pick(p.servers); sport = 0; dport = 0; proto = 1;
  } else if (k < 0.33) {
    src = rng.pick(p.clients); dst = rng.pick(p.servers); sport = 1024 + rng.int(64000); dport = rng.pick([53, 53, 123, 443]); proto = 17;
  } else if (k < 0.5) {
    src = rng.pick(p.v6); dst = rng.pick(p.v6); sport = 1024 + rng.int(64000); dport = rng.pick(SERVICE_PORTS);
    proto = rng.chance(0.1) ? 58 : 6;
    if (proto === 58) sport = dport = 0;
  } else if (k < 0.52) {
    src = rng.pick(p.clients); dst = rng.pick(p.servers); sport = dport = 0; proto = rng.pick([47, 50]);
  } else {
    src = rng.pick(p.clients); dst = rng.pick(p.servers); sport = 32768 + rng.int(28000); dport = rng.pick(SERVICE_PORTS); proto = 6;
    if (rng.chance(0.05)) action = 'REJECT';
  }
  if (rng.chance(0.5)) [src, dst, sport, dport] = [dst, src, dport, sport];
  const packets = 1 + Math.floor(Math.exp(rng.next() * 6));
  const bytes = packets * ((src.includes(':') ? 60 : 40) + rng.int(1400));
  const egress = rng.chance(0.5);
  return {
    ...base, srcaddr: src, dstaddr: dst, srcport: String(sport), dstport: String(dport), protocol: String(proto),
    packets: String(packets), bytes: String(bytes), action, 'log-status': 'OK',
    type: src.includes(':') ? 'IPv6' : 'IPv4',
    'pkt-srcaddr': rng.chance(0.1) ? rng.pick(p.clients) : src,
    'pkt-dstaddr': rng.chance(0.15) ? '-' : dst,
    'tcp-flags': proto === 6 ? rng.pick(['2', '18', '19', '3', '1', '0']) : rng.chance(0.2) ? '-' : '0',
    'flow-direction': egress ? 'egress' : 'ingress',
    'traffic-path': egress ? String(1 + rng.int(8)) : '-',
  };
}

type Breakage = 'fewer' | 'more' | 'number' | 'address';

/** A record made malformed: one definition for every query (wrong field count, a number or address that does not parse). */
function breakRecord(rng: Rng, fields: string[], order: string[]): string[] | undefined {
  const out = [...fields];
  const numbers = order.map((f, i) => (INT_FIELDS.has(f) ? i : -1)).filter((i) => i >= 0);
  const addresses = order.map((f, i) => (ADDR_FIELDS.has(f) ? i : -1)).filter((i) => i >= 0);
  const kind = rng.pick<Breakage>(['fewer', 'more', 'number', 'number', 'address', 'address']);
  switch (kind) {
    case 'fewer': out.splice(rng.int(out.length), 1); break;
    case 'more': out.splice(rng.int(out.length), 0, 'extra'); break;
    case 'number': out[rng.pick(numbers)] = rng.pick(['lots', '12x', '1.5', '0x16', '1e3', '+-3']); break;
    case 'address': {
      if (addresses.length === 0) return undefined;
      out[rng.pick(addresses)] = rng.pick(['10.0.0.300', '172.31.1', 'fe80::zz', 'db.example', '1:2:3:4:5:6:7:8:9', '010.1.2.3']);
      break;
    }
  }
  return out;
}

interface FilePlan {
  name: string;
  gzip: boolean;
  crlf: boolean;
  records: number;
  /** Parts of the file: a header spelling (or none: default format) and its field order, and a share of the records. */
  parts: { header?: Spelling; fields: string[]; share: number }[];
}

function writeFile(dir: string, plan: FilePlan, rng: Rng, pools: Pools, values: Map<string, Set<string>>, time: { t: number }, malformedShare: number): DataFile {
  const lines: string[] = [];
  const segments: Segment[] = [];
  const malformedLines: number[] = [];
  let records = 0;
  for (const part of plan.parts) {
    const count = Math.round(plan.records * part.share);
    const seg: Segment = { firstLine: lines.length + 1, lastLine: 0, fields: part.fields };
    if (part.header) {
      lines.push(part.fields.map((f) => spell(f, part.header!)).join(' '));
      seg.headerLine = lines.length;
    }
    for (let i = 0; i < count; i++) {
      if (i % 40 === 0) time.t += rng.int(400);
      if (rng.chance(0.004)) lines.push(rng.pick(['# a comment line', '#', '# version account-id interface-id']));
      if (rng.chance(0.004)) lines.push('');
      const flow = makeFlow(rng, pools, time.t);
      let fields = part.fields.map((f) => flow[f]);
      if (rng.chance(malformedShare)) {
        const broken = breakRecord(rng, fields, part.fields);
        if (broken) {
          lines.push(broken.join(' '));
          malformedLines.push(lines.length);
          continue;
        }
      }
      records++;
      part.fields.forEach((f, k) => {
        let set = values.get(f);
        if (!set) values.set(f, (set = new Set()));
        if (fields[k] !== '-') set.add(fields[k]);
      });
      // Well-formed variations the engine must read like any record.
      let line = fields.join(' ');
      const v = rng.next();
      if (v < 0.01) {
        fields = [...fields];
        const at = 1 + rng.int(fields.length - 1);
        line = `${fields.slice(0, at).join(' ')}  ${fields.slice(at).join(' ')}`;
      } else if (v < 0.015) line += ' # trailing comment';
      else if (v < 0.018) line = ` ${line}`;
      else if (v < 0.02) line += ' ';
      lines.push(line);
    }
    seg.lastLine = lines.length;
    segments.push(seg);
  }
  const path = join(dir, plan.name);
  const text = lines.join(plan.crlf ? '\r\n' : '\n') + (plan.crlf ? '\r\n' : '\n');
  writeFileSync(path, plan.gzip ? gzipSync(text) : text);
  return { path, gzip: plan.gzip, segments, malformedLines, records };
}

export interface DatasetOptions {
  /** Records per file (a, b, c); default 5000, 4000, 4000: over 12,000 in `abc`, for LIMIT past the default cap. */
  records?: [number, number, number];
  /** Share of record lines made malformed; default 0.012. */
  malformedShare?: number;
}

/** Writes the files into `dir` (made if missing). */
export function writeDataset(dir: string, seed: number, opts: DatasetOptions = {}): Dataset {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed);
  const pools = makePools(rng);
  const [na, nb, nc] = opts.records ?? [5000, 4000, 4000];
  const values = new Map<string, Set<string>>();
  const time = { t: 1_700_000_000 + rng.int(86_400) };
  const plans: FilePlan[] = [
    { name: 'a.flowlog', gzip: false, crlf: false, records: na, parts: [{ fields: DEFAULT_FIELDS, share: 1 }] },
    { name: 'b.flowlog', gzip: false, crlf: false, records: nb, parts: [{ header: 'hyphen', fields: B_FIELDS, share: 1 }] },
    {
      name: 'c.flowlog.gz', gzip: true, crlf: true, records: nc,
      parts: [{ header: 'snake', fields: DEFAULT_FIELDS, share: 0.5 }, { header: 'camel', fields: C2_FIELDS, share: 0.5 }],
    },
  ];
  const files = plans.map((p) => writeFile(dir, p, rng, pools, values, time, opts.malformedShare ?? 0.012));
  const sorted: Record<string, string[]> = {};
  for (const [k, set] of values) sorted[k] = [...set].sort();
  return { dir, files, sources: { a: [0], b: [1], c: [2], ab: [0, 1], abc: [0, 1, 2] }, values: sorted };
}
