// Numbers and values as the views show them.
import { formatBytes } from '../../../server/src/core/decode/bytes';
import { terminalText } from '../../../server/src/core/terminalText';
import type { Cell } from './messages';

export const formatCount = (n: number): string => n.toLocaleString('en-US');

export { formatBytes };

/** A cell as a number for bars and sums: 0 for NULL or text. */
export const cellNumber = (v: Cell): number => (typeof v === 'number' ? v : 0);

/**
 * A value as the table and the summary show it. Values come from log files: control characters and bidi overrides
 * are shown as escapes (`\x1b`, `\u202e`), so a value cannot hide or reorder what is shown (exports keep the value).
 */
export function cellText(v: Cell): string {
  return v === null ? '-' : typeof v === 'number' ? String(v) : terminalText(v);
}

/** A path as shown under its folder: relative when it is inside. */
export function shownPath(path: string, folder: string | undefined): string {
  const base = folder?.replace(/[\\/]+$/, '');
  return cellText(base && (path.startsWith(`${base}/`) || path.startsWith(`${base}\\`)) ? path.slice(base.length + 1) : path);
}
