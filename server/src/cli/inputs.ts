// What `lint` and `query` share about their inputs: the options that say what files are where detection by
// content cannot decide, and how what could not be read is told on stderr (paths and reasons from the disk and the
// files are hostile text: control characters escaped).
import type { CsvOptions, Encoding } from '../core/readers';
import type { FileProblem, SkippedFile } from '../core/query';
import { terminalText } from '../core/terminalText';
import { CliIO, UsageError } from './io';

export interface InputHints {
  formatHint?: Encoding;
  csv?: CsvOptions;
}

export const INPUT_OPTIONS = `inputs: files, folders (read recursively), globs ('AWSLogs/**/*.log.gz', quoted), - for standard input,
pipes and FIFOs; plain, gzip, snappy or lzop; text, CloudWatch exports, JSON lines, CSV or Parquet (detected by content)
  --format-hint text|cloudwatch|json|csv|tsv|parquet   what the files are, where detection cannot decide
  --csv-separator ,|tab|space|'|'|;                    the separator of CSV files (with --format-hint csv)
  --csv-fields NAME,NAME,...                           the field names of CSV files without a key row`;

const HINTS: Record<string, Encoding> = { text: 'text', cloudwatch: 'cloudwatch', json: 'json', csv: 'csv', tsv: 'csv', parquet: 'parquet' };
const SEPARATORS: Record<string, string> = { ',': ',', comma: ',', tab: '\t', '\t': '\t', space: ' ', ' ': ' ', '|': '|', pipe: '|', ';': ';' };

/**
 * Reads an input option at argv[i] into `hints`; returns the index of its last argument, or -1 when argv[i] is not
 * one of them.
 */
export function parseInputOption(argv: string[], i: number, hints: InputHints, usage: string): number {
  const a = argv[i];
  const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
  if (name !== '--format-hint' && name !== '--csv-separator' && name !== '--csv-fields') return -1;
  let next = i;
  const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++next];
  if (value === undefined) throw new UsageError(`${name} needs a value\n${usage}`);
  if (name === '--format-hint') {
    const encoding = HINTS[value];
    if (!encoding) throw new UsageError(`--format-hint must be text, cloudwatch, json, csv, tsv or parquet, not ${value}\n${usage}`);
    hints.formatHint = encoding;
    if (value === 'tsv') hints.csv = { ...hints.csv, separator: '\t' };
  } else if (name === '--csv-separator') {
    const separator = SEPARATORS[value];
    if (!separator) throw new UsageError(`--csv-separator must be , tab space | or ;, not ${value}\n${usage}`);
    hints.csv = { ...hints.csv, separator };
  } else {
    const fields = value.split(',').map((f) => f.trim()).filter((f) => f !== '');
    if (fields.length < 2) throw new UsageError(`--csv-fields takes the field names separated by commas\n${usage}`);
    hints.csv = { ...hints.csv, fields };
  }
  return next;
}

/** `path` or `path:line`, shown safely. */
export function place(file: string, line?: number): string {
  return terminalText(line !== undefined ? `${file}:${line}` : file);
}

/** A file that could not be read (or not to its end): `flowlog: PATH[:LINE]: REASON`. */
export function reportFileError(io: CliIO, p: FileProblem): void {
  io.stderr(`flowlog: ${place(p.file, p.line)}: ${terminalText(p.message)}\n`);
}

/** A file of a folder or glob left out: `flowlog: skipped PATH: REASON`. */
export function reportSkipped(io: CliIO, s: SkippedFile): void {
  io.stderr(`flowlog: skipped ${terminalText(s.file)}: ${terminalText(s.reason)}\n`);
}

export function reportWarning(io: CliIO, message: string): void {
  io.stderr(`flowlog: warning: ${terminalText(message)}\n`);
}
