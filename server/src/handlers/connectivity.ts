// Connectivity in the editor (issue 12): the diagnosis (core/diagnose) over an open document's records, as
// diagnostics on the record that shows a broken conversation (the rejected reply, the rejected request, the request
// nothing answered), each linked to the conversation's other record, and a hover section on every record of a
// conversation: its verdict, the plain reading and the other line.
//
// Runs when the document is validated again (after the edits pause, as the other diagnostics), once per version: the
// diagnostics handler asks for the result before it publishes, so a small document gets one publication with both.
// A big one is published at once and again when its diagnosis is done. Bounded: documents over MAX_LINES lines are
// not diagnosed here (`flowlog diagnose` streams any size), diagnostics are capped at flowlog.maxProblems, and
// conversations kept for hovers at MAX_KEPT.
import { Diagnostic, DiagnosticSeverity, Hover, HoverParams, MarkupKind } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { ClosedContext, ClosedConversation, Conversation, Reading, Verdict, diagnose, readConversation } from '../core/diagnose';
import { FlowLogDocument } from '../core/document';
import { LineKind } from '../core/scan';
import { markdownText, shownValue, valueCode } from '../core/markdown';
import { terminalText } from '../core/terminalText';
import { ConnectivityDiagnosticsSetting, DECODED_SCHEME, FlowLogSettings } from '../protocol';
import { DocumentStore } from './documents';
import { isTruncatedView } from './decoded';

/** Documents with more lines are not diagnosed in the editor. */
export const MAX_LINES = 1_000_000;
/** Conversations kept for hovers at most (broken ones within the diagnostics' cap are kept beyond it). */
export const MAX_KEPT = 50_000;
/** Documents with fewer lines hold their publication until the diagnosis is done (it takes milliseconds). */
const AWAIT_LINES = 100_000;

/** The verdicts that get a diagnostic, and on which record. */
const FLAGGED: ReadonlySet<Verdict> = new Set(['response-rejected', 'request-rejected', 'no-response']);

/** One conversation as the editor keeps it: lines are the document's, 0-based (-1: not logged). */
interface KeptConversation {
  verdict: Verdict;
  reading: Reading;
  label: string;
  requestLine: number;
  replyLine: number;
  /** The line the diagnostic goes on (-1: none). */
  flaggedLine: number;
}

interface DocumentResult {
  generation: number;
  /** The diagnostics' cap it was made with (flowlog.maxProblems). */
  maxDiagnostics: number;
  conversations: KeptConversation[];
  /** Conversation of each document line, +1 (0: none kept). */
  lineConversation: Int32Array;
  /** Broken conversations left without a diagnostic by the cap. */
  omitted: number;
}

interface DocumentState {
  generation: number;
  result?: DocumentResult;
  running?: { generation: number; maxDiagnostics: number; done: Promise<DocumentResult | undefined>; abort: AbortController };
}

export class ConnectivityIndex {
  private readonly states = new Map<string, DocumentState>();
  /** Called when a diagnosis that the diagnostics handler did not wait for is done. */
  onLateResult: (uri: string) => void = () => undefined;

  constructor(private readonly documents: DocumentStore, private readonly settings: () => FlowLogSettings) {
    documents.onDidValidate((uri) => {
      const state = this.states.get(uri) ?? { generation: 0 };
      state.generation++;
      state.running?.abort.abort();
      state.running = undefined;
      this.states.set(uri, state);
    });
    documents.onDidClose((uri) => {
      this.states.get(uri)?.running?.abort.abort();
      this.states.delete(uri);
    });
  }

  private get mode(): ConnectivityDiagnosticsSetting {
    return this.settings().diagnose.diagnostics;
  }

  /** The connectivity diagnostics of the document as it is now (empty while a big one's diagnosis runs). */
  async diagnosticsFor(uri: string): Promise<Diagnostic[]> {
    const doc = this.documents.get(uri);
    const state = this.states.get(uri);
    if (!doc || !state || this.mode === 'off' || !diagnosable(uri, doc)) return [];
    let result = state.result?.generation === state.generation && state.result.maxDiagnostics === this.settings().maxProblems ? state.result : undefined;
    if (!result) {
      const done = this.start(uri, doc, state);
      if (doc.lineCount < AWAIT_LINES) result = await done;
      else {
        void done.then((r) => r && this.onLateResult(uri));
        return [];
      }
    }
    return result && this.documents.get(uri) === doc && state.generation === result.generation ? this.toDiagnostics(uri, doc, result) : [];
  }

