// The Diagnose section's figure → query mapping (client/webview/src/diagnoseQueries.ts), checked against the engine:
// each query selects exactly the records of its conversation (both directions), of a verdict's listed conversations,
// of a finding, of a coverage span. And the summary view's new messages are checked on arrival.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bruteForceQuery, conversationQuery, conversationsQuery, interfaceQuery, scanQuery, spanQuery } from '../../client/webview/src/diagnoseQueries';
import { parseFromSummaryView } from '../../client/webview/src/messages';
import { SummaryViewHost, routeSummaryViewMessage } from '../../client/src/panels/routers';
import { VERDICTS, diagnose } from '../../server/src/core/diagnose';
import { checkQuery, runQuery } from '../../server/src/core/query';
import { plantConversations } from '../support/plantConversations';

const SEED = [
  'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
  'V1 1251762227 eni-lq6mkcis 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
  'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432990000 1432990060 ACCEPT OK',
].join('\n');

async function lines(text: string, query: string): Promise<number[]> {
  const r = await runQuery({ kind: 'text', text, name: 'x.flowlog' }, query, { limit: 1_000_000 });
  const at = r.columns.indexOf('line');
  return r.rows.map((row) => row[at] as number).sort((a, b) => a - b);
}

describe('Diagnose figure → query', () => {
  it("the seed's conversation: its two lines, not the same pair an hour later", async () => {
    const result = await diagnose({ kind: 'text', text: SEED, name: 'seed.flowlog' });
    const c = result.conversations.find((x) => x.verdict === 'response-rejected')!;
    const q = conversationQuery(c);
    assert.equal(q, 'interface-id:eni-lq6mkcis AND protocol:1 AND start:[1432917027 TO 1432917142] AND ((srcaddr:203.0.113.12 AND srcport:0 AND dstaddr:172.31.16.139 AND dstport:0) OR (srcaddr:172.31.16.139 AND srcport:0 AND dstaddr:203.0.113.12 AND dstport:0))');
    assert.deepEqual(await lines(SEED, q), [1, 2]);
  });

  it('every conversation of a planted log: its query selects exactly its records; a verdict\'s figure, its listed ones', async () => {
    const log = plantConversations({ seed: 7, noise: 200 });
    const result = await diagnose({ kind: 'text', text: log.text, name: 'planted.flowlog' }, { collectAll: true, list: VERDICTS, limit: 5 });
    const all = result.all!;
    assert.ok(all.length > 200);
    // Every broken conversation, and a sample of the ok ones (the file's every conversation would take a while).
    const checked = [...all.filter((c) => c.verdict !== 'ok'), ...all.filter((c) => c.verdict === 'ok').slice(0, 40)];
    for (const c of checked) {
      const expected = c.records!.map((r) => r.line).sort((a, b) => a - b);
      assert.deepEqual(await lines(log.text, conversationQuery(c)), expected, `${c.verdict} ${c.interfaceId} ${c.client.address}:${c.client.port} → ${c.server.address}:${c.server.port}`);
    }
    const records = new Map(all.map((c) => [`${c.interfaceId} ${c.protocol} ${c.client.address} ${c.client.port} ${c.server.address} ${c.server.port} ${c.start}`, c.records!.map((r) => r.line)]));
    for (const v of VERDICTS) {
      const listed = result.conversations.filter((c) => c.verdict === v);
      const q = conversationsQuery(listed);
      if (listed.length === 0) {
        assert.equal(q, undefined);
        continue;
      }
      const expected = listed.flatMap((c) => records.get(`${c.interfaceId} ${c.protocol} ${c.client.address} ${c.client.port} ${c.server.address} ${c.server.port} ${c.start}`)!).sort((a, b) => a - b);
      assert.deepEqual(await lines(log.text, q!), expected, v);
    }
  });

  it('scans, brute force and coverage spans select their records', async () => {
    const log = plantConversations({ seed: 12, noise: 200 });
    const text = log.text;
    const result = await diagnose({ kind: 'text', text, name: 'planted.flowlog' });
    const rows = async (q: string) => {
      const r = await runQuery({ kind: 'text', text, name: 'x' }, q, { limit: 1_000_000 });
      return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
    };
    assert.ok(result.scans.length > 0 && result.bruteForce.length > 0);
    for (const f of result.scans) {
      const found = await rows(scanQuery(f));
      assert.ok(found.length >= f.attempts, `${f.kind} from ${f.source}: ${found.length} records ≥ ${f.attempts} attempts`);
      assert.ok(found.every((r) => r.srcaddr === f.source && (f.kind === 'port-scan' ? r.dstaddr === f.host : f.port === null || r.dstport === f.port)));
      if (f.kind === 'port-scan') assert.ok(new Set(found.map((r) => r.dstport)).size >= f.distinct);
      else assert.ok(new Set(found.map((r) => r.dstaddr)).size >= f.distinct);
      assert.ok(found.some((r) => r.line === f.evidence.line), 'the first attempt is among them');
    }
    for (const f of result.bruteForce) {
      const found = await rows(bruteForceQuery(f));
      assert.ok(new Set(found.map((r) => r.srcport)).size >= f.connections, `${f.source} → ${f.host}:${f.port}`);
      assert.ok(found.every((r) => r.srcaddr === f.source && r.dstaddr === f.host && r.dstport === f.port));
    }
    let gaps = 0;
    for (const c of result.coverage) {
      assert.ok((await rows(interfaceQuery(c.interfaceId))).length === c.records + c.nodataRecords + c.skipdataRecords);
      for (const s of c.timeline) {
        if (s.state === 'traffic') continue;
        const found = await rows(spanQuery(c.interfaceId, s));
        assert.ok(found.every((r) => r['interface-id'] === c.interfaceId));
        if (s.state === 'gap') {
          gaps++;
          // The records that bound the gap: one ends where it starts, one starts where it ends.
          assert.ok(found.some((r) => r.end === s.from) && found.some((r) => r.start === s.to), `gap ${s.from}–${s.to} of ${c.interfaceId}`);
        } else {
          const status = s.state === 'nodata' ? 'NODATA' : 'SKIPDATA';
          assert.ok(found.length > 0 && found.every((r) => r['log-status'] === status));
          const expected = (await rows(`${interfaceQuery(c.interfaceId)} AND log-status:${status}`)).filter((r) => (r.start as number) >= s.from && (r.end as number) <= s.to);
          assert.equal(found.length, expected.length);
        }
      }
    }
    assert.equal(gaps, log.gaps.length);
  });

  it('hostile values stay inside their quotes: the queries parse, whatever the interface id or address', () => {
    for (const interfaceId of ['eni-"x" OR *', 'eni-a b) OR (action:ACCEPT', 'eni-\\"', 'eni-\u202e\u001b[31m']) {
      const c = { interfaceId, protocol: 6, client: { address: '2001:db8::1', port: 40000 }, server: { address: '10.0.0.1', port: 22 }, start: 1, end: 2 };
      for (const q of [conversationQuery(c), interfaceQuery(interfaceId), spanQuery(interfaceId, { from: 1, to: 2, state: 'gap' })]) {
        assert.equal(checkQuery(q), undefined, q);
        assert.ok(!/\bOR \*/.test(q.replace(/"(?:[^"\\]|\\.)*"/g, '""')), q);
      }
    }
  });
});

describe('summary view messages of the Diagnose section', () => {
  it('openRecord is checked on arrival and routed to the host', () => {
    const calls: unknown[][] = [];
    const host: SummaryViewHost = {
      ready: () => calls.push(['ready']), refresh: () => calls.push(['refresh']), openQuery: (q) => calls.push(['openQuery', q]),
      openRecord: (file, line) => calls.push(['openRecord', file, line]), rejected: (raw) => calls.push(['rejected', raw]),
      diagnoseSpans: (id, spansKey, interfaceId) => calls.push(['diagnoseSpans', id, spansKey, interfaceId]),
      diagnoseBars: (id, spansKey, interfaceIds) => calls.push(['diagnoseBars', id, spansKey, interfaceIds]),
    };
    routeSummaryViewMessage({ type: 'openRecord', file: '/logs/seed.flowlog', line: 2 }, host);
    for (const bad of [{ type: 'openRecord', file: '', line: 2 }, { type: 'openRecord', file: '/x', line: 0 }, { type: 'openRecord', file: '/x', line: 1.5 }, { type: 'openRecord', line: 3 }, { type: 'openRecord', file: 7, line: 3 }]) {
      assert.equal(parseFromSummaryView(bad), undefined);
      routeSummaryViewMessage(bad, host);
    }
    assert.deepEqual(calls[0], ['openRecord', '/logs/seed.flowlog', 2]);
    assert.equal(calls.length, 6);
    assert.ok(calls.slice(1).every((c) => c[0] === 'rejected'));
  });

  it('diagnoseSpans (a span list opened) and diagnoseBars (more interfaces shown) are checked on arrival', () => {
    const calls: unknown[][] = [];
    const host: SummaryViewHost = {
      ready: () => calls.push(['ready']), refresh: () => calls.push(['refresh']), openQuery: (q) => calls.push(['openQuery', q]),
      openRecord: (file, line) => calls.push(['openRecord', file, line]), rejected: (raw) => calls.push(['rejected', raw]),
      diagnoseSpans: (id, spansKey, interfaceId) => calls.push(['diagnoseSpans', id, spansKey, interfaceId]),
      diagnoseBars: (id, spansKey, interfaceIds) => calls.push(['diagnoseBars', id, spansKey, interfaceIds]),
    };
    routeSummaryViewMessage({ type: 'diagnoseSpans', id: 4, spansKey: 'd1', interfaceId: 'eni-"x" OR *' }, host);
    for (const bad of [{ type: 'diagnoseSpans', id: 1.5, spansKey: 'd1', interfaceId: 'eni-a' }, { type: 'diagnoseSpans', id: 1, spansKey: '', interfaceId: 'eni-a' }, { type: 'diagnoseSpans', id: 1, spansKey: 'd1' }, { type: 'diagnoseSpans', id: 1, spansKey: 'd1', interfaceId: 5 }]) {
      assert.equal(parseFromSummaryView(bad), undefined);
      routeSummaryViewMessage(bad, host);
    }
    routeSummaryViewMessage({ type: 'diagnoseBars', id: 5, spansKey: 'd1', interfaceIds: ['eni-a', 'eni-\u202e'] }, host);
    for (const bad of [{ type: 'diagnoseBars', id: 5, spansKey: 'd1', interfaceIds: 'eni-a' }, { type: 'diagnoseBars', id: 5, spansKey: 'd1', interfaceIds: [3] }, { type: 'diagnoseBars', id: 5, spansKey: 'd1', interfaceIds: Array(1001).fill('x') }]) {
      assert.equal(parseFromSummaryView(bad), undefined);
      routeSummaryViewMessage(bad, host);
    }
    assert.deepEqual(calls[0], ['diagnoseSpans', 4, 'd1', 'eni-"x" OR *']);
    assert.deepEqual(calls[5], ['diagnoseBars', 5, 'd1', ['eni-a', 'eni-\u202e']]);
    assert.equal(calls.length, 9);
    assert.ok(calls.slice(1, 5).every((c) => c[0] === 'rejected') && calls.slice(6).every((c) => c[0] === 'rejected'));
  });
});
