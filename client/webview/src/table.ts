// A virtualised result table: only the rows in view exist in the DOM (a pool reused on scroll), so 100,000 rows
// scroll like ten. Cells are text; decoded readings sit beside the raw values in a muted span.
import { el, clear } from './dom';
import { cellText } from './format';
import { decoderFor, Decoder } from './cells';
import { sortedOrder } from './sortRows';
import type { Cell } from './messages';

const ROW_HEIGHT = 22;
const OVERSCAN = 8;

export interface TableSort {
  column: number;
  descending: boolean;
}

export class VirtualTable {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly sizer: HTMLElement;
  private readonly body: HTMLElement;
  private columns: string[] = [];
  private rows: Cell[][] = [];
  private decoders: (Decoder | undefined)[] = [];
  private order: number[] | undefined;
  private sort?: TableSort;
  private pool: HTMLElement[] = [];
  private frame = 0;
  /** The keyboard's row, in display order (-1: none). */
  private cursor = -1;

  constructor(private readonly options: { onRowClick?: (row: Cell[]) => void; onSort?: (sort: TableSort | undefined) => void; rowClickable?: (columns: string[]) => boolean }) {
    this.header = el('div', { className: 'vt-header', attrs: { role: 'row' } });
    this.sizer = el('div', { className: 'vt-sizer' });
    this.body = el('div', { className: 'vt-body', attrs: { role: 'rowgroup' } });
    this.sizer.append(this.body);
    this.viewport = el('div', { className: 'vt-viewport', attrs: { tabindex: '0' } }, [this.header, this.sizer]);
    this.element = el('div', { className: 'vt', attrs: { role: 'table' } }, [this.viewport]);
    this.viewport.addEventListener('scroll', () => this.schedule());
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
    this.body.addEventListener('click', (e) => {
      const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.vt-row');
      if (!rowEl || !this.options.onRowClick) return;
      const index = Number(rowEl.dataset.index);
      this.cursor = Number(rowEl.dataset.display);
      this.schedule();
      if (Number.isInteger(index) && this.rows[index]) this.options.onRowClick(this.rows[index]);
    });
  }

  /** Arrow keys, Page Up/Down, Home/End move a row cursor; Enter opens its row, as a click does. */
  private onKey(e: KeyboardEvent): void {
    const total = this.rows.length;
    if (total === 0) return;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -total, End: total };
    if (e.key in moves) {
      e.preventDefault();
      this.cursor = Math.min(total - 1, Math.max(0, (this.cursor < 0 ? -1 : this.cursor) + moves[e.key]));
      const top = this.cursor * ROW_HEIGHT;
      const header = this.header.offsetHeight;
      if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
      else if (top + ROW_HEIGHT + header > this.viewport.scrollTop + this.viewport.clientHeight) this.viewport.scrollTop = top + ROW_HEIGHT + header - this.viewport.clientHeight;
      this.schedule();
    } else if (e.key === 'Enter' && this.cursor >= 0 && this.options.onRowClick) {
      e.preventDefault();
      const index = this.order ? this.order[this.cursor] : this.cursor;
      if (this.rows[index]) this.options.onRowClick(this.rows[index]);
    }
  }

  /** Replaces everything: new columns and rows. */
  setData(columns: string[], rows: Cell[][], sort?: TableSort): void {
    const same = columns.length === this.columns.length && columns.every((c, i) => c === this.columns[i]);
    this.columns = columns;
    this.rows = rows;
    this.decoders = columns.map(decoderFor);
    this.sort = same || sort ? sort ?? this.sort : undefined;
    if (this.sort && this.sort.column >= columns.length) this.sort = undefined;
    this.order = this.sort ? sortedOrder(rows, this.sort.column, this.sort.descending) : undefined;
    this.cursor = -1;
    this.renderHeader();
    this.layoutColumns();
    this.element.classList.toggle('vt-clickable', !!this.options.rowClickable?.(columns));
    for (const r of this.pool) r.remove();
    this.pool = [];
    this.schedule();
  }

  /** Adds rows at the end (first rows of a search while the scan goes on). */
  append(rows: Cell[][]): void {
    for (const r of rows) this.rows.push(r);
    if (this.sort) this.order = sortedOrder(this.rows, this.sort.column, this.sort.descending);
    if (this.rows.length === rows.length) this.layoutColumns();
    this.schedule();
  }

  get rowCount(): number {
    return this.rows.length;
  }

  get currentSort(): TableSort | undefined {
    return this.sort;
  }

  private renderHeader(): void {
    clear(this.header);
    this.columns.forEach((name, i) => {
      const arrow = this.sort?.column === i ? (this.sort.descending ? ' ▼' : ' ▲') : '';
      const cell = el('button', { className: 'vt-hcell', text: name + arrow, title: `Sort by ${name}`, attrs: { role: 'columnheader', 'data-column': String(i) } });
      cell.addEventListener('click', () => this.toggleSort(i));
      this.header.append(cell);
    });
  }

  private toggleSort(column: number): void {
    if (this.sort?.column !== column) this.sort = { column, descending: false };
    else if (!this.sort.descending) this.sort = { column, descending: true };
    else this.sort = undefined;
    this.order = this.sort ? sortedOrder(this.rows, this.sort.column, this.sort.descending) : undefined;
    this.renderHeader();
    this.options.onSort?.(this.sort);
    this.schedule();
  }

  /** Column widths from the header and a sample of rows, in ch (monospace). */
  private layoutColumns(): void {
    const sample = this.rows.slice(0, 200);
    const widths = this.columns.map((name, i) => {
      let w = name.length + 2;
      for (const r of sample) {
        const d = this.decoders[i]?.(r[i]);
        w = Math.max(w, cellText(r[i]).length + (d ? d.length + 1 : 0));
      }
      return Math.min(Math.max(w, 5), 48) + 2;
    });
    this.element.style.setProperty('--vt-columns', widths.map((w) => `${w}ch`).join(' '));
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const total = this.rows.length;
    this.sizer.style.height = `${total * ROW_HEIGHT}px`;
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || 400;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(total, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const needed = last - first;
    while (this.pool.length < needed) {
      const row = el('div', { className: 'vt-row', attrs: { role: 'row' } });
      this.pool.push(row);
      this.body.append(row);
    }
    for (let k = 0; k < this.pool.length; k++) {
      const rowEl = this.pool[k];
      if (k >= needed) {
        rowEl.hidden = true;
        continue;
      }
      const display = first + k;
      const index = this.order ? this.order[display] : display;
      rowEl.hidden = false;
      rowEl.style.transform = `translateY(${display * ROW_HEIGHT}px)`;
      rowEl.dataset.display = String(display);
      rowEl.classList.toggle('vt-cursor', display === this.cursor);
      if (rowEl.dataset.index === String(index) && rowEl.childElementCount === this.columns.length) continue;
      rowEl.dataset.index = String(index);
      rowEl.classList.toggle('vt-odd', display % 2 === 1);
      this.fillRow(rowEl, this.rows[index]);
    }
  }

  private fillRow(rowEl: HTMLElement, row: Cell[]): void {
    const cells: HTMLElement[] = [];
    for (let i = 0; i < this.columns.length; i++) {
      const v = row[i] ?? null;
      const decoded = this.decoders[i]?.(v);
      const cell = el('span', { className: typeof v === 'number' ? 'vt-cell vt-num' : 'vt-cell', text: cellText(v), attrs: { role: 'cell' } });
      if (decoded) cell.append(el('span', { className: 'vt-decoded', text: ` ${decoded}` }));
      cells.push(cell);
    }
    rowEl.replaceChildren(...cells);
  }
}
