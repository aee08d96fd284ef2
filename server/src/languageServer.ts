// The language server: thin glue from LSP to the core. The connection is a parameter, so tests can pass one end
// of an in-memory stream pair.
import { CodeActionKind, CodeLensRefreshRequest, Connection, InitializeResult } from 'vscode-languageserver';
import { DocumentStore, textDocumentSync } from './handlers/documents';
import { registerDiagnostics } from './handlers/diagnostics';
import { hoverAt } from './handlers/hover';
import { inlayHintsIn } from './handlers/inlayHints';
import { codeActionsFor } from './handlers/codeActions';
import { SettingsStore } from './handlers/settings';
import { registerQueryHandlers } from './handlers/query';
import { registerSummaryHandler } from './handlers/summary';
import { registerDiagnoseHandler } from './handlers/diagnose';
import { codeLensesFor } from './handlers/codeLens';
import { registerBigFileDiagnostics } from './handlers/bigFiles';
import { registerDecodedText } from './handlers/decoded';
import { registerClickHouseHandlers } from './handlers/clickhouse';
import { ConnectivityIndex } from './handlers/connectivity';

export function startServer(connection: Connection): void {
  const settings = new SettingsStore(connection);
  const documents = new DocumentStore(connection, () => settings.get().maxProblems);
  const connectivity = new ConnectivityIndex(documents, () => settings.get());
  const diagnostics = registerDiagnostics(connection, documents, connectivity);
  connectivity.onLateResult = diagnostics.republish;
  const bigFiles = registerBigFileDiagnostics(connection, documents, () => settings.get().maxProblems);

  let codeLensRefresh = false;
  connection.onInitialize((params): InitializeResult => {
    if (params.capabilities.workspace?.configuration) settings.enablePull();
    codeLensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync,
        hoverProvider: true,
        inlayHintProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.Source] },
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'flowlog-language-server' },
    };
  });

  const applySettings = async () => {
    const before = settings.get().maxProblems;
    if (!(await settings.refresh())) return;
    for (const [, doc] of documents.all()) doc.maxProblems = settings.get().maxProblems;
    diagnostics.republishAll();
    if (settings.get().maxProblems !== before) bigFiles.relintAll();
    void connection.languages.inlayHint.refresh().catch(() => undefined);
  };
  connection.onInitialized(() => void applySettings());
  connection.onDidChangeConfiguration(() => void applySettings());

  connection.onHover((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? connectivity.withHover(params, hoverAt(doc, params, settings.get())) : null;
  });
  connection.languages.inlayHint.on((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? inlayHintsIn(doc, params, settings.get()) : [];
  });
  connection.onCodeAction((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? codeActionsFor(doc, params) : [];
  });

  // The lens shows counts: ask for it again when they change (and after an open that raced the first request).
  const lensCounts = new Map<string, string>();
  let lensTimer: NodeJS.Timeout | undefined;
  documents.onDidValidate((uri) => {
    const stats = documents.get(uri)?.getStats();
    const key = stats ? `${stats.records}/${stats.rejects}/${stats.problems}` : '';
    if (!codeLensRefresh || lensCounts.get(uri) === key) return;
    lensCounts.set(uri, key);
    clearTimeout(lensTimer);
    lensTimer = setTimeout(() => void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined), 200);
  });
  documents.onDidClose((uri) => lensCounts.delete(uri));
  connection.onCodeLens((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? codeLensesFor(doc, params.textDocument.uri) : [];
  });

  registerQueryHandlers(connection, documents, () => settings.get());
  registerSummaryHandler(connection, documents, () => settings.get());
  registerDiagnoseHandler(connection, documents);
  registerDecodedText(connection);
  registerClickHouseHandlers(connection);

  connection.listen();
}
