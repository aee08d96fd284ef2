// The search behind one row of a summary table: the records that make up that row. Values are quoted when they
// hold anything a search would read as syntax (IPv6 colons, spaces, quotes).
import type { Cell } from './messages';
import type { SummarySection } from '../../../server/src/core/summaryTypes';

export function fieldTerm(field: string, value: Cell): string {
  if (value === null) return `NOT ${field}:*`;
  const text = String(value);
  return /^[\w.\/-]+$/.test(text) ? `${field}:${text}` : `${field}:"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The search for the records of `row` in `section`, or undefined where a row has no records of its own. */
export function drillDownQuery(section: SummarySection, row: Cell[]): string | undefined {
  switch (section) {
    case 'actions': return fieldTerm('action', row[0]);
    case 'topSources': return fieldTerm('srcaddr', row[0]);
    case 'topDestinations': return fieldTerm('dstaddr', row[0]);
    case 'topPairs': return `${fieldTerm('srcaddr', row[0])} AND ${fieldTerm('dstaddr', row[1])}`;
    case 'topRejectedPorts': return `action:REJECT AND ${fieldTerm('dstport', row[0])}`;
    case 'topRejectedSources': return `action:REJECT AND ${fieldTerm('srcaddr', row[0])}`;
    case 'protocols': return fieldTerm('protocol', row[0]);
    case 'interfaces': return fieldTerm('interface-id', row[0]);
    case 'totals':
    case 'timeline':
      return undefined;
    default: {
      const unreachable: never = section;
      return unreachable;
    }
  }
}
