// Connectivity diagnosis (issue 12): the seed's case, the rules one by one (roles, verdicts, readings, pairing in time,
// merging, spilling, coverage), and hostile input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONVERSATION_COLUMNS, DiagnoseOptions, conversationRow, diagnose, indexByRecord } from '../../server/src/core/diagnose';
import { decideRequest, portRank, registeredServicePorts, ROLE_BASES } from '../../server/src/core/diagnose/roles';
import { VERDICTS, verdictIndex } from '../../server/src/core/diagnose/verdict';
import { runQuery } from '../../server/src/core/query';
import { serviceName } from '../../server/src/core/decode/ports';

const SEED = [
  'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
  'V1 1251762227 eni-lq6mkcis 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
];

const run = (lines: string[], options: DiagnoseOptions = {}) =>
  diagnose({ kind: 'text', text: lines.join('\n') + '\n', name: 'test.flowlog' }, { collectAll: true, list: [...VERDICTS], limit: 1000, ...options });

/** A default-format record. */
function r(iface: string, src: string, dst: string, sport: number, dport: number, proto: number, start: number, end: number, action: string): string {
  return `2 123456789012 ${iface} ${src} ${dst} ${sport} ${dport} ${proto} 10 1000 ${start} ${end} ${action} OK`;
}

describe('the seed: a ping accepted in, its reply rejected out', () => {
  it('gives exactly one response-rejected conversation, request line 1, reply line 2, about the network ACL', async () => {
    const d = await run(SEED);
    assert.deepEqual(d.verdicts, { 'response-rejected': 1, 'request-rejected': 0, 'no-response': 0, 'one-way': 0, ok: 0 });
    assert.equal(d.all!.length, 1);
    const c = d.all![0];
    assert.equal(c.verdict, 'response-rejected');
    assert.deepEqual(c.evidence, { request: { file: 'test.flowlog', line: 1 }, reply: { file: 'test.flowlog', line: 2 } });
    assert.deepEqual(c.client, { address: '203.0.113.12', port: 0 });
    assert.deepEqual(c.server, { address: '172.31.16.139', port: 0 });
    assert.equal(c.reading.certainty, 'most-likely');
    assert.match(c.reading.summary, /^ICMP requests from 203\.0\.113\.12 to 172\.31\.16\.139 were accepted and the replies were rejected/);
    assert.match(c.reading.summary, /Most likely a network ACL drops the replies/);
    assert.match(c.reading.fix!, /^allow outbound ICMP to 203\.0\.113\.12 in the network ACL/);
    assert.equal(c.reading.evidence, 'request test.flowlog:1 (ACCEPT) · reply test.flowlog:2 (REJECT)');
    const index = indexByRecord(d).get('test.flowlog')!;
    assert.equal(index.get(1)!.role, 'request');
    assert.equal(index.get(2)!.role, 'reply');
    assert.equal(index.get(2)!.conversation, c);
  });

  it('reads the same with the reply first in the file, or its window starting first (clock skew)', async () => {
    const skewed = SEED[1].replace('1432917094', '1432917000');
    for (const lines of [[SEED[1], SEED[0]], [SEED[0], skewed], [skewed, SEED[0]]]) {
      const d = await run(lines);
      assert.equal(d.verdicts['response-rejected'], 1, lines.join(' / '));
      assert.equal(d.all![0].client.address, '203.0.113.12');
      assert.equal(d.all![0].roleBasis, 'actions');
    }
  });
});

