// The panels' UI-free logic: message checks and routers, the query runner, exports, the page's CSP, chart
// shaping, completion, drill-down searches (checked against the engine), cell decoders and row sorting.
import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { parseFromQueryView, parseFromSummaryView, ToQueryView } from '../../client/webview/src/messages';
import { QueryViewHost, SummaryViewHost, routeQueryViewMessage, routeSummaryViewMessage } from '../../client/src/panels/routers';
import { QueryBackend, QueryFailure, QueryRunner } from '../../client/src/panels/queryRunner';
import { formatResult } from '../../client/src/panels/exportFormat';
import { ViewPort } from '../../client/src/panels/viewPort';
import { openInTurn } from '../../client/src/panels/pageLoads';
import { contentSecurityPolicy, renderWebviewHtml } from '../../client/src/panels/webviewHtml';
import { MAX_BARS, chartFor } from '../../client/webview/src/chartData';
import { completionsAt } from '../../client/webview/src/completion';
import { drillDownQuery, fieldTerm } from '../../client/webview/src/drillDown';
import { decoderFor } from '../../client/webview/src/cells';
import { sortedOrder } from '../../client/webview/src/sortRows';
import { EXAMPLE_QUERIES } from '../../client/webview/src/examples';
import { checkAnyQuery } from '../../server/src/core/querySubject';
import { runQuery } from '../../server/src/core/query';
import { computeSummary } from '../../server/src/core/summary';
import type { SummarySection } from '../../server/src/core/summaryTypes';
import type { QueryResultWire } from '../../server/src/protocol';
import { generateLines } from '../support/generate';
import { isInside } from '../../client/src/panels/sameFile';
import { globProblem } from '../../client/src/panels/folderGlob';
import { shownPath } from '../../client/webview/src/format';

/** A host that records which method got which arguments. */
function recordingHost(): QueryViewHost & SummaryViewHost & { calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  const rec = (name: string) => (...args: unknown[]) => {
    calls.push([name, args]);
  };
  return {
    calls,
    ready: rec('ready'), run: rec('run'), cancel: rec('cancel'), check: rec('check'), reveal: rec('reveal'),
    exportResult: rec('exportResult'), copyResult: rec('copyResult'), pin: rec('pin'), rejected: rec('rejected'),
    refresh: rec('refresh'), openQuery: rec('openQuery'), openRecord: rec('openRecord'), diagnoseSpans: rec('diagnoseSpans'), diagnoseBars: rec('diagnoseBars'),
  };
}

describe('webview messages', () => {
  it('routes each well-formed query-view message to its one method', () => {
    const host = recordingHost();
    routeQueryViewMessage({ type: 'run', id: 3, query: 'action:REJECT' }, host);
    routeQueryViewMessage({ type: 'reveal', line: 12 }, host);
    routeQueryViewMessage({ type: 'reveal', line: 7, file: '/logs/AWSLogs/a.log.gz' }, host);
    routeQueryViewMessage({ type: 'export', format: 'csv', columns: ['a'], rows: [[1], ['x'], [null]] }, host);
    routeQueryViewMessage({ type: 'pin', pinned: true }, host);
    routeQueryViewMessage({ type: 'ready' }, host);
    assert.deepEqual(host.calls, [
      ['run', [3, 'action:REJECT']],
      ['reveal', [12, undefined]],
      ['reveal', [7, '/logs/AWSLogs/a.log.gz']],
      ['exportResult', ['csv', ['a'], [[1], ['x'], [null]]]],
      ['pin', [true]],
      ['ready', []],
    ]);
  });

  it('rejects malformed or unknown messages without acting on them', () => {
    const host = recordingHost();
    const bad: unknown[] = [
      null, 'run', [], { type: 'run', id: '1', query: 'x' }, { type: 'run', id: 1 }, { type: 'reveal', line: 0 },
      { type: 'reveal', line: 1.5 }, { type: 'export', format: 'xml', columns: [], rows: [] },
      { type: 'export', format: 'csv', columns: ['a'], rows: [[{}]] }, { type: 'pin', pinned: 'yes' }, { type: 'eval', code: 'x' },
      { type: 'openQuery', query: '' }, { type: 'reveal', line: 3, file: 42 }, { type: 'reveal', line: 3, file: '' },
    ];
    for (const m of bad) routeQueryViewMessage(m, host);
    assert.equal(host.calls.length, bad.length);
    assert.ok(host.calls.every(([name]) => name === 'rejected'));
    assert.equal(parseFromSummaryView({ type: 'openQuery', query: 42 }), undefined);
  });

  it('routes summary-view messages', () => {
    const host = recordingHost();
    routeSummaryViewMessage({ type: 'openQuery', query: 'srcaddr:10.0.0.1' }, host);
    routeSummaryViewMessage({ type: 'refresh' }, host);
    routeSummaryViewMessage({ type: 'run', id: 1, query: 'x' }, host); // a query-view message is not a summary one
    assert.deepEqual(host.calls.map(([n]) => n), ['openQuery', 'refresh', 'rejected']);
    assert.deepEqual(parseFromQueryView({ type: 'cancel', id: 2 }), { type: 'cancel', id: 2 });
  });
});

