// Field-name completion in the query box: hyphenated names in the search (`log-status:NODATA`), snake_case
// after the `|` where SQL reads `-` as minus; the default format's fields first, conversations' columns last. Pure,
// unit tested.
import { DEFAULT_FIELD_NAMES, FIELDS, lookupField } from '../../../server/src/core/schema';
import { CONVERSATION_COLUMNS } from '../../../server/src/core/diagnose/rows';
import { SQL_FUNCTION_NAMES } from '../../../server/src/core/query/functions';


// Then the columns only conversations have (`verdict:response-rejected`, `FROM conversations`), and the table name.
const CONVERSATION_ONLY = [...CONVERSATION_COLUMNS.map((c) => c.name).filter((n) => lookupField(n) === undefined), 'conversations'];
const ORDERED = [...DEFAULT_FIELD_NAMES, ...FIELDS.map((f) => f.name).filter((n) => !DEFAULT_FIELD_NAMES.includes(n)), ...CONVERSATION_ONLY];

export interface Completions {
  /** The word being completed, as offsets into the text. */
  from: number;
  to: number;
  items: string[];
}

/** The first `|` outside quotes, or -1 (the search/SQL split). */
function pipeAt(text: string): number {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '|') return i;
  }
  return -1;
}

/** Completions for the word that ends at `caret`; `explicit` (Ctrl+Space) also offers them for an empty word. */
export function completionsAt(text: string, caret: number, explicit = false, max = 12): Completions | undefined {
  const before = text.slice(0, caret);
  const word = /[A-Za-z_][\w-]*$/.exec(before)?.[0] ?? '';
  if (!word && !explicit) return undefined;
  const from = caret - word.length;
  // Inside a value (`action:REJ`) or a quoted string there is nothing to complete.
  if (from > 0 && (text[from - 1] === ':' || text[from - 1] === '"' || text[from - 1] === "'")) return undefined;
  const pipe = pipeAt(text);
  const inSql = pipe >= 0 && pipe < caret;
  const candidates = inSql ? [...ORDERED.map((n) => n.replace(/-/g, '_')), ...SQL_FUNCTION_NAMES] : ORDERED;
  const lower = word.toLowerCase();
  const items = candidates.filter((c) => c.toLowerCase().startsWith(lower) && c.toLowerCase() !== lower).slice(0, max);
  let to = caret;
  while (to < text.length && /[\w-]/.test(text[to])) to++;
  return items.length ? { from, to, items } : undefined;
}
