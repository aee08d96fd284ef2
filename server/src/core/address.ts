// IPv4/IPv6 addresses: validation on field spans (hot path: char walks, no substrings), CIDR matching, and the
// class of an address (private, shared, documentation, …).

/** IPv4 dotted quad in text[start,end) → unsigned 32-bit value, or -1 when not valid. */
export function ipv4At(text: string, start: number, end: number): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (octets < 4) {
    const first = i;
    let octet = 0;
    while (i < end) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      octet = octet * 10 + c;
      i++;
    }
    const digits = i - first;
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    if (digits > 1 && text.charCodeAt(first) === 48) return -1; // 010: leading zeros are ambiguous (octal)
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (i >= end || text.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === end ? value : -1;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parses IPv6 text in text[start,end) into `out` (16 bytes). Returns false when invalid. Forms of RFC 4291:
 * full, one `::`, an IPv4 tail. No zone id, no brackets.
 */
function ipv6Into(text: string, start: number, end: number, out: Uint8Array | undefined): boolean {
  if (end - start < 2 || end - start > 45) return false;
  const groups: number[] = [];
  let gap = -1;
  let i = start;
  if (text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === end) {
      if (out) out.fill(0);
      return true;
    }
  }
  while (i < end) {
    // An IPv4 tail: digits followed by a dot before the next colon.
    let j = i;
    let isV4 = false;
    while (j < end && text.charCodeAt(j) !== 58) {
      if (text.charCodeAt(j) === 46) isV4 = true;
      j++;
    }
    if (isV4) {
      if (j !== end) return false;
      const v4 = ipv4At(text, i, end);
      if (v4 < 0) return false;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      i = end;
      break;
    }
    const len = j - i;
    if (len === 0 || len > 4) return false;
    let g = 0;
    for (let k = i; k < j; k++) {
      const h = hexValue(text.charCodeAt(k));
      if (h < 0) return false;
      g = g * 16 + h;
    }
    groups.push(g);
    if (groups.length > 8) return false;
    i = j;
    if (i < end) {
      // at a colon
      if (text.charCodeAt(i + 1) === 58) {
        if (gap >= 0) return false;
        gap = groups.length;
        i += 2;
      } else {
        i += 1;
        if (i === end) return false; // trailing single colon
      }
    }
  }
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return false;
  if (out) {
    out.fill(0);
    const tail = groups.length - (gap < 0 ? groups.length : gap);
    const head = groups.length - tail;
    for (let k = 0; k < head; k++) {
      out[k * 2] = groups[k] >> 8;
      out[k * 2 + 1] = groups[k] & 255;
    }
    for (let k = 0; k < tail; k++) {
      const at = 8 - tail + k;
      out[at * 2] = groups[head + k] >> 8;
      out[at * 2 + 1] = groups[head + k] & 255;
    }
  }
  return true;
}

/** Whether text[start,end) is a valid IPv6 address. */
export function isIPv6At(text: string, start: number, end: number): boolean {
  return ipv6Into(text, start, end, undefined);
}

export type ParsedAddress = { family: 4; value: number } | { family: 6; bytes: Uint8Array };

export function parseAddress(s: string): ParsedAddress | undefined {
  const v4 = ipv4At(s, 0, s.length);
  if (v4 >= 0) return { family: 4, value: v4 };
  const bytes = new Uint8Array(16);
  return ipv6Into(s, 0, s.length, bytes) ? { family: 6, bytes } : undefined;
}

