// Conversations as rows with documented columns: what a `conversations` source of the query language, a CSV export
// or a table view reads. Snake_case names, as the query language writes fields after the `|`.
import { serviceName } from '../decode/ports';
import type { Value } from '../query/values';
import type { Conversation } from './conversation';
import type { Reading } from './readings';

/** Column names and what each holds, in row order. */
export const CONVERSATION_COLUMNS: readonly { name: string; description: string }[] = [
  { name: 'verdict', description: 'response-rejected, request-rejected, no-response, one-way or ok' },
  { name: 'interface_id', description: 'the interface the records were captured on' },
  { name: 'protocol', description: 'IANA protocol number (6 TCP, 17 UDP, 1 ICMP, …)' },
  { name: 'client_addr', description: 'the side that asked (the request\'s source)' },
  { name: 'client_port', description: 'its port (0 for ICMP)' },
  { name: 'server_addr', description: 'the side that answered, or should have' },
  { name: 'server_port', description: 'its port (0 for ICMP)' },
  { name: 'service', description: 'the service name of the server port (ssh, https, …), NULL when none is known' },
  { name: 'start', description: 'first start over both directions (Unix seconds)' },
  { name: 'end', description: 'last end over both directions (Unix seconds)' },
  { name: 'request_records', description: 'records of the request direction' },
  { name: 'request_rejected', description: 'of them REJECT' },
  { name: 'reply_records', description: 'records of the reply direction (0: never logged)' },
  { name: 'reply_rejected', description: 'of them REJECT' },
  { name: 'packets', description: 'packets of both directions' },
  { name: 'bytes', description: 'bytes of both directions' },
  { name: 'role_basis', description: 'how the request side was decided: tcp-flags, ports, actions, start or address-order' },
  { name: 'certainty', description: 'observed, most-likely or cannot-tell' },
  { name: 'reading', description: 'the plain reading, with the fixing rule where the log points at one' },
  { name: 'request_file', description: 'file of the request\'s evidence record (NULL when never logged)' },
  { name: 'request_line', description: 'its 1-based line' },
  { name: 'reply_file', description: 'file of the reply\'s evidence record (NULL when never logged)' },
  { name: 'reply_line', description: 'its 1-based line' },
];

export function conversationRow(c: Conversation, reading: Reading, readingText: string): Value[] {
  return [
    c.verdict, c.interfaceId, c.protocol, c.client.address, c.client.port, c.server.address, c.server.port,
    serviceName(c.server.port, c.protocol) ?? null, c.start, c.end,
    c.request.records, c.request.rejected, c.reply.records, c.reply.rejected,
    c.request.packets + c.reply.packets, c.request.bytes + c.reply.bytes,
    c.roleBasis, reading.certainty, readingText,
    c.evidence.request?.file ?? null, c.evidence.request?.line ?? null, c.evidence.reply?.file ?? null, c.evidence.reply?.line ?? null,
  ];
}
