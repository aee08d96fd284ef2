// The summary's two tables: a row per interface and, for a folder, a row per file (per delivery). Every cell with
// records behind it is a button that opens them in the query panel (`open`).
import type { FileSummary, SummaryTable } from '../../../server/src/core/summaryTypes';
import { el } from './dom';
import { cellNumber as num, cellText, formatBytes, formatCount, shownPath } from './format';
import { fieldTerm } from './drillDown';

type OpenQuery = (query: string) => void;

export function interfacesTable(t: SummaryTable, open: OpenQuery): HTMLElement {
  const heads = ['interface', 'records', 'bytes', 'rejects', 'NODATA', 'SKIPDATA'];
  const extra = ['', '', '', ' AND action:REJECT', ' AND log-status:NODATA', ' AND log-status:SKIPDATA'];
  const table = el('table', { className: 'grid' }, [el('thead', {}, [el('tr', {}, heads.map((h) => el('th', { text: h })))])]);
  const tbody = el('tbody');
  for (const r of t.rows) {
    const tr = el('tr');
    r.forEach((v, i) => {
      const q = fieldTerm('interface-id', r[0]) + extra[i];
      const text = i === 0 ? cellText(v) : i === 2 ? formatBytes(num(v)) : formatCount(num(v));
      const b = el('button', { className: i === 0 ? 'cell-link' : 'cell-link num', text, title: q });
      b.addEventListener('click', () => open(q));
      tr.append(el('td', {}, [b]));
    });
    tbody.append(tr);
  }
  table.append(tbody);
  return table;
}

/** One row a file: records, bytes, rejects, size on disk, and why it could not be read (when it could not). */
export function filesTable(files: FileSummary[], folder: string | undefined, open: OpenQuery): HTMLElement {
  const heads = ['file', 'records', 'bytes', 'rejects', 'size', 'problem'];
  const table = el('table', { className: 'grid files', attrs: { id: 'files-table' } }, [el('thead', {}, [el('tr', {}, heads.map((h) => el('th', { text: h })))])]);
  const tbody = el('tbody');
  for (const f of files) {
    const records = fieldTerm('file', f.path);
    const cells: [string, string | undefined, boolean][] = [
      [shownPath(f.path, folder), records, false],
      [formatCount(f.records), records, true],
      [formatBytes(f.bytes), records, true],
      [formatCount(f.rejects), `${records} AND action:REJECT`, true],
      [formatBytes(f.size), undefined, true],
      [f.error ? cellText(f.error) : '', undefined, false],
    ];
    const tr = el('tr', f.error ? { className: 'file-error' } : {});
    for (const [text, q, numeric] of cells) {
      if (!q) {
        tr.append(el('td', { className: numeric ? 'num' : undefined, text }));
        continue;
      }
      const b = el('button', { className: numeric ? 'cell-link num' : 'cell-link', text, title: q });
      b.addEventListener('click', () => open(q));
      tr.append(el('td', {}, [b]));
    }
    tbody.append(tr);
  }
  table.append(tbody);
  return table;
}
