// Decoders against known values: protocols, ports, tcp flags, traffic paths, times, bytes, addresses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  describeTcpFlags, formatBytes, formatDuration, formatTimestamp, formatWindow, isoUtc, portByServiceName, protocolByName,
  protocolInfo, protocolName, serviceName, shortUtc, tcpFlagNames, trafficPathMeaning,
} from '../../server/src/core/decode';
import { addressClass, cidrContains, cidrContainsAt, formatIPv4, ipv4At, isIPv6At, parseAddress, parseCidr, subnetOf } from '../../server/src/core/address';

describe('protocols (IANA protocol numbers)', () => {
  it('names the common ones', () => {
    const known: [number, string][] = [[6, 'TCP'], [17, 'UDP'], [1, 'ICMP'], [58, 'IPv6-ICMP'], [47, 'GRE'], [50, 'ESP'], [51, 'AH'], [132, 'SCTP'], [2, 'IGMP'], [89, 'OSPFIGP']];
    for (const [n, name] of known) assert.equal(protocolName(n), name);
  });

  it('has an entry for every number 0–255 and none outside', () => {
    for (let n = 0; n <= 255; n++) assert.ok(protocolInfo(n), `protocol ${n}`);
    assert.equal(protocolInfo(256), undefined);
    assert.equal(protocolInfo(-1), undefined);
    assert.equal(protocolInfo(6.5), undefined);
    assert.equal(protocolInfo(200)!.name, 'Unassigned');
    assert.equal(protocolName(200), 'proto-200');
    assert.equal(protocolInfo(6)!.name, 'Transmission Control');
  });

  it('looks protocols up by name, alias or number', () => {
    assert.equal(protocolByName('tcp'), 6);
    assert.equal(protocolByName('UDP'), 17);
    assert.equal(protocolByName('icmpv6'), 58);
    assert.equal(protocolByName('ipv6-icmp'), 58);
    assert.equal(protocolByName('17'), 17);
    assert.equal(protocolByName('256'), undefined);
    assert.equal(protocolByName('nope'), undefined);
  });
});

describe('ports', () => {
  it('names well-known services, by transport where they differ', () => {
    assert.equal(serviceName(22), 'ssh');
    assert.equal(serviceName(3389), 'rdp');
    assert.equal(serviceName(443, 6), 'https');
    assert.equal(serviceName(443, 17), 'quic');
    assert.equal(serviceName(53, 17), 'dns');
    assert.equal(serviceName(123, 17), 'ntp');
    assert.equal(serviceName(5432), 'postgresql');
    assert.equal(serviceName(49152), undefined);
    assert.equal(portByServiceName('mysql'), 3306);
  });
});

describe('tcp flags and traffic paths', () => {
  it('decodes flag bits', () => {
    assert.equal(describeTcpFlags(18), 'SYN|ACK');
    assert.equal(describeTcpFlags(2), 'SYN');
    assert.equal(describeTcpFlags(19), 'SYN|ACK|FIN');
    assert.equal(describeTcpFlags(0), 'none');
    assert.deepEqual(tcpFlagNames(1 | 4 | 8 | 32), ['FIN', 'RST', 'PSH', 'URG']);
  });

  it('knows the traffic paths 1–8', () => {
    for (let n = 1; n <= 8; n++) assert.ok(trafficPathMeaning(n));
    assert.match(trafficPathMeaning(8)!, /internet gateway/);
    assert.equal(trafficPathMeaning(9), undefined);
  });
});

describe('times and byte counts', () => {
  it('formats Unix seconds', () => {
    assert.equal(isoUtc(1418530010), '2014-12-14T04:06:50Z');
    assert.equal(shortUtc(1418530010), '2014-12-14 04:06:50Z');
    assert.equal(formatTimestamp(1418530010, 'utc'), '2014-12-14 04:06:50 UTC');
    assert.match(formatTimestamp(1418530010, 'local'), /^2014-12-1[34] \d\d:\d\d:50 [+-]\d\d:\d\d$/);
    assert.equal(formatWindow(1418530010, 1418530070, 'utc'), '2014-12-14 04:06:50–04:07:50 UTC');
    assert.equal(formatWindow(1418601590, 1418601650, 'utc'), '2014-12-14 23:59:50 – 2014-12-15 00:00:50 UTC');
  });

  it('formats durations and bytes', () => {
    assert.equal(formatDuration(60), '60 s');
    assert.equal(formatDuration(302), '5 min 2 s');
    assert.equal(formatDuration(3780), '1 h 3 min');
    assert.equal(formatDuration(187200), '2 d 4 h');
    assert.equal(formatBytes(336), '336 B');
    assert.equal(formatBytes(4249), '4.1 KiB');
    assert.equal(formatBytes(119808), '117 KiB');
    assert.equal(formatBytes(1572864), '1.5 MiB');
    assert.equal(formatBytes(5 * 2 ** 30), '5.0 GiB');
  });
});

