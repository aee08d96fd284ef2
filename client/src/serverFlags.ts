// The node flags the language server runs with (client and benchmarks alike; no vscode import here).

/**
 * A young generation of 2 MB semi-spaces for the server's threads that set none of their own (its main thread and
 * the job host thread; the pool's workers set theirs). V8 grows a thread's young generation up to 32 MB as objects
 * keep surviving its scavenges, which a long request does: during a 1 GB summary with checks the main thread's grew
 * from 4 to 32 MB while its live heap stayed under 30 MB, about 28 MB more of the server's peak RSS (294–305 MB
 * against 269–285 MB with this flag, the same runs side by side; README "panels").
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
