// The search behind each figure of the Diagnose section: the records a conversation, a verdict, a finding or a
// coverage span is made of, as the query panel runs them. Pure (no DOM): unit tested in test/unit/panels.test.ts.
import type { BruteForceFinding, ScanFinding } from '../../../server/src/core/diagnose/scanFindings';
import type { CoverageState, Span } from '../../../server/src/core/diagnose/coverage';
import type { Conversation } from '../../../server/src/core/diagnose/conversation';
import { fieldTerm } from './drillDown';

const range = (field: string, from: number, to: number) => `${field}:[${from} TO ${to}]`;

/**
 * Both directions of a conversation: its interface and protocol, client → server and server → client with their
 * ports, records starting within its time (a 5-tuple seen again later is another conversation).
 */
export function conversationQuery(c: Pick<Conversation, 'interfaceId' | 'protocol' | 'client' | 'server' | 'start' | 'end'>): string {
  const way = (a: Conversation['client'], b: Conversation['client']) =>
    `(${fieldTerm('srcaddr', a.address)} AND ${fieldTerm('srcport', a.port)} AND ${fieldTerm('dstaddr', b.address)} AND ${fieldTerm('dstport', b.port)})`;
  return `${fieldTerm('interface-id', c.interfaceId)} AND ${fieldTerm('protocol', c.protocol)} AND ${range('start', c.start, c.end)} AND (${way(c.client, c.server)} OR ${way(c.server, c.client)})`;
}

/** The records of several conversations (a verdict's listed ones); undefined when there are none. */
export function conversationsQuery(list: readonly Parameters<typeof conversationQuery>[0][]): string | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return conversationQuery(list[0]);
  return list.map((c) => `(${conversationQuery(c)})`).join(' OR ');
}

/** A scan's attempts: from its source to the host scanned (port scan) or to the port scanned (address scan), in its time. */
export function scanQuery(f: Pick<ScanFinding, 'kind' | 'source' | 'host' | 'port' | 'protocol' | 'start' | 'end'>): string {
  const target = f.kind === 'port-scan'
    ? (f.host !== null ? ` AND ${fieldTerm('dstaddr', f.host)}` : '')
    : (f.port !== null ? ` AND ${fieldTerm('dstport', f.port)}` : '');
  return `${fieldTerm('srcaddr', f.source)}${target} AND ${fieldTerm('protocol', f.protocol)} AND ${range('start', f.start, f.end)}`;
}

/** A brute-force finding's connections: its source to the one port of the one host, in its time. */
export function bruteForceQuery(f: Pick<BruteForceFinding, 'source' | 'host' | 'port' | 'protocol' | 'start' | 'end'>): string {
  return `${fieldTerm('srcaddr', f.source)} AND ${fieldTerm('dstaddr', f.host)} AND ${fieldTerm('dstport', f.port)} AND ${fieldTerm('protocol', f.protocol)} AND ${range('start', f.start, f.end)}`;
}

export function interfaceQuery(interfaceId: string): string {
  return fieldTerm('interface-id', interfaceId);
}

/** The records of one interface that start or end within [from, to] (a bar segment that stands for several spans). */
export function rangeQuery(interfaceId: string, from: number, to: number): string {
  return `${interfaceQuery(interfaceId)} AND (${range('start', from, to)} OR ${range('end', from, to)})`;
}

/**
 * The records of a coverage span of one interface: its NODATA or SKIPDATA windows, or its records in a traffic
 * span. A gap has no records by definition: its query finds the two that bound it (the last to end before it, the
 * first to start after it).
 */
export function spanQuery(interfaceId: string, span: Span & { state: CoverageState }): string {
  const iface = interfaceQuery(interfaceId);
  switch (span.state) {
    case 'gap': return `${iface} AND (${fieldTerm('end', span.from)} OR ${fieldTerm('start', span.to)})`;
    case 'nodata': return `${iface} AND log-status:NODATA AND ${range('start', span.from, span.to)}`;
    case 'skipdata': return `${iface} AND log-status:SKIPDATA AND ${range('start', span.from, span.to)}`;
    case 'traffic': return `${iface} AND ${range('start', span.from, span.to)}`;
    default: {
      const unreachable: never = span.state;
      return unreachable;
    }
  }
}
