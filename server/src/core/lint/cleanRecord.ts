// Lint's fast path: most lines of a real file have no problem at all, and proving that from the bytes the record
// scanner has already split and parsed costs a fraction of the full validator (a string per chunk, a span walk per
// field, problem objects). A line is CLEAN when it is a record in which the full validator (validate.ts) can find
// nothing: one space between fields, nothing around them, no `-`, every field as its type wants it, an OK status,
// start ≤ end, and traffic that passes the plausibility checks. Anything else, including what is merely unusual
// (IPv6, NODATA, ICMP), goes to the full validator: the fast path only ever says "clean", never what is wrong.
// The check of a format is compiled (checkerSource): the fields' checks as straight-line code with the ranges and
// enum bytes as constants, 1.4–1.7× faster than walking the plan's check list for every line; its source holds
// only numbers taken from the schema, never text from a file.
// test/unit/lintFastPath.test.ts checks that both paths print the same problems on hostile and generated files.
import { RecordFormat } from '../scan';
import { FieldDef, KNOWN_VERSIONS } from '../schema';
import { layoutOf } from '../records/fieldKinds';
import { sourceNumber } from '../records/compiledFields';

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
const HASH = 35;
const DOT = 46;
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
  /** The compiled check of a line buf[start, end) whose line feed is at `end`: CLEAN, CLEAN_REJECT or NOT_CLEAN. */
  readonly cleanLine: (buf: Uint8Array, start: number, end: number) => number;
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
  if (checks.some((c) => c !== Check.Text && c !== Check.Enum) && crossFieldKindsHold(format, checks)) {
    const fields: Omit<CleanPlan, 'cleanLine'> = {
      checks, low: layoutOf(format).low, high: layoutOf(format).high,
      values: format.fields.map((f) => f?.values?.map(bytesOf)),
      logStatus: at('log-status'), action: at('action'), protocol: at('protocol'), srcport: at('srcport'), dstport: at('dstport'),
      packets: at('packets'), bytes: at('bytes'), start: at('start'), end: at('end'), type: at('type'),
    };
    // The source holds numbers only (checkerSource).
    plan = { ...fields, cleanLine: new Function('buf', 'start', 'end', checkerSource(fields)) as CleanPlan['cleanLine'] };
  } else plan = null;
  plans.set(format, plan);
  return plan;
}

const isNumeric = (c: Check | undefined) => c === Check.Bounded || c === Check.Unsigned || c === Check.Timestamp;
const isWord = (c: Check | undefined) => c === Check.Text || c === Check.Version || c === Check.Enum;

/** The cross-field rules read numbers of numeric fields and the bytes of word fields: the schema says so. */
function crossFieldKindsHold(format: RecordFormat, checks: Uint8Array): boolean {
  const kindAt = (n: string) => {
    const k = format.positionOf.get(n);
    return k === undefined ? undefined : checks[k] as Check;
  };
  return ['start', 'end', 'protocol', 'srcport', 'dstport', 'packets', 'bytes'].every((n) => !format.positionOf.has(n) || isNumeric(kindAt(n)))
    && ['log-status', 'action', 'type'].every((n) => !format.positionOf.has(n) || isWord(kindAt(n)));
}

/** Clean results: the record has no lint problem; CLEAN_REJECT: and it is a REJECT. */
export const NOT_CLEAN = 0;
export const CLEAN = 1;
export const CLEAN_REJECT = 2;

/** `buf[s .. i)` is the bytes of `want` (i: the field's end, s: the variable holding its start). */
function bytesEqual(s: string, want: Uint8Array): string {
  return `(i - ${s} === ${sourceNumber(want.length)}${Array.from(want, (b, j) => ` && buf[${s} + ${sourceNumber(j)}] === ${sourceNumber(b)}`).join('')})`;
}

/**
 * The body of `(buf, start, end) => result` that says whether the line buf[start, end) (its line feed at `end`:
 * a line without one, at the chunk's end, takes the full path) is a clean record of the plan's format. One walk over the bytes, field by field, each checked as
 * its type wants as it is read; `fK` is field K's first byte, `sK` its start, `nK` its number where a cross-field
 * rule reads it.
 */
