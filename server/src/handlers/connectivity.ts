// Connectivity in the editor (issue 12): the diagnosis (core/diagnose) over an open document's records, as
// diagnostics on the record that shows a broken conversation (the rejected reply, the rejected request, the request
// nothing answered), each linked to the conversation's other record, and a hover section on every record of a
// conversation: its verdict, the plain reading and the other line.
//
// Runs when the document is validated again (after the edits pause, as the other diagnostics), once per version: the
// diagnostics handler asks for the result before it publishes, so a small document gets one publication with both.
// A big one is published at once and again when its diagnosis is done. Bounded: documents over MAX_LINES lines are
// not diagnosed here (`flowlog diagnose` streams any size), and diagnostics are capped at flowlog.maxProblems: only
// those conversations are read in full (their reading, with the fixing rule); the others keep a few numbers each, and
// their hover gives the verdict's plain reading.
import { Diagnostic, DiagnosticSeverity, Hover, HoverParams, MarkupKind } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { ClosedContext, ClosedConversation, Conversation, Reading, VERDICTS, Verdict, diagnose, readConversation } from '../core/diagnose';
import { FlowLogDocument } from '../core/document';
import { LineKind } from '../core/scan';
import { markdownText, shownValue, valueCode } from '../core/markdown';
import { terminalText } from '../core/terminalText';
import { ConnectivityDiagnosticsSetting, DECODED_SCHEME, FlowLogSettings } from '../protocol';
import { DocumentStore } from './documents';
import { isTruncatedView } from './decoded';

/** Documents with more lines are not diagnosed in the editor. */
export const MAX_LINES = 1_000_000;
/** Documents with fewer lines hold their publication until the diagnosis is done (it takes milliseconds). */
const AWAIT_LINES = 50_000;

/** The verdicts that get a diagnostic, and on which record. */
const FLAGGED: ReadonlySet<Verdict> = new Set(['response-rejected', 'request-rejected', 'no-response']);

/** A flagged conversation's reading (kept for at most flowlog.maxProblems conversations: the diagnostics' cap). */
interface Detail {
  reading: Reading;
  label: string;
}

/** Conversations as the editor keeps them: a few numbers each; lines are the document's, 0-based (-1: not logged). */
class ConversationColumns {
  count = 0;
  verdict = new Uint8Array(1024);
  requestLine = new Int32Array(1024);
  replyLine = new Int32Array(1024);
  /** The line the diagnostic goes on (-1: none), and its detail (-1: none). */
  flaggedLine = new Int32Array(1024);
  detail = new Int32Array(1024);

  add(verdict: number, requestLine: number, replyLine: number, flaggedLine: number, detail: number): number {
    if (this.count === this.verdict.length) this.grow();
    const k = this.count++;
    this.verdict[k] = verdict;
    this.requestLine[k] = requestLine;
    this.replyLine[k] = replyLine;
    this.flaggedLine[k] = flaggedLine;
    this.detail[k] = detail;
    return k;
  }

  private grow(): void {
    const n = this.verdict.length * 2;
    const grown = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.verdict = grown(this.verdict, (m) => new Uint8Array(m));
    this.requestLine = grown(this.requestLine, (m) => new Int32Array(m));
    this.replyLine = grown(this.replyLine, (m) => new Int32Array(m));
    this.flaggedLine = grown(this.flaggedLine, (m) => new Int32Array(m));
    this.detail = grown(this.detail, (m) => new Int32Array(m));
  }
}

