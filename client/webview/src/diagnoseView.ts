// The summary's Diagnose section: conversations by verdict, the broken ones with their plain reading and the two
// lines that show it, scans and brute force, and the capture coverage of each interface as a timeline. Every figure
// opens its records in the query panel (diagnoseQueries.ts); an evidence line opens the log at that line. Values come
// from log files: text only, control and bidi characters as escapes (cellText).
import type { DiagnoseResultWire, DiagnoseSpansResult, DiagnosedConversationWire, InterfaceCoverageWire } from '../../../server/src/protocol';
import type { RecordRef } from '../../../server/src/core/diagnose/conversation';
import { COVERAGE_BARS_SENT, type CoverageState } from '../../../server/src/core/diagnose/coverage';
import type { DiagnoseBarsResult } from './messages';
import { CoverageSegment, coverageSegments, coverageSpans } from './coverageSegments';
import { VERDICTS, type Verdict } from '../../../server/src/core/diagnose/verdict';
import { formatDuration, formatWindow, isoUtc } from '../../../server/src/core/decode/time';
import { el } from './dom';
import { cellText, formatBytes, formatCount, shownPath } from './format';
import { bruteForceQuery, conversationQuery, conversationsQuery, interfaceQuery, rangeQuery, scanQuery, spanQuery } from './diagnoseQueries';

export interface DiagnoseActions {
  openQuery(query: string): void;
  openRecord(ref: RecordRef): void;
  /** One interface's exact NODATA, SKIPDATA and gap spans (flowlog/diagnoseSpans); null when no longer kept. */
  spans(spansKey: string, interfaceId: string): Promise<DiagnoseSpansResult | null>;
  /** Coverage bars the diagnosis came without (flowlog/diagnoseBars); null when no longer kept. */
  bars(spansKey: string, interfaceIds: string[]): Promise<DiagnoseBarsResult | null>;
}

/** What each verdict means, in a line (README "Connectivity diagnosis"). */
const VERDICT_PATTERN: Record<Verdict, string> = {
  'response-rejected': 'request accepted, reply rejected',
  'request-rejected': 'request rejected',
  'no-response': 'request accepted, no reply',
  'one-way': 'one direction only: cannot tell',
  ok: 'both directions accepted',
};

/** Interfaces drawn at first (the rest behind a button: a hostile log may have thousands); their bars come with the result. */
const INTERFACES_SHOWN = COVERAGE_BARS_SENT;

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;
const window = (from: number, to: number) => formatWindow(from, to, 'utc');

export function renderDiagnosis(r: DiagnoseResultWire, actions: DiagnoseActions, folder: string | undefined): HTMLElement {
  const box = el('div', { className: 'diagnosis', attrs: { id: 'diagnosis' } });
  const records = r.records;
  box.append(el('p', { className: 'diagnose-totals', text: `${plural(r.totals.conversations, 'conversation')} in ${plural(records.traffic, 'traffic record')} (${plural(records.nodata, 'NODATA record')}, ${plural(records.skipdata, 'SKIPDATA record')}${records.malformed + records.incomplete > 0 ? `, ${plural(records.malformed + records.incomplete, 'line')} not usable` : ''}) · computed in ${(r.elapsedMs / 1000).toFixed(2)} s` }));
  if (r.warnings.length > 0) box.append(el('ul', { className: 'diagnose-warnings' }, r.warnings.map((w) => el('li', { className: 'warning', text: cellText(w) }))));
  box.append(verdictFigures(r, actions));
  box.append(conversationList(r, actions, folder));
  box.append(findings(r, actions, folder));
  box.append(coverage(r, actions));
  return box;
}

function verdictFigures(r: DiagnoseResultWire, actions: DiagnoseActions): HTMLElement {
  return el('div', { className: 'figures', attrs: { id: 'verdicts' } }, VERDICTS.map((v) => {
    const listed = r.conversations.filter((c) => c.verdict === v);
    const query = conversationsQuery(listed);
    const count = r.verdicts[v];
    const detail = count > listed.length && listed.length > 0 ? `${VERDICT_PATTERN[v]} · opens the ${formatCount(listed.length)} listed` : VERDICT_PATTERN[v];
    const b = el('button', { className: `figure verdict-${v}`, title: query ?? 'no conversation', attrs: { 'data-verdict': v } }, [
      el('span', { className: 'figure-value', text: formatCount(count) }),
      el('span', { className: 'figure-label', text: v }),
      el('span', { className: 'figure-detail', text: detail }),
    ]);
    if (query) b.addEventListener('click', () => actions.openQuery(query));
    else b.disabled = true;
    return b;
  }));
}

