// The node flags and environment the language server runs with (client and benchmarks alike; no vscode import here).

/**
 * A young generation of 2 MB semi-spaces for the server's threads that set none of their own (its main thread and
 * the job host thread; the pool's workers set theirs). V8 grows a thread's young generation up to 32 MB as objects
 * keep surviving its scavenges, which a long request does: during a 1 GB summary with checks the main thread's grew
 * from 4 to 32 MB while its live heap stayed under 30 MB, about 28 MB more of the server's peak RSS (294–305 MB
 * against 269–285 MB with this flag, the same runs side by side; README "panels").
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/**
 * The server's worker threads (the engine's pool, the job host and its readers) at nice 10, its main thread at the
 * process's: a check request gets a core while a summary's workers hold both (server/src/core/threads/threadPriority.ts;
 * README "panels"). Idle cores still go to the workers, so a summary alone runs as fast.
 */
const WORKER_PRIORITY_ENV = { FLOWLOG_WORKER_NICE: '10' };

/**
 * At most two glibc malloc arenas for the server's process. The server starts and stops worker threads (the pool,
 * the job host, the diagnosis's reader), and each thread that allocates gets an arena of its own; memory a stopped
 * thread freed stays in its arena, counted in the process's RSS, where the next thread does not reuse it. With two
 * arenas the next request's threads reuse it: after the 1 GB summary, its Diagnose section and the conversations
 * query, the server's peak was 273–275 MB against 287–322 MB (README "panels"). glibc reads it at process start, so
 * it is set where the server is started; merged into the inherited environment by the language client.
 */
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', ...WORKER_PRIORITY_ENV };
