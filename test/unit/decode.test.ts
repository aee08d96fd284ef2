// Decoders against known values: protocols, ports, tcp flags, traffic paths, times, bytes.
// (Addresses: test/unit/address.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  allProtocols, describeTcpFlags, EMBEDDED_PORT_COUNT, formatBytes, formatDuration, formatOffset, formatTimestamp,
  formatWindow, isoUtc, looksLikeMilliseconds, portByServiceName, portRange, protocolByName, protocolInfo, protocolName,
  serviceInfo, serviceName, shortUtc, tcpFlagNames, tcpFlagsMeaning, trafficPathDescription, trafficPathMeaning,
} from '../../server/src/core/decode';

describe('protocols (IANA protocol numbers)', () => {
  it('names the common ones', () => {
    const known: [number, string][] = [
      [6, 'TCP'], [17, 'UDP'], [1, 'ICMP'], [58, 'IPv6-ICMP'], [47, 'GRE'], [50, 'ESP'], [51, 'AH'], [132, 'SCTP'],
      [2, 'IGMP'], [89, 'OSPFIGP'], [0, 'HOPOPT'], [4, 'IPv4'], [41, 'IPv6'], [103, 'PIM'], [112, 'VRRP'], [115, 'L2TP'],
      [136, 'UDPLite'], [143, 'Ethernet'], [145, 'NSH'],
    ];
    for (const [n, name] of known) assert.equal(protocolName(n), name);
  });

  it('has an entry for every number 0–255 and none outside', () => {
    for (let n = 0; n <= 255; n++) {
      const p = protocolInfo(n);
      assert.ok(p, `protocol ${n}`);
      assert.equal(p.number, n);
      assert.ok(p.name.length > 0, `name of ${n}`);
    }
    assert.equal(allProtocols().length, 256);
    for (const bad of [256, -1, 6.5, NaN, Infinity]) assert.equal(protocolInfo(bad), undefined, String(bad));
    assert.equal(protocolInfo(6)!.name, 'Transmission Control');
    assert.equal(protocolInfo(17)!.name, 'User Datagram');
    assert.equal(protocolInfo(1)!.name, 'Internet Control Message');
    assert.equal(protocolInfo(58)!.name, 'ICMP for IPv6');
    assert.equal(protocolInfo(47)!.name, 'Generic Routing Encapsulation');
    assert.equal(protocolInfo(50)!.name, 'Encap Security Payload');
    assert.equal(protocolInfo(132)!.name, 'Stream Control Transmission Protocol');
  });

  it('follows the registry: unassigned block, experimentation, reserved, keyword-less and deprecated entries', () => {
    assert.equal(protocolInfo(146)!.keyword, 'Homa'); // assigned by IANA in 2025
    for (let n = 147; n <= 252; n++) {
      assert.deepEqual({ ...protocolInfo(n)! }, { number: n, keyword: '', name: 'Unassigned' });
      assert.equal(protocolName(n), `proto-${n}`);
    }
    for (const n of [253, 254]) {
      assert.equal(protocolInfo(n)!.name, 'Use for experimentation and testing');
      assert.equal(protocolName(n), `proto-${n}`);
    }
    assert.equal(protocolInfo(255)!.keyword, 'Reserved');
    assert.equal(protocolName(255), 'proto-255');
    for (const n of [61, 63, 68, 99, 114]) {
      assert.equal(protocolInfo(n)!.keyword, '');
      assert.match(protocolInfo(n)!.name, /^any /);
      assert.equal(protocolName(n), `proto-${n}`);
    }
    for (const n of [13, 53, 95, 122]) assert.equal(protocolInfo(n)!.deprecated, true, String(n));
    assert.equal(protocolInfo(6)!.deprecated, undefined);
    for (const n of [0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254]) assert.equal(protocolInfo(n)!.ipv6ExtensionHeader, true, String(n));
    assert.equal(protocolInfo(58)!.ipv6ExtensionHeader, undefined);
    // Keywords are unique (a name lookup must not be ambiguous).
    const keywords = allProtocols().map((p) => p.keyword.toLowerCase()).filter(Boolean);
    assert.equal(new Set(keywords).size, keywords.length);
  });

  it('looks protocols up by keyword, alias or number', () => {
    assert.equal(protocolByName('tcp'), 6);
    assert.equal(protocolByName('TCP'), 6);
    assert.equal(protocolByName('UDP'), 17);
    assert.equal(protocolByName('Icmp'), 1);
    assert.equal(protocolByName('icmpv6'), 58);
    assert.equal(protocolByName('ipv6icmp'), 58);
    assert.equal(protocolByName('ipv6-icmp'), 58);
    assert.equal(protocolByName('IPv6-ICMP'), 58);
    assert.equal(protocolByName('gre'), 47);
    assert.equal(protocolByName('esp'), 50);
    assert.equal(protocolByName('sctp'), 132);
    assert.equal(protocolByName('ospf'), 89);
    assert.equal(protocolByName('ttp'), 84);
    assert.equal(protocolByName('iptm'), 84);
    assert.equal(protocolByName('6'), 6);
    assert.equal(protocolByName('17'), 17);
    assert.equal(protocolByName('0'), 0);
    assert.equal(protocolByName('255'), 255);
    assert.equal(protocolByName('proto-200'), 200);
    assert.equal(protocolByName('256'), undefined);
    assert.equal(protocolByName('-1'), undefined);
    assert.equal(protocolByName('6.0'), undefined);
    assert.equal(protocolByName(''), undefined);
    assert.equal(protocolByName('nope'), undefined);
    assert.equal(protocolByName('reserved'), undefined); // 255's keyword is a word, not a protocol name
    assert.equal(protocolByName('unassigned'), undefined);
  });

  it('round-trips every display name through protocolByName', () => {
    for (let n = 0; n <= 255; n++) assert.equal(protocolByName(protocolName(n)), n, protocolName(n));
  });
});