describe('folder sources in the panels', () => {
  it('a row of a folder\'s query opens only a file under that folder', () => {
    assert.equal(isInside('/logs/AWSLogs/1/a.log.gz', '/logs'), true);
    assert.equal(isInside('/logs/../etc/passwd', '/logs'), false);
    assert.equal(isInside('/etc/passwd', '/logs'), false);
    assert.equal(isInside('/logs', '/logs'), false);
    assert.equal(isInside('/logsX/a.gz', '/logs'), false);
  });

  it('the glob stays relative and inside the folder', () => {
    assert.equal(globProblem('AWSLogs/**/*.log.gz'), undefined);
    assert.equal(globProblem('**/*'), undefined);
    assert.match(globProblem('/etc/*') ?? '', /relative/);
    assert.match(globProblem('../other/**') ?? '', /inside/);
    assert.match(globProblem('a/../../b') ?? '', /inside/);
  });

  it('paths show relative to their folder, control characters escaped', () => {
    assert.equal(shownPath('/logs/AWSLogs/a.log.gz', '/logs'), 'AWSLogs/a.log.gz');
    assert.equal(shownPath('/other/a.log.gz', '/logs'), '/other/a.log.gz');
    assert.equal(shownPath('/logs/evil\x1b]0;x\x07.gz', '/logs/'), 'evil\\x1b]0;x\\x07.gz');
  });
});

const stats = { records: 3, matched: 2, malformed: 0, bytes: 100, elapsedMs: 1 };
const searchResult: QueryResultWire = { columns: ['srcaddr', 'file', 'line'], rows: [['10.0.0.1', 'f', 1], ['10.0.0.2', 'f', 3]], stats, kind: 'search' };

describe('query runner', () => {
  it('forwards first rows and progress, then the result', async () => {
    const posted: ToQueryView[] = [];
    const backend: QueryBackend = {
      async run(_query, hooks) {
        hooks.onProgress(50);
        hooks.onRows({ columns: searchResult.columns, rows: searchResult.rows.slice(0, 1) });
        return searchResult;
      },
      async check() {
        return null;
      },
    };
    const runner = new QueryRunner(backend, (m) => posted.push(m));
    assert.equal(await runner.run(1, 'x'), searchResult);
    assert.deepEqual(posted.map((m) => m.type), ['started', 'progress', 'rows', 'result']);
    assert.equal(runner.running, false);
  });

  it('a new run cancels the one before; a late answer of the old one is dropped', async () => {
    const posted: ToQueryView[] = [];
    let release!: () => void;
    const backend: QueryBackend = {
      run(query, hooks, signal) {
        if (query === 'slow') {
          return new Promise((resolve, reject) => {
            release = () => {
              hooks.onRows({ columns: ['a'], rows: [[1]] });
              resolve(searchResult);
            };
            signal.addEventListener('abort', () => setTimeout(() => reject(new Error('cancelled')), 5));
          });
        }
        return Promise.resolve(searchResult);
      },
      async check() {
        return null;
      },
    };
    const runner = new QueryRunner(backend, (m) => posted.push(m));
    const slow = runner.run(1, 'slow');
    const fast = runner.run(2, 'fast');
    await fast;
    release();
    assert.equal(await slow, undefined);
    const forOne = posted.filter((m) => 'id' in m && m.id === 1).map((m) => m.type);
    assert.deepEqual(forOne, ['started', 'cancelled']);
    assert.deepEqual(posted.filter((m) => 'id' in m && m.id === 2).map((m) => m.type), ['started', 'result']);
  });

  it('turns syntax errors and other failures into one message each', async () => {
    const posted: ToQueryView[] = [];
    const problem = { offset: 7, line: 1, column: 8, formatted: '', message: 'unknown field dstprot; did you mean dstport?' };
    const backend: QueryBackend = {
      async run(query) {
        if (query.includes('dstprot')) throw new QueryFailure(problem.message, problem);
        throw new Error('server gone');
      },
      async check() {
        return problem;
      },
    };
    const runner = new QueryRunner(backend, (m) => posted.push(m));
    await runner.run(1, 'dstprot:22');
    await runner.run(2, 'x');
    await runner.check(3, 'dstprot:22');
    assert.deepEqual(posted.filter((m) => m.type !== 'started'), [
      { type: 'failed', id: 1, message: problem.message, problem },
      { type: 'failed', id: 2, message: 'The query failed: server gone' },
      { type: 'checked', id: 3, problem },
    ]);
  });
});

