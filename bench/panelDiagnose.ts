// The panels bench's Diagnose step on its own, to compare two builds quickly: dist/server.js (or SERVER) over stdio,
// optionally a summary first (as the summary page does), then flowlog/diagnose of FILE with a check request every
// 10–20 ms; the checks' percentiles, the slowest ones (when they were sent, from the request's end), the size of the
// response's JSON, and the server's peak RSS. Build: npx esbuild bench/panelDiagnose.ts --bundle --platform=node
// --format=cjs --target=node20 --outfile=out/bench/panelDiagnose.js; run: node out/bench/panelDiagnose.js FILE
// [--summary] [--search QUERY] [--server PATH] [--runs N] [--cpu-prof-dir DIR] [--heap-snapshots].
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fmt, percentiles } from './measure';
import { ServerSession } from './panelPath';

/** The checks over 50 ms: how long, and when they were sent from the request's end. */
function report(checkMs: number[], sent: number[], end: number): void {
  const slow = checkMs.map((ms, i) => ({ ms, at: sent[i] - end })).filter((s) => s.ms > 50);
  if (slow.length > 0) console.log(`  checks over 50 ms (ms, sent ms from the response): ${slow.map((s) => `${fmt(s.ms, 0)}@${fmt(s.at, 0)}`).join(' ')}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const serverScript = resolve(option('--server') ?? 'dist/server.js');
  const runs = Number(option('--runs') ?? 1);
  const summaryFirst = args.includes('--summary');
  // Instead of the diagnosis: a search as the query panel sends it (100,000 rows kept, partial results).
  const search = option('--search');
  // The server's CPU profiles (its main thread and each worker's), for long tasks: node --cpu-prof.
  const profileDir = option('--cpu-prof-dir');
  const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`] : [];
  // A heap snapshot of the server's main thread after each step (in the server's working folder: this one).
  const snapshots = args.includes('--heap-snapshots');
  if (snapshots) nodeFlags.push('--heapsnapshot-signal=SIGUSR2');
  const snapshot = async (step: string) => {
    if (!snapshots) return;
    server.signal('SIGUSR2');
    await new Promise((r) => setTimeout(r, 8000));
    console.log(`  heap snapshot after ${step} asked (Heap.*.heapsnapshot here)`);
  };
  const file = resolve(args.filter((a) => !a.startsWith('--'))[0] ?? 'bench/.data/wide-9.3m.flowlog');
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  // flowlog.query.memoryBudgetMB for the server (the summary's and queries' group tables), when given.
  const budget = option('--budget');
  const server = await ServerSession.start(serverScript, nodeFlags, budget ? { query: { memoryBudgetMB: Number(budget) } } : {});
  try {
    if (summaryFirst) {
      const s = await server.summary(file);
      const m = server.memory();
      console.log(`summary ${fmt(s.seconds, 2)} s, server peak ${fmt(m.peakMB, 0)} MB, RSS ${fmt(m.rssMB, 0)} MB (load ${load()})`);
      await new Promise((r) => setTimeout(r, 1000));
      console.log(`  a second later: RSS ${fmt(server.memory().rssMB, 0)} MB`);
      await snapshot('the summary');
    }
    for (let run = 0; run < runs; run++) {
      const sent: number[] = [];
      let end = 0;
      if (search !== undefined) {
        const { value, checkMs } = await server.withChecks(async () => {
          const q = await server.query(file, search, 100_000);
          end = performance.now();
          return q;
        }, sent);
        const c = percentiles(checkMs);
        const m = server.memory();
        console.log(`search \`${search}\` ${fmt(value.seconds, 2)} s, first rows after ${fmt(value.firstRowsMs, 0)} ms, ${value.matched} matched; checks p50 ${fmt(c.p50, 1)} p95 ${fmt(c.p95, 1)} p99 ${fmt(c.p99, 1)} max ${fmt(c.max, 1)} ms (${c.samples}); server peak ${fmt(m.peakMB, 0)} MB (load ${load()})`);
        report(checkMs, sent, end);
        continue;
      }
      const { value, checkMs } = await server.withChecks(async () => {
        const d = await server.diagnose(file);
        end = performance.now();
        return d;
      }, sent);
      const c = percentiles(checkMs);
      const m = server.memory();
      console.log(`diagnose ${fmt(value.seconds, 2)} s, response ${fmt(JSON.stringify(value.result).length / 1e6, 2)} MB (coverage ${fmt(JSON.stringify(value.result.coverage).length / 1e6, 2)} MB); checks p50 ${fmt(c.p50, 1)} p95 ${fmt(c.p95, 1)} p99 ${fmt(c.p99, 1)} max ${fmt(c.max, 1)} ms (${c.samples}); server peak ${fmt(m.peakMB, 0)} MB, RSS ${fmt(m.rssMB, 0)} MB (load ${load()})`);
      report(checkMs, sent, end);
      await snapshot('the diagnosis');
    }
  } finally {
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