describe('roles: which side asked', () => {
  it('ranks ports: service, registered, ephemeral', () => {
    assert.equal(portRank(22), 0);
    assert.equal(portRank(1023), 0);
    assert.equal(portRank(3306), 0); // a known service above 1024
    assert.equal(portRank(20641), 1); // Tencent's example client port
    assert.equal(portRank(32768), 2);
    assert.equal(portRank(51820), 2); // WireGuard's port is in the ephemeral range: clients use it too
    assert.ok(registeredServicePorts().includes(5432));
    assert.ok(!registeredServicePorts().includes(20641));
  });

  it('ranks every port by the rule (the table is made on first use, from the embedded services of 1024–32767)', () => {
    const services = new Set(registeredServicePorts());
    for (let port = 0; port < 65536; port++) {
      const expected = port >= 32768 ? 2 : port < 1024 || serviceName(port) !== undefined ? 0 : 1;
      assert.equal(portRank(port), expected, `port ${port}`);
      assert.equal(services.has(port), port >= 1024 && port < 32768 && expected === 0, `port ${port}`);
    }
  });

  it('decides by tcp-flags, then ports, then actions, then start, then rejections', () => {
    const basis = (x: number) => ROLE_BASES[x >> 1];
    // SYN from direction 1, SYN-ACK from 0: 1 asked, even on ports that say otherwise.
    assert.deepEqual([decideRequest(6, 50000, 443, 1, 0, 10, 18, 1, 0, 10, 2) & 1, basis(decideRequest(6, 50000, 443, 1, 0, 10, 18, 1, 0, 10, 2))], [1, 'tcp-flags']);
    // Ports: the ephemeral side asked.
    assert.deepEqual([decideRequest(6, 443, 50000, 1, 0, 10, -1, 1, 0, 5, -1) & 1, basis(decideRequest(6, 443, 50000, 1, 0, 10, -1, 1, 0, 5, -1))], [1, 'ports']);
    // ICMP (ports tie): the accepted direction asked, whatever the start times say.
    assert.deepEqual([decideRequest(1, 0, 0, 0, 1, 5, -1, 1, 0, 10, -1) & 1, basis(decideRequest(1, 0, 0, 0, 1, 5, -1, 1, 0, 10, -1))], [1, 'actions']);
    // Both accepted: the earlier start.
    assert.deepEqual([decideRequest(1, 0, 0, 1, 0, 9, -1, 1, 0, 5, -1) & 1, basis(decideRequest(1, 0, 0, 1, 0, 9, -1, 1, 0, 5, -1))], [1, 'start']);
    // Same start: the direction with fewer rejected records; then the fixed order.
    assert.deepEqual([decideRequest(1, 0, 0, 1, 1, 5, -1, 1, 0, 5, -1) & 1, basis(decideRequest(1, 0, 0, 1, 1, 5, -1, 1, 0, 5, -1))], [1, 'rejections']);
    assert.equal(basis(decideRequest(1, 0, 0, 1, 0, 5, -1, 1, 0, 5, -1)), 'address-order');
  });
});

describe('verdicts: the decision table', () => {
  const v = (proto: number, qa: number, qr: number, pa: number, pr: number) => VERDICTS[verdictIndex(proto, qa, qr, pa, pr)];
  it('follows the table row by row', () => {
    assert.equal(v(6, 1, 0, 0, 1), 'response-rejected');
    assert.equal(v(6, 1, 0, 1, 1), 'response-rejected');
    assert.equal(v(6, 1, 0, 1, 0), 'ok');
    assert.equal(v(6, 1, 1, 1, 0), 'ok');
    assert.equal(v(6, 1, 0, 0, 0), 'no-response');
    assert.equal(v(1, 1, 0, 0, 0), 'no-response');
    assert.equal(v(58, 1, 0, 0, 0), 'no-response');
    assert.equal(v(17, 1, 0, 0, 0), 'one-way');
    assert.equal(v(47, 1, 0, 0, 0), 'one-way');
    assert.equal(v(6, 0, 1, 0, 0), 'request-rejected');
    assert.equal(v(6, 0, 2, 1, 0), 'request-rejected');
    assert.equal(v(6, 0, 0, 1, 0), 'one-way');
    assert.equal(v(6, 0, 0, 0, 1), 'one-way');
  });
});