describe('exports', () => {
  const columns = ['srcaddr', 'note', 'bytes'];
  const rows = [['10.0.0.1', 'a,"b"', 10], ['10.0.0.2', null, 20]];
  it('CSV quotes as RFC 4180 and leaves NULL empty', () => {
    assert.equal(formatResult('csv', columns, rows), 'srcaddr,note,bytes\n10.0.0.1,"a,""b""",10\n10.0.0.2,,20\n');
  });
  it('JSON is an array of objects that reads back to the same rows', () => {
    const back = JSON.parse(formatResult('json', columns, rows)) as Record<string, unknown>[];
    assert.deepEqual(back.map((o) => columns.map((c) => o[c])), rows);
  });
});

describe('webview page', () => {
  it('has a strict CSP with a nonce, the bundle as its only script, and no log data', () => {
    const html = renderWebviewHtml({ kind: 'query', title: 'Query: <b>x</b>', cspSource: 'https://file+.vscode-resource.example', scriptUri: 'https://r/webview.js', styleUri: 'https://r/webview.css', nonce: 'abc123' });
    const csp = contentSecurityPolicy('https://file+.vscode-resource.example', 'abc123');
    assert.ok(html.includes(csp.replace(/'/g, "'")));
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="abc123" src="https:\/\/r\/webview.js">/);
    assert.ok(html.includes('Query: &lt;b&gt;x&lt;/b&gt;'));
    assert.doesNotMatch(html, /\son\w+=/);
  });
});

describe('chart shaping', () => {
  it('a time bucket first column gives a time series per value column', () => {
    const c = chartFor(['t', 'bytes', 'records'], [['2024-01-01T00:05:00Z', 20, 2], ['2024-01-01T00:00:00Z', 10, 1]]);
    assert.ok(c && c.kind === 'time');
    assert.deepEqual(c.xs, [1704067200, 1704067500]);
    assert.deepEqual(c.series, [{ name: 'bytes', values: [10, 20], unit: 'bytes' }, { name: 'records', values: [1, 2], unit: 'count' }]);
  });

  it('label columns between the time and the values split it into series', () => {
    const rows = [['2024-01-01T00:00:00Z', 'ACCEPT', 5], ['2024-01-01T00:00:00Z', 'REJECT', 1], ['2024-01-01T00:01:00Z', 'REJECT', 4]];
    const c = chartFor(['t', 'action', 'records'], rows);
    assert.ok(c && c.kind === 'time');
    assert.deepEqual(c.series, [{ name: 'ACCEPT records', values: [5, 0], unit: 'count' }, { name: 'REJECT records', values: [1, 4], unit: 'count' }]);
  });

  it('top-N results give bars of the first value column after the labels', () => {
    const c = chartFor(['dstport', 'service', 'records'], [[22, 'ssh', 9], [3389, 'rdp', 4], [7, null, 1]]);
    assert.ok(c && c.kind === 'bars');
    assert.deepEqual(c.labels, ['22 · ssh', '3389 · rdp', '7 · -']);
    assert.deepEqual(c.values, [9, 4, 1]);
    const pairs = chartFor(['srcaddr', 'dstaddr', 'bytes', 'records'], [['a', 'b', 10, 1]], 'records');
    assert.ok(pairs && pairs.kind === 'bars');
    assert.deepEqual([pairs.labels, pairs.values, pairs.valueColumns], [['a · b'], [1], ['bytes', 'records']]);
    const many = chartFor(['k', 'n'], Array.from({ length: 80 }, (_, i) => [`k${i}`, i]));
    assert.equal(many?.kind === 'bars' && many.values.length, MAX_BARS);
  });

  it('nothing to chart: one column, no numbers, no rows', () => {
    assert.equal(chartFor(['count'], [[5]]), undefined);
    assert.equal(chartFor(['a', 'b'], [['x', 'y']]), undefined);
    assert.equal(chartFor(['a', 'n'], []), undefined);
  });
});

describe('query box completion', () => {
  it('completes hyphenated field names in the search and snake_case after the pipe', () => {
    assert.deepEqual(completionsAt('log-st', 6)?.items, ['log-status']);
    const sql = completionsAt('* | select log_st', 17);
    assert.deepEqual(sql?.items, ['log_status']);
    assert.deepEqual([sql?.from, sql?.to], [11, 17]);
    assert.ok(completionsAt('dst', 3)!.items.slice(0, 2).every((n) => ['dstaddr', 'dstport'].includes(n)));
  });
  it('offers nothing inside a value, and everything on Ctrl+Space', () => {
    assert.equal(completionsAt('action:REJ', 10), undefined);
    assert.equal(completionsAt('', 0), undefined);
    assert.equal(completionsAt('', 0, true)?.items[0], 'version');
    // Conversations' own columns and table come after every record field.
    assert.deepEqual(completionsAt('verd', 4)?.items, ['verdict']);
    // SQL functions come from the engine's one registry (any_value and its alias too).
    assert.deepEqual(completionsAt('* | select any_', 15)?.items, ['any_value']);
    assert.deepEqual(completionsAt('* | select arbi', 15)?.items, ['arbitrary']);
    assert.deepEqual(completionsAt('* | select count(*) from conv', 29)?.items, ['conversations']);
    assert.ok(!completionsAt('', 0, true, 1000)!.items.slice(0, -20).includes('verdict'));
  });
});

describe('example queries', () => {
  it('all parse', () => {
    for (const ex of EXAMPLE_QUERIES) assert.equal(checkAnyQuery(ex.query)?.message, undefined, ex.label);
  });
});

describe('summary drill-down', () => {
  it('quotes values a search would misread', () => {
    assert.equal(fieldTerm('srcaddr', '10.0.0.1'), 'srcaddr:10.0.0.1');
    assert.equal(fieldTerm('srcaddr', '2001:db8::1'), 'srcaddr:"2001:db8::1"');
    assert.equal(fieldTerm('vpc-id', 'a "b"'), 'vpc-id:"a \\"b\\""');
    assert.equal(fieldTerm('srcaddr', null), 'NOT srcaddr:*');
  });

  it("every row's search finds exactly the records the row counts", async () => {
    const text = [...generateLines({ records: 5_000, seed: 5, header: true, nodataShare: 0.05 })].join('\n');
    const source = { kind: 'text' as const, text, name: 'gen' };
    const summary = await computeSummary(source);
    const counted: [SummarySection, string][] = [['topSources', 'records'], ['topDestinations', 'records'], ['topPairs', 'records'],
      ['topRejectedPorts', 'records'], ['topRejectedSources', 'records'], ['protocols', 'records'], ['interfaces', 'records'], ['actions', 'records']];
    for (const [section, column] of counted) {
      const table = summary.sections[section];
      assert.ok(table.rows.length > 0, section);
      for (const row of table.rows.slice(0, 3)) {
        const q = drillDownQuery(section, row)!;
        const alone = await runQuery(source, `${q} | select count(*)`);
        assert.equal(alone.rows[0][0], row[table.columns.indexOf(column)], `${section}: ${q}`);
      }
    }
  });
});

describe('cell decoders', () => {
  it('decodes protocols, ports, times and flags beside raw values, and leaves the rest', () => {
    assert.equal(decoderFor('protocol')?.(6), 'TCP');
    assert.equal(decoderFor('dstport')?.(3389), 'rdp');
    assert.equal(decoderFor('start')?.(1418530010), '2014-12-14 04:06:50Z');
    assert.equal(decoderFor('first_start')?.(1418530010), '2014-12-14 04:06:50Z');
    assert.equal(decoderFor('start')?.(42), undefined);
    assert.equal(decoderFor('tcp-flags')?.(18), 'SYN|ACK');
    assert.equal(decoderFor('srcaddr'), undefined);
    assert.equal(decoderFor('protocol')?.('<b>'), undefined);
  });
});

describe('row sorting', () => {
  it('sorts numbers as numbers, keeps NULLs last both ways and ties in order', () => {
    const rows = [[10, 'b'], [null, 'a'], [9, 'c'], [10, 'a']];
    assert.deepEqual(sortedOrder(rows, 0, false), [2, 0, 3, 1]);
    assert.deepEqual(sortedOrder(rows, 0, true), [0, 3, 2, 1]);
    assert.deepEqual(sortedOrder([['10.0.0.10'], ['10.0.0.9']], 0, false), [1, 0]);
  });
});

describe('view port', () => {
  it('holds messages until the view is ready and while the panel is hidden, then sends them in order', () => {
    const sent: unknown[] = [];
    let listener = () => {};
    const panel = {
      visible: true,
      webview: { postMessage: async (m: unknown) => { sent.push(m); return true; } },
      onDidChangeViewState: (l: () => void) => { listener = l; return { dispose() {} }; },
    };
    const port = new ViewPort<number>(panel);
    port.post(1);
    assert.deepEqual(sent, []);
    port.markReady();
    assert.deepEqual(sent, [1]);
    panel.visible = false;
    port.post(2);
    port.post(3);
    assert.deepEqual(sent, [1]);
    panel.visible = true;
    listener();
    port.post(4);
    assert.deepEqual(sent, [1, 2, 3, 4]);
  });

  it('says the page loaded at its first ready, or at dispose (a closed panel loads nothing)', async () => {
    const panel = () => ({ visible: true, webview: { postMessage: async () => true }, onDidChangeViewState: () => ({ dispose() {} }) });
    const states = async (p: Promise<void>) => Promise.race([p.then(() => 'loaded'), new Promise((r) => setImmediate(() => r('waiting')))]);
    const ready = new ViewPort<number>(panel());
    assert.equal(await states(ready.loaded), 'waiting');
    ready.markReady();
    assert.equal(await states(ready.loaded), 'loaded');
    const closed = new ViewPort<number>(panel());
    closed.dispose();
    assert.equal(await states(closed.loaded), 'loaded');
  });
});

/** Lets every queued promise callback run. */
const settle = () => new Promise((r) => setImmediate(r));

/** A panel whose page says `ready` when `ready()` is called (as the port's `loaded`), and the log of what opened. */
function panelOpener(log: string[], name: string) {
  let ready = () => {};
  const loaded = new Promise<void>((r) => (ready = r));
  return { open: () => (log.push(name), { pageLoaded: loaded }), ready };
}

describe('panels opened in turn (two webview pages never load at once)', () => {
  it('creates the query panel only once the summary page said ready (Query Folder, Query Table)', async () => {
    const log: string[] = [];
    const summary = panelOpener(log, 'summary');
    const opened = openInTurn(summary.open, () => log.push('query'));
    await settle();
    assert.deepEqual(log, ['summary']);
    summary.ready();
    await opened;
    assert.deepEqual(log, ['summary', 'query']);
  });

  it('opens the second at once when the first opened nothing, and after the first was closed (loaded resolves)', async () => {
    const log: string[] = [];
    await openInTurn(() => undefined, () => log.push('query'));
    assert.deepEqual(log, ['query']);
    const closed = panelOpener(log, 'closed summary');
    const opened = openInTurn(closed.open, () => log.push('query again'));
    await settle();
    assert.deepEqual(log, ['query', 'closed summary']);
    closed.ready(); // the port resolves `loaded` when its panel is disposed, and the panel's `pageLoaded` with it
    await opened;
    assert.deepEqual(log, ['query', 'closed summary', 'query again']);
  });

  it('holds the second panel at most its limit behind a page that never says ready', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const log: string[] = [];
      const silent = panelOpener(log, 'silent');
      const opened = openInTurn(silent.open, () => log.push('query'), 15_000);
      await settle();
      mock.timers.tick(14_999);
      await settle();
      assert.deepEqual(log, ['silent']);
      mock.timers.tick(1);
      await opened;
      assert.deepEqual(log, ['silent', 'query']);
    } finally {
      mock.timers.reset();
    }
  });
});
