// The `firstLine` pattern of package.json, derived from the schema: a header line of known field names, or a
// default-format record. Strict on purpose: a .log or .txt file is only claimed when its first line can be
// nothing but a flow log.
import { FIELDS } from './schema';

export function firstLinePattern(): string {
  const names = [...FIELDS].map((f) => f.name).sort((a, b) => b.length - a.length).join('|');
  const header = `(?:${names})(?: (?:${names})){3,}`; // four names at least: three common words could start any text
  const addr = '(?:[0-9A-Fa-f.:]+|-)';
  const int = '(?:\\d+|-)';
  const count = '(?:-?\\d+|-)';
  const record = `(?:[2-9]|1[01]|V1) (?:\\d+|unknown) eni-[0-9A-Za-z]+ ${addr} ${addr} ${int} ${int} ${int} ${count} ${count} \\d+ \\d+ (?:ACCEPT|REJECT|-) (?:OK|NODATA|SKIPDATA)`;
  return `^\\ufeff?(?:${header}|${record})\\s*$`;
}
