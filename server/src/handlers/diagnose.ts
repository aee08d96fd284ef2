// flowlog/diagnose: connectivity diagnosis (conversations and verdicts, scans and brute force, capture coverage) of
// the open document, the file on disk (streamed: big files are never open here), a decoded view's file, or every
// flow log under a folder. The core does the work; this turns its result into the bounded object the summary's
// Diagnose section shows, with the document's line numbers. The diagnosis and that object are made on the job host
// thread (core/threads/offThread.ts): the server's main thread answers other requests meanwhile.
import { CancellationToken, Connection, WorkDoneProgressReporter } from 'vscode-languageserver';
import { DiagnoseResult, VERDICTS, diagnose, readingText } from '../core/diagnose';
import type { QuerySource } from '../core/query';
import { OffThreadOptions, registerJob, runOffThread } from '../core/threads/offThread';
import { evidenceOf } from '../core/diagnose/readings';
import { debugDiagnoseMemory } from '../core/diagnose/debugMemory';
import { compactCoverage } from '../core/diagnose/coverage';
import type { RecordRef } from '../core/diagnose';
import { DIAGNOSE_MAX_FINDINGS, DiagnoseParams, DiagnoseRequest, DiagnoseResultWire, DiagnosedConversationWire, SourceInfoWire } from '../protocol';
import { CoverageSpans, toCoverageWire } from './coverageWire';
import { KeptCoverageSpans, registerDiagnoseSpansHandler } from './coverageSpans';
import { DocumentStore } from './documents';
import { abortOn, cancelledOr, documentLine, percentReporter, resolveSource } from './source';

/** The job that diagnoses off the main thread: the source, and what maps the engine's lines to the document's. */
export const DIAGNOSE_JOB = 'flowlog.diagnose';

export interface DiagnoseJob {
  source: QuerySource;
  limit?: number;
  lines?: Int32Array;
  lineShift?: number;
}

registerJob(DIAGNOSE_JOB, async (payload, ctx) => {
  const { source, limit, lines, lineShift } = payload as DiagnoseJob;
  // Every verdict listed (ok too): each count in the view opens the records of its listed conversations.
  const result = await diagnose(source, { signal: ctx.signal, onProgress: ctx.onProgress, spillDir: ctx.spillDir, list: VERDICTS, limit, compactCoverage: true });
  // A bounded object (the coverage as segments, its spans in typed arrays): the main thread takes it in one short step.
  const diagnosis = toDiagnosis(result, documentLine(lines, lineShift));
  debugDiagnoseMemory('result made');
  return diagnosis;
});

/** What the diagnose job gives: the wire's object, and the listed interfaces' spans for flowlog/diagnoseSpans. */
export interface Diagnosis {
  wire: DiagnoseResultWire;
  spans: CoverageSpans;
}

export function diagnoseOffThread(job: DiagnoseJob, options: OffThreadOptions = {}): Promise<Diagnosis> {
  return runOffThread<Diagnosis>(DIAGNOSE_JOB, job, options);
}

/** The spans of the last few diagnoses, for flowlog/diagnoseSpans. */
const keptSpans = new KeptCoverageSpans();

export async function executeDiagnose(documents: DocumentStore, params: DiagnoseParams, token?: CancellationToken, progress?: WorkDoneProgressReporter): Promise<DiagnoseResultWire> {
  const { source, lines, lineShift, info, sizes } = await resolveSource(documents, params.uri, false, params.glob);
  const abort = abortOn(token);
  progress?.begin('Flow log diagnosis', 0, undefined, true);
  try {
    const { wire, spans } = await diagnoseOffThread({ source, limit: params.limit, lines, lineShift }, { signal: abort.signal, onProgress: percentReporter(progress, sizes) });
    wire.source = info;
    wire.spansKey = keptSpans.keep(spans);
    return abort.answer(wire);
  } catch (e) {
    throw cancelledOr(e, abort.signal);
  } finally {
    abort.dispose();
    progress?.done();
  }
}

/** The wire's object of a core result (the coverage's spans left out: see toDiagnosis). */
export function toDiagnoseWire(r: DiagnoseResult, lineOf?: (line: number) => number, source?: SourceInfoWire): DiagnoseResultWire {
  return toDiagnosis(r, lineOf, source).wire;
}

/** Parts of the core's result over the bounds the view shows (the totals say what was left out). */
export function toDiagnosis(r: DiagnoseResult, lineOf?: (line: number) => number, source?: SourceInfoWire): Diagnosis {
  const move = (ref: RecordRef | null): RecordRef | null => (ref && lineOf ? { file: ref.file, line: lineOf(ref.line) } : ref);
  const conversations = r.conversations.map((c): DiagnosedConversationWire => {
    const { records: _everyRecord, ...wire }: DiagnosedConversationWire = c;
    if (!lineOf) return wire;
    wire.evidence = { request: move(c.evidence.request), reply: move(c.evidence.reply) };
    for (const side of ['request', 'reply'] as const) {
      wire[side] = { ...c[side], firstAccepted: move(c[side].firstAccepted), firstRejected: move(c[side].firstRejected) };
    }
    // The reading quotes the evidence lines: quote the document's.
    wire.reading = { ...c.reading, evidence: evidenceOf(wire) };
    wire.readingText = readingText(wire.reading);
    return wire;
  });
  const interfaces = r.compactCoverage ?? r.coverage.map(compactCoverage);
  const coverage = toCoverageWire(interfaces);
  const finding = <T extends { evidence: RecordRef }>(f: T): T => (lineOf ? { ...f, evidence: move(f.evidence)! } : f);
  const s = r.options.scan;
  const { records, traffic, nodata, skipdata, malformed, incomplete, bytes } = r.input;
  const wire: DiagnoseResultWire = {
    files: r.files,
    records: { records, traffic, nodata, skipdata, malformed, incomplete, bytes },
    verdicts: r.verdicts,
    conversations,
    scans: r.scans.slice(0, DIAGNOSE_MAX_FINDINGS).map(finding),
    bruteForce: r.bruteForce.slice(0, DIAGNOSE_MAX_FINDINGS).map(finding),
    coverage: coverage.coverage,
    coverageAxis: coverage.axis,
    totals: { conversations: VERDICTS.reduce((n, v) => n + r.verdicts[v], 0), scans: r.scans.length, bruteForce: r.bruteForce.length, interfaces: interfaces.length },
    options: {
      slack: r.options.slack, limit: r.options.limit, coverageMinGap: r.options.coverageMinGap, scanWindow: s.scanWindow,
      portScanThreshold: s.portScanThreshold, addressScanThreshold: s.addressScanThreshold, scanMinRejectedShare: s.scanMinRejectedShare,
      bruteForceWindow: s.bruteForceWindow, bruteForceThreshold: s.bruteForceThreshold,
    },
    warnings: r.warnings,
    elapsedMs: r.elapsedMs,
    source,
  };
  return { wire, spans: coverage.spans };
}

export function registerDiagnoseHandler(connection: Connection, documents: DocumentStore): void {
  connection.onRequest(DiagnoseRequest, (params, token) =>
    executeDiagnose(documents, params, token, params.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined));
  registerDiagnoseSpansHandler(connection, keptSpans);
}
