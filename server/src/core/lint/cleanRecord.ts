// Lint's fast path: most lines of a real file have no problem at all, and proving that from the bytes the record
// scanner has already split and parsed costs a fraction of the full validator (a string per chunk, a span walk per
// field, problem objects). A line is CLEAN when it is a record in which the full validator (validate.ts) can find
// nothing: one space between fields, nothing around them, no `-`, every field as its type wants it, an OK status,
// start ≤ end, and traffic that passes the plausibility checks. Anything else, including what is merely unusual
// (IPv6, NODATA, ICMP), goes to the full validator: the fast path only ever says "clean", never what is wrong.
// test/unit/lintFastPath.test.ts checks that both paths print the same problems on hostile and generated files.
import { RecordFormat } from '../scan';
import { FieldDef, KNOWN_VERSIONS } from '../schema';
import { layoutOf } from '../records/fieldKinds';

/** How a field's bytes are checked beyond what the scanner checked (its numbers and addresses). */
const enum Check {
  /** Any text but `-`. */
  Text,
  Version,
  Account,
  Interface,
  /** An IPv4 address (IPv6 goes to the full validator: its packet-size rule differs). */
  Address,
  /** A port, protocol, tcp-flags or traffic-path: the scanner checked digits and range. */
  Bounded,
  /** A count or integer code: digits only (the scanner allows a sign). */
  Unsigned,
  /** A time in Unix seconds: digits, at most 10 of them. */
  Timestamp,
  /** One of the field's values, byte for byte. */
  Enum,
}

const SPACE = 32;
const NL = 10;
const MINUS = 45;
const MAX_SECONDS = 9_999_999_999;

const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const VERSIONS = KNOWN_VERSIONS.map(bytesOf);
const UNKNOWN = bytesOf('unknown');
const OK = bytesOf('OK');
const REJECT = bytesOf('REJECT');
const IPV6 = bytesOf('IPv6');

/** The checks of one format, and where the fields of the cross-field rules are. */
export interface CleanPlan {
  readonly checks: Uint8Array;
  /** Ranges of the Bounded positions. */
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly values: (Uint8Array[] | undefined)[];
  readonly logStatus: number;
  readonly action: number;
  readonly protocol: number;
  readonly srcport: number;
  readonly dstport: number;
  readonly packets: number;
  readonly bytes: number;
  readonly start: number;
  readonly end: number;
  readonly type: number;
}

const plans = new WeakMap<RecordFormat, CleanPlan | null>();

function checkOf(f: FieldDef | undefined): Check {
  switch (f?.type) {
    case 'version': return Check.Version;
    case 'account': return Check.Account;
    case 'interface': return Check.Interface;
    case 'address': return Check.Address;
    case 'port':
    case 'protocol':
    case 'tcpFlags':
    case 'trafficPath': return Check.Bounded;
    case 'count':
    case 'integer': return Check.Unsigned;
    case 'timestamp': return Check.Timestamp;
    case 'enum': return Check.Enum;
    default: return Check.Text;
  }
}

/**
 * The fast path's plan for a format; null when the format has no typed field (a line of names could then pass
 * as a record: those files take the full path).
 */
export function cleanPlanOf(format: RecordFormat): CleanPlan | null {
  let plan = plans.get(format);
  if (plan !== undefined) return plan;
  const checks = Uint8Array.from(format.fields, checkOf);
  const at = (n: string) => format.positionOf.get(n) ?? -1;
  plan = checks.some((c) => c !== Check.Text && c !== Check.Enum)
    ? {
      checks, low: layoutOf(format).low, high: layoutOf(format).high,
      values: format.fields.map((f) => f?.values?.map(bytesOf)),
      logStatus: at('log-status'), action: at('action'), protocol: at('protocol'), srcport: at('srcport'), dstport: at('dstport'),
      packets: at('packets'), bytes: at('bytes'), start: at('start'), end: at('end'), type: at('type'),
    }
    : null;
  plans.set(format, plan);
  return plan;
}

