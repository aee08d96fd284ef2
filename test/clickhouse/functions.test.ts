// The ClickHouse function table against the engine's own functions, value by value, on a real 18.16 server:
// times (isoUtc, far past and future included), CIDR containment and subnet() for IPv4 and IPv6 (random and
// edge addresses), protocol and service names for every number and port.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClickHouseClient } from '../../server/src/core/clickhouse/http';
import { cidrContainsSql, isoUtcSql, CLICKHOUSE_FUNCTIONS } from '../../server/src/core/clickhouse/functions';
import { str, val } from '../../server/src/core/clickhouse/sqlValues';
import { cidrContains, formatIPv6, parseAddress, parseCidr, subnetOf } from '../../server/src/core/address';
import { isoUtc } from '../../server/src/core/decode/time';
import { protocolName, serviceName } from '../../server/src/core/decode';
import { Cluster, startCluster } from './cluster';

let cluster: Cluster;
let client: ClickHouseClient;

before(async () => {
  cluster = await startCluster({ shardCount: 1 });
  client = new ClickHouseClient({ url: cluster.url });
});

after(async () => {
  await cluster?.stop();
});

/** mulberry32 */
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

/** One column of values computed by ClickHouse for each input (an array literal), as JSON values. */
async function column(inputsSql: string, expr: (x: string) => string): Promise<unknown[]> {
  const text = await client.text(`SELECT ${expr('x')} FROM (SELECT arrayJoin(${inputsSql}) AS x) FORMAT JSONCompact`, { params: { output_format_json_quote_64bit_integers: 0, max_query_size: 10_000_000 } });
  return (JSON.parse(text) as { data: unknown[][] }).data.map((r) => r[0]);
}

const ctx = (args: { kind: string; value?: unknown; name?: string }[]) => ({
  fail: (m: string): never => { throw new Error(m); },
  literal: (i: number) => args[i],
  isAddressColumn: () => true,
});

function randomIPv6(rnd: () => number): string {
  const bytes = new Uint8Array(16);
  const kind = Math.floor(rnd() * 5);
  for (let i = 0; i < 16; i++) bytes[i] = Math.floor(rnd() * 256);
  if (kind === 0) bytes.fill(0, 2, 14); // long zero runs
  if (kind === 1) bytes.fill(0, 0, 12); // ::a.b.c.d (IPv4-compatible)
  if (kind === 2) { bytes.fill(0, 0, 10); bytes[10] = 0xff; bytes[11] = 0xff; } // IPv4-mapped
  if (kind === 3) bytes.fill(0, 4, 6); // one zero group
  return formatIPv6(bytes);
}

describe('the ClickHouse function table gives the engine\'s values', () => {
  it('isoUtc: 2,000 times from year -270,000 to +270,000, and the edges', async () => {
    const rnd = prng(1);
    const times = [0, -1, 1, 59, 86399, 86400, -86400, -86401, 951782400, 4102444800, 4294967295, 4294967296, 9999999999, 253402300799, 253402300800, -62135596800, -62135596801, 8.64e12, -8.64e12, 8.64e12 + 1, -8.64e12 - 1];
    for (let i = 0; i < 2_000; i++) times.push(Math.floor((rnd() * 2 - 1) * (i % 2 ? 8.64e12 : 5e9)));
    const got = await column(`splitByChar(',', '${times.join(',')}')`, (x) => isoUtcSql(`toInt64(${x})`));
    assert.deepEqual(got, times.map(isoUtc));
  });

  it('CIDR containment: IPv4 and IPv6 addresses against blocks of every prefix length, families never mixed', async () => {
    const rnd = prng(2);
    const addrs: string[] = [];
    for (let i = 0; i < 300; i++) {
      addrs.push(i % 2 ? randomIPv6(rnd) : `${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`);
    }
    addrs.push('0.0.0.0', '255.255.255.255', '::', '::1', '::ffff:10.1.2.3', 'FE80::1', '2001:DB8::');
    const blocks = ['10.0.0.0/8', '0.0.0.0/0', '::/0', '172.16.0.0/12', '255.255.255.255/32', '::ffff:0:0/96', '2001:db8::/32', 'fe80::/10', '10.1.2.3'];
    for (let i = 0; i < 40; i++) {
      const a = addrs[Math.floor(rnd() * addrs.length)];
      blocks.push(`${a}/${Math.floor(rnd() * (a.includes(':') ? 129 : 33))}`);
    }
    const list = `[${[...addrs.map(str), 'NULL'].join(',')}]`;
    for (const b of blocks) {
      const cidr = parseCidr(b)!;
      const got = await column(list, (x) => cidrContainsSql(x, cidr));
      assert.deepEqual(got, [...addrs.map((a) => (cidrContains(cidr, parseAddress(a)!) ? 1 : 0)), 0], b);
    }
  });

  it('subnet(): every prefix length of IPv4 and IPv6 addresses, text as the engine writes it', async () => {
    const rnd = prng(3);
    const addrs: string[] = ['::', '::1', '::2', '::1:0', '::ffff:1.2.3.4', '2001:db8::1', '1::', '0:0:1::'];
    for (let i = 0; i < 60; i++) addrs.push(i % 3 ? randomIPv6(rnd) : `${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`);
    const list = `[${[...addrs.map(str), 'NULL'].join(',')}]`;
    for (let prefix = 0; prefix <= 128; prefix++) {
      const got = await column(list, (x) => CLICKHOUSE_FUNCTIONS.subnet([val(x, 'text'), val(String(prefix), 'number', true)], ctx([{ kind: 'column', name: 'srcaddr' }, { kind: 'number', value: prefix }])).sql);
      assert.deepEqual(got, [...addrs.map((a) => subnetOf(a, prefix) ?? null), null], `/${prefix}`);
    }
  });

  it('protocol_name() and service_name() for every number and port, with each transport', async () => {
    const numbers = [...Array.from({ length: 258 }, (_, i) => i - 1), 6.5];
    const pn = await column(`[${numbers.map((n) => `toFloat64(${n})`).join(',')}]`, (x) => CLICKHOUSE_FUNCTIONS.protocol_name([val(x, 'number')], ctx([])).sql);
    assert.deepEqual(pn, numbers.map((n) => (Number.isInteger(n) && n >= 0 && n <= 255 ? protocolName(n) : null)));
    const ports = `range(65537)`;
    for (const proto of [undefined, 6, 17, 33, 132, 136, 1, 47]) {
      const args = proto === undefined ? [val('x', 'number', true)] : [val('x', 'number', true), val(String(proto), 'number', true)];
      const got = await column(ports, (x) => CLICKHOUSE_FUNCTIONS.service_name(args.map((a) => (a.sql === 'x' ? val(x, 'number', true) : a)), ctx([])).sql);
      const want = Array.from({ length: 65537 }, (_, p) => serviceName(p, proto) ?? null);
      assert.deepEqual(got, want, `protocol ${proto}`);
    }
  });
});
