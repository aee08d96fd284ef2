// The query language's functions in ClickHouse SQL, one entry per function name (the dialect's function table).
// Only functions ClickHouse 18.16 and current releases both have: no toStartOfInterval, isIPAddressInRange,
// *OrNull IP parsers, repeat or leftPad. Each entry gives the local engine's answer, NULLs included.
import { parseCidr, Cidr } from '../address';
import { protocolName, serviceName } from '../decode';
import { Tx, Val, float, num, str, text, toVal, val } from './sqlValues';

/** What a function entry may ask of the translator. */
export interface FunctionContext {
  /** Rejects the call with a positioned message (a QueryError). */
  fail(message: string): never;
  /** The call's arguments as written (for literals and column references). */
  literal(i: number): { kind: string; value?: unknown; name?: string; seconds?: number } | undefined;
  /** Whether argument i is a column of an address field. */
  isAddressColumn(i: number): boolean;
}

export type FunctionTranslation = (args: Tx[], ctx: FunctionContext) => Tx;

// ----------------------------------------------------------------------------------------------------------------
// Times: isoUtc(sec) as SQL. Days from seconds, then Howard Hinnant's civil_from_days (integer arithmetic only), so
// any time JavaScript's Date shows comes out the same (DateTime stops at 2106; the validator takes times to 2286).

/** A short name for an SQL text (alias suffixes: equal texts, equal names). */
function textHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/**
 * `2014-12-14T04:06:50Z` of a whole number of seconds (an Int64 or integral Float64 expression). Each step is
 * an alias (`(expr AS __iso…)` where first written, its name after): written out, the steps nest into tens of
 * kilobytes per use. Aliases are query-wide in ClickHouse; their names carry a hash of `seconds`, and the same
 * `seconds` gives the same definitions (ClickHouse accepts an alias defined twice as the same expression).
 */
export function isoUtcSql(seconds: string): string {
  const h = textHash(seconds);
  const defined = new Set<string>();
  const step = (name: string, expr: () => string) => () => {
    const alias = `__iso${h}_${name}`;
    if (defined.has(alias)) return alias;
    defined.add(alias);
    return `(${expr()} AS ${alias})`;
  };
  const t = step('t', () => `toInt64(${seconds})`);
  const days = step('days', () => `toInt64(floor(${t()} / 86400))`);
  const sod = step('sod', () => `(${t()} - ${days()} * 86400)`);
  const era = step('era', () => `toInt64(floor((${days()} + 719468) / 146097))`);
  const doe = step('doe', () => `(${days()} + 719468 - ${era()} * 146097)`);
  const yoe = step('yoe', () => `intDiv(${doe()} - intDiv(${doe()}, 1460) + intDiv(${doe()}, 36524) - intDiv(${doe()}, 146096), 365)`);
  const doy = step('doy', () => `(${doe()} - (365 * ${yoe()} + intDiv(${yoe()}, 4) - intDiv(${yoe()}, 100)))`);
  const mp = step('mp', () => `intDiv(5 * ${doy()} + 2, 153)`);
  const day = step('day', () => `(${doy()} - intDiv(153 * ${mp()} + 2, 5) + 1)`);
  const month = step('month', () => `if(${mp()} < 10, ${mp()} + 3, ${mp()} - 9)`);
  const pad2 = (x: string) => `if(${x} < 10, concat('0', toString(${x})), toString(${x}))`;
  // Date's range: ±8.64e12 s. Past it the engine says `invalid time`.
  const range = `abs(${seconds}) > 8640000000000`;
  const year = `toString(${yoe()} + ${era()} * 400 + (${month()} <= 2))`;
  return `if(${range}, 'invalid time', concat(${year}, '-', ${pad2(month())}, '-', ${pad2(day())}, 'T', ${pad2(`intDiv(${sod()}, 3600)`)}, ':', ${pad2(`intDiv(${sod()} % 3600, 60)`)}, ':', ${pad2(`(${sod()} % 60)`)}, 'Z'))`;
}