function equals(buf: Uint8Array, s: number, e: number, want: Uint8Array): boolean {
  if (e - s !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (buf[s + i] !== want[i]) return false;
  return true;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Clean results: the record has no lint problem; CLEAN_REJECT: and it is a REJECT. */
export const NOT_CLEAN = 0;
export const CLEAN = 1;
export const CLEAN_REJECT = 2;

const HASH = 35;
const DOT = 46;

/** Numbers of the line being checked, by field position (what the cross-field rules read). */
let nums = new Float64Array(64);
/** Where each field of the line being checked starts and ends. */
let starts = new Int32Array(64);
let ends = new Int32Array(64);

/**
 * Whether the line buf[start, end) (its line feed at `end`, or the chunk's end) is a clean record of the plan's
 * format: CLEAN or CLEAN_REJECT, else NOT_CLEAN (lint it in full). One walk over its bytes, field by field, each
 * checked as its type wants as it is read.
 */
export function cleanLine(buf: Uint8Array, start: number, end: number, plan: CleanPlan): number {
  const checks = plan.checks;
  const n = checks.length;
  if (nums.length < n) {
    nums = new Float64Array(n * 2);
    starts = new Int32Array(n * 2);
    ends = new Int32Array(n * 2);
  }
  const values = nums;
  const fieldStarts = starts;
  const fieldEnds = ends;
  const { low, high } = plan;
  let i = start;
  for (let k = 0; k < n; k++) {
    const check = checks[k];
    if (k > 0) {
      // One space between fields, and a field after it.
      if (i >= end || buf[i] !== SPACE) return NOT_CLEAN;
      i++;
    }
    const s = i;
    const first = i < end ? buf[i] : SPACE;
    if (first === SPACE || first === HASH) return NOT_CLEAN;
    // Each check reads its field to its end (a space or the line's end) as it checks it.
    switch (check) {
      case Check.Bounded:
      case Check.Unsigned:
      case Check.Timestamp: {
        // Digits only (no sign, not `-`), at most 15 of them.
        let v = 0;
        let c = first - 48;
        while (c >= 0 && c <= 9) {
          v = v * 10 + c;
          c = ++i < end ? buf[i] - 48 : -1;
        }
        if (i === s || i - s > 15 || (i < end && buf[i] !== SPACE)) return NOT_CLEAN;
        if (check === Check.Bounded ? v < low[k] || v > high[k] : check === Check.Timestamp && v > MAX_SECONDS) return NOT_CLEAN;
        values[k] = v;
        break;
      }
      case Check.Address: {
        // Dotted IPv4 as address.ts reads it: four octets 0–255, no leading zero; anything else (IPv6) in full.
        for (let octet = 0; octet < 4; octet++) {
          if (octet > 0) {
            if (i >= end || buf[i] !== DOT) return NOT_CLEAN;
            i++;
          }
          const d = i;
          let v = 0;
          while (i < end && i - d < 3) {
            const c = buf[i] - 48;
            if (c < 0 || c > 9) break;
            v = v * 10 + c;
            i++;
          }
          if (i === d || v > 255 || (i - d > 1 && buf[d] === 48)) return NOT_CLEAN;
        }
        if (i < end && buf[i] !== SPACE) return NOT_CLEAN;
        break;
      }
      case Check.Interface: {
        if (end - s <= 4 || first !== 101 || buf[s + 1] !== 110 || buf[s + 2] !== 105 || buf[s + 3] !== MINUS) return NOT_CLEAN; // eni-
        i = s + 4;
        while (i < end) {
          const c = buf[i];
          if (c === SPACE) break;
          if (!isAlnum(c)) return NOT_CLEAN;
          i++;
        }
        if (i === s + 4) return NOT_CLEAN;
        break;
      }
      case Check.Account: {
        let digits = true;
        while (i < end) {
          const c = buf[i];
          if (c === SPACE) break;
          if (c < 48 || c > 57) digits = false;
          i++;
        }
        if (!digits && !equals(buf, s, i, UNKNOWN)) return NOT_CLEAN;
        break;
      }
      default: {
        // Text, Version, Enum: to the field's end, then compared.
        while (i < end && buf[i] !== SPACE) i++;
        if (i - s === 1 && first === MINUS) return NOT_CLEAN;
        if (check === Check.Version) {
          if (!(i - s === 1 && first >= 50 && first <= 57) && !oneOf(buf, s, i, VERSIONS)) return NOT_CLEAN;
        } else if (check === Check.Enum && !oneOf(buf, s, i, plan.values[k]!)) return NOT_CLEAN;
        break;
      }
    }
    fieldStarts[k] = s;
    fieldEnds[k] = i;
  }
  if (i !== end) return NOT_CLEAN; // more fields, or a blank, CR or comment after the last
  // Cross-field rules of an OK record (validate.ts checkFields, checkTraffic).
  if (plan.logStatus >= 0 && !fieldEquals(buf, plan.logStatus, OK)) return NOT_CLEAN;
  if (plan.start >= 0 && plan.end >= 0 && nums[plan.start] > nums[plan.end]) return NOT_CLEAN;
  if (plan.type >= 0 && fieldEquals(buf, plan.type, IPV6)) return NOT_CLEAN;
  if (plan.protocol >= 0) {
    const proto = nums[plan.protocol];
    if ((proto === 1 || proto === 58) && ((plan.srcport >= 0 && nums[plan.srcport] > 0) || (plan.dstport >= 0 && nums[plan.dstport] > 0))) return NOT_CLEAN;
  }
  if (plan.packets >= 0 && plan.bytes >= 0) {
    const packets = nums[plan.packets];
    const bytes = nums[plan.bytes];
    if (bytes < packets * 20 || bytes > packets * 65535) return NOT_CLEAN;
  }
  return plan.action >= 0 && fieldEquals(buf, plan.action, REJECT) ? CLEAN_REJECT : CLEAN;
}

function oneOf(buf: Uint8Array, s: number, e: number, values: readonly Uint8Array[]): boolean {
  for (let v = 0; v < values.length; v++) if (equals(buf, s, e, values[v])) return true;
  return false;
}

/** Whether field k of the line just walked is `want`. */
function fieldEquals(buf: Uint8Array, k: number, want: Uint8Array): boolean {
  return equals(buf, starts[k], ends[k], want);
}