function endpoint(address: string, port: number, protocol: number): string {
  const ports = protocol === 6 || protocol === 17 || protocol === 132;
  return ports ? `${address.includes(':') ? `[${address}]` : address}:${port}` : address;
}

/** A record's file as shown: under a folder source, relative to it; else its name (the panel's title has the path). */
function fileName(file: string, folder: string | undefined): string {
  return folder ? shownPath(file, folder) : cellText(file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1));
}

/** An evidence line as a link: `request: planted.flowlog:12 (ACCEPT)`. */
function lineLink(role: string, ref: RecordRef | null, action: string, actions: DiagnoseActions, folder: string | undefined): HTMLElement {
  if (!ref) return el('span', { className: 'evidence-line missing', text: `${role}: not logged` });
  const b = el('button', { className: 'link evidence-line', text: `${role}: ${fileName(ref.file, folder)}:${ref.line} (${action})`, title: `Open line ${ref.line} of ${cellText(ref.file)}`, attrs: { 'data-role': role, 'data-line': String(ref.line) } });
  b.addEventListener('click', () => actions.openRecord(ref));
  return b;
}

const sameRef = (a: RecordRef | null, b: RecordRef | null) => !!a && !!b && a.file === b.file && a.line === b.line;

function conversationItem(c: DiagnosedConversationWire, actions: DiagnoseActions, folder: string | undefined): HTMLElement {
  const query = conversationQuery(c);
  const head = el('button', { className: 'link conversation-head', title: query }, [
    el('span', { className: `verdict-badge verdict-${c.verdict}`, text: c.verdict }),
    el('span', { text: ` ${cellText(c.interfaceId)} · ${c.protocolName} · ${endpoint(c.client.address, c.client.port, c.protocol)} → ${endpoint(c.server.address, c.server.port, c.protocol)} · ${window(c.start, c.end)} · ${formatCount(c.request.records)} request / ${formatCount(c.reply.records)} reply record${c.request.records + c.reply.records === 1 ? '' : 's'} · ${formatBytes(c.request.bytes + c.reply.bytes)}` }),
  ]);
  head.addEventListener('click', () => actions.openQuery(query));
  const reqAction = sameRef(c.evidence.request, c.request.firstAccepted) ? 'ACCEPT' : 'REJECT';
  const repAction = sameRef(c.evidence.reply, c.reply.firstRejected) ? 'REJECT' : 'ACCEPT';
  const records = el('button', { className: 'link', text: 'records in the query panel', title: query });
  records.addEventListener('click', () => actions.openQuery(query));
  return el('li', { className: 'conversation', attrs: { 'data-verdict': c.verdict } }, [
    head,
    el('p', { className: 'reading' }, [
      el('span', { className: `certainty certainty-${c.reading.certainty}`, text: c.reading.certainty }),
      el('span', { className: 'reading-text', text: ` ${cellText(c.reading.summary)}` }),
    ]),
    c.reading.fix ? el('p', { className: 'fix', text: `Fix: ${cellText(c.reading.fix)}.` }) : null,
    el('div', { className: 'evidence' }, [
      lineLink('request', c.evidence.request, reqAction, actions, folder),
      lineLink('reply', c.evidence.reply, repAction, actions, folder),
      records,
    ]),
  ]);
}

