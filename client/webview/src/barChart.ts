// Top-N bars as plain elements: the labels are addresses, pairs and ports that must read exactly (and be
// selectable), and each bar is a button. Widths are set through CSSOM, which the CSP allows; no inline styles.
import { el } from './dom';
import { formatCount } from './format';

export interface BarChartInput {
  labels: string[];
  values: number[];
  valueColumn: string;
  /** Shows the value of a bar (bytes as KiB, counts with separators). */
  format?: (v: number) => string;
  onClick?: (index: number) => void;
  /** Colour class per bar (`bar-accept`, `bar-reject`); default accent. */
  tone?: (index: number) => string | undefined;
}

export function renderBarChart(input: BarChartInput): HTMLElement {
  // A loop, not Math.max(...values): a spread of a data-sized array can overflow the call stack.
  let max = 1;
  for (const v of input.values) if (Math.abs(v) > max) max = Math.abs(v);
  const format = input.format ?? formatCount;
  const list = el('div', { className: 'bars', attrs: { role: 'list', 'aria-label': `${input.valueColumn} by row` } });
  input.labels.forEach((text, i) => {
    const v = input.values[i];
    const fill = el('span', { className: `bar-fill ${input.tone?.(i) ?? ''}` });
    fill.style.width = `${(Math.abs(v) / max) * 100}%`;
    const item = el(input.onClick ? 'button' : 'div', { className: 'bar', title: `${text}: ${format(v)} ${input.valueColumn}`, attrs: { role: 'listitem' } }, [
      el('span', { className: 'bar-label', text }),
      el('span', { className: 'bar-track' }, [fill]),
      el('span', { className: 'bar-value', text: format(v) }),
    ]);
    if (input.onClick) item.addEventListener('click', () => input.onClick!(i));
    list.append(item);
  });
  return list;
}
