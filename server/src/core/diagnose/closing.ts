// What a closed conversation shows, read from its row (store.ts): its verdict and roles, which is all that most
// conversations are needed for (they are counted, not kept), and the full description for the ones a sink keeps.
import { ClosedConversation, DirectionFacts } from './conversation';
import { META_V6 } from './packed';
import { decideRequest } from './roles';
import { ConversationStore } from './store';
import { BIT_BPA, BIT_EGRESS, BIT_HAS_FLAGS, BIT_INGRESS, F_START, F_VOL, R_BITS, R_COUNTS, R_EV, R_KEY, ROW, ROW_F } from './storeRow';
import { verdictIndex } from './verdict';

/**
 * Conversation `c`'s verdict (VERDICTS index, the low 3 bits) and roles (decideRequest's answer, shifted left by 3):
 * what `describe` needs them to be told.
 */
export function verdictOf(st: ConversationStore, c: number): number {
  const w = st.w;
  const f = st.f;
  const r = c * ROW;
  const rf = c * ROW_F;
  const at = r + R_KEY;
  const protocol = w[at + 1] & 0xff;
  const bits0 = w[r + R_BITS];
  const bits1 = w[r + R_BITS + 1];
  const flags0 = bits0 & BIT_HAS_FLAGS ? bits0 & 255 : -1;
  const flags1 = bits1 & BIT_HAS_FLAGS ? bits1 & 255 : -1;
  const n = r + R_COUNTS;
  const rb = decideRequest(protocol, w[at + 10] & 0xffff, w[at + 10] >>> 16, w[n], w[n + 1], f[rf + F_START], flags0, w[n + 2], w[n + 3], f[rf + F_START + 1], flags1);
  const q = n + (rb & 1) * 2; // the request direction's counts
  const p = n + (1 - (rb & 1)) * 2; // the reply's
  return verdictIndex(protocol, w[q], w[q + 1], w[p], w[p + 1]) | (rb << 3);
}

/**
 * What verdictOf tells (the VERDICTS index alone) of a conversation made of one record: `dir` 0 from the key's lo
 * endpoint, `flags` its tcp-flags or -1. The reader tells it per record (packed.ts META_SINGLE_SHIFT), so that closing a
 * conversation of one record reads nothing of its row (store.ts singles).
 */
export function recordVerdict(protocol: number, loPort: number, hiPort: number, dir: number, accepted: boolean, start: number, flags: number): number {
  const a = accepted ? 1 : 0;
  const rb = dir === 0
    ? decideRequest(protocol, loPort, hiPort, a, 1 - a, start, flags, 0, 0, Infinity, -1)
    : decideRequest(protocol, loPort, hiPort, 0, 0, Infinity, -1, a, 1 - a, start, flags);
  // The request is this record's direction, or the other one (never logged).
  return (rb & 1) === dir ? verdictIndex(protocol, a, 1 - a, 0, 0) : verdictIndex(protocol, 0, 0, a, 1 - a);
}

/** Records of both directions of conversation `c`. */
export function recordsOf(st: ConversationStore, c: number): number {
  const n = c * ROW + R_COUNTS;
  return st.w[n] + st.w[n + 1] + st.w[n + 2] + st.w[n + 3];
}

/** Bytes of both directions of conversation `c` (the request's plus the reply's: a sum in either order is the same). */
export function bytesOf(st: ConversationStore, c: number): number {
  const rf = c * ROW_F + F_VOL;
  return st.f[rf + 1] + st.f[rf + 3];
}

/**
 * Fills `v` with what conversation `c` shows: roles, verdict, both directions (and its records' roles); `verdict`
 * is what verdictOf(c) gave.
 */
export function describe(st: ConversationStore, c: number, v: ClosedConversation, verdict: number): void {
  const w = st.w;
  const f = st.f;
  const r = c * ROW;
  const rf = c * ROW_F;
  const at = r + R_KEY;
  const protocol = w[at + 1] & 0xff;
  const loPort = w[at + 10] & 0xffff;
  const hiPort = w[at + 10] >>> 16;
  const rb = verdict >> 3;
  const reqDir = rb & 1;
  v.iface = w[at];
  v.protocol = protocol;
  v.v6 = (w[at + 1] & META_V6) !== 0;
  v.requestDir = reqDir;
  v.basis = rb >> 1;
  const clientAt = reqDir === 0 ? at + 2 : at + 6;
  const serverAt = reqDir === 0 ? at + 6 : at + 2;
  for (let k = 0; k < 4; k++) {
    v.client[k] = w[clientAt + k];
    v.server[k] = w[serverAt + k];
  }
  v.clientPort = reqDir === 0 ? loPort : hiPort;
  v.serverPort = reqDir === 0 ? hiPort : loPort;
  direction(st, v.request, c, reqDir);
  direction(st, v.reply, c, 1 - reqDir);
  v.verdict = verdict & 7;
  v.start = Math.min(f[rf + F_START], f[rf + F_START + 1]);
  v.end = st.lastEnds[c];
  const recs = st.recs[c];
  if (recs) {
    // Roles for the records, in file then line order.
    const order: number[] = [];
    for (let k = 0; k < recs.length; k += 3) order.push(k);
    order.sort((x, y) => recs[x] - recs[y] || recs[x + 1] - recs[y + 1]);
    const out: number[] = [];
    for (const k of order) out.push(recs[k], recs[k + 1], recs[k + 2] === reqDir ? 0 : 1);
    v.records = out;
  } else v.records = undefined;
}

function direction(st: ConversationStore, d: DirectionFacts, c: number, dir: number): void {
  const w = st.w;
  const f = st.f;
  const r = c * ROW;
  const rf = c * ROW_F;
  const b = w[r + R_BITS + dir];
  d.accepted = w[r + R_COUNTS + dir * 2];
  d.rejected = w[r + R_COUNTS + dir * 2 + 1];
  d.packets = f[rf + F_VOL + dir * 2];
  d.bytes = f[rf + F_VOL + dir * 2 + 1];
  d.firstStart = f[rf + F_START + dir];
  d.flags = b & BIT_HAS_FLAGS ? b & 255 : -1;
  d.ingress = (b & BIT_INGRESS) !== 0;
  d.egress = (b & BIT_EGRESS) !== 0;
  d.bpa = (b & BIT_BPA) !== 0;
  const e = r + R_EV + dir * 4;
  d.acceptFile = w[e];
  d.acceptLine = w[e + 1];
  d.rejectFile = w[e + 2];
  d.rejectLine = w[e + 3];
}
