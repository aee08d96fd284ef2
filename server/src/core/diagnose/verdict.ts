// The verdict of a conversation, from what its request and reply directions show.

/** Broken verdicts first, in the order a user reads them. */
export const VERDICTS = ['response-rejected', 'request-rejected', 'no-response', 'one-way', 'ok'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const VERDICT_INDEX: Readonly<Record<Verdict, number>> = {
  'response-rejected': 0, 'request-rejected': 1, 'no-response': 2, 'one-way': 3, ok: 4,
};

/** Protocols where a request that goes through is always answered: TCP (SYN-ACK or RST), ICMP, IPv6-ICMP. */
export function expectsReply(protocol: number): boolean {
  return protocol === 6 || protocol === 1 || protocol === 58;
}

/**
 * The decision table, on the records of each direction (accepted and rejected counts), first row that matches:
 *
 * | request                | reply                 | verdict             |
 * |------------------------|-----------------------|---------------------|
 * | some accepted          | some rejected         | `response-rejected` |
 * | some accepted          | accepted only         | `ok`                |
 * | some accepted          | never logged          | `no-response` for TCP, ICMP, IPv6-ICMP; `one-way` otherwise |
 * | rejected only          | anything              | `request-rejected`  |
 * | never logged           | (the reply only)      | `one-way`           |
 *
 * A request with some records accepted and some rejected (a rule changed during the conversation) counts by its
 * accepted records. Returns the index in VERDICTS.
 */
export function verdictIndex(protocol: number, reqAccepted: number, reqRejected: number, repAccepted: number, repRejected: number): number {
  if (reqAccepted > 0) {
    if (repRejected > 0) return 0;
    if (repAccepted > 0) return 4;
    return expectsReply(protocol) ? 2 : 3;
  }
  if (reqRejected > 0) return 1;
  return 3;
}