describe('readings', () => {
  it('names the TCP reply rule: allow outbound TCP 1024–65535 to the client, when the server is this interface', async () => {
    // The interface's own address (10.0.1.5) is in every record; the clients vary.
    const lines = [
      r('eni-a1', '198.51.100.7', '10.0.1.5', 50123, 443, 6, 1000, 1060, 'ACCEPT'),
      r('eni-a1', '10.0.1.5', '198.51.100.7', 443, 50123, 6, 1000, 1060, 'REJECT'),
      r('eni-a1', '198.51.100.8', '10.0.1.5', 50999, 443, 6, 1000, 1060, 'ACCEPT'),
      r('eni-a1', '10.0.1.5', '198.51.100.8', 443, 50999, 6, 1000, 1060, 'ACCEPT'),
    ];
    const d = await run(lines);
    const c = d.all!.find((x) => x.verdict === 'response-rejected')!;
    assert.deepEqual([c.client.address, c.server.port], ['198.51.100.7', 443]);
    assert.match(c.reading.fix!, /^allow outbound TCP 1024–65535 to 198\.51\.100\.7 in the network ACL/);
  });

  it('when this interface is the client, names the inbound rule for the replies', async () => {
    const lines = [
      r('eni-b2', '10.0.2.9', '203.0.113.50', 40001, 443, 6, 1000, 1060, 'ACCEPT'),
      r('eni-b2', '203.0.113.50', '10.0.2.9', 443, 40001, 6, 1000, 1060, 'REJECT'),
    ];
    const c = (await run(lines)).all![0];
    assert.equal(c.verdict, 'response-rejected');
    assert.match(c.reading.fix!, /^allow inbound TCP 1024–65535 from 203\.0\.113\.50 in the network ACL/);
  });

  it('uses flow-direction when logged, and says BPA when reject-reason says so', async () => {
    const header = 'version interface-id srcaddr dstaddr srcport dstport protocol start end action log-status flow-direction reject-reason';
    const lines = [
      header,
      '8 eni-c3 10.0.0.1 10.0.0.2 40000 22 6 1000 1060 ACCEPT OK egress -',
      '8 eni-c3 10.0.0.2 10.0.0.1 22 40000 6 1000 1060 REJECT OK ingress -',
      '8 eni-c3 10.0.0.1 52.95.128.179 34210 80 6 1000 1060 REJECT OK egress BPA',
    ];
    const d = await run(lines);
    const rr = d.all!.find((x) => x.verdict === 'response-rejected')!;
    assert.match(rr.reading.fix!, /^allow inbound TCP 1024–65535 from 10\.0\.0\.2/);
    const bpa = d.all!.find((x) => x.verdict === 'request-rejected')!;
    assert.equal(bpa.reading.certainty, 'observed');
    assert.match(bpa.reading.summary, /VPC Block Public Access/);
    assert.equal(bpa.request.blockPublicAccess, true);
  });

  it('says "cannot tell" for UDP that is never answered, and for replies without their request', async () => {
    const d = await run([
      r('eni-d4', '10.0.0.5', '10.0.9.9', 40000, 514, 17, 1000, 1060, 'ACCEPT'),
      r('eni-d4', '203.0.113.9', '10.0.0.5', 443, 41000, 6, 1000, 1060, 'ACCEPT'),
    ]);
    assert.deepEqual(d.all!.map((c) => [c.verdict, c.reading.certainty]), [['one-way', 'cannot-tell'], ['one-way', 'cannot-tell']]);
    assert.match(d.all![1].reading.summary, /^Only replies were logged/);
  });
});

