// Files with another extension are recognised by their first line, without claiming other logs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { firstLinePattern, isFlowLogFirstLine } from '../../server/src/core/firstLine';

const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8'));
const pattern = new RegExp(pkg.contributes.languages[0].firstLine);

describe('firstLine recognition', () => {
  it('package.json holds the schema-derived pattern (npx tsx scripts/sync-first-line.ts)', () => {
    assert.equal(pkg.contributes.languages[0].firstLine, firstLinePattern());
  });

  it('claims flow log headers and records', () => {
    for (const line of [
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
      'account-id bytes dstaddr dstport end instance-id packets pkt-dstaddr pkt-srcaddr protocol srcaddr srcport start subnet-id tcp-flags type version vpc-id',
      'instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr',
      '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
      'V1 1251762227 eni-lq6mkcis - - - - - - - 1431280876 1431280934 - NODATA',
      '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK\r',
      '\ufeff2 unknown eni-0608192d5c498fbcd - - - - - - - 1538696170 1538696308 - NODATA',
    ]) assert.ok(pattern.test(line), line);
  });

  it('leaves other logs alone', () => {
    for (const line of [
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
      'Nov 24 19:56:50 host sshd[123]: Accepted publickey for root from 10.0.0.1 port 22 ssh2',
      '2026-11-24T19:56:50.123Z INFO start end of stream',
      'start end action',
      'version 2 of the protocol',
      '{"version":2,"account_id":"424805057484","interface_id":"eni-0f06a40fc9be596f6"}',
      '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPTED OK',
      '# just a comment',
      '',
    ]) assert.ok(!pattern.test(line), line);
  });

  it('claims JSON, CSV and CloudWatch deliveries by their first line, never other JSON or CSV', () => {
    const cls = '{"__TIMESTAMP__":1705312931000,"version":2,"account_id":"123456789010","interface_id":"eni-00fb8673","srcaddr":"10.0.5.4","dstaddr":"172.31.11.180","srcport":443,"dstport":35492,"protocol":6,"packets":63,"bytes":73080,"start":1705312862,"end":1705312922,"action":"REJECT","log_status":"OK"}';
    for (const line of [
      cls,
      '{"version":2,"account_id":"424805057484","interface_id":"eni-0f06a40fc9be596f6","srcaddr":"10.0.0.1"}',
      '{"message":"2 428961148399 eni-0e0bf7be352692297 - - - - - - - 1671029698 1671029728 - NODATA"}',
      'version,account-id,interface-id,srcaddr,dstaddr,srcport,dstport,protocol,packets,bytes,start,end,action,log-status',
      '"version"|"account_id"|"interface_id"|"srcaddr"',
      '2\t123456789010\teni-5522e53a50ae8dae1\t10.0.1.100\t172.31.33.227\t123\t20502\t17\t77\t102256\t1705312819\t1705312879\tACCEPT\tOK',
      '2024-01-15T10:01:02.000Z 2 123456789010 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 22 6 1 40 1705312862 1705312922 ACCEPT OK',
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    ]) assert.ok(isFlowLogFirstLine(line), line);
    for (const line of [
      '{"name":"vpc-flowlogs","version":"0.1.0","description":"x","publisher":"y"}',
      '{"compilerOptions":{"target":"es2022"}}',
      '[{"version":2}]',
      'id,name,email,created',
      'version,name,start,end',
      '2026-11-24T19:56:50.123Z INFO start end of stream',
      '{"version":2,"account_id":"1" ',
      '{"version":2,"account_id":"424805057484","interface_id":"eni-0f06a40fc9be596f6"}', // three names: could be anything
    ]) assert.ok(!isFlowLogFirstLine(line), line);
  });
});
