// What a load into ClickHouse says: one line for the notification, and the whole report (every file, each
// malformed line with its number and why) for the output channel. File names and messages come from the file
// system and the logs: written as text, control characters escaped. No vscode here: unit tests check it.
import type { ClickHouseLoadResultWire } from '../../../server/src/protocol';
import { terminalText } from '../../../server/src/core/terminalText';
import { countOf as count } from '../../../server/src/core/decode/counts';

/** `Loaded 4,000 records into flows from 2 files; 3 malformed lines skipped; 1 file failed.` */
export function loadSummary(r: ClickHouseLoadResultWire): string {
  const failed = r.files.filter((f) => f.status === 'failed').length;
  const skipped = r.files.filter((f) => f.status === 'already loaded').length;
  const loadedFrom = r.files.length - failed - skipped;
  const parts = [`Loaded ${count(r.records, 'record')} into ${r.table}${r.created ? ' (created)' : ''} from ${count(loadedFrom, 'file')}`];
  if (skipped > 0) parts.push(`${count(skipped, 'file')} already loaded`);
  if (r.malformed > 0) parts.push(`${count(r.malformed, 'malformed line')} skipped`);
  if (failed > 0) parts.push(`${count(failed, 'file')} failed`);
  return `${parts.join('; ')}.`;
}

/** The report, a line per file and a line per malformed line listed. */
export function loadReportText(r: ClickHouseLoadResultWire, url: string): string {
  const lines = [`Load into ${r.table} at ${url} (${(r.elapsedMs / 1000).toFixed(1)} s): ${loadSummary(r)}`];
  for (const f of r.files) {
    const name = terminalText(f.file);
    if (f.status === 'failed') {
      lines.push(`  ${name}: failed: ${terminalText(f.error ?? 'unknown error')}`);
      continue;
    }
    if (f.status === 'already loaded') {
      lines.push(`  ${name}: already loaded, skipped`);
      continue;
    }
    const resumed = f.status === 'resumed' ? ` (resumed after line ${f.resumedAfter.toLocaleString('en-US')}${f.alreadyPresent > 0 ? `, ${count(f.alreadyPresent, 'record')} found loaded already` : ''})` : '';
    lines.push(`  ${name}: ${count(f.records, 'record')} loaded${resumed}${f.malformed > 0 ? `, ${count(f.malformed, 'malformed line')} skipped` : ''}`);
    for (const m of f.malformedLines) lines.push(`    line ${m.line}: ${terminalText(m.message)}`);
    if (f.malformed > f.malformedLines.length) lines.push(`    … and ${count(f.malformed - f.malformedLines.length, 'more malformed line')}`);
  }
  return lines.join('\n');
}
