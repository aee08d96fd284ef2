// Entry of the language server bundle: makes the connection (stdio or node IPC, from argv) and starts.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './languageServer';
import { maybeRunAsPoolWorker } from './core/threads/pool';
import { maybeRunAsLintWorker } from './core/lint/lintFile';

// The bundle also runs as a worker thread (big files are scanned on every core).
if (!maybeRunAsPoolWorker() && !maybeRunAsLintWorker()) startServer(createConnection(ProposedFeatures.all));
