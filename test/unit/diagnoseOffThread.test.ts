// The diagnosis and the conversations query off the language server's main thread (issue 14: core/threads/offThread.ts
// and the handlers' jobs): run on the job host thread of the bundle (dist/server.js; npm test builds it first), they
// give what the core functions give here, on a text source and on a file of 16 MB or more (read by the host's own
// workers, and spilled); a cancelled job stops, leaves no spill file and the same thread takes the next job; errors
// (a query's at its position, a file that is not there) arrive as the core gives them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { diagnose, VERDICTS } from '../../server/src/core/diagnose';
import { checkConversationQuery, runConversationQuery } from '../../server/src/core/diagnose/conversationQuery';
import { QueryError } from '../../server/src/core/query';
import { jobHostThreadId, jobsRunOffThread, runOffThread, stopJobHost } from '../../server/src/core/threads/offThread';
import { DiagnoseJob, diagnoseOffThread, toDiagnoseWire, toDiagnosis } from '../../server/src/handlers/diagnose';
import { CONVERSATION_QUERY_JOB, ConversationQueryJob } from '../../server/src/handlers/conversationQuery';
import { documentLine } from '../../server/src/handlers/source';
import type { DiagnoseResultWire, QueryResultWire } from '../../server/src/protocol';
import { plantConversations } from '../support/plantConversations';
import { savedEnv } from '../support/env';

const BUNDLE = resolve(__dirname, '../../dist/server.js');
const QUERIES = [
  'NOT verdict:ok | select verdict, service, count(*) as n group by 1, 2 order by n desc limit 20',
  'verdict:response-rejected',
  'select interface_id, client_address, request_records order by request_records desc, interface_id, client_address limit 50',
];

let dir: string;
let privateTmp: string;
let big: string;
let planted: string;
const restoreEnv = savedEnv('FLOWLOG_WORKER_SCRIPT', 'FLOWLOG_DIAGNOSE_THREADS', 'TMPDIR');

/** Without the time it took, which differs between any two runs. */
function withoutTime<T extends { elapsedMs?: number; stats?: { elapsedMs: number } }>(r: T): T {
  const copy = structuredClone(r);
  delete copy.elapsedMs;
  if (copy.stats) copy.stats.elapsedMs = 0;
  return copy;
}

before(async () => {
  assert.ok(existsSync(BUNDLE), 'npm test builds dist/server.js first (the job host runs the bundle)');
  await stopJobHost();
  dir = mkdtempSync(join(tmpdir(), 'flowlog-offthread-'));
  // The host's temporary folder (where jobs spill): one this test can watch.
  privateTmp = join(dir, 'tmp');
  mkdirSync(privateTmp);
  process.env.FLOWLOG_WORKER_SCRIPT = BUNDLE;
  // Two threads: the host joins and one worker of its own reads (a file of 16 MB or more).
  process.env.FLOWLOG_DIAGNOSE_THREADS = '2';
  process.env.TMPDIR = privateTmp;
  planted = join(dir, 'planted.flowlog');
  writeFileSync(planted, plantConversations({ seed: 7 }).text);
  // 250,000 requests at the same time, each its own conversation (every one open at once: the join spills past its
  // 150,000), a third of them answered and rejected: about 30 MB.
  big = join(dir, 'big.flowlog');
  const lines: string[] = [];
  for (let i = 0; i < 250_000; i++) {
    const client = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const port = 1024 + (i % 50_000);
    lines.push(`2 123456789012 eni-0a1b2c3d ${client} 172.31.0.${i % 7} ${port} 443 6 1 40 1700000000 1700000060 ACCEPT OK`);
    if (i % 3 === 0) lines.push(`2 123456789012 eni-0a1b2c3d 172.31.0.${i % 7} ${client} 443 ${port} 6 1 40 1700000001 1700000061 REJECT OK`);
  }
  writeFileSync(big, lines.join('\n') + '\n');
});

after(async () => {
  await stopJobHost();
  restoreEnv();
  rmSync(dir, { recursive: true, force: true });
});

