// FLOWLOG_DEBUG_MEMORY=1: the diagnosis's memory at its phases, per thread (stderr): the process's resident memory,
// and this thread's heap (used/total), external memory and array buffers, in MB.
import { threadId } from 'node:worker_threads';

const ON = process.env.FLOWLOG_DEBUG_MEMORY === '1';

export function debugDiagnoseMemory(phase: string): void {
  if (!ON) return;
  const m = process.memoryUsage();
  process.stderr.write(`[mem diagnose thread ${threadId}] ${phase}: rss ${m.rss >> 20} heap ${m.heapUsed >> 20}/${m.heapTotal >> 20} ext ${m.external >> 20} ab ${m.arrayBuffers >> 20}\n`);
}

/** Whether to print every so often (a caller counts batches). */
export const DEBUG_DIAGNOSE_MEMORY = ON;
