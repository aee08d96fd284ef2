import { execFileSync } from 'node:child_process';
// The language server over in-memory streams: initialize, diagnostics, status, hover, inlay hints, incremental
// changes, settings, code actions, limits and the query requests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancellationTokenSource, CodeActionRequest, DidChangeTextDocumentNotification, HoverRequest, InlayHintRequest, MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { generateLines } from '../support/generate';
import { PACED_MAX_ROWS } from '../../server/src/handlers/pacedRows';
import { CheckQueryRequest, QUERY_SYNTAX_ERROR, QueryRequest, QueryRowsBatch, QueryRowsProgress, SummaryRequest, SummarySectionProgress, SummarySectionWire } from '../../server/src/protocol';
import { CodeLensRequest } from 'vscode-languageserver-protocol/node';
import { rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { computeSummary } from '../../server/src/core/summary';
import { TestClient, inMemoryServer, ownProblems } from './harness';

const GOOD = '2 1251762227 eni-lq6mkcis 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const REJECT = '2 1251762227 eni-lq6mkcis 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const BAD_PORT = GOOD.replace(' 22 ', ' 65536 ');
const LOWER = GOOD.replace('ACCEPT', 'accept');

let client: TestClient;
let uriCount = 0;
const newUri = () => `file:///tmp/doc${++uriCount}.flowlog`;

before(async () => {
  client = inMemoryServer();
});

after(() => client.dispose());

describe('language server', () => {
  it('initializes with incremental sync, hover, inlay hints and code actions', async () => {
    const result = await client.initialize();
    assert.equal(result.capabilities.textDocumentSync, 2);
    assert.equal(result.capabilities.hoverProvider, true);
    assert.equal(result.capabilities.inlayHintProvider, true);
    assert.ok(result.capabilities.codeActionProvider);
  });

  it('publishes diagnostics on the exact field, and the status counts', async () => {
    const uri = newUri();
    const diags = await client.open(uri, [GOOD, BAD_PORT, REJECT, LOWER].join('\n'));
    const port = diags.diagnostics.find((d) => d.code === 'port-range')!;
    assert.deepEqual(port.range, { start: { line: 1, character: BAD_PORT.indexOf('65536') }, end: { line: 1, character: BAD_PORT.indexOf('65536') + 5 } });
    assert.equal(port.message, 'dstport 65536 is out of range 0–65535');
    assert.equal(port.source, 'flowlog');
    assert.deepEqual(ownProblems(diags.diagnostics).map((d) => [d.range.start.line, d.code]), [[1, 'port-range'], [3, 'action']]);
    const status = await client.statusNumber(uri, 1);
    assert.deepEqual({ ...status, uri: undefined }, { uri: undefined, records: 4, rejects: 1, problems: 2, errors: 2 });
  });

  it('hover decodes the field and reads the record', async () => {
    const uri = newUri();
    await client.open(uri, GOOD);
    const hoverAt = async (needle: string) => {
      const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: GOOD.indexOf(needle) + 1 } });
      // Readings are escaped Markdown (their values come from the file): compare the text they render as.
      return (h!.contents as MarkupContent).value.replace(/\\([!-/:-@[-`{-~])/g, '$1');
    };
    const proto = await hoverAt(' 6 ');
    assert.match(proto, /\*\*protocol\*\*/);
    assert.match(proto, /`6` → TCP/);
    assert.ok(proto.includes('TCP 172.31.16.139:20641 → 172.31.16.21:22 (ssh) · 20 packets, 4.1 KiB · 60 s window 2014-12-14 04:06:50–04:07:50 UTC · ACCEPT'));
    assert.match(await hoverAt(' 22 '), /`22` → ssh/);
    assert.match(await hoverAt('1418530010'), /2014-12-14 04:06:50 UTC/);
    assert.match(await hoverAt('172.31.16.139'), /private \(RFC 1918/);
  });

  it('inlay hints, and settings that switch them off or change the time zone', async () => {
    const uri = newUri();
    await client.open(uri, GOOD);
    const hints = async () => (await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } } }))!.map((h) => h.label);
    assert.deepEqual(await hints(), ['ssh', 'TCP', '2014-12-14 04:06:50Z', '2014-12-14 04:07:50Z']);
    await client.configure({ inlayHints: { protocol: false, timestamps: false } }, uri);
    assert.deepEqual(await hints(), ['ssh']);
    await client.configure({ timeZone: 'local', inlayHints: { ports: false } }, uri);
    const labels = await hints();
    assert.equal(labels[0], 'TCP');
    assert.ok(!labels.includes('ssh'));
    assert.ok(labels.slice(1).every((l) => typeof l === 'string' && !l.endsWith('Z') && /[+-]\d\d:\d\d$/.test(l)), `local times: ${labels}`);
    await client.configure({}, uri);
  });

  it('an incremental change that fixes a line, and one that breaks another', async () => {
    const uri = newUri();
    await client.open(uri, [BAD_PORT, GOOD].join('\n'));
    const col = BAD_PORT.indexOf('65536');
    let n = client.diagnosticsCount(uri) + 1;
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: col }, end: { line: 0, character: col + 5 } }, text: '22' }],
    });
    assert.deepEqual(ownProblems((await client.diagnosticsNumber(uri, n)).diagnostics), []);
    n = client.diagnosticsCount(uri) + 1;
    const a = GOOD.indexOf('ACCEPT');
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 1, character: a }, end: { line: 1, character: a + 6 } }, text: 'DROP' }],
    });
    const after = await client.diagnosticsNumber(uri, n);
    assert.deepEqual(ownProblems(after.diagnostics).map((d) => [d.range.start.line, d.code]), [[1, 'action']]);
  });

  it('editing the header line rebinds the records below it', async () => {
    const uri = newUri();
    const diags = await client.open(uri, 'srcaddr dstaddr action\n10.0.0.1 10.0.0.2 ACCEPT\n10.0.0.1 10.0.0.2 REJECT');
    assert.deepEqual(diags.diagnostics, []);
    const n = client.diagnosticsCount(uri) + 1;
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 22 }, end: { line: 0, character: 22 } }, text: ' dstport' }],
    });
    const after = await client.diagnosticsNumber(uri, n);
    assert.deepEqual(after.diagnostics.map((d) => [d.range.start.line, d.code]), [[1, 'field-count'], [2, 'field-count']]);
  });

  it('code actions: quick fixes and the default header line', async () => {
    const uri = newUri();
    const spaced = GOOD.replace(' 172.31.16.21', '   172.31.16.21');
    const diags = await client.open(uri, [LOWER, spaced].join('\n'));
    const actionsFor = (line: number, diagnostics = diags.diagnostics.filter((d) => d.range.start.line === line)) =>
      client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: { line, character: 0 }, end: { line, character: 0 } }, context: { diagnostics } });
    const first = (await actionsFor(0))!;
    const fix = first.find((a) => 'title' in a && a.title === 'Change to ACCEPT') as { edit: { changes: Record<string, { newText: string }[]> } };
    assert.equal(fix.edit.changes[uri][0].newText, 'ACCEPT');
    const header = first.find((a) => 'title' in a && a.title === 'Insert the default header line') as { edit: { changes: Record<string, { newText: string; range: { start: { line: number } } }[]> } };
    assert.ok(header.edit.changes[uri][0].newText.startsWith('version account-id interface-id'));
    const second = (await actionsFor(1))!;
    assert.ok(second.some((a) => 'title' in a && a.title === 'Replace with a single space'));
  });

  it('at most maxProblems diagnostics, then one that counts the rest', async () => {
    const uri = newUri();
    assert.equal((await client.open(uri, Array(30).fill(BAD_PORT).join('\n'))).diagnostics.length, 30);
    await client.configure({ maxProblems: 10 }, uri);
    const n = client.diagnosticsCount(uri);
    const diags = await client.diagnosticsNumber(uri, n);
    assert.equal(diags.diagnostics.length, 11);
    const last = diags.diagnostics[10];
    assert.equal(last.code, 'too-many-problems');
    assert.match(String(last.message), /^20 more problems/);
    await client.configure({}, uri);
  });
});

describe('query requests', () => {
  it('flowlog/query runs on an open document, with readings', async () => {
    const uri = newUri();
    await client.open(uri, [GOOD, REJECT].join('\n'));
    const r = await client.connection.sendRequest(QueryRequest, { uri, query: 'action:REJECT', withReadings: true });
    assert.equal(r.kind, 'search');
    assert.equal(r.stats.matched, 1);
    assert.equal(r.rows[0][r.columns.indexOf('line')], 2);
    assert.match(r.readings![0], /^TCP 172\.31\.9\.69:49761 → 172\.31\.9\.12:3389 \(rdp\)/);
    const sql = await client.connection.sendRequest(QueryRequest, { uri, query: '* | select action, count(*) as n group by action order by action' });
    assert.deepEqual(sql.rows, [['ACCEPT', 1], ['REJECT', 1]]);
  });

  it('flowlog/query answers a syntax error with its position', async () => {
    const uri = newUri();
    await client.open(uri, GOOD);
    await assert.rejects(client.connection.sendRequest(QueryRequest, { uri, query: 'dstprot:22' }), (e: { code: number; data: { line: number; column: number; formatted: string } }) => {
      assert.equal(e.code, QUERY_SYNTAX_ERROR);
      assert.deepEqual([e.data.line, e.data.column], [1, 1]);
      assert.match(e.data.formatted, /did you mean dstport/);
      return true;
    });
    assert.equal(await client.connection.sendRequest(CheckQueryRequest, { query: 'action:REJECT | select count(*)' }), null);
    const problem = await client.connection.sendRequest(CheckQueryRequest, { query: '* | select count(*' });
    assert.equal(problem?.column, 19); // the end of the query: a ) was expected
  });

  it('flowlog/query can be cancelled', async () => {
    const uri = newUri();
    await client.open(uri, Array(200_000).fill(GOOD).join('\n'));
    const source = new CancellationTokenSource();
    const running = client.connection.sendRequest(QueryRequest, { uri, query: '* | select srcaddr, count(*) group by srcaddr' }, source.token);
    source.cancel();
    await assert.rejects(running);
  });
});

describe('panel requests', () => {
  it('a search streams its rows as partial results and the response holds only the rest: together, the whole result', async () => {
    const uri = newUri();
    const lines = Array.from({ length: 120_000 }, (_, i) => (i % 3 === 0 ? REJECT : GOOD));
    await client.open(uri, lines.join('\n'));
    const batches: QueryRowsBatch[] = [];
    const token = 'rows-1';
    const sub = client.connection.onProgress(QueryRowsProgress, token, (b) => {
      batches.push(b);
    });
    const r = await client.connection.sendRequest(QueryRequest, { uri, query: 'action:REJECT', limit: 30_000, partialResultToken: token });
    sub.dispose();
    assert.ok(batches.length > 1, `rows came in ${batches.length} batch(es)`);
    assert.ok(batches.every((b) => b.rows.length <= PACED_MAX_ROWS), `paced: at most ${PACED_MAX_ROWS} rows a message`);
    const streamed = batches.flatMap((b) => b.rows);
    assert.ok(streamed.length > 0);
    assert.equal(r.streamedRows, streamed.length, 'the response says how many rows it does not repeat');
    // Without a token, the same query answers every row in the response: the batches, then the rest, are those rows.
    const whole = await client.connection.sendRequest(QueryRequest, { uri, query: 'action:REJECT', limit: 30_000 });
    assert.equal(whole.streamedRows, undefined);
    assert.equal(whole.rows.length, 30_000);
    assert.deepEqual([...streamed, ...r.rows], whole.rows);
    assert.deepEqual(batches[0].columns, r.columns);
    assert.equal(r.stats.matched, 40_000);
  });

  it('flowlog/summary of an open document, and of a file on disk that is not open', async () => {
    const text = [GOOD, REJECT, REJECT.replace('172.31.9.69', '10.9.9.9'), 'V1 1251762227 eni-lq6mkcis - - - - - - - 1431280876 1431280934 - NODATA'].join('\n');
    const uri = newUri();
    await client.open(uri, text);
    const open = await client.connection.sendRequest(SummaryRequest, { uri });
    const expected = await computeSummary({ kind: 'text', text, name: 'x' });
    assert.deepEqual(open.summary, JSON.parse(JSON.stringify(expected)));
    assert.equal(open.summary.records, 4);
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-lsp-'));
    const file = join(dir, 'disk.flowlog');
    writeFileSync(file, text + '\n');
    const disk = await client.connection.sendRequest(SummaryRequest, { uri: pathToFileURL(file).toString() });
    assert.deepEqual(disk.summary.sections, open.summary.sections);
    assert.equal(disk.summary.sections.topRejectedPorts.rows[0][0], 3389);
  });

  it('flowlog/summary sends each section as soon as it is final, before the whole summary; they equal its sections', async () => {
    const text = [...generateLines({ records: 5000, seed: 4 })].join('\n');
    const uri = newUri();
    await client.open(uri, text);
    const token = 'sections-1';
    const seen: SummarySectionWire[] = [];
    const sub = client.connection.onProgress(SummarySectionProgress, token, (s) => {
      seen.push(s);
    });
    const r = await client.connection.sendRequest(SummaryRequest, { uri, partialResultToken: token });
    sub.dispose();
    // (A slow machine may take long enough for sections as they stand to come first: those are the next test's.)
    const finals = seen.filter((s) => !s.partial);
    assert.deepEqual(finals.map((s) => s.section).sort(), Object.keys(r.summary.sections).sort());
    for (const s of finals) assert.deepEqual(s.table, r.summary.sections[s.section], s.section);
    // Sections with few groups come before the pairs, which have the most.
    const at = (name: string) => finals.findIndex((s) => s.section === name);
    assert.ok(at('totals') < at('topPairs') && at('protocols') < at('topPairs'));
  });

  it('flowlog/summary sends sections as they stand while it scans (partial, records growing), then the final ones, before its answer', async () => {
    const text = [...generateLines({ records: 60_000, seed: 8, header: true })].join('\n');
    const uri = newUri();
    await client.open(uri, text);
    const token = 'sections-partial';
    const seen: SummarySectionWire[] = [];
    const sub = client.connection.onProgress(SummarySectionProgress, token, (s) => {
      seen.push(s);
    });
    // A snapshot after every chunk (the default period is 3 s: longer than this summary takes).
    process.env.FLOWLOG_PARTIAL_MS = '0';
    let r;
    try {
      r = await client.connection.sendRequest(SummaryRequest, { uri, partialResultToken: token });
    } finally {
      delete process.env.FLOWLOG_PARTIAL_MS;
      sub.dispose();
    }
    const partial = seen.filter((s) => s.partial);
    const firstFinal = seen.findIndex((s) => !s.partial);
    assert.ok(partial.length > 0, 'sections as they stand came before the answer');
    assert.ok(firstFinal > 0 && seen.slice(firstFinal).every((s) => !s.partial), 'every partial section before the first final one');
    const totals = partial.filter((s) => s.section === 'totals');
    assert.ok(totals.length >= 2);
    assert.ok(totals[0].partial!.records < r.summary.records, 'the first partial totals count part of the records');
    assert.ok(totals[totals.length - 1].partial!.records > totals[0].partial!.records, 'records so far grow');
    assert.ok(totals.every((t) => t.table.rows[0][0] === t.partial!.records && t.partial!.fraction >= 0 && t.partial!.fraction <= 1));
    assert.ok(partial.filter((s) => s.section === 'topSources').every((s) => s.partial!.provisional), 'top lists so far are provisional');
    for (const s of seen.slice(firstFinal)) assert.deepEqual(s.table, r.summary.sections[s.section], s.section);
  });

  it('item 22 (issue 10): flowlog/query on a FIFO answers at once with a message instead of waiting for a writer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-fifo-'));
    const fifo = join(dir, 'pipe.flowlog');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(client.connection.sendRequest(QueryRequest, { uri: pathToFileURL(fifo).toString(), query: '*' }), /not a regular file/);
    await assert.rejects(client.connection.sendRequest(SummaryRequest, { uri: pathToFileURL(fifo).toString() }), /not a regular file/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the CodeLens on line 1 carries the counts and the two commands', async () => {
    const uri = newUri();
    await client.open(uri, [GOOD, REJECT, BAD_PORT].join('\n'));
    const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
    assert.deepEqual(lenses?.map((l) => [l.range.start.line, l.command?.title, l.command?.command]), [
      [0, '3 records · 1 rejected · 1 problem', 'flowlog.showSummary'],
      [0, 'Summary', 'flowlog.showSummary'],
      [0, 'Query', 'flowlog.openQueryPanel'],
    ]);
  });
});