describe('jobs on the job host thread', () => {
  it('the diagnose job gives what the core gives here: a document text with its line map, a planted log, 16 MB that spill', async () => {
    assert.ok(jobsRunOffThread());
    const text = plantConversations({ seed: 3 }).text;
    // A document whose engine line n is the editor's line n + 1 (as a JSON document's made-up header moves them).
    const lines = Int32Array.from({ length: text.split('\n').length }, (_, k) => k + 2);
    const cases: DiagnoseJob[] = [
      { source: { kind: 'text', text, name: '/tmp/doc.flowlog' }, lines },
      { source: { kind: 'files', paths: [planted] }, limit: 5 },
      { source: { kind: 'files', paths: [big] } },
    ];
    let interfaces = 0;
    for (const job of cases) {
      const { wire: off, spans } = await diagnoseOffThread(job);
      const here = toDiagnosis(await diagnose(job.source, { list: VERDICTS, limit: job.limit }), documentLine(job.lines));
      assert.ok(off.totals.conversations > 0);
      assert.deepEqual(withoutTime(off), withoutTime(here.wire));
      // The listed interfaces' spans come as typed arrays, equal to those made here.
      assert.ok(spans.times instanceof Float64Array && spans.states instanceof Uint8Array);
      assert.deepEqual(spans, here.spans);
      interfaces = Math.max(interfaces, off.coverage.length);
    }
    assert.ok(interfaces > 8, 'several interfaces came back');
    // The 16 MB file spilled (its join's warning-free result above is the spilled one: the counts say so).
    const { wire: bigResult } = await diagnoseOffThread({ source: { kind: 'files', paths: [big] } });
    assert.equal(bigResult.verdicts['response-rejected'], Math.ceil(250_000 / 3));
    assert.equal(bigResult.verdicts['no-response'], 250_000 - Math.ceil(250_000 / 3));
    assert.ok(typeof jobHostThreadId() === 'number', 'a host thread ran the jobs');
    assert.deepEqual(readdirSync(privateTmp), [], 'no spill folder left');
  });

  it('the conversations query job gives what runConversationQuery gives here, with the document lines', async () => {
    for (const query of QUERIES) {
      for (const source of [{ kind: 'files' as const, paths: [planted] }, { kind: 'files' as const, paths: [big] }]) {
        const job: ConversationQueryJob = { source, query, limit: 1000 };
        const off = await runOffThread<QueryResultWire>(CONVERSATION_QUERY_JOB, job);
        const here = await runConversationQuery(source, query, { limit: 1000 });
        assert.deepEqual(off.columns, here.columns);
        assert.deepEqual(off.rows, here.rows, query);
        assert.deepEqual(
          { ...off.stats, elapsedMs: 0 },
          { records: here.stats.inputRecords, conversations: here.stats.records, matched: here.stats.matched, malformed: here.stats.malformed, bytes: here.stats.bytes, elapsedMs: 0, ...(here.stats.warnings.length ? { warnings: here.stats.warnings } : {}) },
        );
      }
    }
    // request_line as the editor's line (a line map one down).
    const text = plantConversations({ seed: 3 }).text;
    const lines = Int32Array.from({ length: text.split('\n').length }, (_, k) => k + 2);
    const query = 'select request_line order by request_line limit 3';
    const off = await runOffThread<QueryResultWire>(CONVERSATION_QUERY_JOB, { source: { kind: 'text', text, name: 'doc' }, query, lines } satisfies ConversationQueryJob);
    const here = await runConversationQuery({ kind: 'text', text, name: 'doc' }, query);
    assert.deepEqual(off.rows, here.rows.map(([line]) => [typeof line === 'number' ? line + 1 : line]));
  });

  it('a cancelled job stops while it spills, leaves no spill file, and the same thread takes the next job', async () => {
    const abort = new AbortController();
    const progress: number[] = [];
    const running = diagnoseOffThread({ source: { kind: 'files', paths: [big] } }, { signal: abort.signal, onProgress: (done) => progress.push(done) });
    const thread = jobHostThreadId();
    // Cancel once the join has spilled: a spill folder inside the job's folder.
    const spilling = () => readdirSync(privateTmp).some((job) => readdirSync(join(privateTmp, job)).some((f) => f.startsWith('flowlog-diagnose-')));
    let settled = false;
    void running.catch(() => undefined).finally(() => (settled = true));
    while (!spilling() && !settled) await new Promise((r) => setTimeout(r, 2));
    assert.ok(!settled, 'the job was still running when it spilled');
    abort.abort();
    await assert.rejects(running, (e: Error) => e.name === 'AbortError');
    assert.deepEqual(readdirSync(privateTmp), [], 'the spill files are gone');
    assert.ok(progress.length > 0, 'progress came from the host');
    // The next job runs on the same thread, to the end.
    const { wire: next } = await diagnoseOffThread({ source: { kind: 'files', paths: [planted] } });
    assert.equal(jobHostThreadId(), thread);
    assert.deepEqual(withoutTime(next), withoutTime(toDiagnoseWire(await diagnose({ kind: 'files', paths: [planted] }, { list: VERDICTS }))));
    // A signal aborted before the job starts: nothing runs.
    const before = new AbortController();
    before.abort();
    await assert.rejects(diagnoseOffThread({ source: { kind: 'files', paths: [big] } }, { signal: before.signal }), (e: Error) => e.name === 'AbortError');
  });

  it('a host stopped while a job runs: the job fails, its spill folder goes, the next job gets a new host', async () => {
    const running = diagnoseOffThread({ source: { kind: 'files', paths: [big] } });
    const thread = jobHostThreadId();
    const spilling = () => readdirSync(privateTmp).some((job) => readdirSync(join(privateTmp, job)).some((f) => f.startsWith('flowlog-diagnose-')));
    while (!spilling()) await new Promise((r) => setTimeout(r, 2));
    await stopJobHost();
    await assert.rejects(running, /the diagnosis thread was stopped/);
    assert.deepEqual(readdirSync(privateTmp), [], 'the spill files are gone');
    const { wire: next } = await diagnoseOffThread({ source: { kind: 'files', paths: [planted] } });
    assert.ok(next.totals.conversations > 0);
    assert.notEqual(jobHostThreadId(), thread, 'a new host thread');
  });

  it('a cancelled conversations query with a spilling GROUP BY leaves nothing behind either', async () => {
    const abort = new AbortController();
    const running = runOffThread(CONVERSATION_QUERY_JOB, { source: { kind: 'files', paths: [big] }, query: 'select client_address, count(*) group by client_address' } satisfies ConversationQueryJob, { signal: abort.signal, onProgress: (done, total) => done > total / 4 && abort.abort() });
    await assert.rejects(running, (e: Error) => e.name === 'AbortError');
    assert.deepEqual(readdirSync(privateTmp), []);
  });

  it("errors arrive as the core throws them: a query's at its position, a file that is not there", async () => {
    const bad = 'verdict:ok | select srcaddr';
    const expected = checkConversationQuery(bad)!;
    await assert.rejects(runOffThread(CONVERSATION_QUERY_JOB, { source: { kind: 'files', paths: [planted] }, query: bad } satisfies ConversationQueryJob), (e: unknown) => {
      assert.ok(e instanceof QueryError);
      assert.deepEqual([e.message, e.offset, e.line, e.column], [expected.message, expected.offset, expected.line, expected.column]);
      assert.equal(e.format(bad), expected.format(bad));
      return true;
    });
    const missing = join(dir, 'not-there.flowlog');
    // The core reads what it can and says what it could not (a warning): the same off the main thread.
    const here = toDiagnoseWire(await diagnose({ kind: 'files', paths: [missing] }, { list: VERDICTS }));
    const { wire: off } = await diagnoseOffThread({ source: { kind: 'files', paths: [missing] } } satisfies DiagnoseJob);
    assert.ok(here.warnings.some((w) => w.includes('not-there.flowlog')), `the core names the missing file: ${here.warnings.join('; ')}`);
    assert.deepEqual(withoutTime(off), withoutTime(here));
  });
});
