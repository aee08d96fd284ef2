// Whether a file about to be written is the flow log itself: the extension never writes to a user's log. Paths
// are compared as the file system resolves them, not as typed: a symlink to the log, a hard link, another case of
// the name on a case-insensitive file system (macOS, Windows), `..` segments all name the same file. No vscode.
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, isAbsolute, resolve } from 'node:path';

/** The path with symlinks and `..` resolved; for a file that does not exist yet, its folder resolved. */
async function resolved(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    try {
      return join(await realpath(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

/**
 * True when writing `target` would write `log`: the same real path, or (when both exist) the same file by device
 * and inode, which also catches hard links and a name spelt in another case where the file system ignores case.
 */
export async function isSameFile(target: string, log: string): Promise<boolean> {
  if (target === log) return true;
  const [a, b] = await Promise.all([resolved(target), resolved(log)]);
  if (a === b) return true;
  try {
    const [sa, sb] = await Promise.all([stat(target), stat(log)]);
    return sa.ino !== 0 && sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false; // the target does not exist yet (or cannot be read): it is not the log
  }
}

/** Whether `path` names a file under `folder` (as written: `..` segments resolved; no symlink followed). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
