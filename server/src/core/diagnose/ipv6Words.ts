// An IPv6 address read straight from a record's bytes into four 32-bit words (big-endian), the packed row's form:
// the rules of address.ts (eight groups of 1–4 hex digits, one `::`, an IPv4 dotted-quad tail; no zone id, no
// brackets), without making a string per address as parseAddress does. A test holds it to parseAddress.
import { ipv4Bytes } from '../records/byteText';

const COLON = 58;
const DOT = 46;

const groups = new Uint16Array(10);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The address in buf[start, end) into out[at .. at + 3]; false (out unchanged) when it is not an IPv6 address. */
export function ipv6WordsAt(buf: Uint8Array, start: number, end: number, out: Int32Array, at: number): boolean {
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
