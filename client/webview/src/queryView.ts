// The query panel page: examples and history, the query box, run/cancel with progress, the status line, and the
// result as a virtual table or a chart. It keeps its query and result in the webview state (hiding, reload). Bound
// to a folder, it shows what the folder holds, progress by files and bytes, and the files that could not be read.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import type { QueryResultWire } from '../../../server/src/protocol';
import { el, clear } from './dom';
import { formatBytes, formatCount } from './format';
import { vscodeApi } from './vscodeApi';
import { QueryBox } from './queryBox';
import { VirtualTable } from './table';
import { chartFor, unitOf } from './chartData';
import { renderBarChart } from './barChart';
import { renderTimeChart } from './timeChart';
import { EXAMPLE_QUERIES } from './examples';
import type { Cell, ExportFormat, FlowLogTarget, FromQueryView, QueryViewState, ToQueryView } from './messages';
import type { SourceInfoWire } from '../../../server/src/protocol';
import { renderFileErrors, renderSourceInfo } from './sourceInfo';

/** Results up to this many cells are kept in the webview state; bigger ones are run again after a reload. */
const MAX_STATE_CELLS = 400_000;

type ButtonEl = HTMLElement & { disabled: boolean; secondary: boolean };
type ProgressEl = HTMLElement & { value?: number; max: number; indeterminate: boolean };

function button(label: string, id: string, onClick: () => void, secondary = true): ButtonEl {
  const b = el('vscode-button', { text: label, attrs: { id } }) as ButtonEl;
  b.secondary = secondary;
  b.addEventListener('click', () => {
    if (!b.disabled) onClick();
  });
  return b;
}

