// Section `panels`: the language server (dist/server.js over stdio) as the panels use it. A summary of the 1 GB
// high-cardinality file with a check request every 10–20 ms meanwhile (goal: p99 ≤ 50 ms), then its Diagnose section
// (flowlog/diagnose, which the summary page sends after every summary) and a conversations query on the same file
// (both run on the job host thread), the server's peak RSS after them (goal < 300 MB), and the first rows of a 1 GB
// search (partial results) on both shapes.
import { BenchContext } from './context';
import { fmt, percentiles } from './measure';
import { ServerSession } from './panelPath';

const SEARCH = 'action:REJECT';
const CONVERSATIONS = 'NOT verdict:ok | select verdict, service, count(*) as n group by 1, 2 order by n desc limit 20';

export async function panelsSection(ctx: BenchContext): Promise<void> {
  const { report, data } = ctx;
  report.section("panels: dist/server.js over stdio, as VS Code runs it", 'panels');
  const wide = await data.get('wide', 'big');
  const friendly = await data.get('friendly', 'big');
  const server = await ServerSession.start(ctx.server);
  try {
    const before = server.memory();
    const { value: summary, checkMs } = await server.withChecks(() => server.summary(wide.path));
    const afterSummary = server.memory();
    const checks = percentiles(checkMs);
    report.info(`summary request on ${wide.label}: ${fmt(summary.seconds, 2)} s (server at ${fmt(before.rssMB, 0)} MB before)`);
    if (summary.firstPartialMs !== null) report.info(`  first partial result (sections on screen) after ${fmt(summary.firstPartialMs, 0)} ms`);
    else report.info('  no partial result before the whole summary (the summary request streams no sections)');
    report.goal(`checks during that summary: p50 ${fmt(checks.p50, 1)} ms, p95 ${fmt(checks.p95, 1)} ms, p99 ${fmt(checks.p99, 1)} ms, max ${fmt(checks.max, 1)} ms (${checks.samples} checks)`, 'p99 ≤ 50 ms', checks.p99 <= 50);
    report.goal(`server peak RSS after the summary of ${wide.label}: ${fmt(afterSummary.peakMB, 0)} MB`, '< 300 MB on 1 GB', afterSummary.peakMB < 300);
    const { value: diagnosis, checkMs: diagnoseCheckMs } = await server.withChecks(() => server.diagnose(wide.path));
    const diagnoseChecks = percentiles(diagnoseCheckMs);
    const afterDiagnose = server.memory();
    report.info(`its Diagnose section (flowlog/diagnose): ${fmt(diagnosis.seconds, 2)} s, ${diagnosis.result.totals.conversations.toLocaleString('en-US')} conversations`);
    report.goal(`checks during that diagnosis: p50 ${fmt(diagnoseChecks.p50, 1)} ms, p95 ${fmt(diagnoseChecks.p95, 1)} ms, p99 ${fmt(diagnoseChecks.p99, 1)} ms, max ${fmt(diagnoseChecks.max, 1)} ms (${diagnoseChecks.samples} checks)`, 'p99 ≤ 50 ms', diagnoseChecks.p99 <= 50);
    const { value: conversations, checkMs: conversationCheckMs } = await server.withChecks(() => server.query(wide.path, CONVERSATIONS, 1000));
    const conversationChecks = percentiles(conversationCheckMs);
    const afterConversations = server.memory();
    report.info(`conversations query \`${CONVERSATIONS}\` on ${wide.label}: ${fmt(conversations.seconds, 2)} s`);
    report.goal(`checks during that query: p50 ${fmt(conversationChecks.p50, 1)} ms, p95 ${fmt(conversationChecks.p95, 1)} ms, p99 ${fmt(conversationChecks.p99, 1)} ms, max ${fmt(conversationChecks.max, 1)} ms (${conversationChecks.samples} checks)`, 'p99 ≤ 50 ms', conversationChecks.p99 <= 50);
    report.goal(`server peak RSS after the diagnosis and the conversations query: ${fmt(afterConversations.peakMB, 0)} MB`, '< 300 MB on 1 GB', afterConversations.peakMB < 300);
    const searches: unknown[] = [];
    for (const set of [friendly, wide]) {
      const { value: q, checkMs: searchChecks } = await server.withChecks(() => server.query(set.path, SEARCH, 100_000));
      const c = percentiles(searchChecks);
      report.info(`search \`${SEARCH}\` on ${set.label}, 100,000 rows kept: first rows after ${fmt(q.firstRowsMs, 0)} ms, whole request ${fmt(q.seconds, 2)} s (${q.matched.toLocaleString('en-US')} matches)`);
      report.goal(`checks during that search: p50 ${fmt(c.p50, 1)} ms, p95 ${fmt(c.p95, 1)} ms, p99 ${fmt(c.p99, 1)} ms, max ${fmt(c.max, 1)} ms (${c.samples} checks)`, 'p99 ≤ 50 ms', c.p99 <= 50, 4);
      searches.push({ file: set.path, shape: set.shape, sizeMB: set.sizeMB, search: SEARCH, ...q, checkMs: c });
    }
    const end = server.memory();
    report.info(`server peak RSS after the searches: ${fmt(end.peakMB, 0)} MB`);
    ctx.results.panels = {
      summary: { file: wide.path, sizeMB: wide.sizeMB, seconds: summary.seconds, firstPartialMs: summary.firstPartialMs, checkMs: checks, serverPeakMB: afterSummary.peakMB, records: summary.result.summary.records },
      diagnose: { seconds: diagnosis.seconds, conversations: diagnosis.result.totals.conversations, checkMs: diagnoseChecks, serverPeakMB: afterDiagnose.peakMB },
      conversationQuery: { query: CONVERSATIONS, seconds: conversations.seconds, checkMs: conversationChecks, serverPeakMB: afterConversations.peakMB },
      searches, serverPeakMB: end.peakMB,
    };
  } finally {
    await server.close();
  }
}