describe('ports', () => {
  it('names well-known services, by transport where they differ', () => {
    assert.equal(serviceName(22), 'ssh');
    assert.equal(serviceName(22, 6), 'ssh');
    assert.equal(serviceName(3389), 'rdp');
    assert.equal(serviceName(80), 'http');
    assert.equal(serviceName(443, 6), 'https');
    assert.equal(serviceName(443, 17), 'quic');
    assert.equal(serviceName(53, 6), 'dns');
    assert.equal(serviceName(53, 17), 'dns');
    assert.equal(serviceName(123, 17), 'ntp');
    assert.equal(serviceName(514, 17), 'syslog');
    assert.equal(serviceName(5432), 'postgresql');
    assert.equal(serviceName(49152), undefined);
    assert.equal(serviceName(0), undefined);
    assert.equal(serviceName(-1), undefined);
    assert.equal(serviceName(65536), undefined);
  });

  it('covers the ports people see in flow logs', () => {
    const expected: [number, string][] = [
      [20, 'ftp-data'], [21, 'ftp'], [23, 'telnet'], [25, 'smtp'], [67, 'dhcp-server'], [68, 'dhcp-client'], [69, 'tftp'],
      [88, 'kerberos'], [110, 'pop3'], [111, 'rpcbind'], [137, 'netbios-ns'], [138, 'netbios-dgm'], [139, 'netbios-ssn'],
      [143, 'imap'], [161, 'snmp'], [162, 'snmptrap'], [179, 'bgp'], [389, 'ldap'], [445, 'smb'], [465, 'smtps'],
      [500, 'ike'], [587, 'submission'], [636, 'ldaps'], [993, 'imaps'], [995, 'pop3s'], [1194, 'openvpn'],
      [1433, 'mssql'], [1521, 'oracle'], [2049, 'nfs'], [2181, 'zookeeper'], [2375, 'docker'], [2376, 'docker-tls'],
      [2379, 'etcd-client'], [2380, 'etcd-server'], [3000, 'grafana'], [3306, 'mysql'], [4500, 'ipsec-nat-t'],
      [5060, 'sip'], [5061, 'sips'], [5672, 'amqp'], [5900, 'vnc'], [5985, 'winrm'], [5986, 'winrm-https'], [6379, 'redis'],
      [6443, 'kubernetes-api'], [8000, 'http-alt'], [8008, 'http-alt'], [8080, 'http-alt'], [8443, 'https-alt'],
      [9090, 'prometheus'], [9092, 'kafka'], [9100, 'node-exporter'], [9200, 'elasticsearch'], [10250, 'kubelet'],
      [11211, 'memcached'], [27017, 'mongodb'], [51820, 'wireguard'],
    ];
    for (const [port, name] of expected) assert.equal(serviceName(port), name, String(port));
    assert.ok(EMBEDDED_PORT_COUNT >= 180, `${EMBEDDED_PORT_COUNT} entries`);
  });

  it('has no name for protocols without ports, and SCTP-only names only on SCTP', () => {
    assert.equal(serviceName(22, 1), undefined); // ICMP
    assert.equal(serviceName(0, 58), undefined);
    assert.equal(serviceName(443, 47), undefined); // GRE
    assert.equal(serviceName(443, 50), undefined); // ESP
    assert.equal(serviceName(38412, 132), 'ngap');
    assert.equal(serviceName(38412, 6), undefined);
    assert.equal(serviceName(38412), undefined);
    assert.equal(serviceName(3868, 132), 'diameter');
    assert.equal(serviceName(3868, 6), 'diameter');
    assert.equal(serviceName(80, 132), 'http'); // SCTP falls back to the TCP name
    assert.equal(serviceName(53, 136), 'dns'); // UDP-Lite reads the UDP table
  });

  it('explains names, keeping IANA\'s where ours differs', () => {
    assert.deepEqual(serviceInfo(3389), { port: 3389, name: 'rdp', description: 'Remote Desktop Protocol (Windows)', iana: 'ms-wbt-server' });
    assert.equal(serviceInfo(22)!.iana, undefined);
    assert.equal(serviceInfo(445)!.iana, 'microsoft-ds');
    assert.equal(serviceInfo(53)!.iana, 'domain');
    assert.equal(serviceInfo(443, 17)!.name, 'quic');
    assert.equal(serviceInfo(12345), undefined);
  });

  it('looks ports up by our names, IANA names, aliases and digits', () => {
    assert.equal(portByServiceName('mysql'), 3306);
    assert.equal(portByServiceName('SSH'), 22);
    assert.equal(portByServiceName('rdp'), 3389);
    assert.equal(portByServiceName('ms-wbt-server'), 3389);
    assert.equal(portByServiceName('domain'), 53);
    assert.equal(portByServiceName('dns'), 53);
    assert.equal(portByServiceName('microsoft-ds'), 445);
    assert.equal(portByServiceName('postgres'), 5432);
    assert.equal(portByServiceName('rabbitmq'), 5672);
    assert.equal(portByServiceName('http-alt'), 8080);
    assert.equal(portByServiceName('https-alt'), 8443);
    assert.equal(portByServiceName('irc'), 6667);
    assert.equal(portByServiceName('443'), 443);
    assert.equal(portByServiceName('65535'), 65535);
    assert.equal(portByServiceName('65536'), undefined);
    assert.equal(portByServiceName('nope'), undefined);
    assert.equal(portByServiceName(''), undefined);
  });

  it('maps every primary name back to its port', () => {
    for (let port = 0; port <= 65535; port++) {
      const name = serviceName(port);
      if (name === undefined || name === 'http-alt' || name === 'https-alt' || name === 'irc') continue;
      assert.equal(portByServiceName(name), port, `${name} (${port})`);
    }
  });

  it('tells the IANA port range', () => {
    assert.equal(portRange(0), 'well-known');
    assert.equal(portRange(1023), 'well-known');
    assert.equal(portRange(1024), 'registered');
    assert.equal(portRange(49151), 'registered');
    assert.equal(portRange(49152), 'dynamic');
    assert.equal(portRange(65535), 'dynamic');
    assert.equal(portRange(65536), undefined);
    assert.equal(portRange(-1), undefined);
  });
});

