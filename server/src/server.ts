// Entry of the language server bundle: makes the connection (stdio or node IPC, from argv) and starts.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './languageServer';
import { maybeRunAsPoolWorker } from './core/threads/pool';
import { maybeRunAsLintWorker } from './core/lint/lintFile';
import { maybeRunAsDiagnoseWorker } from './core/diagnose';
import { maybeRunAsJobHost } from './core/threads/offThread';
import { applyWorkerPriority } from './core/threads/threadPriority';

// The bundle also runs as a worker thread (big files are scanned on every core; a diagnosis or a conversations query
// runs on the job host thread, and reads on that thread's own workers), below the main thread's priority when the
// environment asks (threadPriority.ts).
applyWorkerPriority();
if (!maybeRunAsPoolWorker() && !maybeRunAsLintWorker() && !maybeRunAsDiagnoseWorker() && !maybeRunAsJobHost()) startServer(createConnection(ProposedFeatures.all));
