// The validator's plausibility rules on a record's traffic: ICMP has no ports, bytes fit the packets, a NODATA or
// SKIPDATA record carries no traffic. Warnings: a flow log can hold such records, but they are rarely right.
import { FieldSpans, RecordFormat, spanEquals } from '../scan';
import { Codes, Problem } from './problems';
import { FormatPlan } from './formatPlan';

const DASH = 45;

/** Whether text[s, e) is `-` (NULL). */
export function isDash(text: string, s: number, e: number): boolean {
  return e - s === 1 && text.charCodeAt(s) === DASH;
}

/** Whether text[s, e) is `-1` (Tencent's count of a NODATA record). */
export function isMinusOne(text: string, s: number, e: number): boolean {
  return e - s === 2 && text.charCodeAt(s) === DASH && text.charCodeAt(s + 1) === 49;
}

/** Plausibility checks of an OK record's traffic fields. */
export function checkTraffic(text: string, spans: FieldSpans, plan: FormatPlan, parsed: Float64Array, out: Problem[]): void {
  const { starts, ends } = spans;
  if (plan.protocol >= 0) {
    const proto = parsed[plan.protocol];
    if (proto === 1 || proto === 58) {
      for (const p of [plan.srcport, plan.dstport]) {
        if (p < 0) continue;
        const port = parsed[p];
        if (port > 0) {
          out.push({
            code: Codes.icmpPorts,
            severity: 'warning',
            message: `${p === plan.srcport ? 'srcport' : 'dstport'} is ${port} on ${proto === 1 ? 'ICMP' : 'IPv6-ICMP'}, which has no ports (expected 0)`,
            start: starts[p],
            end: ends[p],
          });
        }
      }
    }
  }
  if (plan.packets >= 0 && plan.bytes >= 0) {
    const packets = parsed[plan.packets];
    const bytes = parsed[plan.bytes];
    if (packets >= 0 && bytes >= 0) {
      const ipv6 = isIPv6Record(text, spans, plan);
      const minPerPacket = ipv6 ? 40 : 20;
      if (bytes < packets * minPerPacket) {
        out.push({
          code: Codes.tooFewBytes,
          severity: 'warning',
          message: `${bytes} bytes is fewer than ${packets} ${ipv6 ? 'IPv6' : 'IPv4'} packets can carry (at least ${minPerPacket} bytes each, ${packets * minPerPacket} in all)`,
          start: starts[plan.bytes],
          end: ends[plan.bytes],
        });
      } else if (bytes > packets * 65535) {
        out.push({
          code: Codes.tooManyBytesPerPacket,
          severity: 'warning',
          message: packets === 0
            ? `${bytes} bytes in 0 packets`
            : `${bytes} bytes in ${packets} packets is more than 65,535 bytes per packet on average`,
          start: starts[plan.bytes],
          end: ends[plan.bytes],
        });
      }
    }
  }
}

function isIPv6Record(text: string, spans: FieldSpans, plan: FormatPlan): boolean {
  if (plan.type >= 0 && spanEquals(text, spans.starts[plan.type], spans.ends[plan.type], 'IPv6')) return true;
  const a = plan.srcaddr >= 0 ? plan.srcaddr : plan.dstaddr;
  if (a < 0) return false;
  for (let i = spans.starts[a]; i < spans.ends[a]; i++) if (text.charCodeAt(i) === 58) return true;
  return false;
}

/** A NODATA/SKIPDATA record should carry no traffic: its traffic fields are `-` (or -1 for Tencent's counts). */
export function checkNoTraffic(text: string, spans: FieldSpans, format: RecordFormat, status: string, out: Problem[]): void {
  const filled: string[] = [];
  let first = -1;
  let last = -1;
  for (let k = 0; k < format.fields.length && k < spans.count; k++) {
    const f = format.fields[k];
    if (!f || !f.traffic) continue;
    const s = spans.starts[k];
    const e = spans.ends[k];
    if (isDash(text, s, e) || (f.type === 'count' && isMinusOne(text, s, e))) continue;
    filled.push(f.name);
    if (first < 0) first = k;
    last = k;
  }
  if (filled.length > 0) {
    out.push({
      code: Codes.nodataWithTraffic,
      severity: 'warning',
      message: `${status} record has traffic fields filled in (${filled.join(', ')}); a ${status} record describes no traffic, so they are expected to be \`-\``,
      start: spans.starts[first],
      end: spans.ends[last],
    });
  }
}
