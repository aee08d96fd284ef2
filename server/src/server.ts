// Entry of the language server bundle: makes the connection (stdio or node IPC, from argv) and starts.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './languageServer';
import { maybeRunAsPoolWorker } from './core/threads/pool';
import { maybeRunAsLintWorker } from './core/lint/lintFile';
import { maybeRunAsDiagnoseWorker } from './core/diagnose';

// The bundle also runs as a worker thread (big files are scanned on every core; a diagnosis reads on a second one).
if (!maybeRunAsPoolWorker() && !maybeRunAsLintWorker() && !maybeRunAsDiagnoseWorker()) startServer(createConnection(ProposedFeatures.all));