describe('tcp flags', () => {
  it('decodes flag bits in a stable order', () => {
    assert.equal(describeTcpFlags(18), 'SYN|ACK');
    assert.equal(describeTcpFlags(2), 'SYN');
    assert.equal(describeTcpFlags(1), 'FIN');
    assert.equal(describeTcpFlags(4), 'RST');
    assert.equal(describeTcpFlags(3), 'SYN|FIN');
    assert.equal(describeTcpFlags(19), 'SYN|ACK|FIN');
    assert.equal(describeTcpFlags(0), 'none');
    assert.equal(describeTcpFlags(255), 'SYN|ACK|FIN|RST|PSH|URG|ECE|CWR');
    assert.equal(describeTcpFlags(256 + 2), 'SYN|0x100');
    assert.equal(describeTcpFlags(-1), 'invalid');
    assert.equal(describeTcpFlags(2.5), 'invalid');
    assert.deepEqual(tcpFlagNames(1 | 4 | 8 | 32), ['FIN', 'RST', 'PSH', 'URG']);
    assert.deepEqual(tcpFlagNames(64 | 128), ['ECE', 'CWR']);
    assert.deepEqual(tcpFlagNames(0), []);
  });

  it('names each bit once, for every mask', () => {
    const bit: Record<string, number> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 };
    for (let m = 0; m <= 255; m++) {
      assert.equal(tcpFlagNames(m).reduce((sum, n) => sum + bit[n], 0), m);
    }
  });

  it('reads common combinations, without repeating the flag names', () => {
    const shown = (m: number) => `${describeTcpFlags(m)}: ${tcpFlagsMeaning(m)}`;
    assert.match(shown(2), /^SYN: connection attempt/);
    assert.equal(shown(18), 'SYN|ACK: answer to a connection attempt (SYN-ACK)');
    assert.match(shown(3), /^SYN\|FIN: opened and closed in one window: a short connection/);
    assert.match(shown(4), /^RST: connection reset/);
    assert.match(tcpFlagsMeaning(19)!, /short connection/);
    assert.match(tcpFlagsMeaning(0)!, /AWS/);
    for (let m = 0; m <= 255; m++) {
      const meaning = tcpFlagsMeaning(m);
      if (meaning) assert.ok(!meaning.startsWith(describeTcpFlags(m)), `${m}: ${meaning}`);
    }
    assert.equal(tcpFlagsMeaning(255), undefined);
  });
});

