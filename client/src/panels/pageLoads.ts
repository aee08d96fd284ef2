// Two of our webview pages never load at once. VS Code served to a browser from one origin (code-server, VS Code's
// own server) gives every webview the same service-worker scope, and each webview's frame registers a worker of its
// own (its id is in the worker's URL) as soon as the panel is created: a panel created while another page's script
// is being fetched replaces the worker that fetch went through, the answer goes to the new worker, the old one gives
// up after 30 s (408), and that page stays blank. Query Folder and Query Table opened the summary and the query
// panel in one go and hit it (test/e2e deliveries). So the second panel is created once the first page has said
// `ready` (it fetches nothing after that) or was closed; a page that never says so holds it `limitMs` at most.
// No vscode import: unit tests drive it.

/** How long a page that never says `ready` holds the next panel; a page loads in about a second. */
export const PAGE_LOAD_LIMIT_MS = 15_000;

/** Resolves when `loaded` does (or fails), or after `limitMs`. */
export function untilLoaded(loaded: Promise<void>, limitMs = PAGE_LOAD_LIMIT_MS): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, limitMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    loaded.then(done, done);
  });
}

/**
 * Opens `first` (a panel whose `pageLoaded` resolves at its page's first `ready`, or when it is closed), then `second`
 * once that page has loaded. `first` may open nothing (undefined): `second` opens at once.
 */
export async function openInTurn<T>(first: () => { readonly pageLoaded: Promise<void> } | undefined, second: () => T, limitMs = PAGE_LOAD_LIMIT_MS): Promise<T> {
  const opened = first();
  if (opened) await untilLoaded(opened.pageLoaded, limitMs);
  return second();
}
