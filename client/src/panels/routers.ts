// The hosts' message routers: a webview message is checked, then handed to exactly one method. The switches end
// in `never`, so a message type added to messages.ts without a case here does not compile. No vscode import:
// unit tests drive these with plain objects.
import { Cell, ExportFormat, FromQueryView, FromSummaryView, parseFromQueryView, parseFromSummaryView } from '../../webview/src/messages';

export interface QueryViewHost {
  ready(): void;
  run(id: number, query: string): void;
  cancel(id: number): void;
  check(id: number, query: string): void;
  /** Shows line `line` of the bound flow log, or of `file` (a row of a folder's query: a file under that folder). */
  reveal(line: number, file?: string): void;
  exportResult(format: ExportFormat, columns: string[], rows: Cell[][]): void;
  copyResult(format: ExportFormat, columns: string[], rows: Cell[][]): void;
  pin(pinned: boolean): void;
  /** A message that is not a well-formed FromQueryView (logged, never acted on). */
  rejected(raw: unknown): void;
}

export function routeQueryViewMessage(raw: unknown, host: QueryViewHost): void {
  const msg: FromQueryView | undefined = parseFromQueryView(raw);
  if (!msg) return host.rejected(raw);
  switch (msg.type) {
    case 'ready': return host.ready();
    case 'run': return host.run(msg.id, msg.query);
    case 'cancel': return host.cancel(msg.id);
    case 'check': return host.check(msg.id, msg.query);
    case 'reveal': return host.reveal(msg.line, msg.file);
    case 'export': return host.exportResult(msg.format, msg.columns, msg.rows);
    case 'copy': return host.copyResult(msg.format, msg.columns, msg.rows);
    case 'pin': return host.pin(msg.pinned);
    default: {
      const unreachable: never = msg;
      return host.rejected(unreachable);
    }
  }
}

export interface SummaryViewHost {
  ready(): void;
  refresh(): void;
  openQuery(query: string): void;
  /** Shows line `line` of `file` (the bound flow log, or a file under the bound folder: checked by the host). */
  openRecord(file: string, line: number): void;
  /** One interface's exact coverage spans from the language server, answered to the view with `id`. */
  diagnoseSpans(id: number, spansKey: string, interfaceId: string): void;
  /** Coverage bars of listed interfaces from the language server, answered to the view with `id`. */
  diagnoseBars(id: number, spansKey: string, interfaceIds: string[]): void;
  rejected(raw: unknown): void;
}

export function routeSummaryViewMessage(raw: unknown, host: SummaryViewHost): void {
  const msg: FromSummaryView | undefined = parseFromSummaryView(raw);
  if (!msg) return host.rejected(raw);
  switch (msg.type) {
    case 'ready': return host.ready();
    case 'refresh': return host.refresh();
    case 'openQuery': return host.openQuery(msg.query);
    case 'openRecord': return host.openRecord(msg.file, msg.line);
    case 'diagnoseSpans': return host.diagnoseSpans(msg.id, msg.spansKey, msg.interfaceId);
    case 'diagnoseBars': return host.diagnoseBars(msg.id, msg.spansKey, msg.interfaceIds);
    default: {
      const unreachable: never = msg;
      return host.rejected(unreachable);
    }
  }
}
