// TCP flags as AWS writes them: the bits seen during the window, OR-ed together.
const BITS: [number, string][] = [[2, 'SYN'], [16, 'ACK'], [1, 'FIN'], [4, 'RST'], [8, 'PSH'], [32, 'URG'], [64, 'ECE'], [128, 'CWR']];

/** Flag names set in `mask`, in the order SYN, ACK, FIN, RST, PSH, URG, ECE, CWR. */
export function tcpFlagNames(mask: number): string[] {
  return BITS.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
}

/** `18` → `SYN|ACK`; `0` → `none`. */
export function describeTcpFlags(mask: number): string {
  const names = tcpFlagNames(mask);
  return names.length ? names.join('|') : 'none';
}

const MEANINGS = new Map<number, string>([
  [0, 'no TCP flags seen'],
  [1, 'connection closing (FIN)'],
  [2, 'connection attempt (SYN) with no answer in this window'],
  [3, 'a short connection opened and closed within the window (SYN and FIN)'],
  [4, 'connection reset (RST)'],
  [16, 'established traffic (ACK)'],
  [18, 'the answer to a connection attempt (SYN-ACK)'],
  [19, 'the answer to a connection attempt, then closing (SYN-ACK and FIN)'],
  [20, 'reset of an established connection (RST-ACK)'],
  [24, 'data pushed on an established connection (PSH-ACK)'],
]);

export function tcpFlagsMeaning(mask: number): string | undefined {
  return MEANINGS.get(mask);
}