export function mountQueryView(root: HTMLElement): void {
  const api = vscodeApi<QueryViewState, FromQueryView>();
  const post = (m: FromQueryView) => api.postMessage(m);
  const saved = api.getState();

  let target: FlowLogTarget | null = saved?.target ?? null;
  let pinned = saved?.pinned ?? false;
  let view: 'table' | 'chart' = saved?.view ?? 'table';
  let result: QueryResultWire | undefined = saved?.result;
  let resultTarget: FlowLogTarget | null = saved?.result ? target : null;
  let streamed: { columns: string[]; rows: Cell[][] } | undefined;
  let runId = 0;
  let running = 0;
  let checkId = 0;
  let checkTimer = 0;
  let saveTimer = 0;
  let valueColumn: string | undefined;
  let disposeChart: (() => void) | undefined;

  // Header: the bound file (or folder) and the pin; for a folder, what it holds.
  const targetLabel = el('span', { className: 'label', text: 'Flow log:' });
  const fileName = el('span', { className: 'target-name', attrs: { id: 'target-name' } });
  const sourceHost = el('div', { className: 'source-host' });
  let sourceInfo: SourceInfoWire | undefined = saved?.result?.source;
  const pinButton = button('Pin', 'pin', () => {
    pinned = !pinned;
    post({ type: 'pin', pinned });
    renderHeader();
    save();
  });
  const header = el('div', { className: 'panel-header' }, [targetLabel, fileName, pinButton]);

  // Examples and history.
  const examples = el('div', { className: 'examples', attrs: { role: 'toolbar', 'aria-label': 'Example queries' } });
  for (const ex of EXAMPLE_QUERIES) {
    const b = el('button', { className: 'chip', text: ex.label, title: ex.query, attrs: { 'data-example': ex.label } });
    b.addEventListener('click', () => {
      box.value = ex.query;
      run();
    });
    examples.append(b);
  }
  const history = el('select', { className: 'history', attrs: { id: 'history', 'aria-label': 'Recent queries' } });
  history.addEventListener('change', () => {
    if (history.value) {
      box.value = history.value;
      box.focus();
      scheduleCheck();
    }
    history.selectedIndex = 0;
  });
  examples.append(history);

  const box = new QueryBox({ onRun: () => run(), onChange: () => { scheduleCheck(); scheduleSave(); } });
  box.value = saved?.query ?? '';

  // Toolbar.
  const runButton = button('Run', 'run', () => run(), false);
  const cancelButton = button('Cancel', 'cancel', () => post({ type: 'cancel', id: running }));
  const tableButton = button('Table', 'show-table', () => setView('table'));
  const chartButton = button('Chart', 'show-chart', () => setView('chart'));
  const exportCsv = button('Export CSV…', 'export-csv', () => exportAs('export', 'csv'));
  const exportJson = button('Export JSON…', 'export-json', () => exportAs('export', 'json'));
  const copyCsv = button('Copy', 'copy-csv', () => exportAs('copy', 'csv'));
  const toolbar = el('div', { className: 'toolbar' }, [runButton, cancelButton, el('span', { className: 'sep' }), tableButton, chartButton, el('span', { className: 'sep' }), exportCsv, exportJson, copyCsv]);
  const progress = el('vscode-progress-bar', { attrs: { id: 'progress' } }) as ProgressEl;
  progress.hidden = true;
  const status = el('div', { className: 'status-line', attrs: { id: 'status', role: 'status' } });
  const problems = el('div', { className: 'file-problems', attrs: { id: 'file-problems' } });

  const table = new VirtualTable({
    rowClickable: (columns) => recordLink(columns) !== undefined,
    onRowClick: (row) => {
      const columns = result?.columns ?? streamed?.columns ?? [];
      const link = recordLink(columns);
      if (!link) return;
      // A conversation's row opens its request's record, or its reply's when the request was not logged.
      const side = link.find((l) => typeof row[columns.indexOf(l.line)] === 'number');
      if (!side) return;
      const line = row[columns.indexOf(side.line)] as number;
      if (resultTarget && target && resultTarget.uri !== target.uri) {
        status.textContent = `These results are from ${resultTarget.name}; run the query again for ${target.name}.`;
        return;
      }
      // A folder's (or a table's) rows name their file: the host opens that file (its decoded view when
      // compressed) at the line.
      const named = !!target?.folder || !!target?.clickhouse;
      const file = named ? row[columns.indexOf(side.file)] : undefined;
      if (named && typeof file !== 'string') return;
      post(typeof file === 'string' ? { type: 'reveal', line, file } : { type: 'reveal', line });
    },
    onSort: () => save(),
  });
  table.element.id = 'results-table';
  const chartHost = el('div', { className: 'chart-host', attrs: { id: 'results-chart' } });
  const content = el('div', { className: 'content' }, [table.element, chartHost]);

  root.append(header, sourceHost, examples, box.element, toolbar, progress, status, problems, content);

  function renderHeader(): void {
    targetLabel.textContent = target?.folder ? 'Folder:' : target?.clickhouse ? 'ClickHouse table:' : 'Flow log:';
    fileName.textContent = target ? target.name : 'no flow log: open a .flowlog file';
    fileName.title = target?.uri ?? '';
    pinButton.textContent = pinned ? 'Unpin' : 'Pin';
    pinButton.title = pinned ? 'The panel stays on this file' : 'Keep this file when another flow log becomes active';
    // A folder's panel stays on its folder: no pin to take off.
    pinButton.hidden = !!target?.folder || !!target?.clickhouse;
    sourceHost.replaceChildren(...(target?.folder && sourceInfo ? [renderSourceInfo(sourceInfo)] : []));
  }

  function renderButtons(): void {
    const rows = result?.rows.length ?? 0;
    runButton.disabled = running !== 0;
    cancelButton.disabled = running === 0;
    const chartable = !!result && !!chartFor(result.columns, result.rows);
    chartButton.disabled = !chartable;
    if (!chartable && view === 'chart') view = 'table';
    tableButton.secondary = view !== 'table';
    chartButton.secondary = view !== 'chart';
    for (const b of [exportCsv, exportJson, copyCsv]) b.disabled = rows === 0 || running !== 0;
  }

  function renderStatus(): void {
    if (!result) return;
    const s = result.stats;
    const errors = renderFileErrors(s.fileErrors, target?.folder ? sourceInfo?.folder : undefined);
    problems.replaceChildren(...(errors ? [errors] : []));
    const capped = result.kind === 'search' && s.matched > result.rows.length ? ` (first ${formatCount(result.rows.length)} shown)` : '';
    const files = result.source ? ` in ${formatCount(result.source.files)} files` : '';
    const matched = s.conversations !== undefined ? `${formatCount(s.matched)} of ${formatCount(s.conversations)} conversations matched` : `${formatCount(s.matched)} matched`;
    status.textContent = `${formatCount(s.records)} records scanned${files} (${formatBytes(s.bytes)}) · ${matched}${capped} · ${formatCount(s.malformed)} malformed skipped · ${(s.elapsedMs / 1000).toFixed(2)} s` +
      (result.kind === 'sql' ? ` · ${formatCount(result.rows.length)} rows` : '');
  }

  function renderContent(): void {
    disposeChart?.();
    disposeChart = undefined;
    clear(chartHost);
    const chart = result ? chartFor(result.columns, result.rows, valueColumn) : undefined;
    table.element.hidden = view !== 'table';
    chartHost.hidden = view !== 'chart';
    if (view !== 'chart' || !chart || !result) return;
    if (chart.valueColumns.length > 1) {
      const select = el('select', { className: 'value-column', attrs: { 'aria-label': 'Value to chart' } });
      for (const c of chart.valueColumns) select.append(el('option', { text: c, attrs: { value: c } }));
      select.value = chart.valueColumn;
      select.addEventListener('change', () => {
        valueColumn = select.value;
        renderContent();
      });
      chartHost.append(select);
    }
    if (chart.kind === 'bars') {
      chartHost.append(renderBarChart({ labels: chart.labels, values: chart.values, valueColumn: chart.valueColumn, format: unitOf(chart.valueColumn) === 'bytes' ? formatBytes : formatCount }));
    } else {
      // Each series in its own unit (bytes as KiB…, records plain), a second axis when they differ.
      const plot = el('div', { className: 'time-chart' });
      chartHost.append(plot);
      disposeChart = renderTimeChart(plot, { xs: chart.xs, series: chart.series, height: 300 });
    }
  }

  function setView(v: 'table' | 'chart'): void {
    view = v;
    renderButtons();
    renderContent();
    save();
  }

  function showResult(r: QueryResultWire, sort = table.currentSort): void {
    result = r;
    table.setData(r.columns, r.rows, sort);
    renderStatus();
    renderButtons();
    renderContent();
  }

  function run(): void {
    const query = box.value.trim();
    if (!query) {
      box.focus();
      return;
    }
    if (!target) {
      status.textContent = 'Open a flow log first: the panel queries the active .flowlog file.';
      return;
    }
    runId++;
    running = runId;
    streamed = undefined;
    valueColumn = undefined;
    post({ type: 'run', id: runId, query });
    progress.hidden = false;
    progress.value = 0;
    status.textContent = `Running on ${target.name}…`;
    problems.replaceChildren();
    renderButtons();
  }

  function scheduleCheck(): void {
    clearTimeout(checkTimer);
    checkTimer = window.setTimeout(() => {
      const query = box.value;
      if (query.trim()) post({ type: 'check', id: ++checkId, query });
    }, 250);
  }

  function exportAs(type: 'export' | 'copy', format: ExportFormat): void {
    if (!result) return;
    post({ type, format, columns: result.columns, rows: result.rows });
  }

  // setState copies the whole state, result included: typing saves once it pauses, not on every key.
  function scheduleSave(): void {
    clearTimeout(saveTimer);
    saveTimer = window.setTimeout(save, 300);
  }

  function save(): void {
    clearTimeout(saveTimer);
    const keep = result && result.rows.length * Math.max(1, result.columns.length) <= MAX_STATE_CELLS;
    api.setState({ target, pinned, query: box.value, view, result: keep ? result : undefined, rerun: !!result && !keep, sort: table.currentSort });
  }

  function finishRun(): void {
    running = 0;
    progress.hidden = true;
    renderButtons();
  }

  const handle = (msg: ToQueryView): void => {
    switch (msg.type) {
      case 'target':
        if (msg.target?.uri !== target?.uri || msg.target?.folder?.glob !== target?.folder?.glob) sourceInfo = undefined;
        target = msg.target;
        pinned = msg.pinned;
        renderHeader();
        save();
        break;
      case 'source':
        sourceInfo = msg.info;
        renderHeader();
        break;
      case 'history': {
        const first = el('option', { text: msg.queries.length ? 'Recent queries…' : 'No recent queries', attrs: { value: '' } });
        history.replaceChildren(first, ...msg.queries.map((q) => el('option', { text: q.length > 90 ? `${q.slice(0, 89)}…` : q, title: q, attrs: { value: q } })));
        break;
      }
      case 'setQuery':
        box.value = msg.query;
        save();
        if (msg.run) run();
        break;
      case 'started':
        break;
      case 'progress':
        if (msg.id !== running) break;
        progress.value = (msg.done / Math.max(1, msg.total)) * 100;
        // A folder: how far, in files and bytes (rows that came already keep their count in the line).
        if (msg.detail && !streamed && target) status.textContent = `Running on ${target.name}… ${msg.detail}`;
        break;
      case 'rows':
        if (msg.id !== running) break;
        if (!streamed) {
          streamed = { columns: msg.columns, rows: [...msg.rows] };
          resultTarget = target;
          result = undefined;
          view = 'table';
          table.setData(msg.columns, streamed.rows);
          renderContent();
        } else {
          table.append(msg.rows);
        }
        status.textContent = `${formatCount(table.rowCount)} matching records so far…`;
        break;
      case 'result': {
        if (msg.id !== runId) break;
        finishRun();
        resultTarget = target;
        if (msg.result.source) {
          sourceInfo = msg.result.source;
          renderHeader();
        }
        const whole = wholeResult(msg.result, streamed);
        if (!whole) {
          // Cannot happen while messages keep their order; said rather than shown as an answer.
          status.textContent = 'The result came incomplete (rows sent before it are missing): run the query again.';
          streamed = undefined;
          break;
        }
        showResult(whole, streamed ? table.currentSort : undefined);
        streamed = undefined;
        save();
        break;
      }
      case 'failed':
        if (msg.id !== runId) break;
        finishRun();
        if (msg.problem) {
          box.setProblem(msg.problem);
          status.textContent = `Query error at ${msg.problem.line}:${msg.problem.column}`;
        } else {
          // The query ran and failed (a ClickHouse server that refused or broke off, a file that went away): no
          // rows stay under it, neither the first ones it sent nor the last query's, to be taken for its answer.
          result = undefined;
          streamed = undefined;
          table.setData([], []);
          renderButtons();
          renderContent();
          save();
          status.textContent = msg.message;
        }
        break;
      case 'cancelled':
        if (msg.id !== runId) break;
        finishRun();
        status.textContent = streamed ? `Cancelled after ${formatCount(table.rowCount)} matching records.` : 'Cancelled.';
        break;
      case 'checked':
        if (msg.id === checkId) box.setProblem(msg.problem);
        break;
      default: {
        const unreachable: never = msg;
        console.warn('unknown message', unreachable);
      }
    }
  };

  window.addEventListener('message', (e: MessageEvent<ToQueryView>) => handle(e.data));
  renderHeader();
  if (result) showResult(result, saved?.sort);
  else renderButtons();
  renderContent();
  post({ type: 'ready' });
  if (saved?.rerun && saved.query) run();
}

/**
 * The columns that say which record a row is, in the order to try: a record's `line` (and `file`), or a
 * conversation's request then reply record (`request_line`…). Undefined when the rows cannot be opened.
 */
function recordLink(columns: readonly string[]): { line: string; file: string }[] | undefined {
  if (columns.includes('line')) return [{ line: 'line', file: 'file' }];
  const sides = (['request', 'reply'] as const).filter((s) => columns.includes(`${s}_line`)).map((s) => ({ line: `${s}_line`, file: `${s}_file` }));
  return sides.length > 0 ? sides : undefined;
}

/**
 * A result whose first `streamedRows` rows came as `rows` messages (the server does not repeat them): those rows,
 * then the response's. The streamed array is the table's, so the rows are added to it in place. Undefined when the
 * rows that came do not match the count.
 */
function wholeResult(r: QueryResultWire, streamed: { rows: Cell[][] } | undefined): QueryResultWire | undefined {
  const before = r.streamedRows ?? 0;
  if (before === 0) return r;
  if (!streamed || streamed.rows.length !== before) return undefined;
  for (const row of r.rows) streamed.rows.push(row);
  const { streamedRows: _sent, ...rest } = r;
  return { ...rest, rows: streamed.rows };
}
