// The `firstLine` pattern of package.json, derived from the schema: a header line of known field names, or a
// default-format record. Strict on purpose: a .log or .txt file is only claimed when its first line can be
// nothing but a flow log.
import { FIELDS, lookupField } from './schema';
import { guessCsv } from './readers/detect';

export function firstLinePattern(): string {
  const names = [...FIELDS].map((f) => f.name).sort((a, b) => b.length - a.length).join('|');
  const header = `(?:${names})(?: (?:${names})){3,}`; // four names at least: three common words could start any text
  const addr = '(?:[0-9A-Fa-f.:]+|-)';
  const int = '(?:\\d+|-)';
  const count = '(?:-?\\d+|-)';
  const record = `(?:[2-9]|1[01]|V1) (?:\\d+|unknown) eni-[0-9A-Za-z]+ ${addr} ${addr} ${int} ${int} ${int} ${count} ${count} \\d+ \\d+ (?:ACCEPT|REJECT|-) (?:OK|NODATA|SKIPDATA)`;
  return `^\\ufeff?(?:${header}|${record})\\s*$`;
}

const FIRST_LINE = new RegExp(firstLinePattern());
const KNOWN_KEYS_NEEDED = 4;

/**
 * Whether a document is a flow log by its first non-blank line, whatever the delivery: a header or default record
 * (the firstLine pattern, also after a CloudWatch export's time), a CLS JSON object with at least four keys that
 * name fields (or a `{"message": …}` wrapper of a record), a CSV header row naming at least four fields, or a CSV
 * row of a default record. Strict on purpose: it decides whether a `.json`, `.csv` or `.log` file is claimed.
 */
export function isFlowLogFirstLine(line: string): boolean {
  let text = line.replace(/^\ufeff/, '').trim();
  if (text.length > 100_000) return false;
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) /.exec(text);
  if (iso) text = text.slice(iso[0].length);
  if (FIRST_LINE.test(text)) return true;
  if (text.startsWith('{')) return isFlowLogObject(text);
  const csv = guessCsv([text]);
  if (!csv) return false;
  const cells = text.split(csv.separator).map((c) => c.trim().replace(/^(["'])(.*)\1$/, '$2'));
  if (cells.filter((c) => lookupField(c) !== undefined).length >= KNOWN_KEYS_NEEDED) return true;
  return FIRST_LINE.test(cells.join(' '));
}

function isFlowLogObject(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value as Record<string, unknown>);
  const wrapped = entries.find(([k, v]) => (k === 'message' || k === '__CONTENT__') && typeof v === 'string');
  if (wrapped && FIRST_LINE.test((wrapped[1] as string).trim())) return true;
  return entries.filter(([k]) => lookupField(k) !== undefined).length >= KNOWN_KEYS_NEEDED;
}
