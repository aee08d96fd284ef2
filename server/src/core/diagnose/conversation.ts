// A conversation: the records of one interface between two endpoints (one protocol, the two ports), both directions,
// whose capture windows chain in time. The join (join.ts) closes it with its facts in a reusable view; `snapshot`
// makes the plain, documented object that outlives the view.
import { formatIPv4, formatIPv6 } from '../address';
import { protocolName } from '../decode/protocols';
import { RoleBasis, ROLE_BASES } from './roles';
import { VERDICTS, Verdict } from './verdict';

/** A record's place: the file as given and its 1-based line. */
export interface RecordRef {
  file: string;
  line: number;
}

/** What one direction of a conversation shows. */
export interface DirectionSummary {
  /** Records of this direction (capture windows it appears in), accepted and rejected. */
  records: number;
  accepted: number;
  rejected: number;
  packets: number;
  bytes: number;
  /** Earliest start of its records (Unix seconds), or null when the direction was never logged. */
  firstStart: number | null;
  /** OR of its records' tcp-flags, or null when not logged. */
  tcpFlags: number | null;
  /** flow-direction values seen on its records (AWS version 5 and later). */
  flowDirection: ('ingress' | 'egress')[];
  /** A record said reject-reason BPA (VPC Block Public Access). */
  blockPublicAccess: boolean;
  /** Its first accepted and first rejected records (the lowest file, then line). */
  firstAccepted: RecordRef | null;
  firstRejected: RecordRef | null;
}

export interface Endpoint {
  address: string;
  port: number;
}

/** A conversation as a plain object (JSON output, the editor, rows of the query language). */
export interface Conversation {
  verdict: Verdict;
  interfaceId: string;
  protocol: number;
  protocolName: string;
  /** The side that asked (on the request's source) and the side that answered. */
  client: Endpoint;
  server: Endpoint;
  /** How the request side was decided (roles.ts). */
  roleBasis: RoleBasis;
  /** First start and last end over both directions (Unix seconds). */
  start: number;
  end: number;
  request: DirectionSummary;
  reply: DirectionSummary;
  /** The two records that show the verdict: the request's and the reply's (null when that direction was never logged). */
  evidence: { request: RecordRef | null; reply: RecordRef | null };
  /** Every record of the conversation with its role, in file then line order (only when asked: keepRecords). */
  records?: (RecordRef & { role: 'request' | 'reply' })[];
}

/** One direction's numbers as the join keeps them. */
export class DirectionFacts {
  accepted = 0;
  rejected = 0;
  packets = 0;
  bytes = 0;
  firstStart = Infinity;
  /** tcp-flags OR, or -1 when never logged. */
  flags = -1;
  ingress = false;
  egress = false;
  bpa = false;
  acceptFile = -1;
  acceptLine = -1;
  rejectFile = -1;
  rejectLine = -1;
}

/**
 * A closed conversation as the join hands it to its sink: numbers only, filled in place for each conversation (no
 * allocation on the hot path). Keep what you need, or `snapshot` it, before returning from the sink.
 */
export class ClosedConversation {
  iface = 0;
  protocol = 0;
  v6 = false;
  client = new Int32Array(4);
  server = new Int32Array(4);
  clientPort = 0;
  serverPort = 0;
  /** 0 when the request went from the lower endpoint to the higher (the join's key order), else 1. */
  requestDir = 0;
  basis = 0;
  verdict = 0;
  start = 0;
  end = 0;
  readonly request = new DirectionFacts();
  readonly reply = new DirectionFacts();
  /** keepRecords: file, line, role (0 request, 1 reply) triples. */
  records: number[] | undefined;

  get verdictName(): Verdict {
    return VERDICTS[this.verdict];
  }

  /** Records of both directions. */
  get recordCount(): number {
    return this.request.accepted + this.request.rejected + this.reply.accepted + this.reply.rejected;
  }

  /** The evidence line of each side, as (file, line) pairs: the lines that show this verdict. */
  evidence(): [number, number, number, number] {
    const q = this.request;
    const r = this.reply;
    // The request's record that matters: accepted unless the request was only rejected.
    const reqFile = q.acceptFile >= 0 ? q.acceptFile : q.rejectFile;
    const reqLine = q.acceptFile >= 0 ? q.acceptLine : q.rejectLine;
    // The reply's: a rejected one for response-rejected, else its first accepted, else its first rejected.
    const useReject = this.verdict === 0 ? r.rejectFile >= 0 : r.acceptFile < 0;
    return [reqFile, reqLine, useReject ? r.rejectFile : r.acceptFile, useReject ? r.rejectLine : r.acceptLine];
  }

  snapshot(files: readonly string[], interfaces: readonly string[]): Conversation {
    const ref = (file: number, line: number): RecordRef | null => (file >= 0 ? { file: files[file], line } : null);
    const dir = (d: DirectionFacts): DirectionSummary => ({
      records: d.accepted + d.rejected,
      accepted: d.accepted,
      rejected: d.rejected,
      packets: d.packets,
      bytes: d.bytes,
      firstStart: d.firstStart === Infinity ? null : d.firstStart,
      tcpFlags: d.flags >= 0 ? d.flags : null,
      flowDirection: [...(d.ingress ? ['ingress' as const] : []), ...(d.egress ? ['egress' as const] : [])],
      blockPublicAccess: d.bpa,
      firstAccepted: ref(d.acceptFile, d.acceptLine),
      firstRejected: ref(d.rejectFile, d.rejectLine),
    });
    const [qf, ql, rf, rl] = this.evidence();
    const c: Conversation = {
      verdict: this.verdictName,
      interfaceId: interfaces[this.iface],
      protocol: this.protocol,
      protocolName: protocolName(this.protocol),
      client: { address: formatWords(this.client, this.v6), port: this.clientPort },
      server: { address: formatWords(this.server, this.v6), port: this.serverPort },
      roleBasis: ROLE_BASES[this.basis],
      start: this.start,
      end: this.end,
      request: dir(this.request),
      reply: dir(this.reply),
      evidence: { request: ref(qf, ql), reply: ref(rf, rl) },
    };
    if (this.records) {
      const list: (RecordRef & { role: 'request' | 'reply' })[] = [];
      for (let k = 0; k < this.records.length; k += 3) {
        list.push({ file: files[this.records[k]], line: this.records[k + 1], role: this.records[k + 2] === 0 ? 'request' : 'reply' });
      }
      c.records = list;
    }
    return c;
  }
}

const bytes16 = new Uint8Array(16);

/** The text of an address kept as four words (IPv4 in the first). */
export function formatWords(w: Int32Array, v6: boolean, at = 0): string {
  if (!v6) return formatIPv4(w[at] >>> 0);
  for (let k = 0; k < 4; k++) {
    const x = w[at + k];
    bytes16[k * 4] = x >>> 24;
    bytes16[k * 4 + 1] = (x >>> 16) & 255;
    bytes16[k * 4 + 2] = (x >>> 8) & 255;
    bytes16[k * 4 + 3] = x & 255;
  }
  return formatIPv6(bytes16);
}
