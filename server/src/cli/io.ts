// What a CLI command writes to, so tests can capture it.
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** A bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}
