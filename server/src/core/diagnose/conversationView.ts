// A closed conversation read as a row of CONVERSATION_COLUMNS (rows.ts), column by column and only the columns a
// query reads: a search on `verdict` never formats an address, and only a query that reads `reading` or
// `certainty` makes the reading (a snapshot and its text: the costly part). One view is reused for every
// conversation (set() starts over); the values are those conversationRow() gives for the same conversation.
import { serviceName } from '../decode/ports';
import type { Value } from '../query/values';
import { ClosedConversation, formatWords } from './conversation';
import type { ClosedContext } from './index';
import { readConversation, readingText } from './readings';
import { ROLE_BASES } from './roles';
import { CONVERSATION_COLUMNS } from './rows';
import { VERDICTS } from './verdict';

export const COLUMN_NAMES: readonly string[] = CONVERSATION_COLUMNS.map((c) => c.name);

/** Columns whose values are numbers (the others are text). */
export const NUMERIC_COLUMNS: ReadonlySet<string> = new Set([
  'protocol', 'client_port', 'server_port', 'start', 'end', 'request_records', 'request_rejected', 'reply_records',
  'reply_rejected', 'packets', 'bytes', 'request_line', 'reply_line',
]);

/** Columns that hold an IP address (a search on them takes a CIDR block). */
export const ADDRESS_COLUMNS: ReadonlySet<string> = new Set(['client_addr', 'server_addr']);

/** Index of a column by name (ASCII case-insensitive), or -1. */
export function columnIndex(name: string): number {
  return COLUMN_NAMES.indexOf(name.toLowerCase());
}

const at = (name: string) => COLUMN_NAMES.indexOf(name);
const CERTAINTY = at('certainty');
const READING = at('reading');

export class ConversationView {
  private c!: ClosedConversation;
  private ctx!: ClosedContext;
  private readonly values: Value[] = new Array(COLUMN_NAMES.length).fill(null);
  private readonly have = new Uint8Array(COLUMN_NAMES.length);
  private evidence: [number, number, number, number] | undefined;

  set(c: ClosedConversation, ctx: ClosedContext): void {
    this.c = c;
    this.ctx = ctx;
    this.have.fill(0);
    this.evidence = undefined;
  }

  get(k: number): Value {
    if (this.have[k] === 0) {
      if (k === CERTAINTY || k === READING) this.read();
      else this.values[k] = this.compute(k);
      this.have[k] = 1;
    }
    return this.values[k];
  }

  /** Every column, as conversationRow() makes them. */
  row(): Value[] {
    return COLUMN_NAMES.map((_, k) => this.get(k));
  }

  private read(): void {
    const s = this.c.snapshot(this.ctx.files, this.ctx.interfaces);
    const reading = readConversation(s, this.ctx.readingContext(this.c.iface));
    this.values[CERTAINTY] = reading.certainty;
    this.values[READING] = readingText(reading);
    this.have[CERTAINTY] = 1;
    this.have[READING] = 1;
  }

  private compute(k: number): Value {
    const c = this.c;
    const ev = () => (this.evidence ??= c.evidence());
    switch (COLUMN_NAMES[k]) {
      case 'verdict': return VERDICTS[c.verdict];
      case 'interface_id': return this.ctx.interfaces[c.iface];
      case 'protocol': return c.protocol;
      case 'client_addr': return formatWords(c.client, c.v6);
      case 'client_port': return c.clientPort;
      case 'server_addr': return formatWords(c.server, c.v6);
      case 'server_port': return c.serverPort;
      case 'service': return serviceName(c.serverPort, c.protocol) ?? null;
      case 'start': return c.start;
      case 'end': return c.end;
      case 'request_records': return c.request.accepted + c.request.rejected;
      case 'request_rejected': return c.request.rejected;
      case 'reply_records': return c.reply.accepted + c.reply.rejected;
      case 'reply_rejected': return c.reply.rejected;
      case 'packets': return c.request.packets + c.reply.packets;
      case 'bytes': return c.request.bytes + c.reply.bytes;
      case 'role_basis': return ROLE_BASES[c.basis];
      case 'request_file': return ev()[0] >= 0 ? this.ctx.files[ev()[0]] : null;
      case 'request_line': return ev()[0] >= 0 ? ev()[1] : null;
      case 'reply_file': return ev()[2] >= 0 ? this.ctx.files[ev()[2]] : null;
      case 'reply_line': return ev()[2] >= 0 ? ev()[3] : null;
      default: return null;
    }
  }
}
