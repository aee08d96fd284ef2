// Text from log files inside Markdown (hovers): a value is data, never markup. A value rendered as Markdown could
// load a remote image when someone hovers (`![p](https://evil.example/r.png)` tells the attacker who read the log,
// and when), show a link, or break out of its code span with backticks. Pure: no LSP, no vscode.
import { terminalText } from './terminalText';

/** Values longer than this are cut in a hover (a 1 MB field would otherwise fill the screen). */
export const MAX_SHOWN_VALUE = 160;

/** Readings built from values are cut at this length. */
export const MAX_SHOWN_READING = 640;

/** `value` cut to `max` characters with an ellipsis, control characters shown as escapes. */
export function shownValue(value: string, max = MAX_SHOWN_VALUE): string {
  if (value.length <= max) return terminalText(value);
  let cut = value.slice(0, max);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1); // do not split a surrogate pair
  return `${terminalText(cut)}…`;
}

/** A value from the log as a code span (cut when long, with its length after it). */
export function valueCode(value: string): string {
  const span = markdownCode(shownValue(value));
  return value.length > MAX_SHOWN_VALUE ? `${span} (${value.length.toLocaleString('en-US')} characters)` : span;
}

/** Text holding values from the log (a decoded reading, a record's reading) as plain text, cut when long. */
export function valueText(text: string): string {
  return markdownText(shownValue(text, MAX_SHOWN_READING));
}

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/g;

/**
 * Plain text as Markdown that renders as exactly that text: every ASCII punctuation character is backslash-escaped
 * (CommonMark allows it for all of them), so no link, image, autolink (`https\:\/\/…`, `www\.…`, `a\@b\.c`), HTML
 * tag, entity, emphasis or heading can form, and a theme icon `$(…)` stays text.
 */
export function markdownText(text: string): string {
  return text.replace(ASCII_PUNCTUATION, '\\$&');
}

/**
 * `value` as a Markdown code span: the fence is one backtick longer than the longest run of backticks in it, and a
 * value that begins or ends with a backtick is padded with a space (CommonMark strips one on each side), so the
 * value cannot close the span. Code span content is literal: no link, image or HTML forms inside.
 */
export function markdownCode(value: string): string {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    run = value.charCodeAt(i) === 96 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const fence = '`'.repeat(longest + 1);
  const pad = value.startsWith('`') || value.endsWith('`') || (value.startsWith(' ') && value.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}
