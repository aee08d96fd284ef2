// The record scanner's fast path, compiled a format at a time. Nearly every line of a real file is a record with
// one space between fields, digits or `-` in its numeric fields and addresses: for such a line the generated
// reader splits, parses and checks every field in one walk, as straight-line code with each field's kind and range
// as constants. Anything else (a sign, a CR, several spaces, a trailing comment, a wrong field count, a value
// out of range) makes it give up, and the scanner's general walk (recordScanner.ts fields) reads the line again, so
// the fast path decides nothing the general walk would decide otherwise: test/unit/compiledFields.test.ts compares
// both on hostile and generated lines.
// The generated source holds only numbers taken from the format's layout, never text from a file.
import { RecordFormat } from '../scan';
import { FieldKind, layoutOf } from './fieldKinds';
import { isIPv6Bytes } from './byteText';

/**
 * Reads the record starting at buf[i] into starts/ends/nums (as RecordScanner.fields does) and returns the offset
 * of its line feed; -1 when the line is not a plain well-formed record (the general walk then decides). A line
 * feed must follow i in buf: every loop stops at one without a bound check of its own.
 */
export type CompiledFields = (buf: Uint8Array, i: number, starts: Int32Array, ends: Int32Array, nums: Float64Array) => number;

const SPACE = 32;
const NL = 10;
const CR = 13;
const HASH = 35;
const MINUS = 45;
const DOT = 46;
/** The general walk's limit on a number's digits. */
const MAX_DIGITS = 15;

/** Readers made so far: per format, per set of fields read ('*': all of them). */
const compiled = new WeakMap<RecordFormat, Map<string, CompiledFields>>();

/**
 * The compiled reader of a format's records (made once per format and set of fields). With `read`, the names of
 * the only fields the caller reads (query/fieldsRead.ts), the other fields are still checked as the general walk
 * checks them, but their offsets and numbers are not written, and a count or timestamp nobody reads is not
 * parsed: 11–16% of the reader's time on the bench files when a filter count reads one field.
 */
export function compiledFieldsOf(format: RecordFormat, read?: readonly string[]): CompiledFields {
  let byRead = compiled.get(format);
  if (!byRead) compiled.set(format, (byRead = new Map()));
  const key = read ? [...read].sort().join(' ') : '*';
  let reader = byRead.get(key);
  if (!reader) {
    const wanted = read && new Set(read);
    const body = compiledFieldsSource(format, wanted ? (k) => wanted.has(format.fields[k]?.name ?? '') : undefined);
    reader = new Function('isIPv6Bytes', `return function compiledFields(buf, i, starts, ends, nums) {\n${body}\n};`)(isIPv6Bytes) as CompiledFields;
    byRead.set(key, reader);
  }
  return reader;
}

/** A number for generated source: only finite numbers ever go into it. */
export function sourceNumber(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`generated source: ${v} is not a finite number`);
  return String(v);
}

/** The body of the format's CompiledFields; `isRead(k)` false: field k's offsets and number are not written. */
export function compiledFieldsSource(format: RecordFormat, isRead: (k: number) => boolean = () => true): string {
  const { kinds, low, high } = layoutOf(format);
  const n = kinds.length;
  const out: string[] = ['let s = 0, c = 0, v = 0, d = 0, o = 0;'];
  const giveUp = (condition: string) => out.push(`if (${condition}) return -1;`);
  for (let k = 0; k < n; k++) {
    const last = k === n - 1;
    // What must follow the field: one space, or the line feed after the last.
    const separator = last ? NL : SPACE;
    const K = sourceNumber(k);
    const kept = isRead(k);
    out.push(`s = i; c = buf[i];`);
    switch (kinds[k] as FieldKind) {
      case FieldKind.Bounded:
      case FieldKind.Integer: {
        // Digits, or `-` alone (NULL). A sign before digits goes to the general walk.
        const ranged = Number.isFinite(low[k]) && Number.isFinite(high[k]);
        out.push(`if (c === ${MINUS}) { if (buf[i + 1] !== ${separator}) return -1; i++;${kept ? ` nums[${K}] = NaN;` : ''} } else {`);
        out.push(`v = c - 48; if (v >>> 0 > 9) return -1; c = buf[++i] - 48;`);
        // The value is made only where it is read or its range checked; the digits are checked either way.
        if (kept || ranged) out.push('while (c >>> 0 <= 9) { v = v * 10 + c; c = buf[++i] - 48; }');
        else out.push('while (c >>> 0 <= 9) c = buf[++i] - 48;');
        giveUp(`i - s > ${MAX_DIGITS}`);
        if (ranged) giveUp(`v < ${sourceNumber(low[k])} || v > ${sourceNumber(high[k])}`);
        out.push(kept ? `nums[${K}] = v; }` : '}');
        break;
      }
      case FieldKind.Address:
        // `-` alone (NULL); a dotted IPv4 address as byteText.ts ipv4Bytes reads it (four octets 0–255 of 1–3
        // digits, no leading zero), its value in nums; else, to the field's end, an IPv6 address (nums -1).
        out.push(`if (c === ${MINUS} && buf[i + 1] === ${separator}) { i++;${kept ? ` nums[${K}] = NaN;` : ''} } else { d = 0;`);
        out.push('v4: { v = 0;');
        for (let octet = 0; octet < 4; octet++) {
          if (octet > 0) out.push(`if (buf[i] !== ${DOT}) break v4; i++;`);
          // One to three digits (unrolled), no leading zero, at most 255.
          out.push('o = buf[i] - 48; if (o >>> 0 > 9) break v4; c = buf[++i] - 48;');
          out.push('if (c >>> 0 <= 9) { if (o === 0) break v4; o = o * 10 + c; c = buf[++i] - 48;');
          out.push('if (c >>> 0 <= 9) { o = o * 10 + c; if (o > 255) break v4; i++; } }');
          out.push('v = v * 256 + o;');
        }
        out.push(`if (buf[i] === ${separator}) {${kept ? ` nums[${K}] = v;` : ''} d = -1; } }`);
        out.push(`if (d !== -1) { i = s; c = buf[i]; while (c !== ${SPACE} && c !== ${NL} && c !== ${CR}) c = buf[++i];`);
        giveUp('!isIPv6Bytes(buf, s, i)');
        out.push(kept ? `nums[${K}] = -1; } }` : '} }');
        break;
      default:
        // Text as written, to the next space or line end; an empty field (several spaces), a trailing comment or a
        // CR goes to the general walk.
        // (A tab or another control byte goes there too: any byte up to a space ends the loop.)
        giveUp(`c <= ${SPACE}${k > 0 ? ` || c === ${HASH}` : ''}`);
        out.push(`do c = buf[++i]; while (c > ${SPACE});`);
        break;
    }
    if (kept) out.push(`starts[${K}] = s; ends[${K}] = i;`);
    if (last) out.push(`return buf[i] === ${NL} ? i : -1;`);
    else out.push(`if (buf[i] !== ${SPACE}) return -1; i++;`);
  }
  if (n === 0) out.push('return -1;');
  return out.join('\n');
}
