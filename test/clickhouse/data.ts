// Test data for the ClickHouse suites: the generator's records in the default format (with a header, NODATA and
// SKIPDATA records, IPv6 flows), and the same kind of records in a second, AWS custom format (version 5 fields,
// another order), so that both formats live in one table.
import { writeFileSync } from 'node:fs';
import { generateLines, writeFlowLogFile } from '../support/generate';

export const CUSTOM_HEADER = 'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction traffic-path';

/** The default format, with a header line: `records` records, 3% NODATA/SKIPDATA, about 2% IPv6. */
export async function writeDefaultFile(path: string, records: number, seed = 42): Promise<void> {
  await writeFlowLogFile(path, { records, seed, header: true, nodataShare: 0.03 });
}

/** The same generator's records rewritten into CUSTOM_HEADER's format. */
export function writeCustomFile(path: string, records: number, seed = 7): void {
  const lines = [CUSTOM_HEADER];
  let i = 0;
  for (const line of generateLines({ records, seed, startTime: 1_700_100_000, nodataShare: 0.05, interfaces: 12 })) {
    const [, account, eni, src, dst, sport, dport, proto, packets, bytes, start, end, action, status] = line.split(' ');
    const ok = status === 'OK';
    const v6 = src.includes(':');
    const n = i++;
    const flags = !ok ? '-' : proto === '6' ? String([2, 18, 16, 1, 4, 19, 3][n % 7]) : '0';
    lines.push([
      '5', `vpc-0${(n % 3) + 1}a2b3c4d`, `subnet-0${n % 5}f00d`, n % 4 === 0 ? '-' : `i-0${(n % 9) + 1}abcdef0123`, eni, account,
      ok ? (v6 ? 'IPv6' : 'IPv4') : '-', src, dst, sport, dport, ok ? src : '-', ok ? dst : '-', proto, bytes, packets, start, end,
      action, flags, status, n % 2 === 0 ? 'ingress' : 'egress', ok && n % 2 === 1 ? String((n % 8) + 1) : '-',
    ].join(' '));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}