  /** `base` (the record's own hover) with the connectivity of the hovered record's conversation after it. */
  withHover(params: HoverParams, base: Hover | null): Hover | null {
    const uri = params.textDocument.uri;
    const doc = this.documents.get(uri);
    const state = this.states.get(uri);
    const result = state?.result;
    const line = params.position.line;
    if (!doc || !result || result.generation !== state.generation || this.mode === 'off' || line >= result.lineConversation.length) return base;
    const k = result.lineConversation[line] - 1;
    if (k < 0) return base;
    const section = hoverSection(doc, result.conversations[k], line);
    if (!base) {
      return { contents: { kind: MarkupKind.Markdown, value: section }, range: { start: { line, character: 0 }, end: { line, character: doc.lineText(line).length } } };
    }
    const value = typeof base.contents === 'object' && 'kind' in base.contents ? base.contents.value : '';
    return { ...base, contents: { kind: MarkupKind.Markdown, value: `${value}\n\n---\n\n${section}` } };
  }

  private start(uri: string, doc: FlowLogDocument, state: DocumentState): Promise<DocumentResult | undefined> {
    if (state.running?.generation === state.generation && state.running.maxDiagnostics === this.settings().maxProblems) return state.running.done;
    state.running?.abort.abort();
    const abort = new AbortController();
    const generation = state.generation;
    const maxDiagnostics = this.settings().maxProblems;
    const done = diagnoseDocument(uri, doc, generation, maxDiagnostics, abort.signal)
      .then((result) => {
        if (state.generation === generation && this.states.get(uri) === state) state.result = result;
        return result;
      }, () => undefined) // cancelled by an edit, or a document the diagnosis cannot read: no connectivity findings
      .finally(() => {
        if (state.running?.done === done) state.running = undefined;
      });
    state.running = { generation, maxDiagnostics, done, abort };
    return done;
  }

  private toDiagnostics(uri: string, doc: FlowLogDocument, result: DocumentResult): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const c of result.conversations) {
      if (c.flaggedLine < 0) continue;
      const other = c.flaggedLine === c.requestLine ? c.replyLine : c.requestLine;
      const diagnostic: Diagnostic = {
        range: actionRange(doc, c.flaggedLine),
        severity: severityOf(this.mode, c.verdict),
        code: c.verdict,
        source: 'flowlog connectivity',
        message: terminalText(`${c.verdict} (${c.label}): ${c.reading.summary}${c.reading.fix ? ` Fix: ${c.reading.fix}.` : ''}`),
      };
      if (other >= 0) {
        diagnostic.relatedInformation = [{
          location: { uri, range: actionRange(doc, other) },
          message: other === c.requestLine ? `the request (line ${other + 1})` : `the reply (line ${other + 1})`,
        }];
      }
      out.push(diagnostic);
    }
    if (result.omitted > 0) {
      out.push({
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Information,
        code: 'connectivity-omitted',
        source: 'flowlog connectivity',
        message: `${result.omitted} more broken conversations not shown (flowlog.maxProblems): \`flowlog diagnose\` lists them all`,
      });
    }
    return out;
  }
}

/** An open document the editor diagnoses: not a decoded view that stops before its file's end, not too long. */
function diagnosable(uri: string, doc: FlowLogDocument): boolean {
  if (doc.lineCount > MAX_LINES) return false;
  const parsed = URI.parse(uri);
  return !(parsed.scheme === DECODED_SCHEME && isTruncatedView(parsed.fsPath));
}

function severityOf(mode: ConnectivityDiagnosticsSetting, verdict: Verdict): DiagnosticSeverity {
  if (mode === 'warning') return DiagnosticSeverity.Warning;
  if (mode === 'information') return DiagnosticSeverity.Information;
  // byVerdict: the reply rejected is a misconfiguration to fix; a rejected request is often a control doing its job
  // (the internet's scanners at a security group), and an unanswered one a host that is down.
  return verdict === 'response-rejected' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
}

/** The record's action value (where ACCEPT/REJECT is), else the whole line. */
function actionRange(doc: FlowLogDocument, line: number): Diagnostic['range'] {
  const { record, format } = doc.recordAt(line);
  const k = format.positionOf.get('action');
  const whole = { start: { line, character: 0 }, end: { line, character: doc.lineText(line).length } };
  if (k === undefined || record.unreadable || k >= record.spans.count) return whole;
  const [start, end] = record.valueRange(k);
  return { start: { line, character: start }, end: { line, character: end } };
}