describe('pairing in time', () => {
  it('keeps a long-lived flow over many windows as one conversation', async () => {
    const lines: string[] = [];
    for (let k = 0; k < 50; k++) {
      lines.push(r('eni-e5', '10.0.0.5', '203.0.113.1', 45000, 443, 6, 1000 + k * 60, 1060 + k * 60, 'ACCEPT'));
      lines.push(r('eni-e5', '203.0.113.1', '10.0.0.5', 443, 45000, 6, 1000 + k * 60, 1060 + k * 60, 'ACCEPT'));
    }
    const d = await run(lines);
    assert.equal(d.all!.length, 1);
    assert.equal(d.all![0].request.records, 50);
    assert.equal(d.all![0].reply.records, 50);
  });

  it('splits one 5-tuple seen twice, further apart than the slack, into two conversations', async () => {
    const lines = [
      r('eni-f6', '203.0.113.1', '10.0.0.5', 0, 0, 1, 1000, 1060, 'ACCEPT'),
      r('eni-f6', '10.0.0.5', '203.0.113.1', 0, 0, 1, 1000, 1060, 'ACCEPT'),
      r('eni-f6', '203.0.113.1', '10.0.0.5', 0, 0, 1, 1000 + 661, 1060 + 661, 'ACCEPT'),
    ];
    assert.equal((await run(lines)).all!.length, 2); // 1601 > 1060 + 600 (the default slack)
    assert.equal((await run(lines, { slack: 601 })).all!.length, 1);
  });

  it('merges two conversations that a late record bridges', async () => {
    const lines = [
      r('eni-g7', '10.0.0.5', '203.0.113.1', 45000, 443, 6, 1000, 1060, 'ACCEPT'),
      r('eni-g7', '203.0.113.1', '10.0.0.5', 443, 45000, 6, 2300, 2360, 'REJECT'),
      r('eni-g7', '10.0.0.5', '203.0.113.1', 45000, 443, 6, 1650, 1710, 'ACCEPT'),
    ];
    const d = await run(lines, { lateness: 1000 });
    assert.equal(d.all!.length, 1);
    assert.equal(d.all![0].verdict, 'response-rejected');
    assert.deepEqual(d.all![0].records!.map((x) => x.line), [1, 2, 3]);
  });

  it('counts records that come later than the lateness allows, and warns', async () => {
    const lines = [
      r('eni-h8', '10.0.0.5', '203.0.113.1', 45000, 443, 6, 5000, 5060, 'ACCEPT'),
      r('eni-h8', '10.0.0.5', '203.0.113.2', 45001, 443, 6, 1000, 1060, 'ACCEPT'),
    ];
    const d = await run(lines);
    assert.equal(d.join.lateRecords, 1);
    assert.match(d.warnings.join(' '), /1 records started more than 600 s before/);
  });

  it('pairs only on the same interface', async () => {
    const d = await run([SEED[0], SEED[1].replace('eni-lq6mkcis', 'eni-other')]);
    assert.deepEqual([d.verdicts['no-response'], d.verdicts['one-way'], d.verdicts['response-rejected']], [1, 0, 0]);
    assert.equal(d.verdicts['request-rejected'], 1); // the lone rejected ICMP is a request on its own interface
  });

  it('pairs IPv6 written in different forms', async () => {
    const d = await run([
      r('eni-i9', '2001:db8::5', '2001:DB8:0:0::0:9', 45000, 443, 6, 1000, 1060, 'ACCEPT'),
      r('eni-i9', '2001:0db8::9', '2001:db8::0005', 443, 45000, 6, 1000, 1060, 'ACCEPT'),
    ]);
    assert.equal(d.all!.length, 1);
    assert.equal(d.all![0].verdict, 'ok');
    assert.equal(d.all![0].server.address, '2001:db8::9');
  });
});

describe('scans and brute force', () => {
  it('finds an IPv6 port scan and an IPv6 brute force, and an IPv4 sweep just past the threshold, not one just below', async () => {
    const lines: string[] = [];
    for (let p = 0; p < 20; p++) lines.push(r('eni-s1', '2001:db8::bad', '2001:db8::5', 55555, 1000 + p, 6, 3_000_000 + p, 3_000_060 + p, 'REJECT'));
    for (let k = 0; k < 31; k++) lines.push(r('eni-s1', '2001:db8::b0b', '2001:db8::5', 40000 + k, 22, 6, 3_000_000 + k * 10, 3_000_060 + k * 10, 'ACCEPT'));
    // 25 hosts on port 23 from one source (a scan), 24 from another (not one).
    for (let h = 0; h < 25; h++) lines.push(r(`eni-h${h}`, '198.51.100.1', `10.1.0.${h}`, 40000 + h, 23, 6, 3_000_100 + h, 3_000_160 + h, 'REJECT'));
    for (let h = 0; h < 24; h++) lines.push(r(`eni-h${h}`, '198.51.100.2', `10.1.0.${h}`, 40000 + h, 23, 6, 3_000_100 + h, 3_000_160 + h, 'REJECT'));
    const d = await run(lines.sort((a, b) => Number(a.split(' ')[10]) - Number(b.split(' ')[10])));
    assert.deepEqual(d.scans.map((s) => [s.kind, s.source, s.host, s.port, s.distinct]).sort(), [
      ['address-scan', '198.51.100.1', null, 23, 25],
      ['port-scan', '2001:db8::bad', '2001:db8::5', null, 20],
    ]);
    assert.deepEqual(d.scans.find((s) => s.kind === 'port-scan')!.samplePorts, [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007]);
    assert.deepEqual(d.bruteForce.map((b) => [b.source, b.host, b.port, b.connections, b.accepted, b.service]), [['2001:db8::b0b', '2001:db8::5', 22, 31, 31, 'ssh']]);
  });

  it('does not count an ICMP echo reply to many pingers as a sweep, nor a long SSH session as brute force', async () => {
    const lines: string[] = [];
    for (let h = 0; h < 40; h++) {
      lines.push(r('eni-t1', `198.51.100.${h}`, '10.0.0.9', 0, 0, 1, 3_000_000 + h, 3_000_060 + h, 'ACCEPT'));
      lines.push(r('eni-t1', '10.0.0.9', `198.51.100.${h}`, 0, 0, 1, 3_000_001 + h, 3_000_060 + h, 'REJECT'));
    }
    for (let k = 0; k < 40; k++) lines.push(r('eni-t1', '203.0.113.5', '10.0.0.9', 45000, 22, 6, 3_000_000 + k * 60, 3_000_060 + k * 60, 'ACCEPT'));
    const d = await run(lines.sort((a, b) => Number(a.split(' ')[10]) - Number(b.split(' ')[10])));
    assert.deepEqual(d.scans, []);
    assert.deepEqual(d.bruteForce, []);
    assert.equal(d.verdicts['response-rejected'], 40);
  });
});

