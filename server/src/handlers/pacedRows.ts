// A search's rows as partial results, paced. Every message of the connection goes through one writer, in order: a
// search that sent its rows as fast as the engine found them queued megabytes ahead of the answer to any other
// request (checks during a 1 GB search that keeps 100,000 rows waited 1.5–3 s at p95). Paced, one batch is in
// flight at a time, the next leaves when the last is written, and rows found meanwhile go in it (up to
// PACED_MAX_ROWS a message); so an answer waits behind one batch at most. Rows found faster than they are sent are
// held back at the source (push's promise, the engine's onRows): past PACED_BACKLOG rows waiting here, the engine
// leaves the workers' rows as the text they came in until these are sent, so the server does not parse, keep and
// then collect as garbage 100,000 rows that are still waiting for the connection.
import type { QueryRowsBatch } from '../protocol';
import type { RowsJson } from '../core/query/rowsJson';

/** Rows found, to send: parsed rows, then texts of rows as the worker threads wrote them (RowsJson). */
export interface RowsToSend {
  columns: string[];
  rows: QueryRowsBatch['rows'];
  texts?: readonly RowsJson[];
}

/** Rows a message holds at most (about 75 KB of JSON for a record's 16 values): an answer waits behind one. */
export const PACED_MAX_ROWS = 500;

/** Rows waiting here past which push asks the source to wait (two messages' worth). */
export const PACED_BACKLOG = 2 * PACED_MAX_ROWS;

/** A row, or the rows of a text (sent as they came: see QueryRowsBatch.texts). */
type Pending = QueryRowsBatch['rows'][number] | RowsJson;

export class PacedRows {
  /** Rows and texts pushed and not sent yet, in order (sent ones are dropped: the server keeps none of them). */
  private pending: Pending[] = [];
  /** Rows in `pending` (a text counts its rows). */
  private pendingRows = 0;
  private columns: string[] = [];
  private sending = false;
  private stopped = false;
  private waiters: (() => void)[] = [];
  /** Sources waiting for the backlog to go down. */
  private room: (() => void)[] = [];

  constructor(private readonly send: (batch: QueryRowsBatch) => Promise<void>) {}

  /**
   * Rows (then texts of `count` rows each) to send after those given before (`columns`: the result's so far, which
   * may have grown); a promise when more than PACED_BACKLOG rows wait, settled once no more than PACED_MAX_ROWS do
   * (or the sending stopped).
   */
  push(batch: RowsToSend): Promise<void> | undefined {
    if (this.stopped) return undefined;
    this.columns = batch.columns;
    for (const row of batch.rows) this.pending.push(row);
    this.pendingRows += batch.rows.length;
    for (const t of batch.texts ?? []) {
      this.pending.push(t);
      this.pendingRows += t.count;
    }
    if (!this.sending) this.next();
    if (this.pendingRows <= PACED_BACKLOG) return undefined;
    return new Promise<void>((resolve) => this.room.push(resolve));
  }

  /** Rows pushed and not sent yet. */
  get backlog(): number {
    return this.pendingRows;
  }

  /** Resolves when every row pushed has been written (or the sending stopped). */
  flushed(): Promise<void> {
    if (!this.sending) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Sends nothing more (the request was cancelled or failed). */
  stop(): void {
    this.stopped = true;
    this.pending = [];
    this.pendingRows = 0;
    this.makeRoom();
  }

  /** Lets the waiting sources go on once the backlog is down to one message (or nothing more is sent). */
  private makeRoom(): void {
    if (this.room.length === 0 || (!this.stopped && this.pendingRows > PACED_MAX_ROWS)) return;
    const room = this.room;
    this.room = [];
    for (const r of room) r();
  }

  /** The next message: rows, then texts, up to PACED_MAX_ROWS rows (a text bigger than that goes alone). */
  private take(): QueryRowsBatch {
    const batch: QueryRowsBatch = { columns: this.columns, rows: [] };
    let n = 0;
    let k = 0;
    for (; k < this.pending.length; k++) {
      const item = this.pending[k];
      if (Array.isArray(item)) {
        if (batch.texts || n >= PACED_MAX_ROWS) break;
        batch.rows.push(item);
        n++;
      } else {
        if (n > 0 && n + item.count > PACED_MAX_ROWS) break;
        (batch.texts ??= []).push({ json: item.json, lineShift: item.lineShift });
        n += item.count;
      }
    }
    this.pending.splice(0, k);
    this.pendingRows -= n;
    return batch;
  }

  private next(): void {
    if (this.stopped || this.pending.length === 0) {
      this.sending = false;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
      return;
    }
    this.sending = true;
    const batch = this.take();
    this.makeRoom();
    // A write that fails (the client went away) ends the stream; the request's own answer reports the rest.
    this.send(batch).then(() => this.next(), () => {
      this.stop();
      this.next();
    });
  }
}
