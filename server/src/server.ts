// Entry of the language server bundle: makes the connection (stdio or node IPC, from argv) and starts.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './languageServer';

startServer(createConnection(ProposedFeatures.all));
