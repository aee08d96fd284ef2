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

/** Groups as parsed, before the `::` gap is expanded. */
const groups = new Uint16Array(10);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * The IPv6 address in buf[start, end) into out[at .. at + 3] as four 32-bit words (big-endian: the diagnosis's
 * packed rows); false (out unchanged) when it is not an IPv6 address. Without `out`, only whether it is one. The
 * rules of address.ts (eight groups of 1–4 hex digits, one `::`, an IPv4 dotted-quad tail; no zone id, no
 * brackets), read from the bytes: IPv6 records are a few percent of real logs, and a string made for each would be
 * most of their cost. A test holds it to parseAddress.
 */
export function ipv6WordsAt(buf: Uint8Array, start: number, end: number, out?: Int32Array, at = 0): boolean {
  if (end - start < 2 || end - start > 45) return false;
  let count = 0;
  let gap = -1; // groups before the `::`
  let i = start;
  if (buf[i] === COLON) {
    if (buf[i + 1] !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    const first = i;
    let g = 0;
    while (i < end) {
      const h = hexValue(buf[i]);
      if (h < 0) break;
      g = g * 16 + h;
      i++;
    }
    if (i < end && buf[i] === DOT) {
      // The IPv4 tail: the last thing in the address, with room for its two groups.
      if (count > 6) return false;
      const v4 = ipv4Bytes(buf, first, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    const len = i - first;
    if (len === 0 || len > 4 || count === 8) return false;
    groups[count++] = g;
    if (i === end) break;
    if (buf[i] !== COLON) return false;
    i++;
    if (i < end && buf[i] === COLON) {
      if (gap >= 0) return false; // a second `::`
      gap = count;
      i++;
    } else if (i === end) return false; // a trailing single colon
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  if (!out) return true;
  // Groups before the gap from the left, the rest from the right, zeros between.
  const head = gap < 0 ? count : gap;
  const tail = count - head;
  for (let k = 0; k < 4; k++) {
    const a = 2 * k < head ? groups[2 * k] : 2 * k >= 8 - tail ? groups[head + 2 * k - (8 - tail)] : 0;
    const b = 2 * k + 1 < head ? groups[2 * k + 1] : 2 * k + 1 >= 8 - tail ? groups[head + 2 * k + 1 - (8 - tail)] : 0;
    out[at + k] = (a << 16) | b;
  }
  return true;
}

/** Whether buf[start, end) is a valid IPv6 address (ipv6WordsAt's rules). */
export function isIPv6Bytes(buf: Uint8Array, start: number, end: number): boolean {
  return ipv6WordsAt(buf, start, end);
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
