// The query panel's runs, without the UI: one run at a time (a new run cancels the one before), first rows and
// progress forwarded while the scan goes on, and every ending (result, syntax error, failure, cancel) turned into
// one message for the view. The backend is the language server in the extension, a fake in unit tests.
import type { QueryResultWire, QueryRowsBatch } from '../../../server/src/protocol';
import { QuerySyntaxProblem, ToQueryView } from '../../webview/src/messages';

export interface QueryRunHooks {
  onRows(batch: QueryRowsBatch): void;
  /** Percent of the input scanned; `detail` says how far in files and bytes (a folder). */
  onProgress(percent: number, detail?: string): void;
}

export interface QueryBackend {
  run(query: string, hooks: QueryRunHooks, signal: AbortSignal): Promise<QueryResultWire>;
  check(query: string): Promise<QuerySyntaxProblem | null>;
}

/** A query that failed for a reason the user can fix; `problem` when it does not parse. */
export class QueryFailure extends Error {
  constructor(message: string, readonly problem?: QuerySyntaxProblem) {
    super(message);
  }
}

export class QueryRunner {
  private current?: { id: number; abort: AbortController };

  constructor(private readonly backend: QueryBackend, private readonly post: (msg: ToQueryView) => void) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  async run(id: number, query: string): Promise<QueryResultWire | undefined> {
    this.current?.abort.abort();
    const abort = new AbortController();
    const run = { id, abort };
    this.current = run;
    this.post({ type: 'started', id });
    const live = () => this.current === run && !abort.signal.aborted;
    try {
      const result = await this.backend.run(query, {
        onRows: (batch) => {
          if (live()) this.post({ type: 'rows', id, columns: batch.columns, rows: batch.rows });
        },
        onProgress: (percent, detail) => {
          if (live()) this.post(detail && /files/.test(detail) ? { type: 'progress', id, done: percent, total: 100, detail } : { type: 'progress', id, done: percent, total: 100 });
        },
      }, abort.signal);
      if (abort.signal.aborted) {
        this.post({ type: 'cancelled', id });
        return undefined;
      }
      this.post({ type: 'result', id, result });
      return result;
    } catch (e) {
      if (abort.signal.aborted) this.post({ type: 'cancelled', id });
      else if (e instanceof QueryFailure) this.post({ type: 'failed', id, message: e.message, problem: e.problem });
      else this.post({ type: 'failed', id, message: `The query failed: ${e instanceof Error ? e.message : String(e)}` });
      return undefined;
    } finally {
      if (this.current === run) this.current = undefined;
    }
  }

  cancel(id?: number): void {
    if (this.current && (id === undefined || this.current.id === id)) this.current.abort.abort();
  }

  async check(id: number, query: string): Promise<void> {
    try {
      this.post({ type: 'checked', id, problem: await this.backend.check(query) });
    } catch {
      // The server is restarting or gone: the run itself will say so.
    }
  }
}