/** Runs the diagnosis over the document's records (as the query engine reads them) and keeps what the editor shows. */
async function diagnoseDocument(uri: string, doc: FlowLogDocument, generation: number, maxDiagnostics: number, signal: AbortSignal): Promise<DocumentResult> {
  const name = URI.parse(uri).fsPath || uri;
  let text: string;
  let engineLines: Int32Array | undefined;
  if (doc.shape.encoding === 'text') text = doc.getText();
  else ({ text, lines: engineLines } = doc.engineText());
  // Engine line n is document line engineLines[n - 1] (both 1-based; 0 for a header made of JSON keys): 0-based here.
  const docLine = (n: number) => (engineLines ? (engineLines[n - 1] ?? 0) - 1 : n - 1);
  const lineCount = doc.lineCount;
  const result: DocumentResult = { generation, maxDiagnostics, conversations: [], lineConversation: new Int32Array(lineCount), omitted: 0 };
  let flagged = 0;
  const onConversation = (c: ClosedConversation, context: ClosedContext) => {
    const verdict = c.verdictName;
    const broken = FLAGGED.has(verdict);
    const showDiagnostic = broken && flagged < maxDiagnostics;
    if (broken && !showDiagnostic) result.omitted++;
    if (!showDiagnostic && result.conversations.length >= MAX_KEPT) return;
    const s = c.snapshot(context.files, context.interfaces);
    const kept = keep(s, readConversation(s, context.readingContext(c.iface)), docLine, showDiagnostic);
    if (kept.flaggedLine >= 0) flagged++;
    result.conversations.push(kept);
    const id = result.conversations.length;
    const records = c.records ?? [];
    for (let k = 0; k < records.length; k += 3) {
      const line = docLine(records[k + 1]);
      if (line >= 0 && line < lineCount) result.lineConversation[line] = id;
    }
  };
  await diagnose({ kind: 'text', text, name }, { threads: 1, keepRecords: true, limit: 0, list: [], onConversation, signal });
  return result;
}

function keep(c: Conversation, reading: Reading, docLine: (n: number) => number, flag: boolean): KeptConversation {
  const requestLine = c.evidence.request ? docLine(c.evidence.request.line) : -1;
  const replyLine = c.evidence.reply ? docLine(c.evidence.reply.line) : -1;
  let flaggedLine = -1;
  if (flag) {
    if (c.verdict === 'response-rejected') flaggedLine = replyLine;
    else if (c.verdict === 'request-rejected') flaggedLine = c.request.firstRejected ? docLine(c.request.firstRejected.line) : requestLine;
    else flaggedLine = requestLine;
  }
  const ports = c.client.port !== 0 || c.server.port !== 0;
  const label = `${c.protocolName} ${c.client.address}${ports ? `:${c.client.port}` : ''} → ${c.server.address}${ports ? `:${c.server.port}` : ''} on ${c.interfaceId}`;
  return { verdict: c.verdict, reading, label, requestLine, replyLine, flaggedLine };
}

const CERTAINTY: Record<Reading['certainty'], string> = { 'observed': 'observed', 'most-likely': 'most likely', 'cannot-tell': 'cannot tell' };

/** The hover's section: verdict, reading, fix, and the conversation's other record(s) as text. */
function hoverSection(doc: FlowLogDocument, c: KeptConversation, line: number): string {
  const text = (s: string) => markdownText(shownValue(s, 2000));
  const role = line === c.requestLine ? 'the request' : line === c.replyLine ? 'the reply' : 'a record';
  const parts = [
    `**Connectivity: ${c.verdict}** · ${CERTAINTY[c.reading.certainty]} · this line is ${role} of ${text(c.label)}`,
    text(c.reading.summary),
  ];
  if (c.reading.fix) parts.push(`**Fix**: ${text(c.reading.fix)}`);
  for (const [name, other] of [['request', c.requestLine], ['reply', c.replyLine]] as const) {
    if (other === line) continue;
    if (other < 0) parts.push(`The ${name}: not logged`);
    else if (other < doc.lineCount && doc.lineKind(other) === LineKind.Record) parts.push(`The ${name}, line ${other + 1}: ${valueCode(doc.recordAt(other).record.reading())}`);
  }
  return parts.join('\n\n');
}
