// Settings the environment may override (tests and comparisons), read where they are used. Imports nothing: the
// CLI's prestart reads one before the rest of its bundle is evaluated.

/** The environment variable `name` as a finite number ≥ 0, else `fallback`. */
export function envNonNegative(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = Number(raw);
  return raw !== undefined && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** The environment variable `name` as a whole number ≥ 1, else undefined. */
export function envPositiveInteger(name: string): number | undefined {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Uncompressed line-based files over this size are split across threads (smaller ones are not worth a thread). */
export function minSplitBytes(): number {
  return envNonNegative('FLOWLOG_PARALLEL_MIN_BYTES', 48 << 20);
}
