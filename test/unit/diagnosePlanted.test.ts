// The diagnosis against a log with known answers (test/support/plantConversations.ts): every conversation written
// is known, noise included, so precision and recall are computed over the whole file, per verdict, and reported.
// A conversation counts as found only when a found conversation has exactly its lines and its verdict.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnoseResult, VERDICTS, diagnose } from '../../server/src/core/diagnose';
import { PlantedLog, plantConversations } from '../support/plantConversations';

interface Score {
  planted: number;
  found: number;
  matched: number;
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

async function evaluate(log: PlantedLog) {
  const result = await diagnose({ kind: 'text', text: log.text, name: 'planted.flowlog' }, { collectAll: true });
  const byLines = new Map<string, NonNullable<DiagnoseResult['all']>[number]>();
  for (const c of result.all!) byLines.set(c.records!.map((x) => x.line).join(','), c);
  const scores = Object.fromEntries(VERDICTS.map((v) => [v, { planted: 0, found: 0, matched: 0 }])) as Record<string, Score>;
  for (const c of result.all!) scores[c.verdict].found++;
  const misses: string[] = [];
  const wrongRoles: string[] = [];
  const guessedRoles: string[] = [];
  for (const p of log.conversations) {
    scores[p.verdict].planted++;
    const f = byLines.get([...p.lines].sort((a, b) => a - b).join(','));
    if (f && f.verdict === p.verdict) {
      scores[p.verdict].matched++;
      const same = f.client.address === p.client.address && f.client.port === p.client.port && f.server.address === p.server.address;
      // Same ports, same start, both accepted (a ping answered within the second): the log cannot tell who asked,
      // and the reading says the roles are a guess.
      if (f.roleBasis === 'rejections' || f.roleBasis === 'address-order') {
        guessedRoles.push(`${p.label}${same ? '' : ' (guessed wrong)'}`);
        assert.match(f.reading.summary, /the roles here are a guess/);
      } else if (!same) wrongRoles.push(`${p.label} lines ${p.lines}`);
    } else misses.push(`${p.label} (${p.verdict}) lines ${p.lines.join(',')}: ${f ? f.verdict : 'no conversation with exactly these lines'}`);
  }
  return { result, scores, misses, wrongRoles, guessedRoles };
}

function table(scores: Record<string, Score>): string {
  return VERDICTS.map((v) => {
    const s = scores[v];
    return `${v.padEnd(18)} planted ${String(s.planted).padStart(5)}  found ${String(s.found).padStart(5)}  precision ${ratio(s.matched, s.found).toFixed(3)}  recall ${ratio(s.matched, s.planted).toFixed(3)}`;
  }).join('\n');
}

describe('planted conversations, scans and gaps among noise', () => {
  for (const seed of [12, 99, 2024]) {
    it(`finds every planted conversation with its verdict and roles, and nothing else (seed ${seed})`, async (t) => {
      const log = plantConversations({ seed });
      const { scores, misses, wrongRoles, guessedRoles, result } = await evaluate(log);
      t.diagnostic(`seed ${seed}: ${log.conversations.length} conversations planted in ${result.input.records} records\n${table(scores)}`);
      const wrong = guessedRoles.filter((g) => g.endsWith('(guessed wrong)'));
      t.diagnostic(`roles the log cannot tell (ICMP answered within the second, both accepted): ${guessedRoles.length}, of which the guess is wrong: ${wrong.length ? wrong.join(', ') : 'none'}; their verdicts are right either way`);
      assert.deepEqual(misses, []);
      for (const v of VERDICTS) {
        assert.ok(scores[v].planted > 0, `${v} is planted`);
        assert.equal(ratio(scores[v].matched, scores[v].found), 1, `precision of ${v}`);
        assert.equal(ratio(scores[v].matched, scores[v].planted), 1, `recall of ${v}`);
      }
      assert.deepEqual(wrongRoles, [], 'the client and server of every planted conversation whose roles the log tells');
      assert.ok(guessedRoles.length < log.conversations.length / 50);
      assert.equal(result.join.lateRecords, 0);
      assert.deepEqual(result.warnings, []);
    });
  }

  it('finds the planted scans and brute force, and nothing in the noise', async (t) => {
    const log = plantConversations({ seed: 12 });
    const { result } = await evaluate(log);
    const key = (x: { kind?: string; source: string; host: string | null; port: number | null }) => `${x.kind ?? ''} ${x.source} ${x.host} ${x.port}`;
    const scans = result.scans.map(key).sort();
    const planted = log.scans.map(key).sort();
    t.diagnostic(`scans found: ${scans.join('; ')}`);
    assert.deepEqual(scans, planted, 'scans: precision and recall 1');
    const brute = result.bruteForce.map((b) => `${b.source} ${b.host} ${b.port}`).sort();
    assert.deepEqual(brute, log.bruteForce.map((b) => `${b.source} ${b.host} ${b.port}`).sort(), 'brute force: precision and recall 1');
    const portScan = result.scans.find((s) => s.kind === 'port-scan')!;
    assert.equal(portScan.distinct, 60);
    assert.ok(portScan.rejected / portScan.attempts > 0.9);
    const ssh = result.bruteForce.find((b) => b.port === 22)!;
    assert.deepEqual([ssh.connections, ssh.accepted, ssh.service], [45, 45, 'ssh']);
    const rdp = result.bruteForce.find((b) => b.port === 3389)!;
    assert.deepEqual([rdp.connections, rdp.rejected], [36, 36]);
  });

  it('finds the planted coverage gap, NODATA and SKIPDATA spans, and no others', async () => {
    const log = plantConversations({ seed: 12 });
    const { result } = await evaluate(log);
    const gaps = result.coverage.flatMap((c) => c.gaps.map((g) => ({ interfaceId: c.interfaceId, ...g })));
    assert.deepEqual(gaps, log.gaps);
    assert.deepEqual(result.coverage.flatMap((c) => c.nodata.map((g) => ({ interfaceId: c.interfaceId, ...g }))), log.nodata);
    assert.deepEqual(result.coverage.flatMap((c) => c.skipdata.map((g) => ({ interfaceId: c.interfaceId, ...g }))), log.skipdata);
  });

  it('shows what the rule says where it cannot know: NAT\'d halves, UDP without answers, ties', async (t) => {
    const log = plantConversations({ seed: 12 });
    const { result } = await evaluate(log);
    const find = (label: string) => {
      const p = log.conversations.find((c) => c.label === label)!;
      return result.all!.find((c) => c.records!.some((x) => x.line === p.lines[0]))!;
    };
    // A reply logged under a translated address never pairs: the request reads no-response, the reply one-way.
    const natRequest = find('nat request');
    const natReply = find('nat reply');
    t.diagnostic(`NAT'd request: ${natRequest.verdict}: ${natRequest.readingText}`);
    t.diagnostic(`NAT'd reply: ${natReply.verdict}: ${natReply.readingText}`);
    assert.equal(natRequest.verdict, 'no-response');
    assert.match(natRequest.reading.summary, /translated NAT address/);
    assert.equal(natReply.verdict, 'one-way');
    assert.equal(natReply.reading.certainty, 'cannot-tell');
    assert.match(natReply.reading.summary, /translated \(NAT\) address/);
    // UDP nobody answers: cannot tell whether it is broken.
    const syslog = find('one-way udp');
    t.diagnostic(`UDP one way: ${syslog.readingText}`);
    assert.equal(syslog.reading.certainty, 'cannot-tell');
    // An ICMP exchange where both directions were accepted: the earlier start is taken as the request.
    const ping = find('noise ping');
    t.diagnostic(`ICMP both accepted: roles by ${ping.roleBasis}: ${ping.readingText}`);
    assert.ok(['start', 'rejections', 'address-order'].includes(ping.roleBasis));
  });
});
