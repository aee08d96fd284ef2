// Hover readings and inlay hints of the core.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FORMAT, makeFormat } from '../../server/src/core/scan';
import { DEFAULT_INLAY_HINTS, decodeValue, describeRecord, fieldAt, inlayHintsForLine, recordValues } from '../../server/src/core/explain';
import { lookupField } from '../../server/src/core/schema';

const GOOD = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const utc = { timeZone: 'utc' as const };

describe('describeRecord', () => {
  it('reads a TCP flow in one line', () => {
    assert.equal(
      describeRecord(GOOD, DEFAULT_FORMAT, utc),
      'TCP 172.31.16.139:20641 → 172.31.16.21:22 (ssh) · 20 packets, 4.1 KiB · 60 s window 2014-12-14 04:06:50–04:07:50 UTC · ACCEPT',
    );
  });

  it('reads ICMP without ports, NODATA as no traffic', () => {
    const icmp = describeRecord('V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK', DEFAULT_FORMAT, utc);
    assert.match(icmp, /^ICMP 203\.0\.113\.12 → 172\.31\.16\.139 · 4 packets, 336 B · /);
    const nodata = describeRecord('V1 1251762227 eni-lq6mkcis - - - - - - - 1431280876 1431280934 - NODATA', DEFAULT_FORMAT, utc);
    assert.match(nodata, /^NODATA on eni-lq6mkcis: no traffic · 58 s window /);
  });

  it('brackets IPv6 endpoints and names the service of a reply', () => {
    const r = describeRecord('2 1 eni-1 2001:db8::1 2001:db8::2 443 49152 6 10 840 1439387263 1439387264 ACCEPT OK', DEFAULT_FORMAT, utc);
    assert.match(r, /^TCP \[2001:db8::1\]:443 \(https\) → \[2001:db8::2\]:49152 · /);
  });

  it('follows a custom header', () => {
    const format = makeFormat(['srcaddr', 'dstaddr', 'dstport', 'protocol', 'action'], 0);
    assert.equal(describeRecord('10.0.0.1 10.0.0.2 3389 6 REJECT', format, utc), 'TCP 10.0.0.1 → 10.0.0.2:3389 (rdp) · REJECT');
  });
});

describe('field decoding', () => {
  it('finds the field under the cursor', () => {
    const at = fieldAt(GOOD, DEFAULT_FORMAT, GOOD.indexOf(' 22 ') + 1)!;
    assert.equal(at.field?.name, 'dstport');
    assert.equal(at.value, '22');
  });

  it('decodes protocol, port, time, address class, bytes', () => {
    const values = recordValues(GOOD, DEFAULT_FORMAT);
    const d = (name: string, v: string) => decodeValue(lookupField(name)!, v, utc, values);
    assert.match(d('protocol', '6')!, /TCP/);
    assert.equal(d('dstport', '22'), 'ssh');
    assert.equal(d('start', '1418530010'), '2014-12-14 04:06:50 UTC');
    assert.match(d('end', '1418530070')!, /60 s after start/);
    assert.match(d('srcaddr', '172.31.16.139')!, /private/);
    assert.match(d('srcaddr', '100.64.1.1')!, /shared/);
    assert.equal(d('bytes', '4249'), '4.1 KiB');
    assert.match(d('tcp-flags', '18')!, /SYN/);
    assert.match(d('action', 'REJECT')!, /refused/);
  });
});

describe('inlay hints', () => {
  it('decodes protocol, ports and timestamps in place', () => {
    const hints = inlayHintsForLine(GOOD, DEFAULT_FORMAT, DEFAULT_INLAY_HINTS);
    const labels = hints.map((h) => h.label);
    assert.deepEqual(labels, ['ssh', 'TCP', '2014-12-14 04:06:50Z', '2014-12-14 04:07:50Z']);
    assert.equal(hints[1].character, GOOD.indexOf(' 6 ') + 2);
  });

  it('each kind can be switched off', () => {
    const hints = inlayHintsForLine(GOOD, DEFAULT_FORMAT, { ...DEFAULT_INLAY_HINTS, ports: false, timestamps: false });
    assert.deepEqual(hints.map((h) => h.kind), ['protocol']);
    const bytes = inlayHintsForLine(GOOD, DEFAULT_FORMAT, { ...DEFAULT_INLAY_HINTS, protocol: false, ports: false, timestamps: false, bytes: true });
    assert.deepEqual(bytes.map((h) => h.label), ['4.1 KiB']);
  });
});