describe('memory: spilling', () => {
  it('gives the same conversations when the open table spills to disk, recursively', async () => {
    const lines: string[] = [];
    for (let k = 0; k < 3000; k++) {
      const t = 1000 + Math.floor(k / 10);
      lines.push(r('eni-j1', `198.51.${k >> 8}.${k & 255}`, '10.0.0.5', 40000 + (k % 20000), 443, 6, t, t + 60, k % 7 === 0 ? 'REJECT' : 'ACCEPT'));
      if (k % 3 === 0) lines.push(r('eni-j1', '10.0.0.5', `198.51.${k >> 8}.${k & 255}`, 443, 40000 + (k % 20000), 6, t + 5, t + 65, k % 2 === 0 ? 'REJECT' : 'ACCEPT'));
    }
    const spillDir = mkdtempSync(join(tmpdir(), 'diag-spill-'));
    try {
      const inMemory = await diagnose({ kind: 'text', text: lines.join('\n'), name: 's' }, { list: [...VERDICTS], limit: 5 });
      const spilled = await diagnose({ kind: 'text', text: lines.join('\n'), name: 's' }, { list: [...VERDICTS], limit: 5, maxOpen: 50, partitions: 3, spillDir });
      assert.ok(spilled.join.spills >= 2, `spills ${spilled.join.spills}`);
      assert.ok(spilled.join.peakOpen <= 50, `peak ${spilled.join.peakOpen}`);
      assert.deepEqual(spilled.verdicts, inMemory.verdicts);
      assert.deepEqual(spilled.conversations.map((c) => c.evidence), inMemory.conversations.map((c) => c.evidence));
      assert.deepEqual(readdirSync(spillDir), [], 'spill files are removed');
    } finally {
      rmSync(spillDir, { recursive: true, force: true });
    }
  });
});

describe('coverage', () => {
  it('shows traffic, NODATA, SKIPDATA and gaps per interface as a timeline', async () => {
    const lines = [
      r('eni-k2', '10.0.0.5', '10.0.0.2', 40000, 53, 17, 1000, 1060, 'ACCEPT'),
      'V1 1 eni-k2 - - - - - - - 1060 1120 - NODATA',
      'V1 1 eni-k2 - - - - - - - 1120 1180 - NODATA',
      r('eni-k2', '10.0.0.5', '10.0.0.2', 40001, 53, 17, 1180, 1240, 'ACCEPT'),
      r('eni-k2', '10.0.0.5', '10.0.0.2', 40002, 53, 17, 3000, 3060, 'ACCEPT'),
      '2 1 eni-k2 - - - - - - - 3030 3090 - SKIPDATA',
    ];
    const d = await run(lines);
    const c = d.coverage.find((x) => x.interfaceId === 'eni-k2')!;
    assert.deepEqual([c.first, c.last, c.records, c.nodataRecords, c.skipdataRecords], [1000, 3090, 3, 2, 1]);
    assert.deepEqual(c.nodata, [{ from: 1060, to: 1180 }]);
    assert.deepEqual(c.skipdata, [{ from: 3030, to: 3090 }]);
    assert.deepEqual(c.gaps, [{ from: 1240, to: 3000 }]);
    assert.deepEqual(c.timeline.map((s) => s.state), ['traffic', 'nodata', 'traffic', 'gap', 'traffic', 'skipdata']);
    assert.equal(c.coveredSeconds, 2090 - 1760);
  });

  it('merges records that come out of order', async () => {
    const lines = [3000, 1000, 2000, 1500, 2500].map((t, k) => r('eni-l3', '10.0.0.5', '10.0.0.2', 40000 + k, 53, 17, t, t + 500, 'ACCEPT'));
    const c = (await run(lines, { lateness: 5000 })).coverage[0];
    assert.deepEqual(c.gaps, []);
    assert.deepEqual(c.timeline, [{ from: 1000, to: 3500, state: 'traffic' }]);
  });
});

