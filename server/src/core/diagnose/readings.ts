// Plain readings of a conversation: what the records show, the rule that would fix it where that is unambiguous, and
// how sure the reading is. A flow log says ACCEPT or REJECT, never which control decided, so a reading that names one
// says "most likely" and shows its evidence: the request's and the reply's lines.
import { addressClass } from '../address';
import { countOf } from '../decode/counts';
import { serviceName } from '../decode/ports';
import { Conversation, RecordRef } from './conversation';
import { expectsReply } from './verdict';

/** `observed`: the records show it; `most-likely`: an inference; `cannot-tell`: the log does not say. */
export type Certainty = 'observed' | 'most-likely' | 'cannot-tell';

export interface Reading {
  certainty: Certainty;
  /** What happened, in a sentence or two. */
  summary: string;
  /** The rule that would fix it, when the log points at one. */
  fix?: string;
  /** The records that show it: `request file:line (ACCEPT) · reply file:line (REJECT)`. */
  evidence: string;
}

/** Which end of the conversation is the logged interface's own address, when it can be told. */
export type LocalSide = 'client' | 'server' | undefined;

export interface ReadingContext {
  /** Whether an address is the interface's own (LocalAddresses.isLocal), when the log tells. */
  isLocal?: (address: string) => boolean | undefined;
  /** The pairing slack, in seconds (named in no-response readings). */
  slackSeconds?: number;
}

/**
 * Which side is the interface: flow-direction when logged (ingress on the request: the server is local), then the
 * address the interface's records all carry, then the one private address of the two.
 */
export function localSide(c: Conversation, ctx: ReadingContext): LocalSide {
  const q = c.request.flowDirection;
  const r = c.reply.flowDirection;
  if (q.length === 1) return q[0] === 'ingress' ? 'server' : 'client';
  if (r.length === 1) return r[0] === 'ingress' ? 'client' : 'server';
  const server = ctx.isLocal?.(c.server.address);
  const client = ctx.isLocal?.(c.client.address);
  if (server === true && client !== true) return 'server';
  if (client === true && server !== true) return 'client';
  const internal = (a: string) => {
    const kind = addressClass(a)?.kind;
    return kind === 'private' || kind === 'ula' || kind === 'shared' || kind === 'link-local';
  };
  const si = internal(c.server.address);
  const ci = internal(c.client.address);
  if (si !== ci) return si ? 'server' : 'client';
  return undefined;
}

function hasPorts(protocol: number): boolean {
  return protocol === 6 || protocol === 17 || protocol === 132 || protocol === 33 || protocol === 136;
}

/** `10.0.0.5:22 (ssh)`, `[2001:db8::1]:22 (ssh)`, or the bare address for protocols without ports. */
export function at(address: string, port: number, protocol: number): string {
  if (!hasPorts(protocol)) return address;
  const name = serviceName(port, protocol);
  return `${address.includes(':') ? `[${address}]` : address}:${port}${name ? ` (${name})` : ''}`;
}

/** The ports a reply goes back to: the client's ephemeral range, or its exact port when that is not ephemeral. */
function clientPorts(port: number): string {
  return port >= 1024 ? '1024–65535' : String(port);
}

function ref(r: RecordRef | null, action: string): string {
  return r ? `${r.file}:${r.line} (${action})` : 'not logged';
}

export function evidenceOf(c: Conversation): string {
  const reqAction = c.request.firstAccepted && c.evidence.request?.line === c.request.firstAccepted.line && c.evidence.request.file === c.request.firstAccepted.file ? 'ACCEPT' : 'REJECT';
  const repAction = c.reply.firstRejected && c.evidence.reply?.line === c.reply.firstRejected.line && c.evidence.reply.file === c.reply.firstRejected.file ? 'REJECT' : 'ACCEPT';
  return `request ${ref(c.evidence.request, reqAction)} · reply ${ref(c.evidence.reply, repAction)}`;
}

/** A caveat when the request side itself was a guess (roles.ts): the ports, flags and actions did not tell. */
function roleCaveat(c: Conversation): string {
  if (c.roleBasis === 'start') return ` Which side asked is read from the start times (${c.client.address} was logged first); the ports do not tell.`;
  if (c.roleBasis === 'rejections' || c.roleBasis === 'address-order') return ' Which side asked cannot be told from this log (alike ports, same start, both accepted): the roles here are a guess.';
  return '';
}

