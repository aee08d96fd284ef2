// SQL LIKE without regular expressions: `%` any run, `_` one character, everything else itself (case matters).
// Wildcard matching with one resumable `%` (the classic greedy algorithm): at most pattern × text steps, never
// exponential, whatever the pattern (`%a%a%a%a%a%b` over a long value is a quick no).

/** A compiled LIKE pattern: test(s) says whether s matches. */
export interface LikeMatcher {
  test(s: string): boolean;
}

export function compileLike(pattern: string): LikeMatcher {
  // Split into code points, so `_` takes one character even outside the BMP.
  const p = Array.from(pattern);
  // Fast forms: no wildcards; a prefix; a suffix; a substring.
  const wild = (c: string) => c === '%' || c === '_';
  if (!p.some(wild)) return { test: (s) => s === pattern };
  const inner = p.slice(1, -1);
  if (p.length >= 2 && p[0] === '%' && p[p.length - 1] === '%' && !inner.some(wild)) {
    const needle = inner.join('');
    return { test: (s) => s.includes(needle) };
  }
  if (p[p.length - 1] === '%' && !p.slice(0, -1).some(wild)) {
    const prefix = p.slice(0, -1).join('');
    return { test: (s) => s.startsWith(prefix) };
  }
  if (p[0] === '%' && !p.slice(1).some(wild)) {
    const suffix = p.slice(1).join('');
    return { test: (s) => s.endsWith(suffix) };
  }
  return { test: (s) => matchWildcards(p, Array.from(s)) };
}

/**
 * Greedy matching: on a mismatch, go back to just after the last `%` and let it take one more character. Each
 * position of the text is tried against each `%` at most once, so the work is bounded by |p| × |t|.
 */
function matchWildcards(p: string[], t: string[]): boolean {
  let i = 0; // in t
  let j = 0; // in p
  let starJ = -1; // position in p after the last %
  let starI = 0; // where that % started taking characters
  while (i < t.length) {
    if (j < p.length && (p[j] === '_' || (p[j] !== '%' && p[j] === t[i]))) {
      i++;
      j++;
    } else if (j < p.length && p[j] === '%') {
      starJ = ++j;
      starI = i;
    } else if (starJ >= 0) {
      j = starJ;
      i = ++starI;
    } else return false;
  }
  while (j < p.length && p[j] === '%') j++;
  return j === p.length;
}
