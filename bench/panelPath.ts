// The panels' path measured outside the browser: dist/server.js over stdio, as VS Code runs it, answering the
// requests the query panel and the summary send. Figures: a 1 GB search's first rows (LSP partial results) against
// its whole request; the summary request against a count request on the same file; and how fast the server answers
// as-you-type checks (flowlog/checkQuery) while a scan runs, which is what typing in the panel waits on.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest, ExitNotification, InitializeRequest, InitializedNotification, ShutdownRequest, StreamMessageReader,
  StreamMessageWriter, WorkDoneProgressCreateRequest, createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { CheckQueryRequest, QueryRequest, QueryRowsProgress, SummaryRequest } from '../server/src/protocol';

export interface PanelPathFigures {
  search: string;
  firstRowsMs: number;
  searchSeconds: number;
  summarySeconds: number;
  countSeconds: number;
  checkMs: { p50: number; p95: number; max: number; samples: number };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

export async function panelPathBench(root: string, bigFile: string, summaryFile: string, runs: number): Promise<PanelPathFigures> {
  const child = spawn(process.execPath, [join(root, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => ({})));
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
  connection.listen();
  try {
    await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } } });
    await connection.sendNotification(InitializedNotification.type, {});
    const big = pathToFileURL(bigFile).toString();
    const mid = pathToFileURL(summaryFile).toString();
    const timed = async <T>(f: () => Promise<T>) => {
      const t0 = performance.now();
      await f();
      return (performance.now() - t0) / 1000;
    };
    let countSeconds = Infinity;
    let summarySeconds = Infinity;
    for (let i = 0; i < runs; i++) {
      countSeconds = Math.min(countSeconds, await timed(() => connection.sendRequest(QueryRequest, { uri: mid, query: '* | select count(*)' })));
      summarySeconds = Math.min(summarySeconds, await timed(() => connection.sendRequest(SummaryRequest, { uri: mid })));
    }
    // A search with many matches, as the panel sends it (100,000 rows kept), with checks sent every 20 ms meanwhile.
    const search = 'action:REJECT';
    let firstRowsMs = Infinity;
    let searchSeconds = Infinity;
    const checks: number[] = [];
    for (let i = 0; i < Math.max(1, runs - 1); i++) {
      const token = `rows-${i}`;
      const t0 = performance.now();
      let first = -1;
      const sub = connection.onProgress(QueryRowsProgress, token, () => {
        if (first < 0) first = performance.now() - t0;
      });
      let done = false;
      const request = connection.sendRequest(QueryRequest, { uri: big, query: search, limit: 100_000, partialResultToken: token }).finally(() => (done = true));
      while (!done) {
        const c0 = performance.now();
        await connection.sendRequest(CheckQueryRequest, { query: 'action:REJECT AND dstport:3389 | select srcaddr, count(*) as n group by srcaddr' });
        if (!done) checks.push(performance.now() - c0);
        await new Promise((r) => setTimeout(r, 20));
      }
      await request;
      sub.dispose();
      firstRowsMs = Math.min(firstRowsMs, first);
      searchSeconds = Math.min(searchSeconds, (performance.now() - t0) / 1000);
    }
    checks.sort((a, b) => a - b);
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    return {
      search, firstRowsMs, searchSeconds, summarySeconds, countSeconds,
      checkMs: { p50: percentile(checks, 50), p95: percentile(checks, 95), max: checks[checks.length - 1] ?? NaN, samples: checks.length },
    };
  } finally {
    connection.dispose();
    if (child.exitCode === null) child.kill();
  }
}
