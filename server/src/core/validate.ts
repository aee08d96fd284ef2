// The record validator: checks one scanned line against the bound format. Char-code walks only: it runs on
// every line of the document, and again on each edited line.

import { FieldDef, KNOWN_VERSIONS } from './schema';
import { FieldSpans, RecordFormat, spanEquals } from './scan';
import { ipv4At, isIPv6At } from './address';
import { Codes, Problem } from './validate/problems';
import { planOf } from './validate/formatPlan';
import { checkNoTraffic, checkTraffic, isDash, isMinusOne } from './validate/traffic';

export * from './validate/problems';
export { validateHeader, insertDefaultHeaderFix } from './validate/header';

/** The numbers checkField parsed, by field position (-1: not a number), so later checks do not parse again. */
let parsed = new Float64Array(64);
const MAX_SECONDS = 9_999_999_999; // 10 digits: up to the year 2286

/**
 * Unsigned decimal integer in text[s, e): its value, -1 when not all digits (or empty), -2 when too long to be exact.
 */
export function uintAt(text: string, s: number, e: number): number {
  if (e <= s) return -1;
  if (e - s > 15) {
    for (let i = s; i < e; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return -1;
    }
    return -2;
  }
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** What a record line told us, besides its problems. */
export interface RecordFacts {
  reject: boolean;
}

/**
 * Validates a scanned record line `text` (spans from scanFields with `from` = 0) against `format`, appending
 * problems to `out`. Returns whether the record is a REJECT.
 */
export function validateRecord(text: string, spans: FieldSpans, format: RecordFormat, out: Problem[]): boolean {
  const before = out.length;
  const reject = checkRecord(text, spans, format, out);
  // Problems in the order of their columns, as editors and linters list them.
  if (out.length - before > 1) {
    const mine = out.splice(before).sort((a, b) => a.start - b.start);
    for (const p of mine) out.push(p);
  }
  return reject;
}

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

function checkRecord(text: string, spans: FieldSpans, format: RecordFormat, out: Problem[]): boolean {
  const { starts, ends } = spans;
  if (text.charCodeAt(starts[0]) === OPEN_BRACE && text.charCodeAt(spans.contentEnd - 1) === CLOSE_BRACE) {
    out.push({
      code: Codes.jsonRecord,
      severity: 'error',
      message: 'this line is a JSON object, not a space-separated flow log record (exported from CloudWatch Logs or Firehose? the record is in its `message` field)',
      start: starts[0],
      end: spans.contentEnd,
    });
    return false;
  }
  const expected = format.fields.length;
  let n = spans.count;

  for (let g = 0; g < Math.min(spans.gapCount, spans.gapStarts.length); g++) {
    out.push({
      code: Codes.multipleSpaces,
      severity: 'warning',
      message: `${spans.gapEnds[g] - spans.gapStarts[g]} spaces between two fields; the format uses one (read as one separator)`,
      start: spans.gapStarts[g],
      end: spans.gapEnds[g],
      fix: { title: 'Replace with a single space', edits: [{ start: spans.gapStarts[g], end: spans.gapEnds[g], newText: ' ' }] },
    });
  }

  let countProblem: Problem | undefined;
  if (n !== expected) {
    // Not the header's line number: an edit above would make it stale in the messages of unchanged lines.
    const what = format.headerLine < 0 ? 'the default format' : 'the header line';
    const message = `expected ${expected} fields (${what}), found ${n}`;
    if (n < expected) {
      const start = n > 0 ? starts[0] : 0;
      out.push({ code: Codes.fieldCount, severity: 'error', message: `${message}: ${missingNames(format, n)}${customHint(format)}`, start, end: n > 0 ? ends[n - 1] : 0 });
      return n > 0 && format.positionOf.has('action') && format.positionOf.get('action')! < n
        && spanEquals(text, starts[format.positionOf.get('action')!], ends[format.positionOf.get('action')!], 'REJECT');
    }
    countProblem = { code: Codes.fieldCount, severity: 'error', message: `${message}: ${n - expected} extra at the end`, start: starts[expected], end: ends[n - 1] };
    n = expected; // when the extra fields are trailing junk, the ones before still line up: check them
  }

  const before = out.length;
  const reject = checkFields(text, spans, format, n, out);
  if (out.length === before) {
    if (countProblem) out.push(countProblem);
    return reject;
  }
  const fieldErrors = out.slice(before).filter((p) => p.severity === 'error');
  // A headerless record in another layout (an AWS custom format, fields appended after log-status) fails field
  // after field. One problem that names the cause helps more than a wall of them.
  if (format.headerLine < 0 && (fieldErrors.length >= 4 || (countProblem && fieldErrors.length > 0))) {
    const names = [...new Set(fieldErrors.map((p) => p.message.split(' ')[0]))].slice(0, 4).join(', ');
    out.length = before;
    out.push({
      code: countProblem ? Codes.fieldCount : Codes.formatMismatch,
      severity: 'error',
      message: `${countProblem ? `${countProblem.message}, and` : 'this record'} does not fit the default format (${names}${fieldErrors.length > 4 ? ', …' : ''} are not what they should be)${customHint(format)}`,
      start: starts[0],
      end: ends[spans.count - 1],
    });
    return reject;
  }
  if (countProblem) out.push(countProblem);
  return reject;
}

/** How to fix a layout problem in a file without a header line. */
function customHint(format: RecordFormat): string {
  return format.headerLine < 0 ? '. If the file uses a custom format, add a header line that names its fields' : '';
}

function checkFields(text: string, spans: FieldSpans, format: RecordFormat, n: number, out: Problem[]): boolean {
  const { starts, ends } = spans;
  const plan = planOf(format);
  // Records whose status is not OK describe no traffic: their traffic fields may be `-`.
  let status = 'OK';
  if (plan.logStatus >= 0) {
    const s = starts[plan.logStatus];
    const e = ends[plan.logStatus];
    if (spanEquals(text, s, e, 'NODATA')) status = 'NODATA';
    else if (spanEquals(text, s, e, 'SKIPDATA')) status = 'SKIPDATA';
  }
  const ok = status === 'OK';
  if (parsed.length < n) parsed = new Float64Array(n * 2);

  for (let k = 0; k < n; k++) {
    parsed[k] = -1;
    const field = format.fields[k];
    if (!field) continue;
    const s = starts[k];
    const e = ends[k];
    if (isDash(text, s, e)) {
      if (ok && field.requiredWhenOk) {
        out.push({ code: Codes.missingValue, severity: 'error', message: `${field.name} is \`-\`, but an OK record needs a value here`, start: s, end: e });
      }
      continue;
    }
    parsed[k] = checkField(text, s, e, field, ok, out);
  }

  if (ok) {
    checkTraffic(text, spans, plan, parsed, out);
  } else {
    checkNoTraffic(text, spans, format, status, out);
  }

  if (plan.start >= 0 && plan.end >= 0) {
    const a = parsed[plan.start];
    const b = parsed[plan.end];
    if (a >= 0 && b >= 0 && a <= MAX_SECONDS && b <= MAX_SECONDS && a > b) {
      out.push({ code: Codes.startAfterEnd, severity: 'error', message: `start ${a} is after end ${b}`, start: starts[plan.start], end: ends[plan.end] });
    }
  }

  return plan.action >= 0 && spanEquals(text, starts[plan.action], ends[plan.action], 'REJECT');
}

/** Each format's field names joined, for field-count messages (a wrong header makes one per record). */
const joinedNames = new WeakMap<RecordFormat, string>();

function missingNames(format: RecordFormat, n: number): string {
  const missing = format.names.length - n;
  if (n === 0) return 'empty record';
  let names = joinedNames.get(format);
  if (names === undefined) joinedNames.set(format, (names = format.names.join(' ')));
  return `${missing} missing (a record needs ${names})`;
}

function checkField(text: string, s: number, e: number, field: FieldDef, ok: boolean, out: Problem[]): number {
  switch (field.type) {
    case 'version': {
      if (!versionKnown(text, s, e)) {
        out.push({ code: Codes.version, severity: 'error', message: `version ${text.slice(s, e)} is not a known version (2–11, or V1)`, start: s, end: e });
      }
      return -1;
    }
    case 'account': {
      if (uintAt(text, s, e) === -1 && !spanEquals(text, s, e, 'unknown')) {
        out.push({ code: Codes.accountId, severity: 'error', message: `${field.name} ${text.slice(s, e)} is not an account id (digits, or \`unknown\`)`, start: s, end: e });
      }
      return -1;
    }
    case 'interface': {
      let good = e - s > 4 && spanEquals(text, s, s + 4, 'eni-');
      for (let i = s + 4; good && i < e; i++) good = isAlnum(text.charCodeAt(i));
      if (!good) {
        out.push({ code: Codes.interfaceId, severity: 'error', message: `${field.name} ${text.slice(s, e)} is not a network interface id (\`eni-\` followed by letters and digits)`, start: s, end: e });
      }
      return -1;
    }
    case 'address': {
      if (ipv4At(text, s, e) < 0 && !isIPv6At(text, s, e)) {
        out.push({ code: Codes.address, severity: 'error', message: `${field.name} ${text.slice(s, e)} is not a valid IPv4 or IPv6 address`, start: s, end: e });
      }
      return -1;
    }
    case 'port':
      return checkRange(text, s, e, field, 0, 65535, Codes.port, out);
    case 'protocol':
      return checkRange(text, s, e, field, 0, 255, Codes.protocol, out);
    case 'tcpFlags':
      return checkRange(text, s, e, field, 0, 255, Codes.tcpFlags, out);
    case 'trafficPath':
      return checkRange(text, s, e, field, 1, 8, Codes.trafficPath, out);
    case 'count': {
      // Tencent writes -1 for the counts of NODATA/SKIPDATA records.
      if (!ok && isMinusOne(text, s, e)) return -1;
      const v = uintAt(text, s, e);
      if (v === -1) {
        out.push({ code: Codes.count, severity: 'error', message: `${field.name} ${text.slice(s, e)} is not a non-negative integer`, start: s, end: e });
      }
      return v === -2 ? -1 : v;
    }
    case 'integer': {
      if (uintAt(text, s, e) === -1) {
        out.push({ code: Codes.integer, severity: 'error', message: `${field.name} ${text.slice(s, e)} is not a non-negative integer`, start: s, end: e });
      }
      return -1;
    }
    case 'timestamp': {
      const v = uintAt(text, s, e);
      if (v === -1) {
        out.push({ code: Codes.timestamp, severity: 'error', message: `${field.name} ${text.slice(s, e)} is not a time in Unix seconds`, start: s, end: e });
      } else if (v === -2 || v > MAX_SECONDS) {
        const ms = e - s === 13 ? ' (it looks like milliseconds)' : '';
        out.push({ code: Codes.timestamp, severity: 'error', message: `${field.name} ${text.slice(s, e)} is not a time in Unix seconds${ms}`, start: s, end: e });
        return -1;
      }
      return v;
    }
    case 'enum': {
      const values = field.values!;
      for (const v of values) if (spanEquals(text, s, e, v)) return -1;
      const value = text.slice(s, e);
      const sameLetters = values.find((v) => v.toLowerCase() === value.toLowerCase());
      const code = field.name === 'action' ? Codes.action : field.name === 'log-status' ? Codes.logStatus : Codes.enumValue;
      const expected = values.map((v) => `\`${v}\``).join(', ');
      out.push({
        code,
        severity: 'error',
        message: sameLetters
          ? `${field.name} ${value} must be written ${sameLetters} (case matters)`
          : `${field.name} ${value} is not one of ${expected}`,
        start: s,
        end: e,
        fix: sameLetters ? { title: `Change to ${sameLetters}`, edits: [{ start: s, end: e, newText: sameLetters }] } : undefined,
      });
      return -1;
    }
    case 'text':
      return -1;
  }
}

function versionKnown(text: string, s: number, e: number): boolean {
  if (e - s === 1) {
    const c = text.charCodeAt(s);
    return c >= 50 && c <= 57; // 2..9
  }
  for (const v of KNOWN_VERSIONS) if (spanEquals(text, s, e, v)) return true;
  return false;
}

/** The value when it is an integer in [min, max], else -1 after reporting the problem. */
function checkRange(text: string, s: number, e: number, field: FieldDef, min: number, max: number, code: string, out: Problem[]): number {
  const v = uintAt(text, s, e);
  if (v === -1) {
    out.push({ code, severity: 'error', message: `${field.name} ${text.slice(s, e)} is not an integer ${min}–${max}`, start: s, end: e });
    return -1;
  }
  if (v === -2 || v < min || v > max) {
    out.push({ code, severity: 'error', message: `${field.name} ${text.slice(s, e)} is out of range ${min}–${max}`, start: s, end: e });
    return -1;
  }
  return v;
}