/** histogram()'s bucket of a time: floor(t / secs) × secs, as a number (the GROUP BY key). */
export function histogramBucketSql(arg: Val, seconds: number): string {
  return `(floor(${float(arg)} / ${num(seconds)}) * ${num(seconds)})`;
}

// ----------------------------------------------------------------------------------------------------------------
// Addresses. Stored addresses are valid IPv4 or IPv6 text (the loader skips others): IPv6 text has a colon, IPv4
// none. The parsers only ever see text of their own family (current releases throw on anything else).

/** The IPv4 number of an address value, or of 0.0.0.0 for NULL and IPv6 text. */
function ipv4Number(addr: string): string {
  return `IPv4StringToNum(if(position(ifNull(${addr}, ':'), ':') > 0, '0.0.0.0', assumeNotNull(${addr})))`;
}

/** The 16 bytes of an IPv6 address value as 32 upper-case hex digits (those of :: for NULL and IPv4 text). */
function ipv6Hex(addr: string): string {
  return `hex(IPv6StringToNum(if(position(ifNull(${addr}, ''), ':') > 0, assumeNotNull(${addr}), '::')))`;
}

const isV4 = (addr: string) => `(position(ifNull(${addr}, ':'), ':') = 0)`;
const isV6 = (addr: string) => `(position(ifNull(${addr}, ''), ':') > 0)`;

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/** Whether an address value is in a CIDR block (0 or 1, never NULL): a range of numbers, family by family. */
export function cidrContainsSql(addr: string, cidr: Cidr): string {
  if (cidr.family === 4) {
    const low = cidr.v4Network;
    const high = (cidr.v4Network | (~cidr.v4Mask >>> 0)) >>> 0;
    return `(${isV4(addr)} AND ${ipv4Number(addr)} BETWEEN ${low} AND ${high})`;
  }
  const low = cidr.v6Network;
  const high = new Uint8Array(low);
  for (let bit = cidr.prefix; bit < 128; bit++) high[bit >> 3] |= 0x80 >> (bit & 7);
  return `(${isV6(addr)} AND ${ipv6Hex(addr)} BETWEEN '${hexOf(low)}' AND '${hexOf(high)}')`;
}

export { parseCidr };

const HEX_DIGITS = '0123456789ABCDEF';

/** The hex digits of an IPv6 value with all but its first `prefix` bits cleared (prefix a literal 0..128). */
function maskedIpv6Hex(hex: string, prefix: number): string {
  const whole = prefix >> 2;
  const rest = prefix & 3;
  const parts: string[] = [];
  if (whole > 0) parts.push(`substring(${hex}, 1, ${whole})`);
  if (rest > 0 && whole < 32) {
    const mask = (0xf << (4 - rest)) & 0xf;
    // The digit's value, masked, back to a digit: transform over the 16 digits.
    const masked = Array.from(HEX_DIGITS, (d) => HEX_DIGITS[parseInt(d, 16) & mask]);
    parts.push(`transform(substring(${hex}, ${whole + 1}, 1), [${Array.from(HEX_DIGITS, (d) => `'${d}'`).join(', ')}], [${masked.map((d) => `'${d}'`).join(', ')}], '0')`);
  }
  const zeros = 32 - whole - (rest > 0 ? 1 : 0);
  if (zeros > 0) parts.push(`'${'0'.repeat(zeros)}'`);
  return parts.length === 1 ? parts[0] : `concat(${parts.join(', ')})`;
}

/**
 * The canonical text of 16 bytes given as 32 hex digits, as the engine's formatIPv6 writes it (RFC 5952).
 * IPv6NumToString agrees except for addresses whose first 96 bits are zero (it writes `::1.2.3.4`; the engine,
 * like RFC 5952, `::102:304`): those are written here from their last two groups.
 */
