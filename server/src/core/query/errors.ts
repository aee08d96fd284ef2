// Query errors carry their position: 1-based line and column, and a caret under the spot.

/**
 * Nesting deeper than this (parentheses, NOT, chains of operators) is refused with a positioned error: every later
 * step walks the tree recursively, and no real query comes near it.
 */
export const MAX_NESTING = 200;

export class QueryError extends Error {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly expected?: string[];

  constructor(message: string, query: string, offset: number, expected?: string[]) {
    const at = Math.max(0, Math.min(offset, query.length));
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) {
      if (query.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    super(message);
    this.name = 'QueryError';
    this.offset = at;
    this.line = line;
    this.column = at - lineStart + 1;
    this.expected = expected;
  }

  /** The message, its position, the query line and a caret under the spot. */
  format(query: string): string {
    const lines = query.split('\n');
    const text = lines[this.line - 1] ?? '';
    return `${this.line}:${this.column}: ${this.message}\n  ${text}\n  ${' '.repeat(this.column - 1)}^`;
  }
}

export class QueryCancelledError extends Error {
  constructor() {
    super('the query was cancelled');
    this.name = 'AbortError';
  }
}