function checkerSource(plan: Omit<CleanPlan, 'cleanLine'>): string {
  const { checks, low, high } = plan;
  const numbered = new Set([plan.start, plan.end, plan.protocol, plan.srcport, plan.dstport, plan.packets, plan.bytes].filter((k) => k >= 0));
  const out: string[] = ['let i = start, c = 0, v = 0, d = 0;'];
  const fail = (condition: string) => out.push(`if (${condition}) return ${NOT_CLEAN};`);
  // The byte at `end` is the line feed: every loop stops at it without a bound check of its own.
  const fieldEnd = (byte: string) => `(${byte} === ${SPACE} || ${byte} === ${NL})`;
  for (let k = 0; k < checks.length; k++) {
    const s = `s${k}`;
    const f = `f${k}`;
    if (k > 0) out.push(`if (buf[i] !== ${SPACE}) return ${NOT_CLEAN}; i++;`); // one space, then a field
    out.push(`const ${s} = i, ${f} = buf[i];`);
    fail(`${fieldEnd(f)} || ${f} === ${HASH}`);
    switch (checks[k]) {
      case Check.Bounded:
      case Check.Unsigned:
      case Check.Timestamp:
        // Digits only (no sign, not `-`), at most 15 of them.
        out.push(`v = 0; c = ${f} - 48; while (c >= 0 && c <= 9) { v = v * 10 + c; c = buf[++i] - 48; }`);
        fail(`i === ${s} || i - ${s} > 15 || !${fieldEnd('buf[i]')}`);
        if (checks[k] === Check.Bounded) fail(`v < ${sourceNumber(low[k])} || v > ${sourceNumber(high[k])}`);
        if (checks[k] === Check.Timestamp) fail(`v > ${sourceNumber(MAX_SECONDS)}`);
        if (numbered.has(k)) out.push(`const n${k} = v;`);
        break;
      case Check.Address:
        // Dotted IPv4 as address.ts reads it: four octets 0–255, no leading zero; anything else (IPv6) in full.
        for (let octet = 0; octet < 4; octet++) {
          if (octet > 0) out.push(`if (buf[i] !== ${DOT}) return ${NOT_CLEAN}; i++;`);
          out.push('d = i; v = 0; while (i - d < 3) { c = buf[i] - 48; if (c < 0 || c > 9) break; v = v * 10 + c; i++; }');
          fail('i === d || v > 255 || (i - d > 1 && buf[d] === 48)');
        }
        fail(`!${fieldEnd('buf[i]')}`);
        break;
      case Check.Interface:
        // `eni-` and at least one letter or digit (a line feed among the first four fails before any byte past it).
        fail(`${f} !== 101 || buf[${s} + 1] !== 110 || buf[${s} + 2] !== 105 || buf[${s} + 3] !== ${MINUS}`);
        out.push(`i = ${s} + 4; c = buf[i]; while ((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90)) c = buf[++i];`);
        fail(`i === ${s} + 4 || !${fieldEnd('c')}`);
        break;
      case Check.Account:
        // Digits, or `unknown`.
        out.push(`d = 1; c = ${f}; while (!${fieldEnd('c')}) { if (c < 48 || c > 57) d = 0; c = buf[++i]; }`);
        fail(`d === 0 && !${bytesEqual(s, UNKNOWN)}`);
        break;
      default:
        // Text, Version, Enum: to the field's end, then compared.
        out.push(`c = ${f}; while (!${fieldEnd('c')}) c = buf[++i];`);
        fail(`i - ${s} === 1 && ${f} === ${MINUS}`);
        if (checks[k] === Check.Version) fail(`!(i - ${s} === 1 && ${f} >= 50 && ${f} <= 57) && !(${VERSIONS.map((v) => bytesEqual(s, v)).join(' || ')})`);
        else if (checks[k] === Check.Enum) fail(`!(${plan.values[k]!.map((v) => bytesEqual(s, v)).join(' || ')})`);
        // Cross-field rules of an OK record (validate.ts checkFields, checkTraffic) on this field's bytes.
        if (k === plan.logStatus) fail(`!${bytesEqual(s, OK)}`);
        if (k === plan.type) fail(bytesEqual(s, IPV6));
        if (k === plan.action) out.push(`const reject = ${bytesEqual(s, REJECT)};`);
        break;
    }
  }
  fail('i !== end'); // more fields, or a blank, CR or comment after the last
  // The cross-field rules on numbers (validate.ts checkFields, checkTraffic).
  if (plan.start >= 0 && plan.end >= 0) fail(`n${plan.start} > n${plan.end}`);
  if (plan.protocol >= 0) {
    const ports = [plan.srcport, plan.dstport].filter((k) => k >= 0).map((k) => `n${k} > 0`);
    if (ports.length > 0) fail(`(n${plan.protocol} === 1 || n${plan.protocol} === 58) && (${ports.join(' || ')})`);
  }
  if (plan.packets >= 0 && plan.bytes >= 0) fail(`n${plan.bytes} < n${plan.packets} * 20 || n${plan.bytes} > n${plan.packets} * 65535`);
  out.push(plan.action >= 0 ? `return reject ? ${CLEAN_REJECT} : ${CLEAN};` : `return ${CLEAN};`);
  return out.join('\n');
}
