// Every message between the extension host and the webviews, in one place. Both sides import these unions; the
// host checks what a webview sends (parseFromQueryView, parseFromSummaryView) before routing it, because a
// webview is a browser page and its messages are data, not trusted calls. No DOM or vscode here: both sides
// and the unit tests compile it.
import type { DiagnoseResultWire, DiagnoseSpansResult, QueryErrorData, QueryResultWire, SourceInfoWire, SummaryResultWire } from '../../../server/src/protocol';
import { SUMMARY_QUERIES } from '../../../server/src/core/summaryTypes';
import type { SummaryPartial, SummarySection, SummaryTable } from '../../../server/src/core/summaryTypes';

export type Cell = string | number | null;

/** The flow log a view is bound to: a file (or a document, or a decoded view), or every flow log under a folder. */
export interface FlowLogTarget {
  uri: string;
  /** File (or folder) name, for the title. */
  name: string;
  /** A folder: the files under it that are read (every flow log when no glob). */
  folder?: { glob?: string };
  /** A ClickHouse table (`uri` is its flowlog-clickhouse: URI): rows name the file and line they were loaded from. */
  clickhouse?: { url: string; table: string };
}

export interface QuerySyntaxProblem extends QueryErrorData {
  message: string;
}

/** Extension host → query panel. `id` is the run or check the answer belongs to. */
export type ToQueryView =
  | { type: 'target'; target: FlowLogTarget | null; pinned: boolean }
  | { type: 'history'; queries: string[] }
  | { type: 'setQuery'; query: string; run: boolean }
  | { type: 'source'; info: SourceInfoWire }
  | { type: 'started'; id: number }
  | { type: 'progress'; id: number; done: number; total: number; detail?: string }
  | { type: 'rows'; id: number; columns: string[]; rows: Cell[][] }
  | { type: 'result'; id: number; result: QueryResultWire }
  | { type: 'failed'; id: number; message: string; problem?: QuerySyntaxProblem }
  | { type: 'cancelled'; id: number }
  | { type: 'checked'; id: number; problem: QuerySyntaxProblem | null };

export type ExportFormat = 'csv' | 'json';

/** Query panel → extension host. */
export type FromQueryView =
  | { type: 'ready' }
  | { type: 'run'; id: number; query: string }
  | { type: 'cancel'; id: number }
  | { type: 'check'; id: number; query: string }
  | { type: 'reveal'; line: number; file?: string }
  | { type: 'export'; format: ExportFormat; columns: string[]; rows: Cell[][] }
  | { type: 'copy'; format: ExportFormat; columns: string[]; rows: Cell[][] }
  | { type: 'pin'; pinned: boolean };

/** Sections of the summary a command can open it at. */
export type SummaryFocus = 'diagnose';

/** Extension host → summary view. The diagnosis (its Diagnose section) comes by its own request, after or before the summary. */
export type ToSummaryView =
  | { type: 'target'; target: FlowLogTarget }
  | { type: 'started' }
  | { type: 'progress'; done: number; total: number; detail?: string }
  /**
   * A section before the whole summary: as it stands while the scan goes on (`partial`: how far read, whether a
   * top list is provisional), or final while the others compute (no `partial`). Checked on arrival
   * (parseSummarySection).
   */
  | SummarySectionMessage
  | { type: 'summary'; result: SummaryResultWire }
  | { type: 'failed'; message: string }
  | { type: 'diagnoseStarted' }
  | { type: 'diagnoseProgress'; done: number; total: number; detail?: string }
  | { type: 'diagnosis'; result: DiagnoseResultWire }
  | { type: 'diagnoseFailed'; message: string }
  /** The answer to a `diagnoseSpans` of the view (null: the server no longer keeps that diagnosis). */
  | { type: 'diagnoseSpans'; id: number; result: DiagnoseSpansResult | null }
  /** The answer to a `diagnoseBars` of the view (null: the server no longer keeps that diagnosis). */
  | { type: 'diagnoseBars'; id: number; result: DiagnoseBarsResult | null }
  /** A `diagnoseSpans` or `diagnoseBars` the language server could not answer. */
  | { type: 'diagnoseDetailFailed'; id: number; message: string }
  | { type: 'focus'; section: SummaryFocus };

export interface SummarySectionMessage {
  type: 'section';
  section: SummarySection;
  table: SummaryTable;
  partial?: SummaryPartial;
}

/** Summary view → extension host. */
export type FromSummaryView =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'openQuery'; query: string }
  /** Show a record's line: `file` as the diagnosis names it (the bound file's path, or a file under the bound folder). */
  | { type: 'openRecord'; file: string; line: number }
  /** The exact NODATA, SKIPDATA and gap spans of one interface of the diagnosis shown (its `spansKey`). */
  | { type: 'diagnoseSpans'; id: number; spansKey: string; interfaceId: string }
  /** The coverage bars of listed interfaces that the diagnosis came without (the section shows more interfaces). */
  | { type: 'diagnoseBars'; id: number; spansKey: string; interfaceIds: string[] };

/** What flowlog/diagnoseBars answers. */
export type DiagnoseBarsResult = { interfaceId: string; segments: number[] }[];

