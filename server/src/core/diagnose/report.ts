// What the diagnosis keeps of the closed conversations: exact counts by verdict, and for the verdicts to list the
// `limit` most significant conversations (most records, then most bytes, then the earliest evidence line), in a
// bounded heap each. With `collectAll` (an editor's document), every conversation.
import { ClosedConversation, Conversation } from './conversation';
import { VERDICTS, Verdict } from './verdict';

interface Entry {
  records: number;
  bytes: number;
  file: number;
  line: number;
  iface: number;
  conversation: Conversation;
}

/** Whether a ranks before (is more significant than) b. */
function better(a: { records: number; bytes: number; file: number; line: number }, b: Entry): boolean {
  if (a.records !== b.records) return a.records > b.records;
  if (a.bytes !== b.bytes) return a.bytes > b.bytes;
  if (a.file !== b.file) return a.file < b.file;
  return a.line < b.line;
}

/** The `limit` best entries; the root is the worst of them. */
class TopHeap {
  readonly items: Entry[] = [];
  constructor(readonly limit: number) {}

  /** Whether an entry with these records and bytes might be kept (false: it would not, whatever its lines). */
  mayAdmit(records: number, bytes: number): boolean {
    if (this.items.length < this.limit) return true;
    const worst = this.items[0];
    return records > worst.records || (records === worst.records && bytes >= worst.bytes);
  }

  /** Whether an entry ranked like `r` would be kept. */
  admits(r: { records: number; bytes: number; file: number; line: number }): boolean {
    return this.items.length < this.limit || better(r, this.items[0]);
  }

  push(e: Entry): void {
    const h = this.items;
    if (h.length < this.limit) {
      h.push(e);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!better(h[p], h[i])) break;
        [h[p], h[i]] = [h[i], h[p]];
        i = p;
      }
      return;
    }
    h[0] = e;
    let i = 0;
    for (;;) {
      const l = i * 2 + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && better(h[worst], h[l])) worst = l;
      if (r < h.length && better(h[worst], h[r])) worst = r;
      if (worst === i) break;
      [h[worst], h[i]] = [h[i], h[worst]];
      i = worst;
    }
  }

  sorted(): Entry[] {
    return [...this.items].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  }
}

export interface ReportOptions {
  /** Conversations listed per verdict. */
  limit: number;
  /** The verdicts to list (the others are only counted). */
  list: readonly Verdict[];
  collectAll: boolean;
}

export class ConversationReport {
  /** Conversations by verdict index (VERDICTS order): a typed array, not a property store by name per conversation. */
  private readonly byVerdict = new Float64Array(VERDICTS.length);
  private readonly heaps: (TopHeap | undefined)[];
  private readonly all: Entry[] = [];

  constructor(private readonly options: ReportOptions, private readonly files: readonly string[], private readonly interfaces: readonly string[]) {
    this.heaps = VERDICTS.map((v) => (options.list.includes(v) && options.limit > 0 ? new TopHeap(options.limit) : undefined));
  }

  add(c: ClosedConversation): void {
    if (this.tally(c.verdict, c.recordCount, c.request.bytes + c.reply.bytes)) this.keep(c);
  }

  /**
   * Counts a closed conversation by its verdict, records and bytes; whether the report may keep it (then `keep` it):
   * most conversations rank below the kept ones on their counts alone, and need nothing more (the join then does not
   * describe them: ConversationTally).
   */
  tally(verdict: number, records: number, bytes: number): boolean {
    this.byVerdict[verdict]++;
    if (this.options.collectAll) return true;
    const heap = this.heaps[verdict];
    return heap !== undefined && heap.mayAdmit(records, bytes);
  }

  /** A conversation `tally` said the report may keep. */
  keep(c: ClosedConversation): void {
    const heap = this.heaps[c.verdict];
    const [file, line] = c.evidence();
    const rank = { records: c.recordCount, bytes: c.request.bytes + c.reply.bytes, file: file >= 0 ? file : c.evidence()[2], line: file >= 0 ? line : c.evidence()[3] };
    const keep = heap?.admits(rank) ?? false;
    if (!keep && !this.options.collectAll) return;
    const entry: Entry = { ...rank, iface: c.iface, conversation: c.snapshot(this.files, this.interfaces) };
    if (keep) heap!.push(entry);
    if (this.options.collectAll) this.all.push(entry);
  }

  /** Conversations by verdict (exact). */
  get counts(): Record<Verdict, number> {
    const out = {} as Record<Verdict, number>;
    VERDICTS.forEach((v, i) => (out[v] = this.byVerdict[i]));
    return out;
  }

  /** The listed conversations: verdicts in VERDICTS order (broken first), the most significant first within each. */
  listed(): { iface: number; conversation: Conversation }[] {
    return this.heaps.flatMap((h) => (h ? h.sorted() : []));
  }

  /** Every conversation (collectAll), in the order of their first evidence line. */
  everything(): { iface: number; conversation: Conversation }[] {
    return [...this.all].sort((a, b) => a.file - b.file || a.line - b.line);
  }
}
