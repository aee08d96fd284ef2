// The summary's sections while the scan goes on (issue 14: first sections on screen while the rest computes):
// provisional tables come before the end, their record counts grow, the small sections agree with each other (the
// same snapshot: exact as far as read), top lists say they are provisional, and the final tables are those of a
// summary that asked for none. On this thread, and on worker threads (the built bundle's pool).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SUMMARY_QUERIES, SummaryPartial, SummarySection, SummaryTable, computeSummary } from '../../server/src/core/summary';
import type { QuerySource } from '../../server/src/core/query';
import { planQuery } from '../../server/src/core/query';
import { mergeTop } from '../../server/src/core/query/partialMerge';
import { parseSummarySection } from '../../client/webview/src/messages';
import { generateLines } from '../support/generate';
import { writeWideFile } from '../support/generateWide';

const BUNDLE = resolve(__dirname, '../../dist/cli.js');

interface Seen {
  section: SummarySection;
  table: SummaryTable;
  partial: SummaryPartial;
  /** Final sections that had come before it. */
  finalsBefore: number;
}

/** The summary with partial sections asked after every chunk, and every partial and final section seen. */
async function summaryWithPartials(source: QuerySource, threads: number) {
  const partials: Seen[] = [];
  const finals = new Map<SummarySection, SummaryTable>();
  const summary = await computeSummary(source, {
    threads,
    partialEveryMs: 0,
    onPartial: (section, table, partial) => partials.push({ section, table, partial, finalsBefore: finals.size }),
    onSection: (section, table) => finals.set(section, table),
  });
  return { summary, partials, finals };
}

/** The sum of a column of a table. */
const sum = (t: SummaryTable, column: string) => t.rows.reduce((n, r) => n + Number(r[t.columns.indexOf(column)] ?? 0), 0);

/** Checks what every run must show: partials before any final, records growing, small sections consistent. */
function checkPartials(partials: Seen[], records: number): SummaryPartial[] {
  assert.ok(partials.length > 0, 'partial sections came');
  assert.ok(partials.every((p) => p.finalsBefore === 0), 'every partial section came before the first final one');
  const totals = partials.filter((p) => p.section === 'totals');
  assert.ok(totals.length >= 2, `several partial totals (${totals.length})`);
  for (let i = 1; i < totals.length; i++) assert.ok(totals[i].partial.records >= totals[i - 1].partial.records, 'records so far never go down');
  assert.ok(totals[totals.length - 1].partial.records > totals[0].partial.records, 'records so far grow');
  assert.ok(totals[0].partial.records < records, 'the first partial totals are before the end');
  for (const t of totals) {
    assert.ok(t.partial.fraction >= 0 && t.partial.fraction <= 1);
    assert.equal(t.table.rows[0][0], t.partial.records, 'the partial totals count the records read so far');
  }
  // Sections of one snapshot agree: each counts the same records (exact as far as read).
  const round = (at: Seen) => partials.filter((p) => p.partial.records === at.partial.records);
  for (const t of totals) {
    const same = round(t);
    const actions = same.find((p) => p.section === 'actions');
    const timeline = same.find((p) => p.section === 'timeline');
    const interfaces = same.find((p) => p.section === 'interfaces');
    assert.ok(actions && timeline && interfaces, 'small sections come with the totals');
    assert.equal(sum(actions.table, 'records'), t.partial.records, 'actions add up to the totals');
    assert.equal(sum(timeline.table, 'records'), t.partial.records, 'the timeline adds up to the totals');
    assert.equal(sum(interfaces.table, 'records'), t.partial.records, 'interfaces add up to the totals');
    assert.equal(t.table.rows[0][1], sum(actions.table, 'bytes'), 'bytes too');
    assert.ok(!actions.partial.provisional && !t.partial.provisional, 'small sections are not provisional');
    const top = same.find((p) => p.section === 'topSources');
    if (top) assert.equal(top.partial.provisional, true, 'a top list so far is provisional');
  }
  return totals.map((t) => t.partial);
}