export function formatIPv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Canonical (RFC 5952) text of 16 IPv6 bytes: lower case, longest zero run compressed. */
export function formatIPv6(bytes: Uint8Array): string {
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

export interface Cidr {
  family: 4 | 6;
  prefix: number;
  text: string;
  /** IPv4: network value and mask as unsigned 32-bit numbers. */
  v4Network: number;
  v4Mask: number;
  /** IPv6: network bytes (masked). */
  v6Network: Uint8Array;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (/32, /128). undefined when invalid. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const a = parseAddress(addrText);
  if (!a) return undefined;
  const max = a.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  if (a.family === 4) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { family: 4, prefix, text: s, v4Network: (a.value & mask) >>> 0, v4Mask: mask, v6Network: new Uint8Array(0) };
  }
  const net = maskBytes(a.bytes, prefix);
  return { family: 6, prefix, text: s, v4Network: 0, v4Mask: 0, v6Network: net };
}

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let k = 0; k < 16; k++) {
    const bits = Math.max(0, Math.min(8, prefix - k * 8));
    out[k] = bytes[k] & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

export function cidrContains(c: Cidr, a: ParsedAddress): boolean {
  if (a.family !== c.family) return false;
  if (a.family === 4) return ((a.value & c.v4Mask) >>> 0) === c.v4Network;
  const m = maskBytes(a.bytes, c.prefix);
  for (let k = 0; k < 16; k++) if (m[k] !== c.v6Network[k]) return false;
  return true;
}

const scratch6 = new Uint8Array(16);

/** CIDR containment on a field span; allocation-free for IPv4. */
export function cidrContainsAt(c: Cidr, text: string, start: number, end: number): boolean {
  if (c.family === 4) {
    const v = ipv4At(text, start, end);
    return v >= 0 && ((v & c.v4Mask) >>> 0) === c.v4Network;
  }
  if (!ipv6Into(text, start, end, scratch6)) return false;
  return cidrContains(c, { family: 6, bytes: scratch6 });
}

/** `subnet('172.31.16.139', 24)` → `172.31.16.0/24`; undefined when the address or prefix is invalid. */
export function subnetOf(addr: string, prefixLen: number): string | undefined {
  const a = parseAddress(addr);
  if (!a || !Number.isInteger(prefixLen) || prefixLen < 0) return undefined;
  if (a.family === 4) {
    if (prefixLen > 32) return undefined;
    const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
    return `${formatIPv4((a.value & mask) >>> 0)}/${prefixLen}`;
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

// Most specific first.
const RANGES: Range[] = [
  range('255.255.255.255/32', 'broadcast', 'limited broadcast (255.255.255.255)'),
  range('0.0.0.0/8', 'unspecified', 'this network (0.0.0.0/8)'),
  range('10.0.0.0/8', 'private', 'private (RFC 1918, 10.0.0.0/8)'),
  range('172.16.0.0/12', 'private', 'private (RFC 1918, 172.16.0.0/12)'),
  range('192.168.0.0/16', 'private', 'private (RFC 1918, 192.168.0.0/16)'),
  range('100.64.0.0/10', 'shared', 'shared address space (RFC 6598, 100.64.0.0/10, carrier-grade NAT)'),
  range('127.0.0.0/8', 'loopback', 'loopback (127.0.0.0/8)'),
  range('169.254.0.0/16', 'link-local', 'link-local (169.254.0.0/16; 169.254.169.254 is the instance metadata service)'),
  range('192.0.2.0/24', 'documentation', 'documentation (TEST-NET-1, 192.0.2.0/24)'),
  range('198.51.100.0/24', 'documentation', 'documentation (TEST-NET-2, 198.51.100.0/24)'),
  range('203.0.113.0/24', 'documentation', 'documentation (TEST-NET-3, 203.0.113.0/24)'),
  range('198.18.0.0/15', 'benchmarking', 'benchmarking (RFC 2544, 198.18.0.0/15)'),
  range('224.0.0.0/4', 'multicast', 'multicast (224.0.0.0/4)'),
  range('240.0.0.0/4', 'reserved', 'reserved (240.0.0.0/4)'),
  range('::/128', 'unspecified', 'unspecified (::)'),
  range('::1/128', 'loopback', 'loopback (::1)'),
  range('::ffff:0:0/96', 'ipv4-mapped', 'IPv4-mapped (::ffff:0:0/96)'),
  range('2001:db8::/32', 'documentation', 'documentation (2001:db8::/32)'),
  range('fc00::/7', 'ula', 'unique local (ULA, fc00::/7), private'),
  range('fe80::/10', 'link-local', 'link-local (fe80::/10)'),
  range('ff00::/8', 'multicast', 'multicast (ff00::/8)'),
];

/** The class of an address, e.g. `{ kind: 'private', label: 'private (RFC 1918, 172.16.0.0/12)' }`. */
export function addressClass(s: string): { kind: AddressKind; label: string; family: 4 | 6 } | undefined {
  const a = parseAddress(s);
  if (!a) return undefined;
  for (const r of RANGES) if (cidrContains(r.cidr, a)) return { kind: r.kind, label: r.label, family: a.family };
  return { kind: 'public', label: 'public', family: a.family };
}
