// Tool-name globs: `*` matches any run of characters (including none), `?` exactly one.
// Everything else is literal, so tool names with dots or slashes need no escaping.

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** How specific a glob is: the characters that are not wildcards. */
export function literalChars(pattern: string): number {
  let count = 0;
  for (const ch of pattern) if (ch !== '*' && ch !== '?') count++;
  return count;
}

export interface GlobMatcher {
  test(name: string): boolean;
}

/**
 * Whether a name matches `pattern`, in time proportional to the name's length times the pattern's: tool
 * names come from the agent, and a backtracking regex for a glob with a few `*` (`*_delete_*x`) takes
 * seconds on a long one. `?` is one code point, as in a `u` regex.
 */
export function globMatcher(pattern: string): GlobMatcher {
  const parts = Array.from(pattern);
  return { test: (name: string) => matchGlob(parts, name) };
}

function matchGlob(pattern: string[], name: string): boolean {
  let p = 0;
  let n = 0;
  // The last `*` seen and where in the name it resumes: on a mismatch it takes one more code point
  // and matching restarts after it; an earlier `*` never needs to be revisited.
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    const width = codePointWidth(name, n);
    const part = pattern[p];
    if (part === '?' || (part !== undefined && part !== '*' && name.startsWith(part, n))) {
      p++;
      n += part === '?' ? width : part.length;
    } else if (part === '*') {
      star = p++;
      resume = n;
    } else if (star >= 0) {
      p = star + 1;
      resume += codePointWidth(name, resume);
      n = resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

function codePointWidth(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code >= 0xd800 && code <= 0xdbff && at + 1 < text.length ? 2 : 1;
}
