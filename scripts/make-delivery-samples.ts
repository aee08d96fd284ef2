// Writes small, deterministic samples of every delivery shape the readers take, from one generated set of
// records (test/support/generate.ts): samples/deliveries/ (for the demo) and test/fixtures/deliveries/ (for the
// tests; the same shapes, fewer records, plus damaged files). Each delivery folder holds the whole record set.
//
//   npx tsx scripts/make-delivery-samples.ts
//
// Parquet is written by DuckDB (a devDependency); lzop files by the `lzop` program (Debian: apt-get install lzop):
// without it the lzop samples are left as they are, and the script says so.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import { adler32, crc32 } from '../server/src/core/readers/lzo';
import {
  HEADER, Record, deliveryRecords, gzipMembers, lzoVectorContent, snappyFramed, snappyHadoop, snappyRaw, toCloudWatch, toCsv, toJsonLines, toText,
} from '../test/support/deliveries';

const ACCOUNT = '123456789010';
const REGION = 'us-east-1';
const FLOW_LOG = 'fl-0a1b2c3d4e5f60718';

function write(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/** Splits records into `n` runs (the files of one delivery). */
function split(records: Record[], n: number): Record[][] {
  const size = Math.ceil(records.length / n);
  return Array.from({ length: n }, (_, i) => records.slice(i * size, (i + 1) * size));
}

function hasLzop(): boolean {
  try {
    execFileSync('lzop', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function lzop(data: string | Uint8Array, args = ['-9']): Buffer {
  const out = execFileSync('lzop', ['-c', ...args], { input: data });
  // From standard input lzop stores no name but the current time: set the time to 0 (and the header's Adler-32
  // or CRC-32 again) so that every run writes the same bytes.
  const nameEnd = 34 + out[33];
  out.fill(0, 25, 33);
  const header = out.subarray(9, nameEnd);
  out.writeUInt32BE(out.readUInt32BE(17) & 0x1000 ? crc32(header) : adler32(header), nameEnd); // F_H_CRC32
  return out;
}

async function parquet(path: string, records: Record[]): Promise<void> {
  const tmp = join(tmpdir(), `flowlog-samples-${process.pid}.txt`);
  writeFileSync(tmp, toText(records, true));
  mkdirSync(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  // Column names and types as AWS writes them (the Athena DDL for Parquet flow logs).
  const columns = {
    version: 'INTEGER', account_id: 'VARCHAR', interface_id: 'VARCHAR', srcaddr: 'VARCHAR', dstaddr: 'VARCHAR',
    srcport: 'INTEGER', dstport: 'INTEGER', protocol: 'BIGINT', packets: 'BIGINT', bytes: 'BIGINT', start: 'BIGINT',
    end: 'BIGINT', action: 'VARCHAR', log_status: 'VARCHAR',
  };
  const spec = `{${Object.entries(columns).map(([k, v]) => `'${k}': '${v}'`).join(', ')}}`;
  await db.run(`COPY (SELECT * FROM read_csv('${tmp}', delim=' ', header=true, nullstr='-', auto_detect=false, columns=${spec}))
    TO '${path}' (FORMAT parquet, COMPRESSION gzip)`);
  db.closeSync();
  rmSync(tmp);
}

/** One set of records in every delivery shape under `root`. */
async function writeDeliveries(root: string, records: Record[], lzopAvailable: boolean): Promise<void> {
  const clsJson = join(root, 'cls-json', '2024', '01', '15', '10');
  const lzoPath = join(clsJson, '202401151005_000_4000.lzo');
  const keptLzo = !lzopAvailable && existsSync(lzoPath) ? readFileSync(lzoPath) : undefined;
  for (const d of ['s3', 's3-hive', 's3-parquet', 'cloudwatch-export', 'cls-json', 'cls-csv', 'snappy-containers']) rmSync(join(root, d), { recursive: true, force: true });
  const [a, b] = split(records, 2);
  const names = ['20240115T1000Z_1a2b3c4d', '20240115T1005Z_5e6f7a8b'];
  const fileName = (n: string, ext: string) => `${ACCOUNT}_vpcflowlogs_${REGION}_${FLOW_LOG}_${n}.log.${ext}`;

  // AWS → S3, text: gzip with a header line; the first file in two gzip members.
  const s3 = join(root, 's3', 'AWSLogs', ACCOUNT, 'vpcflowlogs', REGION, '2024', '01', '15');
  write(join(s3, fileName(names[0], 'gz')), gzipMembers(toText(a), 2));
  write(join(s3, fileName(names[1], 'gz')), gzipMembers(toText(b), 1));

  // AWS → S3 with Hive-compatible prefixes and hourly partitions.
  const hive = join(root, 's3-hive', 'AWSLogs', `aws-account-id=${ACCOUNT}`, 'aws-service=vpcflowlogs', `aws-region=${REGION}`, 'year=2024', 'month=01', 'day=15', 'hour=10');
  write(join(hive, fileName(names[0], 'gz')), gzipMembers(toText(a), 1));
  write(join(hive, fileName(names[1], 'gz')), gzipMembers(toText(b), 1));

  // AWS → S3, Parquet (one row group at these sizes: DuckDB's groups hold at least 2,048 rows).
  await parquet(join(root, 's3-parquet', 'AWSLogs', ACCOUNT, 'vpcflowlogs', REGION, '2024', '01', '15', fileName('20240115T1000Z_9c0d1e2f', 'parquet')), records);

  // CloudWatch Logs export to S3: one log stream per interface, `<task>/<eni>-all/000000.gz`.
  const byEni = new Map<string, Record[]>();
  for (const r of records) byEni.set(r[2], [...(byEni.get(r[2]) ?? []), r]);
  for (const [eni, rs] of byEni) write(join(root, 'cloudwatch-export', '7f3c2a10-5b1e-4c8d-9a2f-0e6d4b1c3a55', `${eni}-all`, '000000.gz'), gzipMembers(toCloudWatch(rs), 1));

  // Tencent CLS → COS, JSON lines (files named by shipping time, as CLS names them): plain, gzip, snappy, lzop.
  const jsonParts = split(records, 4);
  write(join(clsJson, '202401151005_000_1000'), toJsonLines(jsonParts[0], { keys: 'underscore' }));
  write(join(clsJson, '202401151005_000_2000.gz'), gzipMembers(toJsonLines(jsonParts[1], { keys: 'hyphen' }), 1));
  write(join(clsJson, '202401151005_000_3000.snappy'), snappyRaw(toJsonLines(jsonParts[2], { keys: 'underscore' })));
  if (lzopAvailable) write(lzoPath, lzop(toJsonLines(jsonParts[3], { keys: 'underscore' })));
  else if (keptLzo) write(lzoPath, keptLzo);
  else console.warn(`lzop not found: ${lzoPath} not written`);
  // The other snappy containers, beside the delivery (same records as the whole set).
  const snappyDir = join(root, 'snappy-containers');
  const json = toJsonLines(records, { keys: 'underscore' });
  write(join(snappyDir, 'framed.json.snappy'), snappyFramed(json));
  write(join(snappyDir, 'hadoop.json.snappy'), snappyHadoop(json, 8192, 4096));
  write(join(snappyDir, 'raw.json.snappy'), snappyRaw(json));

  // Tencent CLS → COS, CSV: comma with a header row and every value quoted; tab without a header; `|` with header.
  const csvParts = split(records, 3);
  write(join(root, 'cls-csv', 'comma-header-quoted', '202401151005_000_5000.csv'), toCsv(csvParts[0], { separator: ',', header: true, quote: 'all' }));
  write(join(root, 'cls-csv', 'tab-no-header', '202401151005_000_6000.csv'), toCsv(csvParts[1], { separator: '\t', header: false }));
  write(join(root, 'cls-csv', 'pipe-header', '202401151005_000_7000.csv.gz'), gzipMembers(toCsv(csvParts[2], { separator: '|', header: true }), 1));
}

/** Damaged and stray files, for the tests of bad input. */
function writeBad(root: string, records: Record[], goodParquet: string): void {
  const dir = join(root, 'bad');
  rmSync(dir, { recursive: true, force: true });
  // A gzip file whose second member is damaged: the first member's records are read, then one error.
  const first = gzipMembers(toText(records.slice(0, 20)), 1);
  const second = Buffer.from(gzipMembers(toText(records.slice(20, 40), false), 1));
  for (let i = 20; i < second.length - 12; i += 7) second[i] ^= 0x5a;
  write(join(dir, 'corrupt-member.log.gz'), Buffer.concat([first, second]));
  // A Parquet file cut in half (no footer).
  const pq = readFileSync(goodParquet);
  write(join(dir, 'truncated.log.parquet'), pq.subarray(0, Math.floor(pq.length / 2)));
  // JSON lines with lines that are not objects.
  const json = toJsonLines(records.slice(0, 3), { keys: 'underscore', metadata: false }).split('\n');
  write(join(dir, 'not-object.json'), [json[0], '[1, 2, 3]', '"just a string"', json[1], '{"version": 2, "srcaddr": ', json[2], ''].join('\n'));
  // CSV with an unterminated quote in the middle: only that row is lost.
  const csv = toCsv(records.slice(0, 4), { separator: ',', header: true }).split('\n');
  write(join(dir, 'unterminated.csv'), [csv[0], csv[1], `${records[1][0]},"${records[1][1]},${records[1].slice(2).join(',')}`, csv[3], csv[4], ''].join('\n'));
  // A folder of flow logs with files that are not flow logs among them.
  const mixed = join(dir, 'mixed-folder');
  write(join(mixed, 'flows.log'), toText(records.slice(0, 10)));
  write(join(mixed, 'README.txt'), 'These are the flow logs of the staging VPC.\nAsk the network team before deleting them.\n');
  write(join(mixed, 'diagram.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
  write(join(mixed, 'export.bin'), Buffer.from([0, 1, 2, 3, 4, 5, 0, 0, 7, 8]));
  write(join(mixed, 'notes.txt.gz'), gzipMembers('Change log of the VPC: subnets added on Monday.\n', 1));
}

async function main(): Promise<void> {
  const lzopAvailable = hasLzop();
  if (!lzopAvailable) console.warn('lzop is not installed: the .lzo samples are kept as committed');
  const sampleRecords = deliveryRecords(600, 11);
  await writeDeliveries(join('samples', 'deliveries'), sampleRecords, lzopAvailable);
  const fixtureRecords = deliveryRecords(240, 7);
  const fixtures = join('test', 'fixtures', 'deliveries');
  await writeDeliveries(fixtures, fixtureRecords, lzopAvailable);
  // Test vectors for the LZO decoder, made by the lzop program at its fastest and best levels (several blocks).
  if (lzopAvailable) {
    const content = lzoVectorContent();
    write(join(fixtures, 'lzo-vectors', 'mixed-1.lzo'), lzop(content, ['-1']));
    write(join(fixtures, 'lzo-vectors', 'mixed-9-crc32.lzo'), lzop(content, ['-9', '--crc32']));
  }
  writeBad(fixtures, fixtureRecords, join(fixtures, 's3-parquet', 'AWSLogs', ACCOUNT, 'vpcflowlogs', REGION, '2024', '01', '15', `${ACCOUNT}_vpcflowlogs_${REGION}_${FLOW_LOG}_20240115T1000Z_9c0d1e2f.log.parquet`));
  console.log(`wrote samples/deliveries (${sampleRecords.length} records a delivery) and ${fixtures} (${fixtureRecords.length}), header ${HEADER.length} fields`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