function ipv6TextFromHex(hex: string): string {
  const group = (i: number) => `lower(replaceRegexpOne(substring(${hex}, ${i * 4 + 1}, 4), '^0{1,3}', ''))`;
  const compat = `if(substring(${hex}, 25, 4) = '0000', if(substring(${hex}, 29, 4) = '0000', '::', concat('::', ${group(7)})), concat('::', ${group(6)}, ':', ${group(7)}))`;
  return `if(substring(${hex}, 1, 24) = '000000000000000000000000', ${compat}, IPv6NumToString(toFixedString(unhex(${hex}), 16)))`;
}

/** subnet(addr, n): `172.31.16.0/24`, `2001:db8:1234:a100::/56`; NULL for NULL, or a prefix too long for the family. */
function subnetSql(addr: string, prefix: number): string {
  const v6 = `concat(${ipv6TextFromHex(maskedIpv6Hex(ipv6Hex(addr), prefix))}, '/${prefix}')`;
  const v4 = prefix > 32 ? 'NULL' : `concat(IPv4NumToString(bitAnd(${ipv4Number(addr)}, ${prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0})), '/${prefix}')`;
  return `if(isNull(${addr}), NULL, if(${isV6(addr)}, ${v6}, ${v4}))`;
}

// ----------------------------------------------------------------------------------------------------------------
// Decoders as lookup tables, built from the engine's own decoders (so they cannot drift apart).

const PROTOCOL_NUMBERS = Array.from({ length: 256 }, (_, i) => i);
const PROTOCOL_NAMES = PROTOCOL_NUMBERS.map((n) => protocolName(n));

/** Port → service name for one transport rule of serviceName (protocol undefined, 17, 132). */
function serviceTable(protocol: number | undefined): { ports: number[]; names: string[] } {
  const ports: number[] = [];
  const names: string[] = [];
  for (let p = 0; p <= 65535; p++) {
    const name = serviceName(p, protocol);
    if (name !== undefined) {
      ports.push(p);
      names.push(name);
    }
  }
  return { ports, names };
}

let serviceTables: { tcp: ReturnType<typeof serviceTable>; udp: ReturnType<typeof serviceTable>; sctp: ReturnType<typeof serviceTable> } | undefined;

function lookup(key: string, table: { ports: number[]; names: string[] }): string {
  return `transform(${key}, [${table.ports.join(',')}], [${table.names.map(str).join(',')}], '')`;
}

/** A whole number in a range as Int64 for a lookup, else a key no table has (-1). */
function wholeKey(x: Val, max: number): string {
  if (x.int) return `toInt64(${x.sql})`;
  const f = float(x);
  return `if(${f} = floor(${f}) AND ${f} >= 0 AND ${f} <= ${max}, toInt64(${f}), -1)`;
}

// ----------------------------------------------------------------------------------------------------------------

function numberArg(x: Tx, name: string, ctx: FunctionContext): Val {
  const v = toVal(x);
  if (v.type === 'text') ctx.fail(`${name}() takes a number; in ClickHouse a text argument is not converted`);
  return v;
}

