// Entry of the language server bundle: makes the connection (stdio or node IPC, from argv) and starts.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './languageServer';
import { maybeRunAsPoolWorker } from './core/threads/pool';

// The bundle also runs as a query worker thread (big files are scanned on every core).
if (!maybeRunAsPoolWorker()) startServer(createConnection(ProposedFeatures.all));
