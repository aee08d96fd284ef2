// Flow logs shaped like an internet-facing interface's, for benchmarks and tests that must not be friendly to
// the engine: sources drawn from about 2^20 public addresses with a heavy tail (a few scanners and busy clients,
// a long tail seen once or twice), ephemeral source ports uniform in 1024–65535, a few hundred interfaces, a small
// share of NODATA/SKIPDATA records and of IPv6. Nearly every (source, destination, port) is its own group.
import { DEFAULT_HEADER, writeLinesFile } from './generate';

export interface WideOptions {
  records: number;
  seed?: number;
  /** Distinct public source addresses to draw from (default 2^20). */
  addresses?: number;
  interfaces?: number;
  /** Share of NODATA/SKIPDATA records (default 0.01) and of IPv6 flows (default 0.02). */
  nodataShare?: number;
  ipv6Share?: number;
  header?: boolean;
}

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

/** A public IPv4 address for index i (a bijection onto addresses outside the private and reserved blocks). */
function publicV4(i: number, salt: number): string {
  const x = (Math.imul(i ^ salt, 0x9e3779b1) >>> 0) % 0xd0000000;
  let a = 1 + ((x >>> 24) % 222);
  if (a === 10 || a === 127 || a === 100 || a === 172 || a === 192 || a === 169) a += 1;
  return `${a}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${1 + ((x & 255) % 254)}`;
}

export function* generateWideLines(opts: WideOptions): Generator<string> {
  const rnd = prng(opts.seed ?? 7);
  const int = (n: number) => Math.floor(rnd() * n);
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
  const addresses = opts.addresses ?? 1 << 20;
  const salt = int(1 << 30);
  const enis = Array.from({ length: opts.interfaces ?? 300 }, () => `eni-${hex(17)}`);
  const locals = Array.from({ length: 2000 }, () => `10.${int(4)}.${int(256)}.${1 + int(250)}`);
  const services = [22, 80, 443, 3389, 445, 53, 8080, 3306, 23, 5432];
  const nodataShare = opts.nodataShare ?? 0.01;
  const ipv6Share = opts.ipv6Share ?? 0.02;
  let time = 1_700_000_000;
  if (opts.header) yield DEFAULT_HEADER;
  for (let i = 0; i < opts.records; i++) {
    if (i % 200 === 0) time += int(30);
    const eni = enis[int(enis.length)];
    const start = time + int(60);
    if (rnd() < nodataShare) {
      yield `2 123456789010 ${eni} - - - - - - - ${start} ${start + 60} - ${rnd() < 0.7 ? 'NODATA' : 'SKIPDATA'}`;
      continue;
    }
    // Heavy tail: the cube of a uniform number concentrates on small indexes (busy sources), the rest are rare.
    let src = rnd() < ipv6Share ? `2001:db8:${hex(4)}::${hex(4)}` : publicV4(Math.floor(rnd() ** 3 * addresses), salt);
    let dst = locals[int(locals.length)];
    let sport = 1024 + int(64512);
    let dport = rnd() < 0.7 ? services[int(services.length)] : int(65536);
    const proto = rnd() < 0.85 ? 6 : 17;
    if (rnd() < 0.4) [src, dst, sport, dport] = [dst, src, dport, sport];
    const packets = 1 + int(50);
    const bytes = packets * (40 + int(1400));
    yield `2 123456789010 ${eni} ${src} ${dst} ${sport} ${dport} ${proto} ${packets} ${bytes} ${start} ${start + 60} ${rnd() < 0.3 ? 'REJECT' : 'ACCEPT'} OK`;
  }
}

/** Streams a wide file to `path`; constant memory. */
export async function writeWideFile(path: string, opts: WideOptions): Promise<{ bytes: number; lines: number }> {
  return writeLinesFile(path, generateWideLines(opts));
}
