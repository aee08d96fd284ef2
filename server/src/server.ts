// Entry of the language server bundle: makes the connection (stdio or node IPC, from argv) and starts.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './languageServer';
import { maybeRunAsQueryWorker } from './core/query/workers';

// The bundle also runs as a query worker thread (big files are scanned on every core).
if (!maybeRunAsQueryWorker()) startServer(createConnection(ProposedFeatures.all));
