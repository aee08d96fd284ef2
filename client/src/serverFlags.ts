// The node flags the language server runs with (client and benchmarks alike; no vscode import here).

/**
 * A young generation of 2 MB semi-spaces for the server's threads that set none of their own (its main thread and
 * the job host thread; the pool's workers set theirs). V8 grows a thread's semi-spaces up to 16 MB each as objects
 * keep surviving its scavenges, which a long request does: the check requests typing sends and the merges of the
 * summary's partial results grew the main thread's to 2 × 16 MB during a 1 GB summary, about 28 MB more of the
 * server's peak RSS (298–305 MB against 269–279 MB with this flag, the same runs side by side).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
