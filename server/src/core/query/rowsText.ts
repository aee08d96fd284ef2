// Search and plain SQL rows from the workers to the thread that runs the query, as JSON text. Posted as arrays,
// every row and value is an object that thread deserializes when the message arrives: a unit's rows came in one
// message, and a 1 GB search kept a language server's main thread busy for 0.2–0.7 s at a time (deserializing,
// then collecting the garbage), with check requests waiting behind. As text, a message is a few strings (copied,
// not parsed), and this thread parses them a piece at a time (RowsInbox), letting the event loop in between, or
// hands them on unparsed to a consumer that takes text (RowsJson). A text travels as its UTF-8 bytes, not a string:
// a string arrives as an object on this thread's heap, and the texts that wait here (for the units before theirs,
// or for the connection to take the rows before them) were copied by every scavenge until promoted; a 1 GB search
// spent most of its main thread's garbage collection on them. Bytes sit outside the heap until handed on.
import type { Value } from './values';
import { freeBuffers } from '../threads/freeBuffers';

/** Rows as JSON arrays of at most ROWS_PER_TEXT rows each, each array's text as UTF-8 bytes (textOf). */
export interface RowsText {
  texts: Uint8Array[];
  count: number;
}

const encoder = new TextEncoder();

/** A text's bytes back as the JSON text. */
export function textOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * A posted text's bytes as the JSON text, their memory let go of at once (a text that waited was promoted, and its
 * dead bytes would stay resident until a full collection). Only for bytes that came from another thread.
 */
export function takeText(bytes: Uint8Array): string {
  const text = textOf(bytes);
  dropText(bytes);
  return text;
}

/** Lets go of a posted text's bytes unread. */
export function dropText(bytes: Uint8Array): void {
  freeBuffers([bytes.buffer]);
}

export type PostedRows = Value[][] | RowsText;

/** Rows a text holds at most: parsing one takes well under a millisecond. */
const ROWS_PER_TEXT = 500;

/** Rows in the k-th text of a RowsText of `count` rows. */
function textCount(count: number, k: number): number {
  return Math.min(ROWS_PER_TEXT, count - k * ROWS_PER_TEXT);
}

/**
 * Rows to post: as text, unless a value would not survive JSON (a number that is not finite: JSON has no
 * Infinity), or there are too few to matter.
 */
export function rowsForPost(rows: Value[][]): PostedRows {
  if (rows.length < 16) return rows;
  for (const row of rows) for (const v of row) if (typeof v === 'number' && !Number.isFinite(v)) return rows;
  const texts: Uint8Array[] = [];
  // encode(): a buffer of its own, never a slice of a shared pool (posting a view copies its whole buffer).
  for (let i = 0; i < rows.length; i += ROWS_PER_TEXT) texts.push(encoder.encode(JSON.stringify(i === 0 && rows.length <= ROWS_PER_TEXT ? rows : rows.slice(i, i + ROWS_PER_TEXT))));
  return { texts, count: rows.length };
}

function isText(rows: PostedRows): rows is RowsText {
  return !Array.isArray(rows);
}

function rowCount(rows: PostedRows): number {
  return isText(rows) ? rows.count : rows.length;
}

/** Milliseconds of parsing before the event loop gets a turn. */
const SLICE_MS = 4;

/** What applying rows or a step returns: a promise when the rows' taker asks to wait before the next. */
type Applied = void | Promise<void>;

type Entry = { kind: 'rows'; unit: number; plan: number; rows: PostedRows; next: number } | { kind: 'then'; run: () => Applied };

/**
 * What the workers posted, applied in the order it arrived: rows (parsed a text at a time, in slices of
 * SLICE_MS) and the steps that must follow them (a unit's end places the units after it). When applying returns a
 * promise, nothing more is applied until it settles: the texts behind it wait unparsed.
 */
export class RowsInbox {
  private readonly queue: Entry[] = [];
  private head = 0;
  private scheduled = false;
  private idle: (() => void)[] = [];
  private failure: unknown;
  private draining = false;
  /** The taker of the rows asked to wait. */
  private held = false;
  /** Rows queued and not applied yet, by unit (plan 0's: the rows that stream). */
  private readonly queuedRows = new Map<number, number>();