function conversationList(r: DiagnoseResultWire, actions: DiagnoseActions, folder: string | undefined): HTMLElement {
  const box = el('div', { className: 'conversations', attrs: { id: 'broken-conversations' } }, [el('h3', { text: 'Broken conversations' })]);
  const broken = VERDICTS.filter((v) => v !== 'ok' && r.verdicts[v] > 0);
  if (broken.length === 0) {
    box.append(el('p', { className: 'empty', text: r.totals.conversations > 0 ? 'None: every conversation was answered both ways.' : 'No conversations (no record with every field a conversation needs).' }));
    return box;
  }
  for (const v of broken) {
    const listed = r.conversations.filter((c) => c.verdict === v);
    const more = r.verdicts[v] - listed.length;
    box.append(el('h4', { text: `${v}: ${formatCount(r.verdicts[v])}${more > 0 ? ` (the ${formatCount(listed.length)} with the most records; \`flowlog diagnose --limit N\` lists more)` : ''}` }));
    box.append(el('ol', { className: 'conversation-list', attrs: { 'data-verdict': v } }, listed.map((c) => conversationItem(c, actions, folder))));
  }
  return box;
}

function table(heads: string[], rows: { cells: (string | HTMLElement)[]; query: string }[], actions: DiagnoseActions, id: string): HTMLElement {
  const t = el('table', { className: 'grid', attrs: { id } }, [el('thead', {}, [el('tr', {}, heads.map((h) => el('th', { text: h })))])]);
  const body = el('tbody');
  for (const row of rows) {
    body.append(el('tr', {}, row.cells.map((cell) => {
      if (typeof cell !== 'string') return el('td', { className: 'evidence-cell' }, [cell]);
      const b = el('button', { className: 'cell-link', text: cell, title: row.query });
      b.addEventListener('click', () => actions.openQuery(row.query));
      return el('td', {}, [b]);
    })));
  }
  t.append(body);
  // Wide tables scroll sideways in a narrow panel rather than squeeze their columns.
  return el('div', { className: 'table-scroll' }, [t]);
}

function findings(r: DiagnoseResultWire, actions: DiagnoseActions, folder: string | undefined): HTMLElement {
  const o = r.options;
  const box = el('div', { className: 'findings' });
  const scanRule = `≥ ${o.portScanThreshold} ports on one host or ≥ ${o.addressScanThreshold} hosts on one port in ${formatDuration(o.scanWindow)}, ≥ ${Math.round(o.scanMinRejectedShare * 100)}% rejected`;
  box.append(el('h3', { text: `Scans: ${r.totals.scans > 0 ? formatCount(r.totals.scans) : 'none'}` }), el('p', { className: 'rule', text: scanRule }));
  if (r.scans.length > 0) {
    box.append(table(['finding', 'target', 'attempts', 'when', 'first record'], r.scans.map((f) => ({
      query: scanQuery(f),
      cells: [
        `${f.kind === 'port-scan' ? 'port scan' : 'address scan'} from ${cellText(f.source)}`,
        f.kind === 'port-scan'
          ? `${formatCount(f.distinct)} ports of ${cellText(f.host ?? '-')} (${f.protocolName}${f.samplePorts.length ? `: ${f.samplePorts.join(', ')}${f.distinct > f.samplePorts.length ? ', …' : ''}` : ''})`
          : `${formatCount(f.distinct)} hosts on ${f.port === null ? f.protocolName : `port ${f.port}/${f.protocolName}`}`,
        `${formatCount(f.attempts)}, ${formatCount(f.rejected)} rejected`, window(f.start, f.end),
        lineLink('first', f.evidence, 'attempt', actions, folder),
      ],
    })), actions, 'scans-table'));
    if (r.totals.scans > r.scans.length) box.append(el('p', { className: 'empty', text: `${formatCount(r.totals.scans - r.scans.length)} more: \`flowlog diagnose --format json\` lists them all.` }));
  }
  box.append(el('h3', { text: `Brute force: ${r.totals.bruteForce > 0 ? formatCount(r.totals.bruteForce) : 'none'}` }), el('p', { className: 'rule', text: `≥ ${o.bruteForceThreshold} connections from one source to one login or database port of one host in ${formatDuration(o.bruteForceWindow)}` }));
  if (r.bruteForce.length > 0) {
    box.append(table(['source', 'target', 'connections', 'when', 'first record'], r.bruteForce.map((f) => ({
      query: bruteForceQuery(f),
      cells: [
        cellText(f.source), `${endpoint(f.host, f.port, 6)}${f.service ? ` (${f.service})` : ''}`,
        `${formatCount(f.connections)} (peak ${formatCount(f.peak)} in one window), ${formatCount(f.accepted)} accepted, ${formatCount(f.rejected)} rejected`,
        window(f.start, f.end), lineLink('first', f.evidence, 'connection', actions, folder),
      ],
    })), actions, 'brute-force-table'));
    if (r.totals.bruteForce > r.bruteForce.length) box.append(el('p', { className: 'empty', text: `${formatCount(r.totals.bruteForce - r.bruteForce.length)} more: \`flowlog diagnose --format json\` lists them all.` }));
  }
  return box;
}