describe('addresses', () => {
  it('validates IPv4 and IPv6', () => {
    for (const ok of ['0.0.0.0', '10.0.0.1', '255.255.255.255', '172.31.16.139']) assert.ok(ipv4At(ok, 0, ok.length) >= 0, ok);
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '', '1..2.3', '1.2.3.4 ', 'a.b.c.d']) assert.equal(ipv4At(bad, 0, bad.length), -1, bad);
    for (const ok of ['::', '::1', '2001:db8::1', '2001:db8:1234:a100:8d6e:3477:df66:f105', '2a02:cf40::', '::ffff:1.2.3.4', 'FE80::1', '1:2:3:4:5:6:7:8']) assert.ok(isIPv6At(ok, 0, ok.length), ok);
    for (const bad of ['1::2::3', ':::', 'g::1', '1:2:3:4:5:6:7:8:9', '12345::', '1:2', ':1:2:3:4:5:6:7', '2001:db8::1:', '::ffff:1.2.3.256']) assert.ok(!isIPv6At(bad, 0, bad.length), bad);
  });

  it('round-trips IPv4 values and never throws', () => {
    fc.assert(fc.property(fc.nat(0xffffffff), (v) => {
      const s = formatIPv4(v);
      assert.equal(ipv4At(s, 0, s.length), v);
    }));
    fc.assert(fc.property(fc.string({ maxLength: 50 }), (s) => {
      ipv4At(s, 0, s.length);
      isIPv6At(s, 0, s.length);
      parseCidr(s);
      addressClass(s);
    }));
  });

  it('matches CIDR blocks of both families, edge prefixes included', () => {
    const inBlock = (cidr: string, addr: string) => cidrContains(parseCidr(cidr)!, parseAddress(addr)!);
    assert.ok(inBlock('10.0.0.0/8', '10.255.1.2'));
    assert.ok(!inBlock('10.0.0.0/8', '11.0.0.1'));
    assert.ok(inBlock('0.0.0.0/0', '203.0.113.9'));
    assert.ok(inBlock('172.31.16.139/32', '172.31.16.139'));
    assert.ok(!inBlock('172.31.16.139/32', '172.31.16.140'));
    assert.ok(inBlock('2001:db8::/32', '2001:db8:ffff::1'));
    assert.ok(!inBlock('2001:db8::/32', '2001:db9::1'));
    assert.ok(inBlock('::/0', '2a02:cf40::'));
    assert.ok(inBlock('2001:db8::1/128', '2001:db8:0:0:0:0:0:1'));
    assert.ok(!inBlock('10.0.0.0/8', '::ffff:10.0.0.1'));
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
    assert.equal(parseCidr('2001:db8::/129'), undefined);
    const c = parseCidr('192.168.0.0/16')!;
    const t = 'x 192.168.5.5 y';
    assert.ok(cidrContainsAt(c, t, 2, 13));
  });

  it('computes subnets', () => {
    assert.equal(subnetOf('172.31.16.139', 24), '172.31.16.0/24');
    assert.equal(subnetOf('172.31.16.139', 0), '0.0.0.0/0');
    assert.equal(subnetOf('2001:db8:1234:a100:8d6e:3477:df66:f105', 48), '2001:db8:1234::/48');
    assert.equal(subnetOf('nope', 24), undefined);
    assert.equal(subnetOf('10.0.0.1', 40), undefined);
  });

  it('classifies addresses', () => {
    const kind = (a: string) => addressClass(a)?.kind;
    assert.equal(kind('10.1.2.3'), 'private');
    assert.equal(kind('172.16.0.1'), 'private');
    assert.equal(kind('172.32.0.1'), 'public');
    assert.equal(kind('192.168.1.1'), 'private');
    assert.equal(kind('100.64.0.1'), 'shared');
    assert.equal(kind('127.0.0.1'), 'loopback');
    assert.equal(kind('169.254.169.254'), 'link-local');
    assert.equal(kind('192.0.2.1'), 'documentation');
    assert.equal(kind('198.51.100.1'), 'documentation');
    assert.equal(kind('203.0.113.12'), 'documentation');
    assert.equal(kind('224.0.0.251'), 'multicast');
    assert.equal(kind('255.255.255.255'), 'broadcast');
    assert.equal(kind('8.8.8.8'), 'public');
    assert.equal(kind('fd00::1'), 'ula');
    assert.equal(kind('fe80::1'), 'link-local');
    assert.equal(kind('2001:db8::1'), 'documentation');
    assert.equal(kind('ff02::1'), 'multicast');
    assert.equal(kind('::1'), 'loopback');
    assert.equal(kind('2a02:cf40::'), 'public');
    assert.match(addressClass('172.31.16.139')!.label, /RFC 1918/);
    assert.equal(addressClass('nope'), undefined);
  });
});
