// Text from log files on a terminal: a value is data, so the characters a terminal would obey (ESC sequences that
// set the title, colours or the clipboard through OSC 52, BEL, C1 controls such as CSI U+009B, bidi overrides that
// reorder what is shown) are written as visible escapes instead. Pure: used by every CLI output that is read by
// people (the query table, lint's lines, CSV on a terminal).

/** C0 controls, DEL, C1 controls, and the Unicode bidi controls (embeddings, overrides, isolates, marks). */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const HAS_UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character shown as an escape: ESC as `\x1b`, BEL as `\x07`, tab as `\t`, the C1 CSI
 * as `\x9b`, a right-to-left override as `\u202e`. Other text (backslashes included) is unchanged.
 */
export function terminalText(text: string): string {
  return HAS_UNSAFE.test(text) ? text.replace(UNSAFE, escapeOne) : text;
}

/** Whether `text` holds a character terminalText would escape. */
export function hasTerminalControls(text: string): boolean {
  return HAS_UNSAFE.test(text);
}

/** Characters JSON.stringify leaves raw that a terminal would still obey: DEL, C1 controls and bidi controls. */
const JSON_UNSAFE = /[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text (from JSON.stringify) with the controls it leaves raw written as `\uXXXX` escapes: the same JSON value
 * (JSON.parse gives back the same strings), safe to print on a terminal.
 */
export function terminalJson(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