describe('summary: partial sections while the scan goes on', () => {
  it('on this thread: partial sections before the end, growing, then the final ones as without partials', async () => {
    // Several chunks: the text is read a piece at a time.
    const text = [...generateLines({ records: 60_000, seed: 31, header: true, badShare: 0.01, nodataShare: 0.05 })].join('\n');
    const source: QuerySource = { kind: 'text', text, name: 'gen' };
    const { summary, partials, finals } = await summaryWithPartials(source, 1);
    const plain = await computeSummary(source, { threads: 1 });
    assert.deepEqual(summary, plain, 'the final summary is the one without partials');
    for (const [section, table] of finals) assert.deepEqual(table, plain.sections[section], section);
    checkPartials(partials, plain.records);
    // Every section shows something before the end (none is too big for a snapshot here).
    assert.deepEqual(new Set(partials.map((p) => p.section)), new Set(Object.keys(SUMMARY_QUERIES)));
  });

  it('cancelling after the first partial sections stops the summary (no more sections after it)', async () => {
    const text = [...generateLines({ records: 60_000, seed: 32, header: true })].join('\n');
    const abort = new AbortController();
    let partials = 0;
    let afterAbort = 0;
    await assert.rejects(computeSummary({ kind: 'text', text, name: 'gen' }, {
      threads: 1, partialEveryMs: 0, signal: abort.signal,
      onPartial: () => {
        if (abort.signal.aborted) afterAbort++;
        partials++;
        abort.abort();
      },
      onSection: () => afterAbort++,
    }), (e: Error) => e.name === 'QueryCancelledError' || /cancel/i.test(e.message));
    assert.ok(partials > 0);
    // The sections of the snapshot being handed on when it was cancelled may finish; nothing of a later one comes.
    assert.ok(afterAbort <= Object.keys(SUMMARY_QUERIES).length, `sections after the cancel: ${afterAbort}`);
  });

  describe('on worker threads', () => {
    let dir: string;
    let wide: string;
    const saved = { script: process.env.FLOWLOG_WORKER_SCRIPT, split: process.env.FLOWLOG_PARALLEL_MIN_BYTES, topN: process.env.FLOWLOG_TOPN_THRESHOLD };
    before(async () => {
      assert.ok(existsSync(BUNDLE), 'npm test builds dist/cli.js first (the workers run the bundle)');
      process.env.FLOWLOG_WORKER_SCRIPT = BUNDLE;
      process.env.FLOWLOG_PARALLEL_MIN_BYTES = String(256 << 10);
      dir = mkdtempSync(join(tmpdir(), 'flowlog-partial-'));
      wide = join(dir, 'wide.flowlog');
      await writeWideFile(wide, { records: 80_000, seed: 9, header: true, addresses: 1 << 16 });
    });
    after(() => {
      for (const [key, value] of [['FLOWLOG_WORKER_SCRIPT', saved.script], ['FLOWLOG_PARALLEL_MIN_BYTES', saved.split], ['FLOWLOG_TOPN_THRESHOLD', saved.topN]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('partial sections from every thread merged, then the final ones as without partials', async () => {
      const source: QuerySource = { kind: 'files', paths: [wide] };
      const { summary, partials } = await summaryWithPartials(source, 2);
      const plain = await computeSummary(source, { threads: 2 });
      // The answer is the same; what was spilled on the way need not be: the threads take units as they get idle,
      // and which thread's groups fit the room shared at the end of the scan (threadScan.ts packedRoom) depends on
      // how the units fell to them.
      const answer = { ...summary, spilled: undefined };
      const plainAnswer = { ...plain, spilled: undefined };
      assert.deepEqual(answer, plainAnswer);
      checkPartials(partials, plain.records);
    });

    it('top lists past the turn to the sketch are provisional and estimated; the final lists are exact', async () => {
      process.env.FLOWLOG_TOPN_THRESHOLD = '200';
      try {
        const source: QuerySource = { kind: 'files', paths: [wide] };
        const { summary, partials } = await summaryWithPartials(source, 2);
        const plain = await computeSummary(source, { threads: 1 });
        assert.deepEqual(summary.sections, plain.sections, 'the same sections as on one thread');
        const tops = partials.filter((p) => p.section === 'topSources');
        assert.ok(tops.length > 0);
        assert.ok(tops.every((p) => p.partial.provisional), 'provisional');
        const estimated = tops.filter((p) => p.partial.estimated);
        assert.ok(estimated.length > 0, 'past the turn, estimated');
        const last = estimated[estimated.length - 1].table;
        assert.ok(last.rows.length > 0 && last.rows.length <= 10, 'a top list of at most its LIMIT');
        // Its talkers are real addresses, ranked by bytes.
        const bytes = last.rows.map((r) => Number(r[1]));
        assert.deepEqual(bytes, [...bytes].sort((a, b) => b - a));
      } finally {
        delete process.env.FLOWLOG_TOPN_THRESHOLD;
      }
    });
  });

  it('threads\' best groups merge by key: counts and sums add, a value one thread only estimated is unknown', () => {
    const plan = planQuery(SUMMARY_QUERIES.topSources);
    const rows = mergeTop(plan, [
      [{ keys: ['10.0.0.1'], aggs: [500, 5], seq: 3 }, { keys: ['10.0.0.2'], aggs: [400, 4], seq: 1 }],
      [{ keys: ['10.0.0.2'], aggs: [300, 3], seq: 7 }, { keys: ['10.0.0.3'], aggs: [450, null], seq: 2 }],
    ]);
    assert.deepEqual(rows, [['10.0.0.2', 700, 7], ['10.0.0.1', 500, 5], ['10.0.0.3', 450, null]]);
  });
});

describe('summary view: a section message is checked on arrival', () => {
  const table = { query: SUMMARY_QUERIES.totals, columns: ['records', 'bytes'], rows: [[12, 3400]] };
  it('takes a final section and a partial one (with how far, and whether provisional)', () => {
    assert.deepEqual(parseSummarySection({ type: 'section', section: 'totals', table }), { type: 'section', section: 'totals', table });
    const partial = { fraction: 0.35, records: 12, provisional: true, estimated: true };
    assert.deepEqual(parseSummarySection({ type: 'section', section: 'topSources', table, partial }), { type: 'section', section: 'topSources', table, partial });
    assert.deepEqual(parseSummarySection({ type: 'section', section: 'actions', table, partial: { fraction: 0, records: 0 } })?.partial, { fraction: 0, records: 0 });
  });

  it('rejects a malformed one: unknown section, bad table, a share outside 0–1, a count that is not whole', () => {
    const bad: unknown[] = [
      null, 'section', { type: 'section', section: 'nope', table }, { type: 'section', section: '__proto__', table },
      { type: 'section', section: 'totals' }, { type: 'section', section: 'totals', table: { ...table, query: 3 } },
      { type: 'section', section: 'totals', table: { ...table, rows: [[{}]] } }, { type: 'section', section: 'totals', table: { ...table, columns: [1] } },
      { type: 'section', section: 'totals', table: { ...table, rows: [[NaN]] } },
      { type: 'section', section: 'totals', table, partial: { fraction: 1.5, records: 3 } },
      { type: 'section', section: 'totals', table, partial: { fraction: -0.1, records: 3 } },
      { type: 'section', section: 'totals', table, partial: { fraction: NaN, records: 3 } },
      { type: 'section', section: 'totals', table, partial: { fraction: 0.5, records: 2.5 } },
      { type: 'section', section: 'totals', table, partial: { fraction: 0.5, records: -1 } },
      { type: 'section', section: 'totals', table, partial: { fraction: 0.5, records: 1, provisional: 'yes' } },
      { type: 'section', section: 'totals', table, partial: 'half' },
    ];
    for (const raw of bad) assert.equal(parseSummarySection(raw), undefined, JSON.stringify(raw));
  });
});
