// Addresses: IPv4/IPv6 validation on spans, parsing and canonical text, CIDR containment, subnets, address classes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addressClass, addressFamilyAt, cidrContains, cidrContainsAt, formatAddress, formatCidr, formatIPv4, formatIPv6,
  ipv4At, isIPv6At, parseAddress, parseCidr, subnetOf, type AddressKind,
} from '../../server/src/core/address';

const v4 = (s: string) => ipv4At(s, 0, s.length);
const v6 = (s: string) => isIPv6At(s, 0, s.length);

describe('ipv4At', () => {
  it('accepts dotted quads and returns the unsigned 32-bit value', () => {
    assert.equal(v4('0.0.0.0'), 0);
    assert.equal(v4('0.0.0.1'), 1);
    assert.equal(v4('10.0.0.1'), 0x0a000001);
    assert.equal(v4('172.31.16.139'), ((172 << 24) | (31 << 16) | (16 << 8) | 139) >>> 0);
    assert.equal(v4('255.255.255.255'), 0xffffffff);
    assert.equal(v4('128.0.0.0'), 0x80000000); // unsigned: not negative
    assert.equal(v4('1.2.3.4'), 0x01020304);
    assert.equal(v4('100.200.250.199'), ((100 << 24) | (200 << 16) | (250 << 8) | 199) >>> 0);
  });

  it('rejects everything else', () => {
    const bad = [
      '', '1', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.256.1.1', '1.1.1.256', '999.1.1.1', '1000.1.1.1',
      '01.2.3.4', '1.02.3.4', '1.2.3.00', '00.0.0.0', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.4.', ' 1.2.3.4',
      '1.2.3.4 ', '1.2.3.-4', '+1.2.3.4', '1.2.3.4/32', 'a.b.c.d', '1.2.3.x', '1,2,3,4', '::1', '::ffff:1.2.3.4',
      '1.2.3.4\n', '１.2.3.4', '0x1.2.3.4', '1.2.3.0004',
    ];
    for (const s of bad) assert.equal(v4(s), -1, JSON.stringify(s));
  });

  it('reads a span inside a longer line without looking outside it', () => {
    const line = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22';
    const s = line.indexOf('172.31.16.139');
    assert.equal(formatIPv4(ipv4At(line, s, s + 13)), '172.31.16.139');
    assert.equal(formatIPv4(ipv4At(line, s, s + 12)), '172.31.16.13');
    assert.equal(ipv4At(line, s, s + 14), -1); // includes the space
    assert.equal(ipv4At(line, s, s + 10), -1); // '172.31.16.' stops after a dot
  });

  it('treats a span running past the end of the text as invalid (no NaN, no throw)', () => {
    assert.equal(ipv4At('1.2.3.4', 0, 9), -1);
    assert.equal(ipv4At('1.2.3.4', 4, 11), -1);
    assert.equal(isIPv6At('::1', 0, 5), false);
  });
});

describe('isIPv6At', () => {
  it('accepts the RFC 4291 text forms', () => {
    const good = [
      '::', '::1', '1::', '2001:db8::1', '2001:db8:1234:a100:8d6e:3477:df66:f105', '2a02:cf40::', '::ffff:1.2.3.4',
      '1:2:3:4:5:6:7:8', 'FE80::1', 'fe80::1', 'Fe80::AbCd', '2001:0db8:0000:0000:0000:0000:0000:0001',
      '2001:db8:0:0:1:0:0:1', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1::8', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4',
      '64:ff9b::192.0.2.33', '::ffff:0:0', 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255', '0:0:0:0:0:0:0:0',
      'fd00:ec2::254', '2001:db8:1234:a102:3304:8879:34cf:4071',
    ];
    for (const s of good) assert.ok(v6(s), s);
  });

  it('rejects malformed text', () => {
    const bad = [
      '', ':', ':::', '1::2::3', '::1::', 'g::1', '2001:db8::g', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::',
      '1:2', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', '2001:db8::1:', ':2001:db8::1', '::ffff:1.2.3.256', '::ffff:1.2.3',
      '::1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4', '::1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8',
      'fe80::1%eth0', '[::1]', '::1/128', ' ::1', '::1 ', '1.2.3.4', '2001:db8:::1', '::ffff:01.2.3.4',
      '1:2:3:4:5:6:7:8:1.2.3.4', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255', '::-1', '0x1::',
    ];
    for (const s of bad) assert.ok(!v6(s), JSON.stringify(s));
  });
});

