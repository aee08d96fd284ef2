// The summary dashboard: totals, traffic over time (ACCEPT and REJECT stacked), top talkers, rejected ports and
// sources, protocols and interfaces, for a folder a row per file (per delivery), and the Diagnose section
// (diagnoseView.ts, computed by its own request). Every number, bar and row is a button that opens the query behind it.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { FILES_QUERY, SUMMARY_QUERIES, WITHOUT_ADDRESSES_SEARCH } from '../../../server/src/core/summaryTypes';
import { partialSummary } from '../../../server/src/core/summaryShape';
import type { Summary, SummaryPartial, SummarySection, SummaryTable } from '../../../server/src/core/summaryTypes';
import type { DiagnoseSpansResult, SourceInfoWire } from '../../../server/src/protocol';
import { renderFileErrors, renderSourceInfo } from './sourceInfo';
import { formatDuration, isoUtc } from '../../../server/src/core/decode/time';
import { el, clear } from './dom';
import { cellNumber as num, cellText, formatBytes, formatCount } from './format';
import { vscodeApi } from './vscodeApi';
import { renderBarChart } from './barChart';
import { renderTimeChart } from './timeChart';
import { drillDownQuery } from './drillDown';
import { renderDiagnosis } from './diagnoseView';
import { formatShare, partialMark } from './summaryPartialMark';
import { filesTable, interfacesTable } from './summaryTables';
import { parseSummarySection } from './messages';
import type { Cell, DiagnoseBarsResult, FlowLogTarget, FromSummaryView, SummaryViewState, ToSummaryView } from './messages';

type ProgressEl = HTMLElement & { value?: number; max: number };

const SECTION_COUNT = Object.keys(SUMMARY_QUERIES).length;