interface DocumentResult {
  generation: number;
  /** The diagnostics' cap it was made with (flowlog.maxProblems). */
  maxDiagnostics: number;
  conversations: ConversationColumns;
  details: Detail[];
  /** Conversation of each document line, +1 (0: none). */
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
    const section = hoverSection(doc, result, k, line);
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
    const c = result.conversations;
    for (let k = 0; k < c.count; k++) {
      const line = c.flaggedLine[k];
      if (line < 0) continue;
      const verdict = VERDICTS[c.verdict[k]];
      const { reading, label } = result.details[c.detail[k]];
      const other = line === c.requestLine[k] ? c.replyLine[k] : c.requestLine[k];
      const diagnostic: Diagnostic = {
        range: actionRange(doc, line),
        severity: severityOf(this.mode, verdict),
        code: verdict,
        source: 'flowlog connectivity',
        message: terminalText(`${verdict} (${label}): ${reading.summary}${reading.fix ? ` Fix: ${reading.fix}.` : ''}`),
      };
      if (other >= 0) {
        diagnostic.relatedInformation = [{
          location: { uri, range: actionRange(doc, other) },
          message: other === c.requestLine[k] ? `the request (line ${other + 1})` : `the reply (line ${other + 1})`,
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
  const result: DocumentResult = { generation, maxDiagnostics, conversations: new ConversationColumns(), details: [], lineConversation: new Int32Array(lineCount), omitted: 0 };
  const onConversation = (c: ClosedConversation, context: ClosedContext) => {
    const verdict = c.verdictName;
    const [, requestEngineLine, , replyEngineLine] = c.evidence();
    const requestLine = requestEngineLine > 0 ? docLine(requestEngineLine) : -1;
    const replyLine = replyEngineLine > 0 ? docLine(replyEngineLine) : -1;
    let flaggedLine = -1;
    let detail = -1;
    if (FLAGGED.has(verdict)) {
      if (result.details.length < maxDiagnostics) {
        // Only these are read in full (a snapshot and its reading): the others keep their numbers.
        const s = c.snapshot(context.files, context.interfaces);
        detail = result.details.push({ reading: readConversation(s, context.readingContext(c.iface)), label: labelOf(s) }) - 1;
        if (verdict === 'response-rejected') flaggedLine = replyLine;
        else if (verdict === 'request-rejected') flaggedLine = c.request.rejectLine > 0 ? docLine(c.request.rejectLine) : requestLine;
        else flaggedLine = requestLine;
      } else result.omitted++;
    }
    const id = result.conversations.add(c.verdict, requestLine, replyLine, flaggedLine, detail) + 1;
    const records = c.records ?? [];
    for (let k = 0; k < records.length; k += 3) {
      const line = docLine(records[k + 1]);
      if (line >= 0 && line < lineCount) result.lineConversation[line] = id;
    }
  };
  await diagnose({ kind: 'text', text, name }, { threads: 1, keepRecords: true, limit: 0, list: [], onConversation, signal });
  return result;
}

function labelOf(c: Conversation): string {
  const ports = c.client.port !== 0 || c.server.port !== 0;
  return `${c.protocolName} ${c.client.address}${ports ? `:${c.client.port}` : ''} → ${c.server.address}${ports ? `:${c.server.port}` : ''} on ${c.interfaceId}`;
}

/** The plain reading of each verdict (issue 12's table), for a conversation not read in full. */
const PLAIN: Record<Verdict, string> = {
  'response-rejected': 'the request was accepted and the reply rejected: most likely a stateless network ACL drops the replies (a security group would allow them)',
  'request-rejected': 'the request was rejected: a security group or a network ACL blocks this traffic in the request\'s direction',
  'no-response': 'the request was accepted and nothing answered: most likely a service not listening, a host down, or the reply left by another path',
  'one-way': 'only one direction was logged: the log cannot tell whether this conversation works',
  'ok': 'both directions accepted: two-way traffic flows',
};

const CERTAINTY: Record<Reading['certainty'], string> = { 'observed': 'observed', 'most-likely': 'most likely', 'cannot-tell': 'cannot tell' };

/** The hover's section: verdict, reading, fix, and the conversation's other record(s) as text. */
function hoverSection(doc: FlowLogDocument, result: DocumentResult, k: number, line: number): string {
  const text = (s: string) => markdownText(shownValue(s, 2000));
  const c = result.conversations;
  const verdict = VERDICTS[c.verdict[k]];
  const requestLine = c.requestLine[k];
  const replyLine = c.replyLine[k];
  const role = line === requestLine ? 'the request' : line === replyLine ? 'the reply' : 'a record';
  const detail = c.detail[k] >= 0 ? result.details[c.detail[k]] : undefined;
  const parts: string[] = [];
  if (detail) {
    parts.push(`**Connectivity: ${verdict}** · ${CERTAINTY[detail.reading.certainty]} · this line is ${role} of ${text(detail.label)}`, text(detail.reading.summary));
    if (detail.reading.fix) parts.push(`**Fix**: ${text(detail.reading.fix)}`);
  } else {
    parts.push(`**Connectivity: ${verdict}** · this line is ${role} of its conversation: ${PLAIN[verdict]}`);
  }
  for (const [name, other] of [['request', requestLine], ['reply', replyLine]] as const) {
    if (other === line) continue;
    if (other < 0) parts.push(`The ${name}: not logged`);
    else if (other < doc.lineCount && doc.lineKind(other) === LineKind.Record) parts.push(`The ${name}, line ${other + 1}: ${valueCode(doc.recordAt(other).record.reading())}`);
  }
  return parts.join('\n\n');
}
