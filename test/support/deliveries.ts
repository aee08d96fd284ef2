// Writes one set of generated records in every delivery shape (text, CloudWatch export, CLS JSON lines and CSV,
// and the compressions), for the samples, the fixtures and the readers' round-trip tests.
import { gzipSync } from 'node:zlib';
import SnappyJS from 'snappyjs';
import { DEFAULT_FIELD_NAMES } from '../../server/src/core/schema';
import { maskedCrc32c } from '../../server/src/core/readers/snappy';
import { generateLines } from './generate';

export type Record = string[];

/** The generated records as AWS/CLS would deliver them: default 14 fields (`V1` written as `2`: AWS has no V1). */
export function deliveryRecords(records: number, seed = 11, startTime = 1_705_312_800): Record[] {
  const out: Record[] = [];
  for (const line of generateLines({ records, seed, startTime, interfaces: 6 })) {
    const f = line.split(' ');
    if (f[0] === 'V1') f[0] = '2';
    out.push(f);
  }
  return out;
}

export const HEADER = DEFAULT_FIELD_NAMES as readonly string[];
const NUMERIC = new Set(['version', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end']);

/** Space-separated text, optionally under a header line (as AWS writes to S3). */
export function toText(records: Record[], header = true): string {
  return (header ? HEADER.join(' ') + '\n' : '') + records.map((r) => r.join(' ') + '\n').join('');
}

/** A CloudWatch Logs export: the ingestion time (a few seconds after `end`), a space, the record; no header. */
export function toCloudWatch(records: Record[]): string {
  return records.map((r) => `${new Date((Number(r[11]) + 7) * 1000).toISOString()} ${r.join(' ')}\n`).join('');
}

/** CLS JSON lines: keys `account_id` or `account-id`, numbers as numbers, CLS metadata keys around them. */
export function toJsonLines(records: Record[], options: { keys?: 'underscore' | 'hyphen'; metadata?: boolean } = {}): string {
  const names = HEADER.map((n) => (options.keys === 'hyphen' ? n : n.replace(/-/g, '_')));
  return records
    .map((r, i) => {
      const o: { [k: string]: unknown } = {};
      if (options.metadata ?? true) {
        o.__TIMESTAMP__ = (Number(r[11]) + 9) * 1000;
        o.__SOURCE__ = '10.0.1.17';
      }
      HEADER.forEach((n, k) => {
        o[names[k]] = NUMERIC.has(n) && r[k] !== '-' ? Number(r[k]) : r[k];
      });
      if (options.metadata ?? true) {
        o.__FILENAME__ = '/var/log/flowlog/vpc-flow.log';
        o.__HOSTNAME__ = `collector-${i % 3}`;
      }
      return JSON.stringify(o) + '\n';
    })
    .join('');
}

/** CLS CSV: a separator, an optional row of keys, values quoted always (`all`) or never. */
export function toCsv(records: Record[], options: { separator: string; header: boolean; quote?: 'all' | 'none' }): string {
  const q = (v: string) => (options.quote === 'all' ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = records.map((r) => r.map(q).join(options.separator) + '\n');
  return (options.header ? HEADER.map(q).join(options.separator) + '\n' : '') + rows.join('');
}

/** The canonical lines every reader must give for these records (a header line first when the source names fields). */
export function canonical(records: Record[], header: boolean): string {
  return toText(records, header);
}

/** gzip in several members, as S3 and concatenating tools write it. */
export function gzipMembers(data: string | Uint8Array, members = 2): Buffer {
  const b = Buffer.from(data);
  const parts: Buffer[] = [];
  const step = Math.ceil(b.length / members);
  for (let i = 0; i < b.length; i += step) parts.push(gzipSync(b.subarray(i, i + step)));
  return Buffer.concat(parts.length ? parts : [gzipSync(b)]);
}

const compress = (b: Uint8Array) => Buffer.from(SnappyJS.compress(b));
const be32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** Raw snappy: the whole data one block (what `snappy::Compress` writes). */
export function snappyRaw(data: string | Uint8Array): Buffer {
  return compress(Buffer.from(data));
}

/** The snappy framing format: stream identifier, then chunks of at most 64 KiB with masked CRC-32C. */
export function snappyFramed(data: string | Uint8Array): Buffer {
  const b = Buffer.from(data);
  const parts: Buffer[] = [Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59])];
  for (let i = 0; i < b.length; i += 65536) {
    const plain = b.subarray(i, i + 65536);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(maskedCrc32c(plain));
    const body = Buffer.concat([crc, compress(plain)]);
    const head = Buffer.from([0x00, body.length & 0xff, (body.length >> 8) & 0xff, (body.length >> 16) & 0xff]);
    parts.push(head, body);
  }
  return Buffer.concat(parts);
}

/** Hadoop's SnappyCodec: blocks of (uncompressed length, then length-prefixed compressed pieces). */
export function snappyHadoop(data: string | Uint8Array, blockSize = 256 << 10, pieceSize = 64 << 10): Buffer {
  const b = Buffer.from(data);
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += blockSize) {
    const block = b.subarray(i, i + blockSize);
    parts.push(be32(block.length));
    for (let j = 0; j < block.length; j += pieceSize) {
      const c = compress(block.subarray(j, j + pieceSize));
      parts.push(be32(c.length), c);
    }
  }
  return Buffer.concat(parts);
}

/** snappy-java's SnappyOutputStream: magic, version 1, compatible 1, then length-prefixed blocks. */
export function snappyJava(data: string | Uint8Array, blockSize = 32 << 10): Buffer {
  const b = Buffer.from(data);
  const parts: Buffer[] = [Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]), be32(1), be32(1)];
  for (let i = 0; i < b.length; i += blockSize) {
    const c = compress(b.subarray(i, i + blockSize));
    parts.push(be32(c.length), c);
  }
  return Buffer.concat(parts);
}

/** Bytes for the LZO decoder's vectors: records, then pseudo-random bytes (incompressible), then records again. */
export function lzoVectorContent(): Buffer {
  const text = Buffer.from(toText(deliveryRecords(1300, 3)));
  let a = 12345;
  const noise = Buffer.alloc(40_000);
  for (let i = 0; i < noise.length; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    noise[i] = a >>> 24;
  }
  return Buffer.concat([text, noise, Buffer.alloc(5000, 0x41), text]);
}

/** Queries whose answers must not depend on how the records were delivered (readers and engine tests). */
export const DELIVERY_QUERIES: readonly string[] = [
  '* | select count(*) as n, sum(bytes) as b, sum(packets) as p',
  '* | select action, log_status, count(*) as n, sum(bytes) as b group by action, log_status order by action, log_status',
  'action:REJECT | select dstport, count(*) as n group by dstport order by n desc, dstport limit 5',
  '* | select srcaddr, sum(bytes) as b group by srcaddr order by b desc, srcaddr limit 5',
  '* | select histogram(start, interval 5 minute) as t, count(*) as n group by t order by t',
  'dstport:[1 TO 1024] AND NOT srcaddr:10.0.0.0/8 | select count(*) as n',
  'log-status:NODATA OR log-status:SKIPDATA | select interface_id, count(*) as n group by interface_id order by interface_id',
];