export function mountSummaryView(root: HTMLElement): void {
  const api = vscodeApi<SummaryViewState, FromSummaryView>();
  const post = (m: FromSummaryView) => api.postMessage(m);
  let target: FlowLogTarget | null = api.getState()?.target ?? null;
  let timelineMetric: 'bytes' | 'records' = 'bytes';
  let disposeChart: (() => void) | undefined;
  // Sections before the whole summary: drawn at most every PARTIAL_MS, the others shown as computing. Those in
  // `partialOf` are as they stood while the scan went on (marked so); the others are final.
  let arrived: Partial<Record<SummarySection, SummaryTable>> = {};
  let partialOf: Partial<Record<SummarySection, SummaryPartial>> = {};
  let partialTimer: ReturnType<typeof setTimeout> | undefined;
  let partialRenders = 0;
  const PARTIAL_MS = 100;

  const open = (query: string) => post({ type: 'openQuery', query });
  // What the Diagnose section asks of the host (span lists when opened, more interfaces' bars): answered by id.
  let nextAskId = 0;
  const asked = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  const ask = <T,>(message: (id: number) => FromSummaryView) => new Promise<T>((resolve, reject) => {
    const id = ++nextAskId;
    asked.set(id, { resolve: resolve as (r: unknown) => void, reject });
    post(message(id));
  });
  const answer = (id: number, result: unknown, failure?: string) => {
    const waiting = asked.get(id);
    asked.delete(id);
    if (failure === undefined) waiting?.resolve(result);
    else waiting?.reject(new Error(failure));
  };
  const diagnoseActions = {
    openQuery: open,
    openRecord: (ref: { file: string; line: number }) => post({ type: 'openRecord', file: ref.file, line: ref.line }),
    spans: (spansKey: string, interfaceId: string) => ask<DiagnoseSpansResult | null>((id) => ({ type: 'diagnoseSpans', id, spansKey, interfaceId })),
    bars: (spansKey: string, interfaceIds: string[]) => ask<DiagnoseBarsResult | null>((id) => ({ type: 'diagnoseBars', id, spansKey, interfaceIds })),
  };
  const title = el('span', { className: 'target-name', attrs: { id: 'target-name' } });
  const refresh = el('vscode-button', { text: 'Refresh', attrs: { id: 'refresh', secondary: '' } });
  refresh.addEventListener('click', () => post({ type: 'refresh' }));
  const timing = el('span', { className: 'timing', attrs: { id: 'timing' } });
  const progress = el('vscode-progress-bar', { attrs: { id: 'progress' } }) as ProgressEl;
  progress.hidden = true;
  const body = el('div', { className: 'summary', attrs: { id: 'summary' } });
  // The Diagnose section: its own card after the summary's, filled by its own request (it may come first).
  const diagnoseProgress = el('vscode-progress-bar', { attrs: { id: 'diagnose-progress' } }) as ProgressEl;
  diagnoseProgress.hidden = true;
  const diagnoseStatus = el('span', { className: 'timing', attrs: { id: 'diagnose-status' }, text: 'waiting…' });
  const diagnoseBody = el('div', { attrs: { id: 'diagnose-body' } });
  const diagnoseCard = el('section', { className: 'card diagnose', attrs: { 'data-section': 'diagnose', id: 'diagnose' } }, [
    el('h2', {}, [el('span', { text: 'Diagnose: connectivity' }), diagnoseStatus]), diagnoseProgress, diagnoseBody,
  ]);
  /** A command opened the summary at the Diagnose section: keep it in view until both parts have rendered once. */
  const focusWaits = new Set<'summary' | 'diagnosis'>();
  const applyFocus = (rendered?: 'summary' | 'diagnosis') => {
    if (focusWaits.size === 0) return;
    diagnoseCard.scrollIntoView({ block: 'start' });
    if (rendered) focusWaits.delete(rendered);
  };
  root.append(el('div', { className: 'panel-header' }, [el('span', { className: 'label', text: 'Summary of' }), title, refresh, timing]), progress, body, diagnoseCard);

  const renderTitle = () => {
    title.textContent = target?.name ?? '';
    title.title = target?.uri ?? '';
  };

  function figure(label: string, value: string, query: string, id: string, detail?: string): HTMLElement {
    const b = el('button', { className: 'figure', title: query, attrs: { 'data-figure': id } }, [
      el('span', { className: 'figure-value', text: value }),
      el('span', { className: 'figure-label', text: label }),
      detail ? el('span', { className: 'figure-detail', text: detail }) : null,
    ]);
    b.addEventListener('click', () => open(query));
    return b;
  }

  /** Sections of a partial summary still computing (empty for a whole summary), and those drawn as they stand. */
  let pending = new Set<string>();
  let shownPartial: Partial<Record<string, SummaryPartial>> = {};

  function section(titleText: string, query: string, id: string, content: HTMLElement): HTMLElement {
    const link = el('button', { className: 'link', text: 'Query', title: query });
    link.addEventListener('click', () => open(query));
    if (pending.has(id)) {
      return el('section', { className: 'card', attrs: { 'data-section': id, 'data-pending': '' } }, [el('h2', {}, [el('span', { text: titleText }), link]), el('p', { className: 'computing', text: 'computing…' })]);
    }
    const p = shownPartial[id];
    if (p) {
      const attrs: Record<string, string> = { 'data-section': id, 'data-partial': formatShare(p.fraction) };
      if (p.provisional) attrs['data-provisional'] = '';
      return el('section', { className: 'card partial', attrs }, [el('h2', {}, [el('span', { text: titleText }), partialMark(p), link]), content]);
    }
    return el('section', { className: 'card', attrs: { 'data-section': id } }, [el('h2', {}, [el('span', { text: titleText }), link]), content]);
  }

  const col = (t: SummaryTable, name: string) => t.columns.indexOf(name);

  /** A top list's note of the records it leaves out (no address: NULL is not a talker), a button to them. */
  function leftOut(count: number): HTMLElement | null {
    if (count === 0) return null;
    const b = el('button', { className: 'link left-out', text: `${formatCount(count)} records without addresses (NODATA/SKIPDATA) not listed`, title: WITHOUT_ADDRESSES_SEARCH });
    b.addEventListener('click', () => open(WITHOUT_ADDRESSES_SEARCH));
    return b;
  }

  function withNote(content: HTMLElement, note: HTMLElement | null): HTMLElement {
    return note ? el('div', {}, [content, note]) : content;
  }

  function bars(name: SummarySection, t: SummaryTable, labelOf: (r: Cell[]) => string, valueName: string, format: (v: number) => string, tone?: string): HTMLElement {
    if (t.rows.length === 0) return el('p', { className: 'empty', text: 'None' });
    const v = col(t, valueName);
    return renderBarChart({
      labels: t.rows.map(labelOf),
      values: t.rows.map((r) => num(r[v])),
      valueColumn: valueName,
      format,
      tone: () => tone,
      onClick: (i) => {
        const q = drillDownQuery(name, t.rows[i]);
        if (q) open(q);
      },
    });
  }

  function renderTimeline(host: HTMLElement, s: Summary): void {
    disposeChart?.();
    clear(host);
    if (s.timeline.length === 0) {
      host.append(el('p', { className: 'empty', text: 'No records with times.' }));
      return;
    }
    const toggle = el('div', { className: 'segmented' });
    for (const m of ['bytes', 'records'] as const) {
      const b = el('button', { className: m === timelineMetric ? 'seg selected' : 'seg', text: m, attrs: { 'data-metric': m } });
      b.addEventListener('click', () => {
        timelineMetric = m;
        renderTimeline(host, s);
      });
      toggle.append(b);
    }
    const plot = el('div', { className: 'time-chart', attrs: { id: 'timeline-chart' } });
    host.append(toggle, plot);
    const byBytes = timelineMetric === 'bytes';
    const unit = byBytes ? 'bytes' as const : 'count' as const;
    disposeChart = renderTimeChart(plot, {
      xs: s.timeline.map((b) => Date.parse(b.t) / 1000),
      series: [
        { name: 'ACCEPT', tone: 'accept', unit, values: s.timeline.map((b) => (byBytes ? b.acceptBytes : b.acceptRecords)) },
        { name: 'REJECT', tone: 'reject', unit, values: s.timeline.map((b) => (byBytes ? b.rejectBytes : b.rejectRecords)) },
        ...(byBytes ? [] : [{ name: 'no action (NODATA, SKIPDATA)', tone: 'other' as const, unit, values: s.timeline.map((b) => b.otherRecords) }]),
      ],
      stacked: true,
      onClick: (i) => open(s.timeline[i].query),
      height: 220,
    });
  }

  /**
   * The summary; `stillComputing`: the sections of a partial one that have not come yet, `asTheyStand`: those
   * drawn as they stood while the scan went on.
   */
  function render(s: Summary, elapsedMs: number, source: SourceInfoWire | undefined, stillComputing: readonly SummarySection[] = [], asTheyStand: Partial<Record<SummarySection, SummaryPartial>> = {}): void {
    clear(body);
    pending = new Set(stillComputing);
    shownPartial = asTheyStand;
    const standing = Object.values(asTheyStand);
    const unfinished = pending.size + standing.length;
    body.toggleAttribute('data-partial', unfinished > 0);
    if (standing.length > 0) {
      // The furthest any section has got: they all come from the same snapshot, the ones finished since excepted.
      const p = standing.reduce((a, b) => (b.fraction > a.fraction ? b : a));
      timing.textContent = `partial: ${formatShare(p.fraction)} read, ${formatCount(p.records)} records so far · ${SECTION_COUNT - unfinished} of ${SECTION_COUNT} sections final`;
    } else timing.textContent = pending.size > 0 ? `computing… ${SECTION_COUNT - pending.size} of ${SECTION_COUNT} sections ready` : `computed in ${(elapsedMs / 1000).toFixed(2)} s`;
    if (source) {
      body.append(renderSourceInfo(source));
      const errors = renderFileErrors(s.files?.filter((f) => f.error).map((f) => ({ file: f.path, message: f.error! })), source.folder);
      if (errors) body.append(errors);
    }
    const q = s.sections;
    const actions = q.actions;
    const actionRow = (a: string) => actions.rows.find((r) => r[0] === a);
    const accept = actionRow('ACCEPT');
    const reject = actionRow('REJECT');
    const totalsQuery = q.totals.query;
    const span = s.firstStart !== null && s.lastEnd !== null ? `${isoUtc(s.firstStart)} → ${isoUtc(s.lastEnd)}` : 'no times';
    const actionQuery = (a: string) => `action:${a} | select count(*) as records, sum(bytes) as bytes`;
    if (asTheyStand.totals) body.append(el('p', { className: 'partial-note', attrs: { id: 'partial-note' } }, [partialMark(asTheyStand.totals), el('span', { text: ' figures so far, growing as the scan goes on' })]));
    body.append(el('div', { className: 'figures', attrs: asTheyStand.totals ? { id: 'totals', 'data-partial': formatShare(asTheyStand.totals.fraction) } : { id: 'totals' } }, [
      figure('records', formatCount(s.records), totalsQuery, 'records'),
      figure('bytes', formatBytes(s.bytes), totalsQuery, 'bytes', `${formatCount(s.bytes)} B`),
      figure('packets', formatCount(s.packets), totalsQuery, 'packets'),
      figure('time span', s.firstStart !== null && s.lastEnd !== null ? formatDuration(s.lastEnd - s.firstStart) : '-', totalsQuery, 'span', span),
      figure('interfaces', formatCount(s.interfaces), q.interfaces.query, 'interfaces'),
      figure('malformed lines', unfinished > 0 ? '…' : formatCount(s.malformed), totalsQuery, 'malformed', 'skipped by the engine'),
      figure('records without addresses', formatCount(s.withoutAddresses), WITHOUT_ADDRESSES_SEARCH, 'without-addresses', 'NODATA/SKIPDATA; not in top lists'),
      figure('ACCEPT records', pending.has('actions') ? '…' : formatCount(num(accept?.[1] ?? 0)), actionQuery('ACCEPT'), 'accept-records', formatBytes(num(accept?.[2] ?? 0))),
      figure('REJECT records', pending.has('actions') ? '…' : formatCount(num(reject?.[1] ?? 0)), actionQuery('REJECT'), 'reject-records', formatBytes(num(reject?.[2] ?? 0))),
    ]));
    const timeline = el('div', { className: 'timeline' });
    body.append(section(`Traffic over time (${formatDuration(s.bucketSeconds)} buckets)`, q.timeline.query, 'timeline', timeline));
    const grid = el('div', { className: 'cards' });
    const pairLabel = (r: Cell[]) => `${cellText(r[0])} → ${cellText(r[1])}`;
    grid.append(
      section('Top sources by bytes', q.topSources.query, 'topSources', withNote(bars('topSources', q.topSources, (r) => cellText(r[0]), 'bytes', formatBytes), leftOut(s.withoutAddresses))),
      section('Top destinations by bytes', q.topDestinations.query, 'topDestinations', withNote(bars('topDestinations', q.topDestinations, (r) => cellText(r[0]), 'bytes', formatBytes), leftOut(s.withoutAddresses))),
      section('Top pairs by bytes', q.topPairs.query, 'topPairs', withNote(bars('topPairs', q.topPairs, pairLabel, 'bytes', formatBytes), leftOut(s.withoutAddresses))),
      section('Top rejected destination ports', q.topRejectedPorts.query, 'topRejectedPorts', bars('topRejectedPorts', q.topRejectedPorts, (r) => `${cellText(r[0])}${r[1] ? ` ${r[1]}` : ''}`, 'records', formatCount, 'bar-reject')),
      section('Top rejected sources', q.topRejectedSources.query, 'topRejectedSources', bars('topRejectedSources', q.topRejectedSources, (r) => cellText(r[0]), 'records', formatCount, 'bar-reject')),
      section('Protocols', q.protocols.query, 'protocols', bars('protocols', q.protocols, (r) => `${cellText(r[1])} (${cellText(r[0])})`, 'records', formatCount)),
    );
    body.append(grid, section('Interfaces', q.interfaces.query, 'interfaces', interfacesTable(q.interfaces, open)));
    if (s.files) body.append(section(`Files (${formatCount(s.files.length)})`, FILES_QUERY, 'files', filesTable(s.files, source?.folder, open)));
    if (!pending.has('timeline')) renderTimeline(timeline, s);
  }

  /** No partial summary drawn from now on (a new computation starts, or the whole summary or a failure came). */
  function cancelPartial(): void {
    clearTimeout(partialTimer);
    partialTimer = undefined;
  }

  /** The sections that have come so far, drawn (the whole summary replaces them when it comes). */
  function renderPartial(): void {
    partialTimer = undefined;
    const partial = partialSummary(arrived);
    if (!partial || (partial.pending.length === 0 && Object.keys(partialOf).length === 0)) return;
    partialRenders++;
    body.dataset.partialRenders = String(partialRenders);
    render(partial.summary, 0, undefined, partial.pending, { ...partialOf });
  }

  const handle = (msg: ToSummaryView): void => {
    switch (msg.type) {
      case 'target':
        target = msg.target;
        api.setState({ target });
        renderTitle();
        break;
      case 'started':
        arrived = {};
        partialOf = {};
        cancelPartial();
        progress.hidden = false;
        progress.value = 0;
        timing.textContent = 'computing…';
        break;
      case 'progress':
        progress.value = (msg.done / Math.max(1, msg.total)) * 100;
        if (msg.detail) timing.textContent = `computing… ${msg.detail}`;
        break;
      case 'section': {
        const checked = parseSummarySection(msg);
        if (!checked) {
          console.warn('flowlog summary: ignored a malformed section', msg);
          break;
        }
        // A final section stays: a partial one never replaces it.
        if (checked.partial && arrived[checked.section] && !partialOf[checked.section]) break;
        arrived[checked.section] = checked.table;
        if (checked.partial) partialOf[checked.section] = checked.partial;
        else delete partialOf[checked.section];
        body.dataset.sectionsArrived = String(Object.keys(arrived).length - Object.keys(partialOf).length);
        partialTimer ??= setTimeout(renderPartial, PARTIAL_MS);
        break;
      }
      case 'summary':
        cancelPartial();
        progress.hidden = true;
        render(msg.result.summary, msg.result.elapsedMs, msg.result.source);
        applyFocus('summary');
        break;
      case 'failed':
        cancelPartial();
        progress.hidden = true;
        timing.textContent = '';
        body.replaceChildren(el('p', { className: 'error', text: `The summary failed: ${msg.message}` }));
        break;
      case 'diagnoseStarted':
        diagnoseProgress.hidden = false;
        diagnoseProgress.value = 0;
        diagnoseStatus.textContent = 'diagnosing…';
        break;
      case 'diagnoseProgress':
        diagnoseProgress.value = (msg.done / Math.max(1, msg.total)) * 100;
        diagnoseStatus.textContent = `diagnosing… ${msg.detail ?? `${Math.round(msg.done)}%`}`;
        break;
      case 'diagnosis':
        diagnoseProgress.hidden = true;
        diagnoseStatus.textContent = '';
        diagnoseBody.replaceChildren(renderDiagnosis(msg.result, diagnoseActions, msg.result.source?.folder));
        applyFocus('diagnosis');
        break;
      case 'diagnoseFailed':
        diagnoseProgress.hidden = true;
        diagnoseStatus.textContent = '';
        diagnoseBody.replaceChildren(el('p', { className: 'error', text: `The diagnosis failed: ${msg.message}` }));
        applyFocus('diagnosis');
        break;
      case 'diagnoseSpans':
      case 'diagnoseBars':
        answer(msg.id, msg.result);
        break;
      case 'diagnoseDetailFailed':
        answer(msg.id, undefined, msg.message);
        break;
      case 'focus':
        focusWaits.add('summary').add('diagnosis');
        applyFocus();
        break;
      default: {
        const unreachable: never = msg;
        console.warn('unknown message', unreachable);
      }
    }
  };
  window.addEventListener('message', (e: MessageEvent<ToSummaryView>) => handle(e.data));
  renderTitle();
  post({ type: 'ready' });
}
