// How far a summary section drawn during the scan stands: the marker beside its title ("partial: 40% read",
// "provisional top list") and the share it shows.
import type { SummaryPartial } from '../../../server/src/core/summaryTypes';
import { el } from './dom';
import { formatCount } from './format';

/** A share read, as a whole percent (below 1%: one decimal, so the first marker is not "0%"). */
export const formatShare = (f: number) => (f > 0 && f < 0.01 ? `${(f * 100).toFixed(1)}%` : `${Math.floor(f * 100)}%`);

/** The marker of a section drawn while the scan goes on: how far read; a top list says it is provisional. */
export function partialMark(p: SummaryPartial): HTMLElement {
  const read = `${formatShare(p.fraction)} read`;
  const text = p.provisional ? `provisional top list${p.estimated ? ' (estimated)' : ''}: ${read}` : `partial: ${read}`;
  const title = p.provisional
    ? `The best groups the threads have found so far, merged: a talker may be missing or out of place${p.estimated ? ', and some values are estimates (upper bounds)' : ''}. The exact list replaces it when the summary is done.`
    : `Exact for the ${formatCount(p.records)} records read so far; the final figures replace these when the summary is done.`;
  return el('span', { className: p.provisional ? 'partial-mark provisional' : 'partial-mark', text, title });
}
