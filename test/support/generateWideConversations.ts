// A high-cardinality flow log for the diagnosis's benchmark and differential test: clients drawn from about 2^20
// public addresses on random ephemeral ports, talking to a few hundred servers, with the two directions of each
// exchange logged (or not) as every verdict needs: both accepted, the reply rejected, the request rejected, no reply,
// one-way UDP. Nearly every record is a conversation of its own, so the join's table and the scan detector's
// windows see as many distinct keys as the file has. Default format with a header line; deterministic for a seed.
import { DEFAULT_HEADER, writeLinesFile } from './generate';

export interface WideOptions {
  records: number;
  seed?: number;
  /** Records per second of log time (default 200: 1.8 M records span 2.5 hours). */
  rate?: number;
  interfaces?: number;
  /** Share of exchanges that reuse an earlier exchange's addresses and ports, some seconds to minutes later (default 0.1). */
  reuse?: number;
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

export function* generateWideLines(opts: WideOptions): Generator<string> {
  const rnd = prng(opts.seed ?? 7);
  const int = (n: number) => Math.floor(rnd() * n);
  const rate = opts.rate ?? 200;
  const enis = Array.from({ length: opts.interfaces ?? 200 }, (_, i) => `eni-${(0x10000000 + i * 7919).toString(16)}${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}`);
  const servers = enis.map((_, i) => `10.${i >> 8}.${i & 255}.${10 + (i % 200)}`);
  const ports = [443, 443, 443, 80, 22, 3389, 8080, 53];
  // About 2^20 client addresses: one /12's worth of public space, spread over several first octets.
  const client = () => {
    const x = int(1 << 20);
    return `${[23, 45, 77, 88, 104, 151, 185, 203][x & 7]}.${(x >> 3) & 255}.${(x >> 11) & 255}.${1 + ((x * 37) % 254)}`;
  };
  yield DEFAULT_HEADER;
  let written = 0;
  let time = 1_700_000_000;
  const line = (eni: string, src: string, dst: string, sport: number, dport: number, proto: number, start: number, action: string) => {
    const packets = 1 + int(30);
    return `2 123456789012 ${eni} ${src} ${dst} ${sport} ${dport} ${proto} ${packets} ${packets * (40 + int(1400))} ${start} ${start + 60} ${action} OK`;
  };
  const reuse = opts.reuse ?? 0.1;
  const recent: [number, string, number][] = [];
  while (written < opts.records) {
    time += 1 / rate;
    let k = int(enis.length);
    let c = client();
    let cport = 32768 + int(28232);
    if (recent.length > 0 && rnd() < reuse) [k, c, cport] = recent[int(recent.length)];
    else if (recent.length < 4096) recent.push([k, c, cport]);
    else recent[int(4096)] = [k, c, cport];
    const eni = enis[k];
    const server = servers[k];
    const start = Math.floor(time) + int(30);
    const r = rnd();
    const proto = r < 0.05 ? 17 : 6;
    const port = proto === 17 ? 514 : ports[k % ports.length];
    const replyStart = start + int(20);
    if (r < 0.05) {
      yield line(eni, c, server, cport, port, proto, start, 'ACCEPT'); // one-way UDP
      written++;
    } else if (r < 0.55) {
      yield line(eni, c, server, cport, port, proto, start, 'REJECT'); // request rejected (scanners, mostly)
      written++;
    } else if (r < 0.65) {
      yield line(eni, c, server, cport, port, proto, start, 'ACCEPT'); // no response
      written++;
    } else {
      const reply = r < 0.7 ? 'REJECT' : 'ACCEPT';
      yield line(eni, c, server, cport, port, proto, start, 'ACCEPT');
      yield line(eni, server, c, port, cport, proto, replyStart, reply);
      written += 2;
    }
  }
}

/** Streams a wide file (constant memory). */
export async function writeWideFile(path: string, opts: WideOptions): Promise<{ bytes: number; lines: number }> {
  return writeLinesFile(path, generateWideLines(opts));
}
