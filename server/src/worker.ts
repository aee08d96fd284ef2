// The bundle worker threads load (dist/worker.js): the engine's pool tasks (query scans and merges, the diagnosis's
// reading) and lint's range jobs, without the CLI, the language server and their dependencies. Every worker
// parses and runs the bundle it starts from, and this one costs about 9 MB a worker against 17 for dist/cli.js
// (23 for dist/server.js), each above a bare thread's 8.5 MB (measured loading each in a fresh worker).
import { maybeRunAsPoolWorker } from './core/threads/pool';
import { applyWorkerPriority } from './core/threads/threadPriority';
import { maybeRunAsLintWorker } from './core/lint/lintFile';
// Modules that register the pool's tasks (registerTask) when loaded.
import './core/query/session';
import './core/diagnose/parallel';

applyWorkerPriority();
if (!maybeRunAsPoolWorker() && !maybeRunAsLintWorker()) throw new Error('dist/worker.js runs only as a worker thread of flowlog');
