// What a folder source held, for both panels: the folder, the glob, the files read and their size, the files left
// out (not flow logs) and the files that could not be read (with the reason). Paths come from the file system and
// may hold anything: shown as text, control characters as escapes.
import type { SourceInfoWire } from '../../../server/src/protocol';
import { el } from './dom';
import { cellText, formatBytes, formatCount, shownPath } from './format';

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** `AWSLogs · **\/*.log.gz · 12 files, 3.4 MB`, and the files left out in a list that opens. */
export function renderSourceInfo(info: SourceInfoWire): HTMLElement {
  const parts = [el('span', { className: 'source-summary', text: `${plural(info.files, 'file')}, ${formatBytes(info.bytes)}${info.glob ? ` matching ${cellText(info.glob)}` : ''}` })];
  const box = el('div', { className: 'source-info', attrs: { id: 'source-info' } }, parts);
  if (info.skipped.length > 0) box.append(pathList(`${plural(info.skipped.length, 'file')} left out (not flow logs)`, info.skipped.map((s) => [s.path, s.reason]), info.folder, 'skipped-files'));
  return box;
}

/** The files a query or summary could not read (or not to the end), or null when there are none. */
export function renderFileErrors(errors: { file: string; message: string }[] | undefined, folder: string | undefined): HTMLElement | null {
  if (!errors || errors.length === 0) return null;
  const list = pathList(`${plural(errors.length, 'file')} could not be read (the others were)`, errors.map((e) => [e.file, stripPath(e.message, e.file)]), folder, 'file-errors');
  list.classList.add('file-errors');
  list.open = true;
  return list;
}

/** A reason without its path in front (`/x/y.gz: corrupt` → `corrupt`), which the list shows already. */
function stripPath(message: string, path: string): string {
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message.startsWith(`${path}:`) ? message.slice(path.length) : message;
}

function pathList(title: string, rows: [string, string][], folder: string | undefined, id: string): HTMLDetailsElement {
  const items = rows.map(([path, reason]) => el('li', {}, [el('span', { className: 'path', text: shownPath(path, folder), title: cellText(path) }), el('span', { className: 'reason', text: ` ${cellText(reason)}` })]));
  return el('details', { className: 'path-list', attrs: { id } }, [el('summary', { text: title }), el('ul', {}, items)]);
}
