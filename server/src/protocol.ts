// Custom LSP messages between client and server, declared once and imported by both sides.

import { NotificationType, ProgressType, ProtocolRequestType, RequestType } from 'vscode-languageserver-protocol';
import type { Summary, SummarySection, SummaryTable } from './core/summaryTypes';

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
}

/** `byVerdict`: a warning for a rejected reply, information for the others; `off`: no connectivity diagnosis in the editor. */
export type ConnectivityDiagnosticsSetting = 'byVerdict' | 'warning' | 'information' | 'off';

export const DEFAULT_SETTINGS: FlowLogSettings = {
  timeZone: 'utc',
  maxProblems: 1000,
  inlayHints: { protocol: true, ports: true, timestamps: true, tcpFlags: true, bytes: false },
  diagnose: { diagnostics: 'byVerdict' },
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
}

/** A batch of search rows found so far; the batches, in order, are a prefix of the final result's rows. */
export interface QueryRowsBatch {
  columns: string[];
  rows: (string | number | null)[][];
}

export const QueryRowsProgress = new ProgressType<QueryRowsBatch>();

export interface QueryStatsWire {
  records: number;
  matched: number;
  malformed: number;
  bytes: number;
  elapsedMs: number;
  /** Files that could not be read (or not to their end), with the reason: the others were read. */
  fileErrors?: { file: string; message: string }[];
  warnings?: string[];
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
  rows: (string | number | null)[][];
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
  /** Token for the sections that are final before the whole summary (SummarySectionProgress, one at a time). */
  partialResultToken?: string | number;
}

/** One section of a summary, sent as soon as it is final (the small ones come while the big ones still merge). */
export interface SummarySectionWire {
  section: SummarySection;
  table: SummaryTable;
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
