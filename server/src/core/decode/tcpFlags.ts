// tcp-flags (version 3): the TCP flags seen during the capture window, OR-ed together into one bitmask.
// Bits (RFC 9293, RFC 3168): FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32, ECE 64, CWR 128.
// AWS records FIN, SYN, RST and SYN-ACK (18); ACK or PSH on their own are not recorded (the value is 0), and are
// reported only alongside a recorded flag. Other clouds (e.g. Alibaba) also record PSH and URG.

export const TCP_FIN = 1;
export const TCP_SYN = 2;
export const TCP_RST = 4;
export const TCP_PSH = 8;
export const TCP_ACK = 16;
export const TCP_URG = 32;
export const TCP_ECE = 64;
export const TCP_CWR = 128;

/** Display order: connection set-up first (SYN, ACK), then teardown (FIN, RST), then the rest. */
const BITS: readonly [number, string][] = [
  [TCP_SYN, 'SYN'], [TCP_ACK, 'ACK'], [TCP_FIN, 'FIN'], [TCP_RST, 'RST'],
  [TCP_PSH, 'PSH'], [TCP_URG, 'URG'], [TCP_ECE, 'ECE'], [TCP_CWR, 'CWR'],
];

/** Flag names set in `mask`, always in the order SYN, ACK, FIN, RST, PSH, URG, ECE, CWR. */
export function tcpFlagNames(mask: number): string[] {
  const names: string[] = [];
  for (const [bit, name] of BITS) if ((mask & bit) !== 0) names.push(name);
  return names;
}

/**
 * The flags joined by `|` in the order of `tcpFlagNames`: 18 → `SYN|ACK`, 19 → `SYN|ACK|FIN`, 3 → `SYN|FIN`,
 * 0 → `none`. Bits above 128 (not TCP flags) are appended in hex (`SYN|0x100`); a value that is not a
 * non-negative integer gives `invalid`.
 */
export function describeTcpFlags(mask: number): string {
  if (!Number.isInteger(mask) || mask < 0) return 'invalid';
  const names = tcpFlagNames(mask);
  const extra = mask > 255 ? mask - (mask % 256) : 0;
  if (extra) names.push(`0x${extra.toString(16)}`);
  return names.length ? names.join('|') : 'none';
}

// Readings without the flag names: callers show them after `describeTcpFlags` (`SYN: connection attempt …`).
const MEANINGS = new Map<number, string>([
  [0, 'no SYN, FIN or RST in the window: data on an already open connection (AWS does not record ACK or PSH alone)'],
  [1, 'the connection is closing'],
  [2, 'connection attempt (the answer, if any, is a SYN-ACK in the reverse flow)'],
  [3, 'opened and closed in one window: a short connection'],
  [4, 'connection reset (refused or aborted)'],
  [5, 'connection closed, then reset'],
  [6, 'connection attempt that was reset (refused, or a port scan)'],
  [7, 'short connection that ended with a reset, all in one window'],
  [8, 'data pushed'],
  [16, 'traffic on an established connection'],
  [17, 'the connection is closing (FIN-ACK)'],
  [18, 'answer to a connection attempt (SYN-ACK)'],
  [19, 'answered and closed in one window: a short connection, answering side'],
  [20, 'connection refused or reset (RST-ACK)'],
  [22, 'answered (SYN-ACK), then reset'],
  [24, 'data on an established connection (PSH-ACK)'],
  [25, 'data, then the connection closed'],
  [26, 'answered (SYN-ACK) and data sent in one window'],
  [27, 'short connection with data, answering side, all in one window'],
  [28, 'data, then the connection reset'],
]);

/**
 * A short reading of common flag combinations, without the flag names (show it after `describeTcpFlags`):
 * 2 → `connection attempt …`, 18 → `answer to a connection attempt (SYN-ACK)`; undefined for other masks.
 */
export function tcpFlagsMeaning(mask: number): string | undefined {
  return MEANINGS.get(mask);
}
