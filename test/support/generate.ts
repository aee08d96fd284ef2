// A deterministic generator of realistic flow logs, for benchmarks and differential tests.
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';

export interface GenerateOptions {
  records: number;
  seed?: number;
  /** Share of malformed lines, 0..1. */
  badShare?: number;
  /** Write the default header line first. */
  header?: boolean;
  /** Unix seconds of the first window; default 1700000000. */
  startTime?: number;
  interfaces?: number;
  /** Share of NODATA/SKIPDATA records; default 0.01. */
  nodataShare?: number;
}

export const DEFAULT_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

/** mulberry32: small, fast, good enough for test data. */
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

export function* generateLines(opts: GenerateOptions): Generator<string> {
  const rnd = prng(opts.seed ?? 1);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)];
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
  const account = '123456789010';
  const enis = Array.from({ length: opts.interfaces ?? 50 }, (_, i) => `eni-${i % 3 === 0 ? hex(8) : hex(17)}`);
  const servers = Array.from({ length: 40 }, () => `10.0.${int(8)}.${1 + int(250)}`);
  const clients = Array.from({ length: 300 }, () => `172.31.${int(64)}.${1 + int(250)}`);
  const scanners = Array.from({ length: 500 }, () => `${1 + int(222)}.${int(256)}.${int(256)}.${1 + int(254)}`);
  const v6 = Array.from({ length: 20 }, () => `2001:db8:${hex(4).replace(/^0+/, '') || '0'}::${hex(3).replace(/^0+/, '') || '1'}`);
  const servicePorts = [443, 443, 443, 80, 22, 3306, 5432, 6379, 8080, 53];
  const scanPorts = [22, 3389, 445, 23, 3389, 22, 1433, 5900];
  const badShare = opts.badShare ?? 0;
  const nodataShare = opts.nodataShare ?? 0.01;
  let time = opts.startTime ?? 1_700_000_000;

  if (opts.header) yield DEFAULT_HEADER;
  for (let i = 0; i < opts.records; i++) {
    if (i % 200 === 0) time += int(30);
    const eni = pick(enis);
    const start = time + int(60);
    const end = start + 60;
    const version = rnd() < 0.02 ? 'V1' : '2';
    if (rnd() < nodataShare) {
      yield `${version} ${account} ${eni} - - - - - - - ${start} ${end} - ${rnd() < 0.7 ? 'NODATA' : 'SKIPDATA'}`;
      continue;
    }
    let src: string, dst: string, sport: number, dport: number, proto: number, action = 'ACCEPT';
    const r = rnd();
    if (r < 0.12) {
      // Internet scanners knocking on admin ports: mostly rejected.
      src = pick(scanners); dst = pick(servers); sport = 1024 + int(64000); dport = pick(scanPorts); proto = 6;
      action = rnd() < 0.9 ? 'REJECT' : 'ACCEPT';
    } else if (r < 0.14) {
      src = pick(clients); dst = pick(servers); sport = 0; dport = 0; proto = 1;
    } else if (r < 0.27) {
      src = pick(clients); dst = pick(servers); sport = 1024 + int(64000); dport = pick([53, 53, 123, 443]); proto = 17;
    } else if (r < 0.29) {
      src = pick(v6); dst = pick(v6); sport = 1024 + int(64000); dport = pick(servicePorts); proto = 6;
    } else {
      src = pick(clients); dst = pick(servers); sport = 32768 + int(28000); dport = pick(servicePorts); proto = 6;
      if (rnd() < 0.04) action = 'REJECT';
    }
    if (rnd() < 0.5) [src, dst, sport, dport] = [dst, src, dport, sport];
    const packets = 1 + Math.floor(Math.exp(rnd() * 7));
    const minPer = src.includes(':') ? 60 : 40;
    const bytes = packets * (minPer + int(1400));
    let fields = [version, account, eni, src, dst, sport, dport, proto, packets, bytes, start, end, action, 'OK'].map(String);
    if (badShare > 0 && rnd() < badShare) fields = breakRecord(fields, int);
    yield fields.join(' ');
  }
}

function breakRecord(fields: string[], int: (n: number) => number): string[] {
  const f = [...fields];
  switch (int(7)) {
    case 0: f.pop(); break;
    case 1: f[6] = '65536'; break;
    case 2: f[7] = '300'; break;
    case 3: f[12] = f[12].toLowerCase(); break;
    case 4: f[3] = '10.0.0.300'; break;
    case 5: [f[10], f[11]] = [f[11], f[10]]; break;
    default: f[9] = 'lots'; break;
  }
  return f;
}

/** Streams `lines` to `path` (gzip-compressed when asked) in batches, waiting for the stream: constant memory. */
export async function writeLinesFile(path: string, lines: Iterable<string>, gzip = false): Promise<{ bytes: number; lines: number }> {
  const file = createWriteStream(path);
  const gz = gzip ? createGzip() : undefined;
  if (gz) gz.pipe(file);
  const out = gz ?? file;
  let bytes = 0;
  let count = 0;
  let batch: string[] = [];
  const flush = async () => {
    const text = batch.join('\n') + '\n';
    bytes += Buffer.byteLength(text);
    batch = [];
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const line of lines) {
    batch.push(line);
    count++;
    if (batch.length === 10_000) await flush();
  }
  if (batch.length) await flush();
  out.end();
  await once(file, 'finish');
  return { bytes, lines: count };
}

/** Streams a generated file (gzip when asked); constant memory. */
export async function writeFlowLogFile(path: string, opts: GenerateOptions & { gzip?: boolean }): Promise<{ bytes: number; lines: number }> {
  return writeLinesFile(path, generateLines(opts), opts.gzip);
}

/**
 * `n` records whose (srcaddr, dstport) pairs are all distinct, in a few MB of group tables at 150,000: past a third
 * of the smallest memory budget (16 MB), so a GROUP BY srcaddr, dstport spills under it. Every ninth is a REJECT and
 * bytes vary, so the summary's sections have something to rank.
 */
export function manyGroupLines(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(`2 123456789010 eni-0a1b2c3d 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} 10.0.0.1 ${1024 + (i % 60_000)} ${i % 1000} 6 10 ${4000 + (i % 7919)} 1700000000 1700000060 ${i % 9 ? 'ACCEPT' : 'REJECT'} OK`);
  }
  return lines;
}
