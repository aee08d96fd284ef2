// IPv4/IPv6 addresses: validation on field spans (hot path: char walks, no substrings, no regex, no allocation),
// CIDR matching, subnets, and the class of an address (private, shared, documentation, …).
//
// Accepted text forms:
// - IPv4: exactly four decimal octets 0..255 of 1–3 digits, no leading zeros (`010` is ambiguous: octal to some
//   parsers), no sign, no spaces.
// - IPv6 (RFC 4291 §2.2): eight groups of 1–4 hex digits (either case); one `::` standing for one or more zero
//   groups; an IPv4 dotted-quad tail in place of the last two groups (`::ffff:1.2.3.4`). No zone id (`%eth0`), no
//   brackets, no prefix.
// IPv4 and IPv6 are separate families: `::ffff:10.0.0.1` is not inside `10.0.0.0/8` (as in Python's ipaddress).

const DOT = 46;
const COLON = 58;

/**
 * IPv4 dotted quad in text[start,end) → unsigned 32-bit value (>>> 0), or -1 when not valid: 4 octets 0..255,
 * digits only, 1–3 digits each, no leading-zero octets like `010`. Never throws; an `end` past the text is invalid.
 */
export function ipv4At(text: string, start: number, end: number): number {
  if (end - start < 7 || end - start > 15) return -1;
  let value = 0;
  let i = start;
  for (let octets = 0; octets < 4; octets++) {
    if (octets > 0) {
      if (text.charCodeAt(i) !== DOT) return -1;
      i++;
    }
    const first = i;
    let octet = 0;
    while (i < end) {
      const c = text.charCodeAt(i) - 48;
      if (!(c >= 0 && c <= 9)) break; // also stops on NaN (past the end of the text)
      octet = octet * 10 + c;
      i++;
      if (i - first > 3) return -1;
    }
    const digits = i - first;
    if (digits === 0 || octet > 255) return -1;
    if (digits > 1 && text.charCodeAt(first) === 48) return -1;
    value = value * 256 + octet;
  }
  return i === end ? value : -1;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

// Groups as parsed, before the `::` gap is expanded. Module scratch: parsing never allocates.
const groupScratch = new Uint16Array(10);

/**
 * Parses IPv6 text in text[start,end); when `out` is given, writes the 16 bytes there. Returns false when invalid.
 */
function ipv6Into(text: string, start: number, end: number, out: Uint8Array | undefined): boolean {
  // Shortest '::'; longest 'xxxx:' × 6 + a 15-character IPv4 tail = 45.
  if (end - start < 2 || end - start > 45) return false;
  const groups = groupScratch;
  let count = 0;
  let gap = -1; // number of groups before the `::`
  let i = start;
  if (text.charCodeAt(i) === COLON) {
    if (text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    // One group: hex digits up to a colon, or an IPv4 tail (a dot before the next colon).
    const first = i;
    let g = 0;
    while (i < end) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      g = g * 16 + h;
      i++;
    }
    if (i < end && text.charCodeAt(i) === DOT) {
      // The IPv4 tail must be the last thing in the address and leave room for itself.
      if (count > 6) return false;
      const v4 = ipv4At(text, first, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    const len = i - first;
    if (len === 0 || len > 4) return false;
    if (count === 8) return false;
    groups[count++] = g;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false; // a second `::`
      gap = count;
      i++;
    } else if (i === end) {
      return false; // a trailing single colon
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  if (out) {
    out.fill(0);
    const head = gap < 0 ? count : gap;
    for (let k = 0; k < head; k++) {
      out[k * 2] = groups[k] >>> 8;
      out[k * 2 + 1] = groups[k] & 255;
    }
    const tail = count - head;
    for (let k = 0; k < tail; k++) {
      const at = 8 - tail + k;
      out[at * 2] = groups[head + k] >>> 8;
      out[at * 2 + 1] = groups[head + k] & 255;
    }
  }
  return true;
}

/**
 * Whether text[start,end) is a valid IPv6 address (RFC 4291 text forms: full, `::` compression once, embedded IPv4
 * tail like `::ffff:1.2.3.4`; hex case-insensitive; no zone id, no brackets). Char walk, no regex, no allocation.
 */
export function isIPv6At(text: string, start: number, end: number): boolean {
  return ipv6Into(text, start, end, undefined);
}

/** 4 for an IPv4 address in text[start,end), 6 for IPv6, 0 for neither. */
export function addressFamilyAt(text: string, start: number, end: number): 0 | 4 | 6 {
  if (ipv4At(text, start, end) >= 0) return 4;
  return ipv6Into(text, start, end, undefined) ? 6 : 0;
}

export type ParsedAddress = { family: 4; value: number } | { family: 6; bytes: Uint8Array /* 16 */ };

export function parseAddress(s: string): ParsedAddress | undefined {
  const v4 = ipv4At(s, 0, s.length);
  if (v4 >= 0) return { family: 4, value: v4 };
  const bytes = new Uint8Array(16);
  return ipv6Into(s, 0, s.length, bytes) ? { family: 6, bytes } : undefined;
}

export function formatIPv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let k = 0; k < 10; k++) if (bytes[k] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function v4Tail(bytes: Uint8Array): number {
  return ((bytes[12] << 24) | (bytes[13] << 16) | (bytes[14] << 8) | bytes[15]) >>> 0;
}

/**
 * Canonical (RFC 5952) text of 16 IPv6 bytes: lower case, no leading zeros, the longest run of two or more zero
 * groups compressed to `::` (the first on a tie), and IPv4-mapped addresses as `::ffff:1.2.3.4`.
 */
export function formatIPv6(bytes: Uint8Array): string {
  if (isV4Mapped(bytes)) return `::ffff:${formatIPv4(v4Tail(bytes))}`;
  const groups: number[] = [];
  for (let k = 0; k < 8; k++) groups.push((bytes[k * 2] << 8) | bytes[k * 2 + 1]);
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && groups[e] === 0) e++;
    if (e - k > bestLen) {
      bestStart = k;
      bestLen = e - k;
    }
    k = e;
  }
  const hex = (a: number[]) => a.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Canonical text of a parsed address. */
export function formatAddress(a: ParsedAddress): string {
  return a.family === 4 ? formatIPv4(a.value) : formatIPv6(a.bytes);
}

export interface Cidr {
  family: 4 | 6;
  prefix: number;
  /** The text as given (`10.1.2.3/8`, `::1`). */
  text: string;
  /** IPv4: network value and mask as unsigned 32-bit numbers (host bits of the given address cleared). */
  v4Network: number;
  v4Mask: number;
  /** IPv6: network bytes, host bits cleared (empty for IPv4). */
  v6Network: Uint8Array;
}

function v4MaskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let k = 0; k < 16; k++) {
    const bits = Math.max(0, Math.min(8, prefix - k * 8));
    out[k] = bytes[k] & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

/**
 * `10.0.0.0/8`, `2001:db8::/32`, or a bare address (= /32 or /128). Host bits in the address are allowed and
 * ignored (`10.1.2.3/8` is `10.0.0.0/8`). undefined when invalid: bad address, empty or non-decimal prefix, prefix
 * out of range (over 32 for IPv4, over 128 for IPv6).
 */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const a = parseAddress(addrText);
  if (!a) return undefined;
  const max = a.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const digits = s.length - slash - 1;
    if (digits < 1 || digits > 3) return undefined;
    prefix = 0;
    for (let k = slash + 1; k < s.length; k++) {
      const c = s.charCodeAt(k) - 48;
      if (!(c >= 0 && c <= 9)) return undefined;
      prefix = prefix * 10 + c;
    }
    if (prefix > max) return undefined;
  }
  if (a.family === 4) {
    const mask = v4MaskOf(prefix);
    return { family: 4, prefix, text: s, v4Network: (a.value & mask) >>> 0, v4Mask: mask, v6Network: new Uint8Array(0) };
  }
  return { family: 6, prefix, text: s, v4Network: 0, v4Mask: 0, v6Network: maskBytes(a.bytes, prefix) };
}

/** The network of a CIDR in canonical text: `10.1.2.3/8` → `10.0.0.0/8`. */
export function formatCidr(c: Cidr): string {
  return `${c.family === 4 ? formatIPv4(c.v4Network) : formatIPv6(c.v6Network)}/${c.prefix}`;
}

/** Whether the first `prefix` bits of `bytes` equal the (already masked) network. No allocation. */
function v6PrefixMatches(network: Uint8Array, prefix: number, bytes: Uint8Array): boolean {
  const whole = prefix >>> 3;
  for (let k = 0; k < whole; k++) if (bytes[k] !== network[k]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[whole] & mask) === network[whole];
}

/** Whether `a` lies inside `c`. Families never mix: an IPv4 address is never inside an IPv6 range. */
export function cidrContains(c: Cidr, a: ParsedAddress): boolean {
  if (a.family !== c.family) return false;
  if (a.family === 4) return ((a.value & c.v4Mask) >>> 0) === c.v4Network;
  return v6PrefixMatches(c.v6Network, c.prefix, a.bytes);
}

const scratch6 = new Uint8Array(16);

/** Fast containment test on a field span; allocation-free for both families. False when the span is not an address. */
export function cidrContainsAt(c: Cidr, text: string, start: number, end: number): boolean {
  if (c.family === 4) {
    const v = ipv4At(text, start, end);
    return v >= 0 && ((v & c.v4Mask) >>> 0) === c.v4Network;
  }
  return ipv6Into(text, start, end, scratch6) && v6PrefixMatches(c.v6Network, c.prefix, scratch6);
}

/**
 * `subnet(addr, prefixLen)` as the query function: `'172.31.16.139', 24` → `172.31.16.0/24`; IPv6 in canonical
 * compressed form (`2001:db8:1234:a100::/56`). undefined if the address is invalid or the prefix is not an integer
 * in 0..32 (IPv4) or 0..128 (IPv6).
 */
export function subnetOf(addr: string, prefixLen: number): string | undefined {
  const a = parseAddress(addr);
  if (!a || !Number.isInteger(prefixLen) || prefixLen < 0) return undefined;
  if (a.family === 4) {
    if (prefixLen > 32) return undefined;
    return `${formatIPv4((a.value & v4MaskOf(prefixLen)) >>> 0)}/${prefixLen}`;
  }
  if (prefixLen > 128) return undefined;
  return `${formatIPv6(maskBytes(a.bytes, prefixLen))}/${prefixLen}`;
}

export type AddressKind =
  | 'private' | 'shared' | 'loopback' | 'link-local' | 'documentation' | 'multicast' | 'unspecified'
  | 'broadcast' | 'reserved' | 'benchmarking' | 'ula' | 'ipv4-mapped' | 'public';

interface Range {
  cidr: Cidr;
  kind: AddressKind;
  label: string;
}

const range = (cidr: string, kind: AddressKind, label: string): Range => ({ cidr: parseCidr(cidr)!, kind, label });

// Special-purpose ranges (IANA IPv4 and IPv6 Special-Purpose Address Registries, RFC 6890), most specific first:
// the first match wins. Anything else is public (IPv6: inside global unicast 2000::/3; outside it, reserved).
const RANGES: Range[] = [
  // IPv4
  range('255.255.255.255/32', 'broadcast', 'limited broadcast (255.255.255.255)'),
  range('0.0.0.0/32', 'unspecified', 'unspecified (0.0.0.0)'),
  range('0.0.0.0/8', 'unspecified', '"this network" (RFC 1122, 0.0.0.0/8)'),
  range('10.0.0.0/8', 'private', 'private (RFC 1918, 10.0.0.0/8)'),
  range('172.16.0.0/12', 'private', 'private (RFC 1918, 172.16.0.0/12)'),
  range('192.168.0.0/16', 'private', 'private (RFC 1918, 192.168.0.0/16)'),
  range('100.64.0.0/10', 'shared', 'shared address space (RFC 6598, 100.64.0.0/10)'),
  range('127.0.0.0/8', 'loopback', 'loopback (127.0.0.0/8)'),
  // Link-local addresses that cloud instances talk to every day.
  range('169.254.169.254/32', 'link-local', 'link-local (169.254.0.0/16): the instance metadata service (IMDS)'),
  range('169.254.169.253/32', 'link-local', 'link-local (169.254.0.0/16): the Amazon DNS server (Route 53 Resolver)'),
  range('169.254.169.123/32', 'link-local', 'link-local (169.254.0.0/16): the Amazon Time Sync Service (NTP)'),
  range('169.254.170.2/32', 'link-local', 'link-local (169.254.0.0/16): the ECS task metadata and credentials endpoint'),
  range('169.254.0.0/16', 'link-local', 'link-local (RFC 3927, 169.254.0.0/16)'),
  range('192.0.0.0/24', 'reserved', 'IETF protocol assignments (RFC 6890, 192.0.0.0/24)'),
  range('192.0.2.0/24', 'documentation', 'documentation (RFC 5737 TEST-NET-1, 192.0.2.0/24)'),
  range('198.51.100.0/24', 'documentation', 'documentation (RFC 5737 TEST-NET-2, 198.51.100.0/24)'),
  range('203.0.113.0/24', 'documentation', 'documentation (RFC 5737 TEST-NET-3, 203.0.113.0/24)'),
  range('198.18.0.0/15', 'benchmarking', 'benchmarking (RFC 2544, 198.18.0.0/15)'),
  range('224.0.0.0/4', 'multicast', 'multicast (224.0.0.0/4)'),
  range('240.0.0.0/4', 'reserved', 'reserved for future use (240.0.0.0/4)'),
  // IPv6
  range('::/128', 'unspecified', 'unspecified (::)'),
  range('::1/128', 'loopback', 'loopback (::1)'),
  range('::ffff:0:0/96', 'ipv4-mapped', 'IPv4-mapped (::ffff:0:0/96)'),
  range('64:ff9b::/96', 'public', 'NAT64 well-known prefix (RFC 6052, 64:ff9b::/96)'),
  range('100::/64', 'reserved', 'discard-only (RFC 6666, 100::/64)'),
  range('2001:db8::/32', 'documentation', 'documentation (RFC 3849, 2001:db8::/32)'),
  range('fd00:ec2::254/128', 'ula', 'unique local (ULA, fc00::/7): the instance metadata service (IMDS, IPv6)'),
  range('fd00:ec2::253/128', 'ula', 'unique local (ULA, fc00::/7): the Amazon DNS server (Route 53 Resolver, IPv6)'),
  range('fd00:ec2::123/128', 'ula', 'unique local (ULA, fc00::/7): the Amazon Time Sync Service (NTP, IPv6)'),
  range('fc00::/7', 'ula', 'unique local (ULA, RFC 4193, fc00::/7): private'),
  range('fe80::/10', 'link-local', 'link-local (fe80::/10)'),
  range('ff00::/8', 'multicast', 'multicast (ff00::/8)'),
];

const GLOBAL_UNICAST = parseCidr('2000::/3')!;

/**
 * The class of an address, e.g. `{ kind: 'private', label: 'private (RFC 1918, 172.16.0.0/12)', family: 4 }`.
 * IPv4-mapped and NAT64 labels name the embedded IPv4 address and its class. undefined when `s` is not an address.
 */
export function addressClass(s: string): { kind: AddressKind; label: string; family: 4 | 6 } | undefined {
  const a = parseAddress(s);
  if (!a) return undefined;
  for (const r of RANGES) {
    if (!cidrContains(r.cidr, a)) continue;
    if (a.family === 6 && (r.kind === 'ipv4-mapped' || r.cidr.text === '64:ff9b::/96')) {
      const v4 = formatIPv4(v4Tail(a.bytes));
      const inner = addressClass(v4)!;
      return { kind: r.kind, label: `${r.label}, embedding ${v4} (${inner.label})`, family: 6 };
    }
    return { kind: r.kind, label: r.label, family: a.family };
  }
  if (a.family === 6 && !cidrContains(GLOBAL_UNICAST, a)) {
    return { kind: 'reserved', label: 'reserved by the IETF (outside global unicast 2000::/3)', family: 6 };
  }
  return { kind: 'public', label: 'public', family: a.family };
}

