// Text from log files in VS Code labels (quick pick items): a label reads `$(name)` as a theme icon, so a value
// could draw icons; and a bidi override or a control character would reorder or hide what is shown. No vscode.
import { terminalText } from '../../../server/src/core/terminalText';

/** `text` shown as it is in a VS Code label: `$(…)` escaped as VS Code's escapeIcons does, controls as escapes. */
export function labelText(text: string): string {
  return terminalText(text).replace(/(\\)?\$\([a-z0-9-]+?(?:~[a-z0-9-]*?)?\)/gi, (match, escaped) => (escaped ? match : `\\${match}`));
}