  /**
   * `applyText`: the rows of a text as it came (its bytes), for the plans it says take text (`takesText`); other plans' texts
   * are parsed here.
   */
  constructor(
    private readonly apply: (unit: number, plan: number, rows: Value[][]) => Applied,
    private readonly takesText: (plan: number) => boolean = () => false,
    private readonly applyText?: (unit: number, plan: number, bytes: Uint8Array, count: number) => Applied,
  ) {}

  /** Rows of a unit for plan `plan`. */
  rows(unit: number, plan: number, rows: PostedRows | undefined): void {
    if (!rows || (isText(rows) ? rows.count === 0 : rows.length === 0)) return;
    if (plan === 0) this.queuedRows.set(unit, (this.queuedRows.get(unit) ?? 0) + rowCount(rows));
    this.queue.push({ kind: 'rows', unit, plan, rows, next: 0 });
    this.drain();
  }

  /** Plan 0's rows of `unit` queued and not applied yet. */
  queued(unit: number): number {
    return this.queuedRows.get(unit) ?? 0;
  }

  /** Applies rows, counting them out of the queued ones first (the taker may read queued() meanwhile). */
  private applyRows(unit: number, plan: number, rows: Value[][]): Applied {
    this.unqueue(unit, plan, rows.length);
    return this.apply(unit, plan, rows);
  }

  /** Applies the k-th text of `rows`: as text to a plan that takes it, else parsed. */
  private applyTextAt(unit: number, plan: number, rows: RowsText, k: number): Applied {
    const bytes = rows.texts[k];
    if (!this.applyText || !this.takesText(plan)) return this.applyRows(unit, plan, JSON.parse(takeText(bytes)) as Value[][]);
    const count = textCount(rows.count, k);
    this.unqueue(unit, plan, count);
    return this.applyText(unit, plan, bytes, count);
  }

  private unqueue(unit: number, plan: number, count: number): void {
    if (plan !== 0) return;
    const left = (this.queuedRows.get(unit) ?? 0) - count;
    if (left > 0) this.queuedRows.set(unit, left);
    else this.queuedRows.delete(unit);
  }

  /** A step to run once everything posted before it is applied (it may ask to wait, as apply). */
  then(run: () => Applied): void {
    this.queue.push({ kind: 'then', run });
    this.drain();
  }

  /** Resolves once everything posted so far is applied (rejects with what an apply threw). */
  drained(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.head === this.queue.length) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.idle.push(() => (this.failure !== undefined ? reject(this.failure) : resolve())));
  }

  /** Applies what is queued for up to SLICE_MS, then again after the event loop had a turn. */
  private drain(): void {
    if (this.scheduled || this.draining || this.held || this.failure !== undefined) return;
    const until = performance.now() + SLICE_MS;
    this.draining = true;
    try {
      while (this.head < this.queue.length) {
        const e = this.queue[this.head];
        let wait: Applied = undefined;
        if (e.kind === 'then') wait = e.run();
        else if (!isText(e.rows)) wait = this.applyRows(e.unit, e.plan, e.rows);
        else {
          while (e.next < e.rows.texts.length) {
            wait = this.applyTextAt(e.unit, e.plan, e.rows, e.next++);
            if (wait) return this.holdUntil(wait);
            if (performance.now() > until && e.next < e.rows.texts.length) return this.later();
          }
        }
        this.queue[this.head++] = undefined as never;
        if (wait) return this.holdUntil(wait);
        if (performance.now() > until && this.head < this.queue.length) return this.later();
      }
    } catch (err) {
      this.failure = err;
    } finally {
      this.draining = false;
    }
    this.queue.length = 0;
    this.head = 0;
    this.settleIdle();
  }

  private settleIdle(): void {
    const idle = this.idle;
    this.idle = [];
    for (const f of idle) f();
  }

  /**
   * Applies nothing more until `wait` settles (an entry with texts left stays at the head). What was applied is
   * applied: drained() may resolve meanwhile when nothing else is queued.
   */
  private holdUntil(wait: Promise<void>): void {
    this.held = true;
    wait.then(() => {
      this.held = false;
      this.drain();
    }, (err: unknown) => {
      this.held = false;
      this.failure = err;
      this.settleIdle();
    });
  }

  private later(): void {
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }
}
