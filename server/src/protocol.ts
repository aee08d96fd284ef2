// Custom LSP messages between client and server, declared once and imported by both sides.

import { NotificationType, ProgressType, ProtocolRequestType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { Summary, SummaryPartial, SummarySection, SummaryTable } from './core/summaryTypes';
import { parseRowsJson } from './core/query/rowsJson';
// The diagnosis's types from its leaf modules (not core/diagnose/index.ts, which pulls in node: modules the webview's
// type-check does not have): the same objects that module's diagnose() returns.
import type { Conversation } from './core/diagnose/conversation';
import type { Reading } from './core/diagnose/readings';
import type { BruteForceFinding, ScanFinding } from './core/diagnose/scanFindings';
import type { CoverageState, InterfaceCoverage } from './core/diagnose/coverage';
import type { Verdict } from './core/diagnose/verdict';

/** Counts for the status bar, sent after each validation of a document. */
export interface DocumentStatusParams {
  uri: string;
  records: number;
  rejects: number;
  problems: number;
  errors: number;
}

export const DocumentStatusNotification = new NotificationType<DocumentStatusParams>('flowlog/status');

/** The settings the server reads from the `flowlog` section (pulled with workspace/configuration). */
export interface FlowLogSettings {
  timeZone: 'utc' | 'local';
  maxProblems: number;
  inlayHints: {
    protocol: boolean;
    ports: boolean;
    timestamps: boolean;
    tcpFlags: boolean;
    bytes: boolean;
  };
  diagnose: {
    /** Connectivity diagnostics on broken conversations' records (handlers/connectivity.ts), and their severity. */
    diagnostics: ConnectivityDiagnosticsSetting;
  };
  query: {
    /** MB a query's or the summary's groups may hold before they spill to a temporary folder (the engine's memoryBudget). */
    memoryBudgetMB: number;
  };
}

/** `byVerdict`: a warning for a rejected reply, information for the others; `off`: no connectivity diagnosis in the editor. */
export type ConnectivityDiagnosticsSetting = 'byVerdict' | 'warning' | 'information' | 'off';

export const DEFAULT_SETTINGS: FlowLogSettings = {
  timeZone: 'utc',
  maxProblems: 1000,
  inlayHints: { protocol: true, ports: true, timestamps: true, tcpFlags: true, bytes: false },
  diagnose: { diagnostics: 'byVerdict' },
  query: { memoryBudgetMB: 256 },
};

/**
 * The scheme of the read-only view of a compressed or binary flow log (`.gz`, `.snappy`, `.lzo`, `.parquet`): the
 * file's own path under this scheme (`flowlog-decoded:/logs/x.log.gz` views `/logs/x.log.gz`). Queries, the
 * summary and problems of such a view read the file itself.
 */
export const DECODED_SCHEME = 'flowlog-decoded';

/** One query over a flow log: the open document's text, or the file on disk when it is not open or too big. */
export interface QueryParams {
  /**
   * Document URI (file: URIs are read from disk when the document is not open in the server); a folder's file:
   * URI queries every flow log under it (see `glob`); a flowlog-decoded: URI reads the file it views.
   */
  uri: string;
  /** With a folder URI: which files under it, a glob relative to it (`*`, `?`, `**`, `[…]`, `{a,b}`); default every flow log. */
  glob?: string;
  query: string;
  /** Raw search rows returned at most (the match count stays exact); default 10,000. */
  limit?: number;
  /** Add a one-line reading of each record (raw searches), for quick picks. */
  withReadings?: boolean;
  /** Progress token (work-done progress, created by the client). */
  workDoneToken?: string | number;
  /** Token for the first rows of a search while the scan goes on (QueryRowsProgress batches). */
  partialResultToken?: string | number;
  /** With a ClickHouse table's URI (`flowlog-clickhouse:`, see clickhouseTarget.ts): how to talk to it. */
  clickhouse?: ClickHouseRequestOptions;
}

/** Credentials sealed for the server (sealedCredentials.ts): the client's public key, nonce, ciphertext and tag (base64). */
export interface SealedCredentials {
  publicKey: string;
  iv: string;
  data: string;
  tag: string;
}

/** What a request on a ClickHouse table carries besides the table's URI. */
export interface ClickHouseRequestOptions {
  /** User and password from VS Code's SecretStorage, sealed for this server (sealedCredentials.ts): never in clear. */
  credentials?: SealedCredentials;
  /** Give up on the server's answer after this long (and ask it to stop the query). */
  timeoutMs?: number;
}

/** A batch of search rows found so far; the batches, in order, are a prefix of the final result's rows. */
export interface QueryRowsBatch {
  columns: string[];
  rows: (string | number | null)[][];
  /**
   * More rows, after `rows`: each the JSON text of an array of rows as a worker thread wrote it (the server does not
   * parse what it only sends on), its `lineShift` to add to each row's last value (a search's line). rowsOfBatch.
   */
  texts?: QueryRowsText[];
}

export interface QueryRowsText {
  json: string;
  lineShift: number;
}

/** A batch's rows in order: `rows`, then each text's rows parsed, their line numbers shifted. */
export function rowsOfBatch(batch: QueryRowsBatch): QueryRowsBatch['rows'] {
  if (!batch.texts || batch.texts.length === 0) return batch.rows;
  const out = batch.rows.slice();
  for (const t of batch.texts) for (const row of parseRowsJson(t)) out.push(row);
  return out;
}

export const QueryRowsProgress = new ProgressType<QueryRowsBatch>();

export interface QueryStatsWire {
  records: number;
  /** A query over conversations (`FROM conversations`): the conversations the diagnosis found, which `matched` counts from. */
  conversations?: number;
  matched: number;
  malformed: number;
  bytes: number;
  elapsedMs: number;
  /** Files that could not be read (or not to their end), with the reason: the others were read. */
  fileErrors?: { file: string; message: string }[];
  warnings?: string[];
  /** Groups written to a temporary folder to stay within `flowlog.query.memoryBudgetMB`. */
  spilled?: { runs: number; partitions: number; bytes: number };
  /** Top-N by an aggregate done in two passes (a sketch, then the candidates' exact totals) within that budget. */
  twoPass?: number;
}

/** What a query or summary over a folder (or glob) read: the panels show it. */
export interface SourceInfoWire {
  /** The folder's path. */
  folder: string;
  glob?: string;
  /** Flow log files found, and their size on disk. */
  files: number;
  bytes: number;
  /** Files under the folder left out because they are clearly not flow logs, with the reason. */
  skipped: { path: string; reason: string }[];
}

/** The files a folder (and glob) source holds, before any query runs. */
export const SourceInfoRequest = new RequestType<{ uri: string; glob?: string }, SourceInfoWire, void>('flowlog/sourceInfo');

export interface QueryResultWire {
  columns: string[];
  /**
   * The result's rows; with `streamedRows`, only those after the rows already sent as partial results
   * (QueryRowsProgress batches, in order): the whole result is the batches' rows followed by these.
   */
  rows: (string | number | null)[][];
  /** Rows of the result sent as partial results and not repeated in `rows` (the LSP convention for partial results). */
  streamedRows?: number;
  stats: QueryStatsWire;
  kind: 'search' | 'sql';
  /** With `withReadings`: one reading per row. */
  readings?: string[];
  /** The header line of the source, when it has one (to write filtered records under it). */
  header?: string;
  /** A folder source: what it held. */
  source?: SourceInfoWire;
}

/** Error data of a query that does not parse: 1-based position and the message with its caret. */
export interface QueryErrorData {
  offset: number;
  line: number;
  column: number;
  formatted: string;
}

/** A protocol request, so that the server's handler gets progress reporters for `workDoneToken` and `partialResultToken`. */
export const QueryRequest = new ProtocolRequestType<QueryParams, QueryResultWire, QueryRowsBatch, QueryErrorData, void>('flowlog/query');

/** As-you-type validation of a query: null when it parses. */
export const CheckQueryRequest = new RequestType<{ query: string }, (QueryErrorData & { message: string }) | null, void>('flowlog/checkQuery');

/** LSP error code of a query that does not parse (in the application-defined range). */
export const QUERY_SYNTAX_ERROR = -32001;

/** The dashboard of one flow log (the open document, or the file on disk), computed on one scan. */
export interface SummaryParams {
  /** As QueryParams.uri: a document, a file, a folder (with `glob`) or a decoded view. */
  uri: string;
  glob?: string;
  workDoneToken?: string | number;
  /**
   * Token for the sections before the whole summary (SummarySectionProgress, one at a time): each one as it stands
   * while the scan goes on (about every 1.5 s, `partial` set), and each one once it is final.
   */
  partialResultToken?: string | number;
  /** With a ClickHouse table's URI, as QueryParams.clickhouse. */
  clickhouse?: ClickHouseRequestOptions;
}

/**
 * One section of a summary before the whole summary: as it stands while the scan goes on (`partial`: how far, and
 * whether a top list is provisional), or final (no `partial`; the small ones come while the big ones still merge).
 * A final section is never followed by a partial one of the same section.
 */
export interface SummarySectionWire {
  section: SummarySection;
  table: SummaryTable;
  partial?: SummaryPartial;
}

export const SummarySectionProgress = new ProgressType<SummarySectionWire>();

export interface SummaryResultWire {
  summary: Summary;
  elapsedMs: number;
  /** A folder source: what it held. */
  source?: SourceInfoWire;
}

export const SummaryRequest = new ProtocolRequestType<SummaryParams, SummaryResultWire, never, void, void>('flowlog/summary');

/**
 * The files open in editor tabs that VS Code does not hand to extensions (over 50 MB: no didOpen, so no
 * diagnostics), sent whole whenever that set changes. The server lints each flow log among them from disk and
 * publishes its diagnostics (at most flowlog.maxProblems), and clears them when the file leaves the set.
 */
export interface UnsyncedFilesParams {
  uris: string[];
}

export const UnsyncedFilesNotification = new NotificationType<UnsyncedFilesParams>('flowlog/unsyncedFiles');

/** The text of a compressed or binary flow log, for its read-only view, streamed in pages (DecodedTextProgress). */
export interface DecodedTextParams {
  /** The file's file: URI. */
  uri: string;
  /** The view stops at the last line end before this many bytes of text (default DECODED_VIEW_MAX_BYTES). */
  maxBytes?: number;
  partialResultToken?: string | number;
}

/** Bytes of text a decoded view holds at most: past VS Code's 50 MB sync limit already, and memory stays bounded. */
export const DECODED_VIEW_MAX_BYTES = 128 * 1024 * 1024;

export interface DecodedTextPage {
  text: string;
}

export const DecodedTextProgress = new ProgressType<DecodedTextPage>();

export interface DecodedTextResult {
  compression: 'none' | 'gzip' | 'snappy' | 'lzo';
  encoding: 'text' | 'cloudwatch' | 'json' | 'csv' | 'parquet';
  /**
   * Line n of the file (as queries report it) is line n + lineOffset of the view: 1 for Parquet, whose view starts
   * with a header line of its columns; else 0 (the view is the file's text, decompressed).
   */
  lineOffset: number;
  /** Bytes of text sent (UTF-8). */
  bytes: number;
  /** The view stops before the end of the file (maxBytes). */
  truncated: boolean;
  /** The file could not be read to its end (a damaged member, a truncated file): why, and where. */
  error?: string;
}

export const DecodedTextRequest = new ProtocolRequestType<DecodedTextParams, DecodedTextResult, DecodedTextPage, void, void>('flowlog/decodedText');

/**
 * Connectivity diagnosis (README "Connectivity diagnosis") of a flow log: the open document, the file on disk (big
 * files streamed), a decoded view's file, or every flow log under a folder (with `glob`), named as for the summary.
 */
export interface DiagnoseParams {
  uri: string;
  glob?: string;
  /** Conversations listed per verdict, the most records first (default 20; ok included, so its count opens records too). */
  limit?: number;
  workDoneToken?: string | number;
}

/** A listed conversation with its plain reading (as `flowlog diagnose --format json` prints it). */
export interface DiagnosedConversationWire extends Conversation {
  reading: Reading;
  readingText: string;
}

// The states of coverage spans by the index the wire uses, and the numbers per segment (in the core's module, which the
// webview can bundle).
export { COVERAGE_BARS_SENT, COVERAGE_SEGMENT_STRIDE, COVERAGE_STATES } from './core/diagnose/coverage';

/**
 * One interface's capture coverage as the Diagnose section shows it: its figures (exact, as `flowlog diagnose --format
 * json` gives them), how many spans of each state its whole timeline has, and the timeline drawn on the section's
 * axis (DiagnoseResultWire.coverageAxis) as at most a few segments per column: spans narrower than a column that start
 * in the same column are merged into one segment, shown in the most notable of their states. The first
 * COVERAGE_BARS_SENT interfaces' bars come with the result, the others' on demand (DiagnoseBarsRequest), as do the
 * exact NODATA, SKIPDATA and gap spans (DiagnoseSpansRequest).
 */
export interface InterfaceCoverageWire extends Pick<InterfaceCoverage, 'interfaceId' | 'first' | 'last' | 'records' | 'nodataRecords' | 'skipdataRecords' | 'coveredSeconds'> {
  /** Spans in the interface's whole timeline, by state. */
  spans: Record<CoverageState, number>;
  /**
   * COVERAGE_SEGMENT_STRIDE numbers per segment, in time order: its start − the previous segment's end (the first
   * segment's: − `first`; mostly 0, negative where a SKIPDATA span overlaps traffic), its length (seconds), its state
   * (an index of COVERAGE_STATES), and how many timeline spans it stands for (1: the span itself, exact). Absent
   * past the first COVERAGE_BARS_SENT interfaces: DiagnoseBarsRequest gives them.
   */
  segments?: number[];
}

/** Findings and interfaces a diagnosis result lists at most (the totals say how many there were). */
export const DIAGNOSE_MAX_FINDINGS = 100;
export const DIAGNOSE_MAX_INTERFACES = 200;
/** Columns of the coverage axis: spans narrower than one are merged with their column's (a bar is a few hundred pixels). */
export const DIAGNOSE_COVERAGE_COLUMNS = 200;
/** NODATA, SKIPDATA and gap spans kept per interface for DiagnoseSpansRequest (the rest are counted). */
export const DIAGNOSE_MAX_SPANS = 1000;

export interface DiagnoseResultWire {
  files: string[];
  /** What was read: record lines, and the kinds of them (traffic joins conversations; malformed and incomplete do not). */
  records: { records: number; traffic: number; nodata: number; skipdata: number; malformed: number; incomplete: number; bytes: number };
  /** Conversations by verdict: exact counts. */
  verdicts: Record<Verdict, number>;
  /** The `limit` most significant conversations of each verdict, broken verdicts first. Lines are the document's. */
  conversations: DiagnosedConversationWire[];
  /** Scans and brute force (at most DIAGNOSE_MAX_FINDINGS each, in the core's order). */
  scans: ScanFinding[];
  bruteForce: BruteForceFinding[];
  /** Capture coverage per interface: those with gaps, SKIPDATA or NODATA first (at most DIAGNOSE_MAX_INTERFACES). */
  coverage: InterfaceCoverageWire[];
  /** The time axis the coverage is drawn on: from the first start to the last end of the listed interfaces, in `columns`. */
  coverageAxis: { from: number; to: number; columns: number };
  /** The server keeps the listed interfaces' spans under this key for DiagnoseSpansRequest (absent: not kept). */
  spansKey?: string;
  /** How many of each the diagnosis found (the lists above may stop before). */
  totals: { conversations: number; scans: number; bruteForce: number; interfaces: number };
  /** The rules the result was found with (seconds, counts, shares). */
  options: {
    slack: number;
    limit: number;
    coverageMinGap: number;
    scanWindow: number;
    portScanThreshold: number;
    addressScanThreshold: number;
    scanMinRejectedShare: number;
    bruteForceWindow: number;
    bruteForceThreshold: number;
  };
  /** What to know about how far to trust the result (late records, unusable lines, saturated windows). */
  warnings: string[];
  elapsedMs: number;
  /** A folder source: what it held. */
  source?: SourceInfoWire;
}

export const DiagnoseRequest = new ProtocolRequestType<DiagnoseParams, DiagnoseResultWire, never, void, void>('flowlog/diagnose');

export interface DiagnoseSpansParams {
  /** DiagnoseResultWire.spansKey. */
  spansKey: string;
  interfaceId: string;
}

/** One listed interface's NODATA, SKIPDATA and gap spans, exact, in time order (at most DIAGNOSE_MAX_SPANS). */
export interface DiagnoseSpansResult {
  interfaceId: string;
  /** Three numbers per span: from, to (Unix seconds), state (an index of COVERAGE_STATES). */
  spans: number[];
  /** Spans of those states past DIAGNOSE_MAX_SPANS, not listed. */
  leftOut: number;
}

/**
 * The exact spans behind one interface's coverage bar, asked when the user opens its list; null when the server no
 * longer keeps that diagnosis (it keeps the last few) or never listed the interface: diagnose again.
 */
export const DiagnoseSpansRequest = new RequestType<DiagnoseSpansParams, DiagnoseSpansResult | null, void>('flowlog/diagnoseSpans');

export interface DiagnoseBarsParams {
  /** DiagnoseResultWire.spansKey. */
  spansKey: string;
  /** Listed interfaces (at most DIAGNOSE_MAX_INTERFACES; others are left out of the answer). */
  interfaceIds: string[];
}

/**
 * The coverage bars (InterfaceCoverageWire.segments) of listed interfaces, for those the result came without (the
 * section's "Show more interfaces"); null when the server no longer keeps that diagnosis.
 */
export const DiagnoseBarsRequest = new RequestType<DiagnoseBarsParams, { interfaceId: string; segments: number[] }[] | null, void>('flowlog/diagnoseBars');

/** LSP error code of a ClickHouse server that refused, timed out or answered an error (data: its kind). */
export const CLICKHOUSE_ERROR = -32002;

export interface ClickHouseErrorData {
  kind: 'refused' | 'unreachable' | 'timeout' | 'auth' | 'server' | 'protocol' | 'credentials';
}

/** The server's public key, for sealing credentials (sealedCredentials.ts); the same for the server's life. */
export const ClickHouseKeyRequest = new RequestType0<{ publicKey: string }, void>('flowlog/clickhouseKey');

/** Flow log files (and every file under folders) into a ClickHouse table: created when missing, else inserted into. */
export interface ClickHouseLoadParams {
  /** file: URIs of files and folders. */
  uris: string[];
  url: string;
  table: string;
  clickhouse?: ClickHouseRequestOptions;
  workDoneToken?: string | number;
}

export interface ClickHouseLoadFileWire {
  file: string;
  status: 'loaded' | 'resumed' | 'already loaded' | 'failed';
  records: number;
  malformed: number;
  /** The first malformed lines (at most 100 per file), with why. */
  malformedLines: { line: number; message: string }[];
  alreadyPresent: number;
  resumedAfter: number;
  error?: string;
}

export interface ClickHouseLoadResultWire {
  table: string;
  created: boolean;
  files: ClickHouseLoadFileWire[];
  records: number;
  malformed: number;
  elapsedMs: number;
}

export const ClickHouseLoadRequest = new ProtocolRequestType<ClickHouseLoadParams, ClickHouseLoadResultWire, never, void, void>('flowlog/clickhouseLoad');

/** The engines `Copy Query As…` writes for (core/translate). */
export type QueryDialect = 'athena' | 'trino' | 'clickhouse' | 'cls' | 'cwli';

export interface TranslateParams {
  query: string;
  dialect: QueryDialect;
  /** The table the SQL dialects name (default: theirs). */
  table?: string;
}

/** A query in another engine's language; fails with QUERY_SYNTAX_ERROR (its position) for a part it cannot express. */
export const TranslateRequest = new RequestType<TranslateParams, { text: string; notes: string[] }, QueryErrorData>('flowlog/translate');