describe('hostile and broken input', () => {
  it('skips malformed lines with their position, and never throws', async () => {
    const lines = [
      SEED[0],
      'not a record at all',
      '2 1 eni-x 10.0.0.1 10.0.0.999 1 2 6 1 1 1000 1060 ACCEPT OK',
      '2 1 eni-x 10.0.0.1 10.0.0.2 1 70000 6 1 1 1000 1060 ACCEPT OK',
      '2 1 eni-x 10.0.0.1 10.0.0.2 1 2 6 1 1 1060 1000 ACCEPT OK',
      '2 1 eni-x 10.0.0.1 10.0.0.2 1 2 6 1 1 1000 1060 accept OK',
      '2 1 eni-x 10.0.0.1 ::1 1 2 6 1 1 1000 1060 ACCEPT OK',
      '2 1 eni-x - - - - - - - 1000 1060 ACCEPT OK',
      SEED[1],
    ];
    const d = await run(lines);
    assert.equal(d.verdicts['response-rejected'], 1);
    // Malformed as every query counts it (the engine's scanner): field count, an address or number that does not
    // parse or is out of range. Well-formed records a conversation cannot use are incomplete.
    const engine = await runQuery({ kind: 'text', text: lines.join('\n'), name: 'test.flowlog' }, '*');
    assert.equal(d.input.malformed, engine.stats.malformed);
    assert.equal(d.input.malformed, 3);
    assert.equal(d.input.records, engine.stats.records);
    assert.equal(d.input.incomplete, 4);
    assert.deepEqual(d.input.skipped.map((s) => s.line), [2, 3, 4, 5, 6, 7, 8]);
    assert.equal(d.input.skipped[0].reason, "5 fields where the format has 14");
    assert.match(d.input.skipped[1].reason, /dstaddr is not an IP address/);
    assert.match(d.input.skipped[2].reason, /dstport is not a whole number from 0 to 65535/);
    assert.match(d.input.skipped[3].reason, /start is after end/);
    assert.match(d.input.skipped[4].reason, /action is not ACCEPT or REJECT/);
    assert.match(d.input.skipped[5].reason, /different families/);
    assert.match(d.input.skipped[6].reason, /a traffic field is `-`/);
    assert.match(d.warnings[0], /test\.flowlog:2/);
  });

  it('keeps markup and control characters as text in readings (the CLI escapes them)', async () => {
    const iface = 'eni-<img/src=x>\u001b[31m';
    const d = await run([SEED[0].replace('eni-lq6mkcis', iface), SEED[1].replace('eni-lq6mkcis', iface)]);
    assert.equal(d.all![0].interfaceId, iface);
    assert.ok(d.all![0].reading.fix!.includes(iface));
  });

  it('refuses interface ids too long to be one (a hostile file cannot grow the table of names)', async () => {
    const d = await run([SEED[0].replace('eni-lq6mkcis', `eni-${'x'.repeat(100)}`), SEED[1]]);
    assert.equal(d.input.malformed, 0);
    assert.equal(d.input.incomplete, 1);
    assert.match(d.input.skipped[0].reason, /interface-id is longer than 64 characters/);
    assert.equal(d.verdicts['request-rejected'], 1);
  });

  it('reports a format without the fields a conversation needs', async () => {
    const d = await run(['version interface-id srcaddr dstaddr action log-status', '2 eni-m4 10.0.0.1 10.0.0.2 ACCEPT OK']);
    assert.equal(d.input.incomplete, 1);
    assert.match(d.input.skipped[0].reason, /the format has no start, end/);
  });
});

describe('conversations as rows', () => {
  it('gives one value per documented column', async () => {
    const d = await run(SEED);
    const c = d.all![0];
    const row = conversationRow(c, c.reading, c.readingText);
    assert.equal(row.length, CONVERSATION_COLUMNS.length);
    const named = Object.fromEntries(CONVERSATION_COLUMNS.map((col, k) => [col.name, row[k]]));
    assert.equal(named.verdict, 'response-rejected');
    assert.equal(named.interface_id, 'eni-lq6mkcis');
    assert.equal(named.client_addr, '203.0.113.12');
    assert.equal(named.reply_line, 2);
    assert.equal(named.service, null);
  });
});
