// Field values read straight from a chunk's bytes: compare, parse and decode without making strings, except for
// the values that are output.

const DOT = 46;
const COLON = 58;

/**
 * IPv4 dotted quad in buf[start, end) → unsigned 32-bit value, or -1 (the rules of address.ts ipv4At: four octets
 * 0..255 of 1–3 digits, no leading zeros).
 */
export function ipv4Bytes(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 7 || end - start > 15) return -1;
  let value = 0;
  let i = start;
  for (let octets = 0; octets < 4; octets++) {
    if (octets > 0) {
      if (buf[i] !== DOT) return -1;
      i++;
    }
    const first = i;
    let octet = 0;
    while (i < end) {
      const c = buf[i] - 48;
      if (c < 0 || c > 9) break;
      octet = octet * 10 + c;
      i++;
    }
    const digits = i - first;
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    if (digits > 1 && buf[first] === 48) return -1;
    value = value * 256 + octet;
  }
  return i === end ? value : -1;
}

/**
 * Whether buf[start, end) is a valid IPv6 address, by address.ts's rules (eight groups of 1–4 hex digits, one `::`
 * at most, an IPv4 tail in the last two groups' place), read from the bytes: IPv6 records are a few percent of
 * real logs, and a string made for each would be most of their cost.
 */
export function isIPv6Bytes(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start < 2 || end - start > 45) return false;
  let groups = 0;
  let gap = false;
  let i = start;
  if (buf[i] === COLON) {
    if (buf[i + 1] !== COLON) return false;
    gap = true;
    i += 2;
  }
  while (i < end) {
    const first = i;
    while (i < end && isHexDigit(buf[i])) i++;
    if (i < end && buf[i] === DOT) {
      // An IPv4 tail: the last thing in the address, in place of two groups.
      if (groups > 6 || ipv4Bytes(buf, first, end) < 0) return false;
      groups += 2;
      break;
    }
    if (i === first || i - first > 4 || groups === 8) return false;
    groups++;
    if (i === end) break;
    if (buf[i] !== COLON) return false;
    i++;
    if (i < end && buf[i] === COLON) {
      if (gap) return false; // a second `::`
      gap = true;
      i++;
    } else if (i === end) return false; // a trailing single colon
  }
  return gap ? groups <= 7 : groups === 8;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** The bytes as one character each (exact for ASCII; callers decode UTF-8 where values can hold more). */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  if (end - start < 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
    return s;
  }
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

const decoder = new TextDecoder('utf-8');

/** The text of buf[start, end): ASCII built directly (most values), anything else decoded as UTF-8. */
export function textOf(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n < 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c >= 128) return decoder.decode(buf.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(buf.subarray(start, end));
}

/** Whether buf[start, end) equals the ASCII string `s`. */
export function bytesEqual(buf: Uint8Array, start: number, end: number, s: string): boolean {
  if (end - start !== s.length) return false;
  for (let k = 0; k < s.length; k++) if (buf[start + k] !== s.charCodeAt(k)) return false;
  return true;
}

/** Whether buf[start, end) equals `lower` (ASCII lower case) ignoring ASCII case. */
export function bytesEqualIgnoreCase(buf: Uint8Array, start: number, end: number, lower: Uint8Array): boolean {
  const n = lower.length;
  if (end - start !== n) return false;
  for (let k = 0; k < n; k++) {
    let c = buf[start + k];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower[k]) return false;
  }
  return true;
}

/** Whether buf[start, end) starts with `lower` (ASCII lower case) ignoring ASCII case. */
export function bytesStartIgnoreCase(buf: Uint8Array, start: number, end: number, lower: Uint8Array): boolean {
  const n = lower.length;
  if (end - start < n) return false;
  for (let k = 0; k < n; k++) {
    let c = buf[start + k];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower[k]) return false;
  }
  return true;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of `s`. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** UTF-8 bytes of `s` with ASCII letters lowered (for case-insensitive matches of ASCII words). */
export function lowerAsciiUtf8(s: string): Uint8Array {
  const b = encoder.encode(s);
  for (let k = 0; k < b.length; k++) if (b[k] >= 65 && b[k] <= 90) b[k] += 32;
  return b;
}