export function readConversation(c: Conversation, ctx: ReadingContext = {}): Reading {
  const P = c.protocolName;
  const client = c.client.address;
  const server = at(c.server.address, c.server.port, c.protocol);
  const side = localSide(c, ctx);
  const evidence = evidenceOf(c);
  const caveat = roleCaveat(c);
  const nacl = `the network ACL of ${c.interfaceId}'s subnet`;
  const q = c.request;
  const r = c.reply;
  switch (c.verdict) {
    case 'response-rejected': {
      const summary = `${P} requests from ${client} to ${server} were accepted and the replies were rejected (${countOf(r.rejected, 'reply record')} rejected).`;
      if (r.blockPublicAccess) {
        return { certainty: 'observed', summary: `${summary} The reply records say reject-reason BPA: VPC Block Public Access blocked them.${caveat}`, fix: `exclude this VPC or subnet from Block Public Access, or set it to allow ${side === 'server' ? 'egress' : 'ingress'} for this traffic`, evidence };
      }
      const why = `Most likely a network ACL drops the replies: a network ACL is stateless and judges each direction on its own, while a security group is stateful and lets the replies of an accepted request through.${caveat}`;
      const ports = hasPorts(c.protocol) ? ` ${clientPorts(c.client.port)}` : '';
      let fix: string;
      if (side === 'server') fix = `allow outbound ${P}${ports} to ${client} in ${nacl}${ports ? ' (the client\'s ephemeral ports)' : ''}`;
      else if (side === 'client') fix = `allow inbound ${P}${ports} from ${c.server.address} in ${nacl}${ports ? ' (replies come back to this interface\'s ephemeral ports)' : ''}`;
      else fix = `allow the replies, ${P}${ports ? ` to ports${ports}` : ''} from ${c.server.address} to ${client}, in the network ACL: an outbound rule if ${c.server.address} is ${c.interfaceId}'s address, an inbound rule if ${client} is`;
      return { certainty: 'most-likely', summary: `${summary} ${why}`, fix, evidence };
    }
    case 'request-rejected': {
      const mixed = r.accepted > 0 ? ` Replies were accepted all the same: the conversation started before this log, or a rule changed during it.` : '';
      const summary = `${P} requests from ${client} to ${server} were rejected (${countOf(q.rejected, 'record')}).`;
      if (q.blockPublicAccess) {
        return { certainty: 'observed', summary: `${summary} The records say reject-reason BPA: VPC Block Public Access blocked them.${mixed}${caveat}`, evidence };
      }
      const why = ` A security group or a network ACL blocks this traffic in the request's direction; a flow log does not say which.${mixed}${caveat}`;
      const port = hasPorts(c.protocol) ? ` ${c.server.port}` : '';
      let fix: string | undefined;
      if (side === 'server') fix = `if this traffic is wanted, allow inbound ${P}${port} from ${client} in the security group of ${c.interfaceId} (and in ${nacl} if it denies it)`;
      else if (side === 'client') fix = `if this traffic is wanted, allow outbound ${P}${port} to ${c.server.address} in the security group of ${c.interfaceId} (and in ${nacl} if it denies it)`;
      else fix = `if this traffic is wanted, allow ${P}${port} from ${client} to ${c.server.address}: inbound in the security group of ${c.server.address}'s interface, outbound in ${client}'s (and in the network ACLs if they deny it)`;
      return { certainty: 'observed', summary: summary + why, fix, evidence };
    }
    case 'no-response': {
      const slack = ctx.slackSeconds !== undefined ? ` within ${Math.round(ctx.slackSeconds / 60)} minutes` : '';
      const icmp = c.protocol === 1 || c.protocol === 58 ? ' (unless these are ICMP error messages, which are never answered)' : '';
      const target = hasPorts(c.protocol) ? `nothing listens on ${c.server.port} at ${c.server.address}` : `${c.server.address} does not answer`;
      const summary = `${P} requests from ${client} to ${server} were accepted, but nothing came back on this interface${slack}${icmp}. Most likely ${target}, the host is down, or the reply took another path (asymmetric routing, or a reply logged under a translated NAT address).${caveat}`;
      return { certainty: 'most-likely', summary, evidence };
    }
    case 'one-way': {
      if (q.records === 0) {
        const rejected = r.rejected > 0 ? `, ${countOf(r.rejected, 'record')} of them rejected` : '';
        const summary = `Only replies were logged: ${server} → ${at(client, c.client.port, c.protocol)} (${P}${rejected}). The requests were not seen on this interface: they came before the log starts, by another path, or under a translated (NAT) address, so the log cannot tell whether this conversation works.`;
        return { certainty: 'cannot-tell', summary, evidence };
      }
      const kind = expectsReply(c.protocol) ? '' : ` Many ${P} flows are never answered (syslog, metrics, streaming, keep-alives), so`;
      const summary = `Only ${client} → ${server} was logged (${P}, ${countOf(q.records, 'record')}).${kind || ' So'} the log cannot tell whether this conversation works.${caveat}`;
      return { certainty: 'cannot-tell', summary, evidence };
    }
    case 'ok': {
      const some = q.rejected > 0 ? ` ${countOf(q.rejected, 'request record')} rejected too: a rule changed during the conversation?` : '';
      return { certainty: 'observed', summary: `Two-way ${P} traffic between ${client} and ${server}: requests and replies accepted.${some}${caveat}`, evidence };
    }
  }
}

/** The reading as one paragraph of text. */
export function readingText(r: Reading): string {
  return `${r.summary}${r.fix ? ` Fix: ${r.fix}.` : ''} Evidence: ${r.evidence}.`;
}