/** The function table: our function name → its ClickHouse translation. */
export const CLICKHOUSE_FUNCTIONS: Record<string, FunctionTranslation> = {
  histogram: (args, ctx) => {
    const a = numberArg(args[0], 'histogram', ctx);
    if (a.type === 'null') return val('NULL', 'null');
    const lit = ctx.literal(1);
    const seconds = lit?.kind === 'interval' ? lit.seconds! : Number(lit?.value);
    if (!(seconds > 0)) ctx.fail('histogram() needs a positive interval');
    return val(isoUtcSql(histogramBucketSql(a, seconds)), 'text');
  },
  from_unixtime: (args, ctx) => {
    const a = toVal(args[0]);
    if (a.type === 'null') return a;
    return val(isoUtcSql(`floor(${float(a)})`), 'text');
    void ctx;
  },
  protocol_name: (args, ctx) => {
    const a = numberArg(args[0], 'protocol_name', ctx);
    if (a.type === 'null') return a;
    return val(`nullIf(transform(${wholeKey(a, 255)}, [${PROTOCOL_NUMBERS.join(',')}], [${PROTOCOL_NAMES.map(str).join(',')}], ''), '')`, 'text');
  },
  service_name: (args, ctx) => {
    const port = numberArg(args[0], 'service_name', ctx);
    if (port.type === 'null') return port;
    serviceTables ??= { tcp: serviceTable(undefined), udp: serviceTable(17), sctp: serviceTable(132) };
    const key = wholeKey(port, 65535);
    if (args.length === 1) return val(`nullIf(${lookup(key, serviceTables.tcp)}, '')`, 'text');
    const proto = numberArg(args[1], 'service_name', ctx);
    // The engine: a NULL protocol is no protocol (TCP's names first); TCP and DCCP, UDP and UDP-Lite, SCTP; others none.
    const p = proto.type === 'null' ? '6' : `ifNull(${float(proto)}, 6)`;
    return val(`nullIf(multiIf(${p} IN (6, 33), ${lookup(key, serviceTables.tcp)}, ${p} IN (17, 136), ${lookup(key, serviceTables.udp)}, ${p} = 132, ${lookup(key, serviceTables.sctp)}, ''), '')`, 'text');
  },
  subnet: (args, ctx) => {
    if (!ctx.isAddressColumn(0)) ctx.fail('subnet() in ClickHouse takes an address field (srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr)');
    const lit = ctx.literal(1);
    const n = lit?.kind === 'number' ? Number(lit.value) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 128) ctx.fail('subnet() in ClickHouse takes a whole prefix length 0–128 written as a number');
    return val(subnetSql(toVal(args[0]).sql, n), 'text');
  },
  lower: (args) => {
    const a = toVal(args[0]);
    return a.type === 'null' ? a : val(`lowerUTF8(${text(a)})`, 'text');
  },
  upper: (args) => {
    const a = toVal(args[0]);
    return a.type === 'null' ? a : val(`upperUTF8(${text(a)})`, 'text');
  },
  length: (args) => {
    const a = toVal(args[0]);
    return a.type === 'null' ? a : val(`lengthUTF8(${text(a)})`, 'number', true);
  },
  abs: (args, ctx) => {
    const a = numberArg(args[0], 'abs', ctx);
    return a.type === 'null' ? a : val(`abs(${float(a)})`, 'number', a.int);
  },
  floor: (args, ctx) => {
    const a = numberArg(args[0], 'floor', ctx);
    return a.type === 'null' ? a : val(`floor(${float(a)})`, 'number', true);
  },
  ceil: (args, ctx) => {
    const a = numberArg(args[0], 'ceil', ctx);
    return a.type === 'null' ? a : val(`ceil(${float(a)})`, 'number', true);
  },
  round: (args, ctx) => {
    // The engine: sign(v) × Math.round(|v| × 10^d) / 10^d, halves away from zero (ClickHouse's round() rounds
    // floats half to even).
    const a = numberArg(args[0], 'round', ctx);
    const d = args[1] ? numberArg(args[1], 'round', ctx) : val('0', 'number', true);
    if (a.type === 'null' || d.type === 'null') return val('NULL', 'null');
    const x = float(a);
    const k = `pow(10, ${float(d)})`;
    return val(`(if(${x} < 0, -floor(-${x} * ${k} + 0.5), floor(${x} * ${k} + 0.5)) / ${k})`, 'number', d.sql === '0');
  },
  coalesce: (args, ctx) => {
    const vals = args.map(toVal).filter((v) => v.type !== 'null');
    if (vals.length === 0) return val('NULL', 'null');
    const types = new Set(vals.map((v) => v.type));
    if (types.size > 1) ctx.fail('coalesce() of text and numbers cannot be translated to ClickHouse (its values need one type)');
    const type = vals[0].type;
    return val(`coalesce(${vals.map((v) => (type === 'number' ? float(v) : v.sql)).join(', ')})`, type, vals.every((v) => v.int));
  },
};