const STATE_LABEL: Record<CoverageState, string> = { traffic: 'records', nodata: 'NODATA', skipdata: 'SKIPDATA', gap: 'gap (no records)' };

function coverage(r: DiagnoseResultWire, actions: DiagnoseActions): HTMLElement {
  const box = el('div', { className: 'coverage', attrs: { id: 'coverage' } }, [
    el('h3', { text: `Capture coverage (${plural(r.totals.interfaces, 'interface')}; a gap is ${formatDuration(r.options.coverageMinGap)} or more without any record)` }),
  ]);
  if (r.coverage.length === 0) {
    box.append(el('p', { className: 'empty', text: 'No records with times.' }));
    return box;
  }
  // One time axis for every interface, so that their gaps line up.
  const { from, to } = r.coverageAxis;
  box.append(el('div', { className: 'coverage-legend' }, (['traffic', 'nodata', 'skipdata', 'gap'] as const).map((state) =>
    el('span', { className: 'legend-item' }, [el('span', { className: `legend-swatch seg-${state}` }), el('span', { text: ` ${STATE_LABEL[state]}` })]))));
  box.append(el('div', { className: 'coverage-axis' }, [el('span', { text: isoUtc(from) }), el('span', { text: isoUtc(to) })]));
  const list = el('div', { className: 'coverage-list' });
  const add = (items: InterfaceCoverageWire[]) => list.append(...items.map((c) => interfaceRow(c, from, to, r.spansKey, actions)));
  add(r.coverage.slice(0, INTERFACES_SHOWN));
  box.append(list);
  if (r.coverage.length > INTERFACES_SHOWN) {
    const rest = r.coverage.slice(INTERFACES_SHOWN);
    const more = el('button', { className: 'link', text: `Show ${plural(rest.length, 'more interface')}`, attrs: { id: 'coverage-more' } });
    more.addEventListener('click', () => {
      // Their bars did not come with the result (it stays small): asked of the language server now.
      const missing = rest.filter((c) => !c.segments).map((c) => c.interfaceId);
      const show = () => {
        more.remove();
        add(rest);
      };
      const key = r.spansKey;
      if (missing.length === 0 || !key) return show();
      more.disabled = true;
      more.textContent = 'loading…';
      actions.bars(key, missing).then((bars) => {
        const byId = new Map((bars ?? []).map((b) => [b.interfaceId, b.segments]));
        for (const c of rest) c.segments ??= byId.get(c.interfaceId);
        show();
        if (!bars) box.append(el('p', { className: 'empty', text: 'The language server no longer keeps this diagnosis: refresh it to draw these bars.' }));
      }, (e: unknown) => {
        more.textContent = `The bars could not be read: ${e instanceof Error ? e.message : String(e)}`;
      });
    });
    box.append(more);
  }
  if (r.totals.interfaces > r.coverage.length) box.append(el('p', { className: 'empty', text: `${formatCount(r.totals.interfaces - r.coverage.length)} more interfaces covered without gaps, NODATA or SKIPDATA are not listed.` }));
  return box;
}

