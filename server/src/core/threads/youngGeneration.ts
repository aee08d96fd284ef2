// The young generation of a thread that scans beside the workers (the CLI's main thread, unitRunner's `here`).
// V8 starts a heap's young generation small and doubles it as objects survive scavenges, up to 16 MB a semi-space
// on a main thread (the workers are capped at 4 MB, threads/pool.ts): scanning a folder of 2,000 .gz files, the
// CLI's main thread reached 32 MB of young generation, most of it dead objects, where a worker holds 4. A main
// thread's limit is fixed at start (`node --max-semi-space-size`), but how much it grows by is read at each growth:
// a factor of 1 keeps it at the size it has (a few MB). V8 sets the factor back to 2 whenever it configures a heap,
// a worker's included: a worker started during a hold applies it again first thing (its main thread may be busy
// loading the CLI's bundle for a while), and the pool once more when the worker is up (afterWorkerStarted).
import { setFlagsFromString } from 'node:v8';

/** V8's default growth factor (flag semi_space_growth_factor). */
const DEFAULT_FACTOR = 2;
/** The flag that holds a young generation at its size. */
export const HOLD_FLAG = '--semi-space-growth-factor=1';

/** Holds taken and not yet let go of on this thread (the flag they set is the process's). */
const state = { holds: 0 };

function apply(): void {
  setFlagsFromString(state.holds > 0 ? HOLD_FLAG : `--semi-space-growth-factor=${DEFAULT_FACTOR}`);
}

/**
 * Keeps the young generations of this process from growing until the returned function is called (calls nest).
 * The flag is process-wide: the workers' young generations stay at their size as well (at most their 4 MB cap).
 */
export function holdYoungGeneration(): () => void {
  state.holds++;
  apply();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    state.holds--;
    if (state.holds === 0) apply();
  };
}

/** Whether the young generations are held now (a worker started now applies the hold itself: heldByParent). */
export function youngGenerationHeld(): boolean {
  return state.holds > 0;
}

/** In a worker started during a hold, once its heap is configured: the hold applied again at once. */
export function heldByParent(): void {
  setFlagsFromString(HOLD_FLAG);
}

/** A worker thread came up (its heap configured): the hold is applied again. */
export function afterWorkerStarted(): void {
  if (state.holds > 0) apply();
}

/** The release of the CLI's startup hold while it is held. */
let startupRelease: (() => void) | undefined;

/**
 * The CLI's hold from its start, for a scan here beside the workers (cli/prestart.ts): taken before the bundle loads,
 * let go of by the run (releaseStartupHold) once it knows how it reads, since a run read alone on this thread (a
 * Parquet file, whose decoder wants a bigger young generation) must not keep it. At most one.
 */
export function holdForStartup(): void {
  startupRelease ??= holdYoungGeneration();
}

/** Lets go of the CLI's startup hold, if any (a scan here holds the young generation again for itself). */
export function releaseStartupHold(): void {
  const release = startupRelease;
  startupRelease = undefined;
  release?.();
}
