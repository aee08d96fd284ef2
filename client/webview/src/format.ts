// Numbers and values as the views show them.
import { formatBytes } from '../../../server/src/core/decode/bytes';
import type { Cell } from './messages';

export const formatCount = (n: number): string => n.toLocaleString('en-US');

export { formatBytes };

export function cellText(v: Cell): string {
  return v === null ? '-' : typeof v === 'number' ? String(v) : v;
}
