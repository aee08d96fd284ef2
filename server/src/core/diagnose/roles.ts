// Which side of a conversation asked: the request is the direction from the client to the server. A flow log does not
// say, so it is read from the ports (a client talks from an ephemeral port to a service port), then, where the ports
// do not tell (ICMP, or both ports alike), from the TCP flags, the actions and the times.
import { serviceName } from '../decode/ports';

/** How client-like a port is: 0 a service port, 1 a registered port no service is known on, 2 an ephemeral port. */
export type PortRank = 0 | 1 | 2;

// Port ranges in real use:
// - network ACL rules for replies open 1024–65535 (the AWS and Tencent Cloud documentation's ephemeral range);
// - Linux picks client ports from 32768–60999 (net.ipv4.ip_local_port_range); Windows since Vista and IANA
//   (RFC 6335) from 49152–65535.
// So a port from 32768 up is a client's (ephemeral) even when a service is registered on it (33060 mysqlx, 51820
// WireGuard): clients use those numbers all the time. Below 1024, and the services of the embedded table
// (decode/ports.ts: 3306, 5432, 8080, 6443, 9092, …), are service ports. The rest of 1024–32767 is client-like
// but less so than an ephemeral port (old Windows clients use 1025–5000, Tencent's example uses 20641).
export const EPHEMERAL_FROM = 32768;

/**
 * Every port's rank, made on first use (not at module load: every worker thread loads this module, and most never
 * rank a port) and looked up in the embedded table only where it decides (1024–32767; below is 0, above 2).
 */
let RANKS: Uint8Array | undefined;

function ranks(): Uint8Array {
  if (RANKS === undefined) {
    const r = new Uint8Array(65536);
    r.fill(1, 1024, EPHEMERAL_FROM);
    r.fill(2, EPHEMERAL_FROM);
    for (let port = 1024; port < EPHEMERAL_FROM; port++) if (serviceName(port) !== undefined) r[port] = 0;
    RANKS = r;
  }
  return RANKS;
}

export function portRank(port: number): PortRank {
  return (RANKS ?? ranks())[port] as PortRank;
}

/** The service ports of 1024–32767 (below 1024 every port is one): the same rule written out, for SQL peers. */
export function registeredServicePorts(): number[] {
  const r = ranks();
  const out: number[] = [];
  for (let port = 1024; port < EPHEMERAL_FROM; port++) if (r[port] === 0) out.push(port);
  return out;
}

/** How the request side was decided, strongest first. */
export type RoleBasis = 'tcp-flags' | 'ports' | 'actions' | 'start' | 'rejections' | 'address-order';
export const ROLE_BASES: readonly RoleBasis[] = ['tcp-flags', 'ports', 'actions', 'start', 'rejections', 'address-order'];

const SYN = 2;
const ACK = 16;

/**
 * The request direction of a conversation between endpoint `lo` and endpoint `hi` (direction 0 is lo → hi, 1 is
 * hi → lo), from what each direction's records show. Returns `dir | basisIndex << 1` (no allocation: it runs once
 * per conversation). The rule, first that decides:
 * 1. TCP flags (when logged): the direction with SYN and no ACK is the request; failing that, the other side of the
 *    only direction with SYN-ACK;
 * 2. ports: the side on the more client-like port (portRank) is the client;
 * 3. actions: a direction that was accepted while the other never was is the request (a reply exists only for a
 *    request that got through);
 * 4. the earlier first start (a direction never logged starts at +Infinity);
 * 5. the direction with fewer rejected records (replies are what a stateless rule drops); past this point both
 *    directions read the same either way, so the verdict never depends on the last rule;
 * 6. lo → hi (an arbitrary but fixed order, so the answer never depends on the order of the records).
 */
export function decideRequest(
  protocol: number, loPort: number, hiPort: number,
  accepted0: number, rejected0: number, firstStart0: number, flags0: number,
  accepted1: number, rejected1: number, firstStart1: number, flags1: number,
): number {
  if (protocol === 6 && flags0 >= 0 && flags1 >= 0) {
    const synOnly0 = (flags0 & (SYN | ACK)) === SYN;
    const synOnly1 = (flags1 & (SYN | ACK)) === SYN;
    if (synOnly0 !== synOnly1) return (synOnly0 ? 0 : 1) | (0 << 1);
    const synAck0 = (flags0 & (SYN | ACK)) === (SYN | ACK);
    const synAck1 = (flags1 & (SYN | ACK)) === (SYN | ACK);
    if (synAck0 !== synAck1) return (synAck0 ? 1 : 0) | (0 << 1);
  } else if (protocol === 6 && (flags0 >= 0) !== (flags1 >= 0)) {
    // Only one direction logged (with flags): SYN alone marks a request, SYN-ACK a reply.
    const f = flags0 >= 0 ? flags0 : flags1;
    const dir = flags0 >= 0 ? 0 : 1;
    if ((f & (SYN | ACK)) === SYN) return dir | (0 << 1);
    if ((f & (SYN | ACK)) === (SYN | ACK)) return (1 - dir) | (0 << 1);
  }
  // ICMP has no ports: its "ports" are 0 in both directions, a tie.
  const r = RANKS ?? ranks();
  const r0 = r[loPort];
  const r1 = r[hiPort];
  if (r0 !== r1) return (r0 > r1 ? 0 : 1) | (1 << 1);
  if ((accepted0 > 0) !== (accepted1 > 0)) return (accepted0 > 0 ? 0 : 1) | (2 << 1);
  if (firstStart0 !== firstStart1) return (firstStart0 < firstStart1 ? 0 : 1) | (3 << 1);
  if (rejected0 !== rejected1) return (rejected0 < rejected1 ? 0 : 1) | (4 << 1);
  return 0 | (5 << 1);
}
