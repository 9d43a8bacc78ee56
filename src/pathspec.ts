// Git's pathspec matching for the `exclude` patterns, done here so a patch can be judged
// without git: a pattern matches a path it equals, a path under it (a folder), or — when it has
// wildcards — a path it matches as a whole with `*` crossing "/" (git's default, no `:(glob)`).
// Matching is iterative with one backtrack point per star: O(pattern × path), never exponential.

/** Whether the pathspec `spec` (relative to the top) matches `file`. */
export function matchesPathspec(spec: string, file: string): boolean {
  if (file === spec || file.startsWith(`${spec}/`)) return true;
  if (!/[*?[\\]/.test(spec)) return false;
  return wildmatch(spec, file);
}

/** fnmatch without FNM_PATHNAME: `*` any run of characters, `?` one, `[...]` a class, `\\x` x. */
export function wildmatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      while (pattern[p] === '*') p++;
      starP = p;
      starT = t;
      continue;
    }
    const step = p < pattern.length ? matchOne(pattern, p, text[t]) : -1;
    if (step > 0) {
      p += step;
      t++;
    } else if (starP !== -1) {
      p = starP;
      t = ++starT;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Length of the pattern element at `p` when it matches `c`; -1 when it does not. */
function matchOne(pattern: string, p: number, c: string): number {
  const ch = pattern[p];
  if (ch === '?') return 1;
  if (ch === '\\' && p + 1 < pattern.length) return pattern[p + 1] === c ? 2 : -1;
  if (ch === '[') {
    const end = classEnd(pattern, p);
    if (end !== -1) return classMatches(pattern.slice(p + 1, end), c) ? end - p + 1 : -1;
  }
  return ch === c ? 1 : -1;
}

function classEnd(pattern: string, p: number): number {
  let i = p + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  for (; i < pattern.length; i++) if (pattern[i] === ']') return i;
  return -1;
}

function classMatches(body: string, c: string): boolean {
  let negate = false;
  let i = 0;
  if (body[0] === '!' || body[0] === '^') ((negate = true), i++);
  let found = false;
  for (; i < body.length; i++) {
    if (body[i + 1] === '-' && i + 2 < body.length) {
      if (c >= body[i] && c <= body[i + 2]) found = true;
      i += 2;
    } else if (body[i] === c) found = true;
  }
  return found !== negate;
}
