// What a CLI command writes to, so tests can capture it.
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** stdout is a terminal (not a file or a pipe): data formats escape control characters too. */
  stdoutIsTerminal?: boolean;
}

/** A bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}
