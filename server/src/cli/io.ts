// What a CLI command writes to, so tests can capture it.
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /**
   * Resolves once what was written to stdout so far has been handed on and stdout has drained (back-pressure for
   * output that streams); rejects with OutputClosedError when the reader went away. Absent: nothing to wait for.
   */
  flushed?: () => Promise<void>;
  /** What stdout held at most while waiting on its reader (for FLOWLOG_LINT_STATS). */
  outputStats?: () => { maxPendingOutputBytes: number };
  /** stdout is a terminal (not a file or a pipe): data formats escape control characters too. */
  stdoutIsTerminal?: boolean;
}

/** A bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** The reader of stdout went away (`flowlog lint … | head`): stop writing. */
export class OutputClosedError extends Error {}
