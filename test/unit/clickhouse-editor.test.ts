// The pure pieces of the editor's ClickHouse side: the source URI of a table, credentials sealed for the language
// server, their SecretStorage key, the load report and the Copy Query As… choices.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH } from 'node:crypto';
import { URI } from 'vscode-uri';
import { clickhouseTargetLabel, clickhouseTargetOf, clickhouseTargetUri, clickhouseUrlProblem } from '../../server/src/clickhouseTarget';
import { CredentialOpener, sealCredentials } from '../../server/src/sealedCredentials';
import { credentialKey, parseStoredCredentials } from '../../client/src/clickhouse/credentialKey';
import { loadReportText, loadSummary } from '../../client/src/clickhouse/loadReport';
import { DIALECT_CHOICES, clipboardText } from '../../client/src/clickhouse/dialects';
import { DIALECTS } from '../../server/src/core/translate';
import type { ClickHouseLoadResultWire } from '../../server/src/protocol';

describe('the source URI of a ClickHouse table', () => {
  const cases = [
    { url: 'http://127.0.0.1:8123', table: 'flows' },
    { url: 'https://ch.example.com:8443/?database=logs', table: 'logs.flows' },
    { url: 'http://[::1]:8123/some/path?database=a&x=%20y', table: 'flows_dist' },
  ];

  it('names the table and server, and survives VS Code\'s parse and print of the URI', () => {
    for (const target of cases) {
      const uri = clickhouseTargetUri(target);
      assert.match(uri, /^flowlog-clickhouse:/);
      assert.deepEqual(clickhouseTargetOf(uri), target);
      // The panels keep it as vscode.Uri (the same code as vscode-uri) and in their state as its string.
      const again = URI.parse(uri).toString();
      assert.deepEqual(clickhouseTargetOf(again), target);
      assert.equal(URI.parse(again).toString(), again);
    }
  });

  it('is not taken for any other URI', () => {
    for (const other of ['file:///logs/flows', 'flowlog-decoded:/logs/x.log.gz', 'untitled:Untitled-1', 'flowlog-clickhouse:/bad name?http://h:1', 'flowlog-clickhouse:/flows?ftp://h']) {
      assert.equal(clickhouseTargetOf(other), undefined, other);
    }
  });

  it('refuses a URL with credentials in it, or another scheme, or a bad table name', () => {
    assert.match(clickhouseUrlProblem('http://user:secret@h:8123')!, /must not carry a user or password/);
    assert.match(clickhouseUrlProblem('http://h:8123/?password=x')!, /must not carry/);
    assert.match(clickhouseUrlProblem('ftp://h')!, /http:\/\/ or https:\/\//);
    assert.match(clickhouseUrlProblem('not a url')!, /is not a URL/);
    assert.throws(() => clickhouseTargetUri({ url: 'http://u:p@h:1', table: 'flows' }), /must not carry/);
    assert.throws(() => clickhouseTargetUri({ url: 'http://h:1', table: 'flows; DROP TABLE x' }), /is not a table name/);
  });

  it('labels a table by its server', () => {
    assert.equal(clickhouseTargetLabel(cases[0]), 'flows @ 127.0.0.1:8123');
    assert.equal(clickhouseTargetLabel(cases[1]), 'logs.flows @ https://ch.example.com:8443?database=logs');
  });
});

describe('credentials sealed for the language server', () => {
  const credentials = { user: 'analyst', password: 'p@ss w0rd\'"\\ é' };

  it('open to what was sealed, and the sealed form shows neither user nor password', () => {
    const server = new CredentialOpener();
    const sealed = sealCredentials(credentials, server.publicKey);
    assert.deepEqual(server.open(sealed), credentials);
    const wire = JSON.stringify(sealed);
    for (const part of ['analyst', 'p@ss', 'w0rd', Buffer.from('p@ss').toString('base64').slice(0, 4)]) assert.ok(!wire.includes(part), part);
    // A fresh key pair and nonce every time: the same credentials never seal to the same text.
    assert.notEqual(JSON.stringify(sealCredentials(credentials, server.publicKey)), wire);
  });

  it('sealed for another server (an earlier language server) they do not open, and the error names no part of them', () => {
    const sealed = sealCredentials(credentials, createECDH('prime256v1').generateKeys().toString('base64'));
    assert.throws(() => new CredentialOpener().open(sealed), (e: Error) => /could not be opened/.test(e.message) && !e.message.includes('analyst'));
  });

  it('a changed ciphertext, nonce or tag does not open', () => {
    const server = new CredentialOpener();
    const sealed = sealCredentials(credentials, server.publicKey);
    const flip = (b64: string) => {
      const b = Buffer.from(b64, 'base64');
      b[0] ^= 1;
      return b.toString('base64');
    };
    for (const key of ['data', 'iv', 'tag', 'publicKey'] as const) assert.throws(() => server.open({ ...sealed, [key]: flip(sealed[key]) }), /could not be opened/, key);
    assert.throws(() => server.open({ ...sealed, data: 'not base64 at all!' }), /could not be opened/);
  });

  it('are kept per server in SecretStorage, and a damaged entry is no credentials', () => {
    assert.equal(credentialKey('http://127.0.0.1:8123/?database=x'), 'flowlog.clickhouse.credentials:http://127.0.0.1:8123');
    assert.equal(credentialKey('https://CH.example.com'), 'flowlog.clickhouse.credentials:https://ch.example.com');
    assert.notEqual(credentialKey('http://h:8123'), credentialKey('https://h:8123'));
    assert.deepEqual(parseStoredCredentials(JSON.stringify(credentials)), credentials);
    for (const bad of [undefined, '', '{', '{"user":"a"}', '[1]', 'null']) assert.equal(parseStoredCredentials(bad), undefined, String(bad));
  });
});

describe('the report of a load into ClickHouse', () => {
  const report: ClickHouseLoadResultWire = {
    table: 'flows', created: true, records: 4_000, malformed: 102, elapsedMs: 1_234,
    files: [
      { file: '/logs/a.flowlog', status: 'loaded', records: 3_000, malformed: 2, malformedLines: [{ line: 11, message: 'srcaddr: not an IP address' }, { line: 40, message: 'too few fields \x1b[31m' }], alreadyPresent: 0, resumedAfter: 0 },
      { file: '/logs/b.flowlog', status: 'resumed', records: 1_000, malformed: 100, malformedLines: [{ line: 5, message: 'x' }], alreadyPresent: 3, resumedAfter: 2_000 },
      { file: '/logs/c.flowlog', status: 'already loaded', records: 0, malformed: 0, malformedLines: [], alreadyPresent: 0, resumedAfter: 0 },
      { file: '/logs/\x1b]0;evil\x07d.flowlog', status: 'failed', records: 0, malformed: 0, malformedLines: [], alreadyPresent: 0, resumedAfter: 0, error: 'table flows has no column vpc_id' },
    ],
  };

  it('says in one line what was loaded, skipped and failed', () => {
    assert.equal(loadSummary(report), 'Loaded 4,000 records into flows (created) from 2 files; 1 file already loaded; 102 malformed lines skipped; 1 file failed.');
    assert.equal(loadSummary({ ...report, created: false, malformed: 0, files: [report.files[0]] }), 'Loaded 4,000 records into flows from 1 file.');
  });

  it('lists every file, each malformed line with its number, and escapes control characters', () => {
    const text = loadReportText(report, 'http://127.0.0.1:8123');
    assert.match(text, /^Load into flows at http:\/\/127\.0\.0\.1:8123 \(1\.2 s\)/);
    assert.match(text, /\n {4}line 11: srcaddr: not an IP address\n/);
    assert.match(text, /resumed after line 2,000, 3 records found loaded already/);
    assert.match(text, /\n {4}… and 99 more malformed lines/);
    assert.match(text, /c\.flowlog: already loaded, skipped/);
    assert.match(text, /failed: table flows has no column vpc_id/);
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(text), 'a control character reached the report');
  });
});

describe('Copy Query As… choices', () => {
  it('offer every dialect the translators know, once', () => {
    assert.deepEqual(DIALECT_CHOICES.map((c) => c.dialect).sort(), [...DIALECTS].sort());
  });

  it('end SQL with a semicolon, as flowlog translate prints it, and leave CLS and Logs Insights as they are', () => {
    assert.equal(clipboardText('athena', 'SELECT 1'), 'SELECT 1;');
    assert.equal(clipboardText('clickhouse', 'SELECT 1'), 'SELECT 1;');
    assert.equal(clipboardText('cwli', 'filter action = "REJECT"'), 'filter action = "REJECT"');
    assert.equal(clipboardText('cls', 'action:REJECT'), 'action:REJECT');
  });
});