describe('traffic paths', () => {
  it('knows the paths 1–8', () => {
    const short = ['same VPC', 'internet gateway or gateway VPC endpoint', 'virtual private gateway', 'intra-region VPC peering',
      'inter-region VPC peering', 'local gateway', 'gateway VPC endpoint (Nitro)', 'internet gateway (Nitro)'];
    for (let n = 1; n <= 8; n++) {
      assert.equal(trafficPathMeaning(n), short[n - 1]);
      assert.match(trafficPathDescription(n)!, /^through /);
    }
    for (const bad of [0, 9, -1, 1.5, NaN]) {
      assert.equal(trafficPathMeaning(bad), undefined);
      assert.equal(trafficPathDescription(bad), undefined);
    }
  });
});

describe('times', () => {
  it('formats Unix seconds', () => {
    assert.equal(isoUtc(1418530010), '2014-12-14T04:06:50Z');
    assert.equal(isoUtc(0), '1970-01-01T00:00:00Z');
    assert.equal(isoUtc(1418530010.9), '2014-12-14T04:06:50Z');
    assert.equal(shortUtc(1418530010), '2014-12-14 04:06:50Z');
    assert.equal(formatTimestamp(1418530010, 'utc'), '2014-12-14 04:06:50 UTC');
    assert.match(formatTimestamp(1418530010, 'local'), /^2014-12-1[34] \d\d:\d\d:50 [+-]\d\d:\d\d$/);
    assert.equal(isoUtc(NaN), 'invalid time');
    assert.equal(formatTimestamp(Infinity, 'utc'), 'invalid time');
  });

  it('formats local time in the process time zone, with its offset', () => {
    const d = new Date(1418530010 * 1000);
    const offset = -d.getTimezoneOffset();
    const pad = (n: number) => String(n).padStart(2, '0');
    const expected = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${formatOffset(offset)}`;
    assert.equal(formatTimestamp(1418530010, 'local'), expected);
    assert.equal(formatOffset(480), '+08:00');
    assert.equal(formatOffset(-330), '-05:30');
    assert.equal(formatOffset(0), '+00:00');
  });

  it('formats capture windows', () => {
    assert.equal(formatWindow(1418530010, 1418530070, 'utc'), '2014-12-14 04:06:50–04:07:50 UTC');
    assert.equal(formatWindow(1418601590, 1418601650, 'utc'), '2014-12-14 23:59:50 – 2014-12-15 00:00:50 UTC');
    assert.match(formatWindow(1418530010, 1418530070, 'local'), /^2014-12-1[34] \d\d:\d\d:50–\d\d:\d\d:50 [+-]\d\d:\d\d$/);
  });

  it('gives each end of a local window its own offset when a DST change falls inside it', () => {
    const start = 1636263000; // 2021-11-07T05:30:00Z: US daylight saving time ends at 06:00Z
    const end = start + 3600;
    const oa = -new Date(start * 1000).getTimezoneOffset();
    const ob = -new Date(end * 1000).getTimezoneOffset();
    const s = formatWindow(start, end, 'local');
    const offsets = s.match(/[+-]\d\d:\d\d/g)!;
    assert.deepEqual(offsets, oa === ob ? [formatOffset(oa)] : [formatOffset(oa), formatOffset(ob)], s);
  });

  it('formats durations', () => {
    assert.equal(formatDuration(0), '0 s');
    assert.equal(formatDuration(60), '60 s');
    assert.equal(formatDuration(119), '119 s');
    assert.equal(formatDuration(120), '2 min');
    assert.equal(formatDuration(302), '5 min 2 s');
    assert.equal(formatDuration(3600), '1 h');
    assert.equal(formatDuration(3780), '1 h 3 min');
    assert.equal(formatDuration(86400), '1 d');
    assert.equal(formatDuration(187200), '2 d 4 h');
    assert.equal(formatDuration(-5), '-5 s');
    assert.equal(formatDuration(59.6), '60 s');
  });

  it('recognises 13-digit millisecond values', () => {
    assert.ok(looksLikeMilliseconds(1418530010000));
    assert.ok(!looksLikeMilliseconds(1418530010));
    assert.ok(!looksLikeMilliseconds(999999999999));
    assert.ok(looksLikeMilliseconds(1e12));
    assert.ok(!looksLikeMilliseconds(1e13));
  });
});

describe('byte counts', () => {
  it('formats bytes in binary units', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(336), '336 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1.0 KiB');
    assert.equal(formatBytes(4249), '4.1 KiB');
    assert.equal(formatBytes(119808), '117 KiB');
    assert.equal(formatBytes(1572864), '1.5 MiB');
    assert.equal(formatBytes(5 * 2 ** 30), '5.0 GiB');
    assert.equal(formatBytes(3 * 2 ** 40), '3.0 TiB');
    assert.equal(formatBytes(2 ** 50), '1.0 PiB');
    assert.equal(formatBytes(-4249), '-4.1 KiB');
  });

  it('never shows 100.0 or 1024 of a unit after rounding', () => {
    assert.equal(formatBytes(Math.round(99.97 * 1024)), '100 KiB');
    assert.equal(formatBytes(1024 * 1024 - 1), '1.0 MiB');
    assert.equal(formatBytes(Math.round(1023.7 * 1024)), '1.0 MiB');
    fc.assert(fc.property(fc.nat(Number.MAX_SAFE_INTEGER), (n) => {
      const s = formatBytes(n);
      const m = /^(\d+(?:\.\d)?) (B|KiB|MiB|GiB|TiB|PiB)$/.exec(s);
      assert.ok(m, s);
      const v = Number(m[1]);
      if (m[2] !== 'B') {
        assert.ok(v >= 1 && v < 1024, s);
        assert.equal(m[1].includes('.'), v < 100, s);
      }
    }), { numRuns: 2000 });
  });
});