describe('parseAddress, formatIPv6, addressFamilyAt', () => {
  it('parses both families', () => {
    assert.deepEqual(parseAddress('10.0.0.1'), { family: 4, value: 0x0a000001 });
    const a = parseAddress('2001:db8::1');
    assert.ok(a && a.family === 6);
    assert.deepEqual([...a.bytes], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const m = parseAddress('::ffff:1.2.3.4');
    assert.ok(m && m.family === 6);
    assert.deepEqual([...m.bytes].slice(10), [0xff, 0xff, 1, 2, 3, 4]);
    assert.equal(parseAddress('nope'), undefined);
    assert.equal(parseAddress(''), undefined);
  });

  it('formats IPv6 canonically (RFC 5952)', () => {
    const canon = (s: string) => formatAddress(parseAddress(s)!);
    assert.equal(canon('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canon('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1'); // first of two equal runs
    assert.equal(canon('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'); // a single zero group is not compressed
    assert.equal(canon('0:0:0:0:0:0:0:0'), '::');
    assert.equal(canon('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(canon('1:0:0:0:0:0:0:0'), '1::');
    assert.equal(canon('1:0:0:2:0:0:0:3'), '1:0:0:2::3'); // the longest run wins
    assert.equal(canon('::FFFF:102:304'), '::ffff:1.2.3.4'); // IPv4-mapped keeps its dotted tail
    assert.equal(canon('2a02:cf40::'), '2a02:cf40::');
    assert.equal(canon('10.0.0.1'), '10.0.0.1');
    assert.equal(formatIPv6(new Uint8Array(16).fill(255)), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  });

  it('tells the family of a span', () => {
    const t = '10.0.0.1 fe80::1 nope';
    assert.equal(addressFamilyAt(t, 0, 8), 4);
    assert.equal(addressFamilyAt(t, 9, 16), 6);
    assert.equal(addressFamilyAt(t, 17, 21), 0);
  });
});

describe('CIDR', () => {
  const inBlock = (cidr: string, addr: string) => cidrContains(parseCidr(cidr)!, parseAddress(addr)!);
  const atSpan = (cidr: string, addr: string) => {
    const line = `x ${addr} y`;
    return cidrContainsAt(parseCidr(cidr)!, line, 2, 2 + addr.length);
  };

  it('parses blocks and bare addresses, and rejects bad ones', () => {
    assert.deepEqual([parseCidr('10.0.0.0/8')?.family, parseCidr('10.0.0.0/8')?.prefix], [4, 8]);
    assert.equal(parseCidr('10.1.2.3')?.prefix, 32);
    assert.equal(parseCidr('2001:db8::1')?.prefix, 128);
    assert.equal(parseCidr('2001:db8::/32')?.text, '2001:db8::/32');
    assert.equal(formatCidr(parseCidr('10.1.2.3/8')!), '10.0.0.0/8'); // host bits ignored
    assert.equal(formatCidr(parseCidr('2001:db8:ffff::1/32')!), '2001:db8::/32');
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.0/ 8', '10.0.0.0/x',
      '/8', '', '10.0.0/8', '256.0.0.0/8', '10.0.0.0/1000', 'fe80::1%eth0/64', '10.0.0.0/+8']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });

  it('matches IPv4, edge prefixes /0 and /32 included', () => {
    for (const f of [inBlock, atSpan]) {
      assert.ok(f('10.0.0.0/8', '10.255.1.2'));
      assert.ok(f('10.0.0.0/8', '10.0.0.0'));
      assert.ok(!f('10.0.0.0/8', '11.0.0.1'));
      assert.ok(!f('10.0.0.0/8', '9.255.255.255'));
      assert.ok(f('172.16.0.0/12', '172.31.255.255'));
      assert.ok(!f('172.16.0.0/12', '172.32.0.0'));
      assert.ok(f('0.0.0.0/0', '203.0.113.9'));
      assert.ok(f('0.0.0.0/0', '255.255.255.255'));
      assert.ok(f('128.0.0.0/1', '255.0.0.1'));
      assert.ok(!f('128.0.0.0/1', '127.255.255.255'));
      assert.ok(f('172.31.16.139/32', '172.31.16.139'));
      assert.ok(!f('172.31.16.139/32', '172.31.16.140'));
      assert.ok(f('172.31.16.139', '172.31.16.139'));
      assert.ok(f('192.168.1.0/31', '192.168.1.1'));
      assert.ok(!f('192.168.1.0/31', '192.168.1.2'));
    }
  });

  it('matches IPv6, edge prefixes /0, /128 and non-byte prefixes included', () => {
    for (const f of [inBlock, atSpan]) {
      assert.ok(f('2001:db8::/32', '2001:db8:ffff::1'));
      assert.ok(!f('2001:db8::/32', '2001:db9::1'));
      assert.ok(f('::/0', '2a02:cf40::'));
      assert.ok(f('::/0', '::'));
      assert.ok(f('2001:db8::1/128', '2001:db8:0:0:0:0:0:1'));
      assert.ok(!f('2001:db8::1/128', '2001:db8::2'));
      assert.ok(f('fe80::/10', 'febf::1'));
      assert.ok(!f('fe80::/10', 'fec0::1'));
      assert.ok(f('fc00::/7', 'fdff::1'));
      assert.ok(!f('fc00::/7', 'fe00::1'));
      assert.ok(f('2001:db8:1234:a100::/56', '2001:db8:1234:a1ff::1'));
      assert.ok(!f('2001:db8:1234:a100::/56', '2001:db8:1234:a200::1'));
      assert.ok(f('::ffff:0:0/96', '::ffff:10.0.0.1'));
    }
  });

  it('never mixes families, and a non-address span is never inside', () => {
    for (const f of [inBlock, atSpan]) {
      assert.ok(!f('10.0.0.0/8', '::ffff:10.0.0.1'));
      assert.ok(!f('::/0', '10.0.0.1'));
      assert.ok(!f('0.0.0.0/0', '::1'));
    }
    assert.ok(!atSpan('0.0.0.0/0', 'nope'));
    assert.ok(!atSpan('::/0', '-'));
  });

  it('agrees between cidrContains and cidrContainsAt on random IPv4 blocks', () => {
    fc.assert(fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.integer({ min: 0, max: 32 }), (net, addr, prefix) => {
      const c = parseCidr(`${formatIPv4(net)}/${prefix}`)!;
      const s = formatIPv4(addr);
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      const expected = ((net & mask) >>> 0) === ((addr & mask) >>> 0);
      assert.equal(cidrContains(c, parseAddress(s)!), expected);
      assert.equal(cidrContainsAt(c, s, 0, s.length), expected);
    }));
  });
});

describe('subnetOf', () => {
  it('computes IPv4 subnets', () => {
    assert.equal(subnetOf('172.31.16.139', 24), '172.31.16.0/24');
    assert.equal(subnetOf('172.31.16.139', 16), '172.31.0.0/16');
    assert.equal(subnetOf('172.31.16.139', 32), '172.31.16.139/32');
    assert.equal(subnetOf('172.31.16.139', 0), '0.0.0.0/0');
    assert.equal(subnetOf('255.255.255.255', 1), '128.0.0.0/1');
    assert.equal(subnetOf('10.1.2.3', 9), '10.0.0.0/9');
  });

  it('computes IPv6 subnets in canonical compressed form', () => {
    assert.equal(subnetOf('2001:db8:1234:a100:8d6e:3477:df66:f105', 48), '2001:db8:1234::/48');
    assert.equal(subnetOf('2001:db8:1234:a100:8d6e:3477:df66:f105', 56), '2001:db8:1234:a100::/56');
    assert.equal(subnetOf('2001:db8:1234:a100:8d6e:3477:df66:f105', 64), '2001:db8:1234:a100::/64');
    assert.equal(subnetOf('2001:db8:1234:a100:8d6e:3477:df66:f105', 128), '2001:db8:1234:a100:8d6e:3477:df66:f105/128');
    assert.equal(subnetOf('2001:DB8::1', 32), '2001:db8::/32');
    assert.equal(subnetOf('2001:db8::1', 0), '::/0');
    assert.equal(subnetOf('fe80::abcd', 10), 'fe80::/10');
  });

  it('rejects bad addresses and prefixes', () => {
    assert.equal(subnetOf('nope', 24), undefined);
    assert.equal(subnetOf('10.0.0.1', 33), undefined);
    assert.equal(subnetOf('10.0.0.1', -1), undefined);
    assert.equal(subnetOf('10.0.0.1', 8.5), undefined);
    assert.equal(subnetOf('::1', 129), undefined);
    assert.equal(subnetOf('10.0.0.0/8', 8), undefined);
  });
});

describe('addressClass', () => {
  const cases: [string, AddressKind, 4 | 6, RegExp?][] = [
    ['10.1.2.3', 'private', 4, /RFC 1918, 10\.0\.0\.0\/8/],
    ['172.16.0.1', 'private', 4, /RFC 1918, 172\.16\.0\.0\/12/],
    ['172.31.255.255', 'private', 4],
    ['172.32.0.1', 'public', 4],
    ['192.168.1.1', 'private', 4, /192\.168\.0\.0\/16/],
    ['100.64.0.1', 'shared', 4, /^shared address space \(RFC 6598, 100\.64\.0\.0\/10\)$/],
    ['100.127.255.255', 'shared', 4],
    ['100.128.0.0', 'public', 4],
    ['127.0.0.1', 'loopback', 4],
    ['127.255.255.254', 'loopback', 4],
    ['169.254.1.1', 'link-local', 4, /169\.254\.0\.0\/16/],
    ['169.254.169.254', 'link-local', 4, /metadata/],
    ['169.254.169.253', 'link-local', 4, /DNS/],
    ['192.0.2.1', 'documentation', 4, /192\.0\.2\.0\/24/],
    ['198.51.100.1', 'documentation', 4],
    ['203.0.113.12', 'documentation', 4],
    ['192.0.0.8', 'reserved', 4],
    ['198.18.0.1', 'benchmarking', 4],
    ['198.19.255.255', 'benchmarking', 4],
    ['198.20.0.0', 'public', 4],
    ['224.0.0.251', 'multicast', 4],
    ['239.255.255.250', 'multicast', 4],
    ['240.0.0.1', 'reserved', 4],
    ['255.255.255.254', 'reserved', 4],
    ['255.255.255.255', 'broadcast', 4],
    ['0.0.0.0', 'unspecified', 4],
    ['0.1.2.3', 'unspecified', 4, /this network/],
    ['8.8.8.8', 'public', 4, /^public$/],
    ['52.26.198.183', 'public', 4],
    ['::', 'unspecified', 6],
    ['::1', 'loopback', 6],
    ['::ffff:10.0.0.1', 'ipv4-mapped', 6, /10\.0\.0\.1 \(private/],
    ['64:ff9b::8.8.8.8', 'public', 6, /NAT64.*8\.8\.8\.8/],
    ['2001:db8::1', 'documentation', 6, /2001:db8::\/32/],
    ['fd00::1', 'ula', 6, /fc00::\/7/],
    ['fc00::1', 'ula', 6],
    ['fd00:ec2::254', 'ula', 6, /metadata/],
    ['fe80::1', 'link-local', 6],
    ['febf::1', 'link-local', 6],
    ['ff02::1', 'multicast', 6],
    ['100::1', 'reserved', 6],
    ['fec0::1', 'reserved', 6],
    ['2a02:cf40::', 'public', 6],
    ['2600:1f18::1', 'public', 6],
  ];

  it('classifies every kind', () => {
    const seen = new Set<AddressKind>();
    for (const [addr, kind, family, label] of cases) {
      const c = addressClass(addr);
      assert.ok(c, addr);
      assert.equal(c.kind, kind, addr);
      assert.equal(c.family, family, addr);
      if (label) assert.match(c.label, label, addr);
      seen.add(kind);
    }
    const all: AddressKind[] = ['private', 'shared', 'loopback', 'link-local', 'documentation', 'multicast', 'unspecified',
      'broadcast', 'reserved', 'benchmarking', 'ula', 'ipv4-mapped', 'public'];
    assert.deepEqual([...seen].sort(), [...all].sort());
  });

  it('returns undefined for non-addresses', () => {
    for (const s of ['nope', '', '-', '10.0.0.0/8', '256.0.0.1']) assert.equal(addressClass(s), undefined, s);
  });
});

describe('properties', () => {
  it('formatIPv4 and ipv4At round-trip every 32-bit value', () => {
    fc.assert(fc.property(fc.nat(0xffffffff), (v) => {
      const s = formatIPv4(v);
      assert.equal(ipv4At(s, 0, s.length), v);
    }), { numRuns: 2000 });
  });

  it('IPv6 bytes round-trip through canonical text', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const s = formatIPv6(bytes);
      assert.ok(isIPv6At(s, 0, s.length), s);
      const p = parseAddress(s);
      assert.ok(p && p.family === 6);
      assert.deepEqual([...p.bytes], [...bytes]);
    }), { numRuns: 1000 });
  });

  it('ipv4At, isIPv6At, parseCidr, subnetOf and addressClass never throw, on any string and any span', () => {
    const chars = fc.constantFrom(...'0123456789abcdefABCDEFg.:/%[] -x'.split(''));
    const addressish = fc.array(chars, { maxLength: 48 }).map((a) => a.join(''));
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 60 }), addressish), fc.integer({ min: -2, max: 70 }), fc.integer({ min: -2, max: 70 }),
      (s, a, b) => {
        const v = ipv4At(s, a, b);
        assert.ok(v === -1 || (Number.isInteger(v) && v >= 0 && v <= 0xffffffff));
        assert.equal(typeof isIPv6At(s, a, b), 'boolean');
        const c = parseCidr(s);
        if (c) cidrContainsAt(c, s, a, b);
        subnetOf(s, 24);
        addressClass(s);
      }), { numRuns: 3000 });
  });

  it('isIPv6At agrees with node:net on address-like strings', async () => {
    const { isIPv6 } = await import('node:net');
    const hex = fc.constantFrom(...'0123456789abcdefABCDEF'.split(''));
    const group = fc.oneof(fc.constant(''), fc.array(hex, { minLength: 1, maxLength: 5 }).map((a) => a.join('')));
    const candidate = fc.oneof(
      fc.array(group, { minLength: 1, maxLength: 10 }).map((g) => g.join(':')),
      fc.tuple(fc.array(group, { maxLength: 7 }), fc.array(group, { maxLength: 7 })).map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
      fc.tuple(fc.array(group, { maxLength: 7 }), fc.nat(0xffffffff)).map(([a, n]) => `${a.join(':')}:${formatIPv4(n)}`),
    );
    fc.assert(fc.property(candidate, (s) => {
      assert.equal(isIPv6At(s, 0, s.length), isIPv6(s), s);
    }), { numRuns: 3000 });
  });
});