function interfaceRow(c: InterfaceCoverageWire, from: number, to: number, spansKey: string | undefined, actions: DiagnoseActions): HTMLElement {
  const span = c.last - c.first;
  const covered = span > 0 ? ` · ${Math.round((1000 * c.coveredSeconds) / span) / 10}% covered` : '';
  const name = el('button', { className: 'link coverage-interface', text: cellText(c.interfaceId), title: interfaceQuery(c.interfaceId) });
  name.addEventListener('click', () => actions.openQuery(interfaceQuery(c.interfaceId)));
  const facts = `${window(c.first, c.last)}${covered} · ${plural(c.records, 'record')} · ${c.nodataRecords ? `${formatCount(c.nodataRecords)} NODATA` : 'no NODATA'} · ${c.skipdataRecords ? `${formatCount(c.skipdataRecords)} SKIPDATA` : 'no SKIPDATA'} · ${c.spans.gap ? plural(c.spans.gap, 'gap') : 'no gaps'}`;
  const bar = el('div', { className: 'coverage-bar', attrs: { role: 'list', 'aria-label': `coverage of ${cellText(c.interfaceId)}` } });
  const total = Math.max(1, to - from);
  for (const s of coverageSegments(c)) bar.append(segment(c.interfaceId, s, from, total, actions));
  const notable = c.spans.nodata + c.spans.skipdata + c.spans.gap;
  return el('div', { className: 'coverage-row', attrs: { 'data-interface': c.interfaceId } }, [
    el('div', { className: 'coverage-head' }, [name, el('span', { className: 'coverage-facts', text: ` ${facts}` })]),
    bar,
    notable > 0 ? spanList(c.interfaceId, notable, spansKey, actions) : null,
  ]);
}

/** The exact NODATA, SKIPDATA and gap spans of an interface, asked of the language server when the list is opened. */
function spanList(interfaceId: string, count: number, spansKey: string | undefined, actions: DiagnoseActions): HTMLElement {
  const list = el('ul', {});
  const details = el('details', { className: 'coverage-spans' }, [el('summary', { text: plural(count, 'NODATA, SKIPDATA or gap span') }), list]);
  let asked = false;
  details.addEventListener('toggle', () => {
    if (!details.open || asked) return;
    asked = true;
    const say = (text: string, className = 'empty') => list.replaceChildren(el('li', { className, text }));
    if (!spansKey) return say('The language server did not keep these spans: refresh the diagnosis.');
    say('loading…');
    actions.spans(spansKey, interfaceId).then((r) => {
      if (!r) return say('The language server no longer keeps this diagnosis: refresh it to list the spans.');
      list.replaceChildren(...coverageSpans(r).map((s) => {
        const q = spanQuery(interfaceId, s);
        const b = el('button', { className: `link span-${s.state}`, text: `${STATE_LABEL[s.state]} ${window(s.from, s.to)} (${formatDuration(s.to - s.from)})`, title: q, attrs: { 'data-state': s.state } });
        b.addEventListener('click', () => actions.openQuery(q));
        return el('li', {}, [b]);
      }));
      if (r.leftOut > 0) list.append(el('li', { className: 'empty', text: `${formatCount(r.leftOut)} more not listed: \`flowlog diagnose --format json\` lists them all.` }));
      details.dataset.loaded = 'true';
    }, (e: unknown) => say(`The spans could not be read: ${e instanceof Error ? e.message : String(e)}`, 'error'));
  });
  return details;
}

/**
 * A bar segment: an exact span opens its records (a gap, the two records that bound it); merged spans open the
 * interface's records in their time.
 */
function segment(interfaceId: string, s: CoverageSegment, from: number, total: number, actions: DiagnoseActions): HTMLElement {
  const q = s.merged === 1 ? spanQuery(interfaceId, s) : rangeQuery(interfaceId, s.from, s.to);
  const what = s.merged === 1 ? STATE_LABEL[s.state] : `${STATE_LABEL[s.state]} and others: ${formatCount(s.merged)} spans too close to draw apart (the list below has each)`;
  const b = el('button', { className: `coverage-seg seg-${s.state}`, title: `${what}: ${window(s.from, s.to)} (${formatDuration(s.to - s.from)})\n${q}`, attrs: { role: 'listitem', 'data-state': s.state, 'data-merged': String(s.merged) } });
  // Positions through CSSOM (the CSP allows it; no style attributes in markup).
  b.style.left = `${((s.from - from) / total) * 100}%`;
  b.style.width = `${((s.to - s.from) / total) * 100}%`;
  b.addEventListener('click', () => actions.openQuery(q));
  return b;
}