/** What each view keeps with getState/setState: it survives hiding and, through the panel serializers, a reload. */
export interface QueryViewState {
  target: FlowLogTarget | null;
  pinned: boolean;
  query: string;
  /** The last result, when it is small enough to keep; otherwise `rerun` asks for the query again after a reload. */
  result?: QueryResultWire;
  rerun?: boolean;
  view: 'table' | 'chart';
  sort?: { column: number; descending: boolean };
}

export interface SummaryViewState {
  target: FlowLogTarget | null;
}

// Runtime checks of what a webview sends.

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isCell = (v: unknown): v is Cell => v === null || typeof v === 'string' || (typeof v === 'number' && !Number.isNaN(v));
const isTable = (m: Record<string, unknown>) =>
  Array.isArray(m.columns) && m.columns.every((c) => typeof c === 'string') &&
  Array.isArray(m.rows) && m.rows.every((r) => Array.isArray(r) && r.every(isCell));
const isFormat = (v: unknown): v is ExportFormat => v === 'csv' || v === 'json';

/** The message, when it is a well-formed FromQueryView; undefined otherwise. */
export function parseFromQueryView(raw: unknown): FromQueryView | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready' };
    case 'run':
    case 'check':
      return isInt(raw.id) && typeof raw.query === 'string' ? { type: raw.type, id: raw.id, query: raw.query } : undefined;
    case 'cancel':
      return isInt(raw.id) ? { type: 'cancel', id: raw.id } : undefined;
    case 'reveal':
      if (!isInt(raw.line) || raw.line < 1 || (raw.file !== undefined && (typeof raw.file !== 'string' || raw.file.length === 0))) return undefined;
      return raw.file === undefined ? { type: 'reveal', line: raw.line } : { type: 'reveal', line: raw.line, file: raw.file as string };
    case 'export':
    case 'copy':
      return isFormat(raw.format) && isTable(raw) ? { type: raw.type, format: raw.format, columns: raw.columns as string[], rows: raw.rows as Cell[][] } : undefined;
    case 'pin':
      return typeof raw.pinned === 'boolean' ? { type: 'pin', pinned: raw.pinned } : undefined;
    default:
      return undefined;
  }
}

/**
 * A `section` message, when it is well formed (a known section, a table of cells, a partial marker with a share
 * read in 0–1 and a whole record count); undefined otherwise. The summary view checks each one as it arrives: its
 * tables are drawn as they come, a partial one replaced by the next.
 */
export function parseSummarySection(raw: unknown): SummarySectionMessage | undefined {
  if (!isObject(raw) || raw.type !== 'section' || typeof raw.section !== 'string' || !Object.hasOwn(SUMMARY_QUERIES, raw.section)) return undefined;
  const table = raw.table;
  if (!isObject(table) || typeof table.query !== 'string' || !isTable(table)) return undefined;
  const section = raw.section as SummarySection;
  const checked: SummaryTable = { query: table.query, columns: table.columns as string[], rows: table.rows as Cell[][] };
  if (raw.partial === undefined) return { type: 'section', section, table: checked };
  const p = raw.partial;
  if (!isObject(p) || typeof p.fraction !== 'number' || !(p.fraction >= 0 && p.fraction <= 1) || !isInt(p.records) || p.records < 0) return undefined;
  if ((p.provisional !== undefined && typeof p.provisional !== 'boolean') || (p.estimated !== undefined && typeof p.estimated !== 'boolean')) return undefined;
  const partial: SummaryPartial = { fraction: p.fraction, records: p.records };
  if (p.provisional) partial.provisional = true;
  if (p.estimated) partial.estimated = true;
  return { type: 'section', section, table: checked, partial };
}

/** The message, when it is a well-formed FromSummaryView; undefined otherwise. */
export function parseFromSummaryView(raw: unknown): FromSummaryView | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'ready':
    case 'refresh':
      return { type: raw.type };
    case 'openQuery':
      return typeof raw.query === 'string' && raw.query.length > 0 ? { type: 'openQuery', query: raw.query } : undefined;
    case 'openRecord':
      return typeof raw.file === 'string' && raw.file.length > 0 && isInt(raw.line) && raw.line >= 1 ? { type: 'openRecord', file: raw.file, line: raw.line } : undefined;
    case 'diagnoseSpans':
      return isInt(raw.id) && typeof raw.spansKey === 'string' && raw.spansKey.length > 0 && typeof raw.interfaceId === 'string'
        ? { type: 'diagnoseSpans', id: raw.id, spansKey: raw.spansKey, interfaceId: raw.interfaceId }
        : undefined;
    case 'diagnoseBars':
      return isInt(raw.id) && typeof raw.spansKey === 'string' && raw.spansKey.length > 0 && Array.isArray(raw.interfaceIds) &&
        raw.interfaceIds.length <= 1000 && raw.interfaceIds.every((i) => typeof i === 'string')
        ? { type: 'diagnoseBars', id: raw.id, spansKey: raw.spansKey, interfaceIds: raw.interfaceIds as string[] }
        : undefined;
    default:
      return undefined;
  }
}
