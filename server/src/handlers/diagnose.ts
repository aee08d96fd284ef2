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
import type { RecordRef } from '../core/diagnose';
import {
  DIAGNOSE_MAX_FINDINGS, DIAGNOSE_MAX_INTERFACES, DIAGNOSE_MAX_SPANS, DiagnoseParams, DiagnoseRequest, DiagnoseResultWire,
  DiagnosedConversationWire, InterfaceCoverageWire, SourceInfoWire,
} from '../protocol';
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
  const result = await diagnose(source, { signal: ctx.signal, onProgress: ctx.onProgress, spillDir: ctx.spillDir, list: VERDICTS, limit });
  const wire = toDiagnoseWire(result, documentLine(lines, lineShift));
  // The coverage is most of the object (up to DIAGNOSE_MAX_INTERFACES × DIAGNOSE_MAX_SPANS spans: 6.7 MB of 6.8 on the
  // wide 1 GB file): sent in parts, so that the server's main thread takes it in short steps, not in one.
  for (let k = 0; k < wire.coverage.length; k += COVERAGE_PART) {
    await ctx.part(wire.coverage.slice(k, k + COVERAGE_PART));
    ctx.signal.throwIfAborted();
  }
  return { ...wire, coverage: [] };
});

/** Interfaces' coverage per part of the diagnose job's result. */
const COVERAGE_PART = 8;

/** The diagnose job's result, its coverage put back together from its parts. */
export async function diagnoseOffThread(job: DiagnoseJob, options: Omit<OffThreadOptions, 'onPart'> = {}): Promise<DiagnoseResultWire> {
  const coverage: InterfaceCoverageWire[] = [];
  const onPart = (part: unknown) => void coverage.push(...(part as InterfaceCoverageWire[]));
  const wire = await runOffThread<DiagnoseResultWire>(DIAGNOSE_JOB, job, { ...options, onPart });
  wire.coverage = coverage;
  return wire;
}

export async function executeDiagnose(documents: DocumentStore, params: DiagnoseParams, token?: CancellationToken, progress?: WorkDoneProgressReporter): Promise<DiagnoseResultWire> {
  const { source, lines, lineShift, info, sizes } = await resolveSource(documents, params.uri, false, params.glob);
  const abort = abortOn(token);
  progress?.begin('Flow log diagnosis', 0, undefined, true);
  try {
    const wire = await diagnoseOffThread({ source, limit: params.limit, lines, lineShift }, { signal: abort.signal, onProgress: percentReporter(progress, sizes) });
    wire.source = info;
    return wire;
  } catch (e) {
    throw cancelledOr(e, abort.signal);
  } finally {
    abort.dispose();
    progress?.done();
  }
}

/** Parts of the core's result over the bounds the view shows (the totals say what was left out). */
export function toDiagnoseWire(r: DiagnoseResult, lineOf?: (line: number) => number, source?: SourceInfoWire): DiagnoseResultWire {
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
  // Interfaces with something to see first (gaps, then SKIPDATA, then NODATA), as `flowlog diagnose` lists them.
  const weight = (c: DiagnoseResult['coverage'][number]) => [c.gaps.length, c.skipdata.length, c.nodata.length];
  const notable = r.coverage.filter((c) => c.gaps.length + c.skipdata.length + c.nodata.length > 0);
  notable.sort((a, b) => {
    const x = weight(a);
    const y = weight(b);
    return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
  });
  const quiet = r.coverage.filter((c) => c.gaps.length + c.skipdata.length + c.nodata.length === 0);
  const coverage = [...notable, ...quiet].slice(0, DIAGNOSE_MAX_INTERFACES).map((c): InterfaceCoverageWire => ({
    ...c,
    gaps: c.gaps.slice(0, DIAGNOSE_MAX_SPANS),
    nodata: c.nodata.slice(0, DIAGNOSE_MAX_SPANS),
    skipdata: c.skipdata.slice(0, DIAGNOSE_MAX_SPANS),
    timeline: c.timeline.slice(0, DIAGNOSE_MAX_SPANS),
    spansLeftOut: Math.max(0, c.timeline.length - DIAGNOSE_MAX_SPANS),
  }));
  const finding = <T extends { evidence: RecordRef }>(f: T): T => (lineOf ? { ...f, evidence: move(f.evidence)! } : f);
  const s = r.options.scan;
  const { records, traffic, nodata, skipdata, malformed, incomplete, bytes } = r.input;
  return {
    files: r.files,
    records: { records, traffic, nodata, skipdata, malformed, incomplete, bytes },
    verdicts: r.verdicts,
    conversations,
    scans: r.scans.slice(0, DIAGNOSE_MAX_FINDINGS).map(finding),
    bruteForce: r.bruteForce.slice(0, DIAGNOSE_MAX_FINDINGS).map(finding),
    coverage,
    totals: { conversations: VERDICTS.reduce((n, v) => n + r.verdicts[v], 0), scans: r.scans.length, bruteForce: r.bruteForce.length, interfaces: r.coverage.length },
    options: {
      slack: r.options.slack, limit: r.options.limit, coverageMinGap: r.options.coverageMinGap, scanWindow: s.scanWindow,
      portScanThreshold: s.portScanThreshold, addressScanThreshold: s.addressScanThreshold, scanMinRejectedShare: s.scanMinRejectedShare,
      bruteForceWindow: s.bruteForceWindow, bruteForceThreshold: s.bruteForceThreshold,
    },
    warnings: r.warnings,
    elapsedMs: r.elapsedMs,
    source,
  };
}

export function registerDiagnoseHandler(connection: Connection, documents: DocumentStore): void {
  connection.onRequest(DiagnoseRequest, (params, token) =>
    executeDiagnose(documents, params, token, params.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined));
}
