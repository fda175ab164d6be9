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

export function globToRegExp(pattern: string): RegExp {
  let source = '^';
  for (const ch of pattern) {
    if (ch === '*') source += '[^]*';
    else if (ch === '?') source += '[^]';
    else source += /[.+^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(source + '$', 'u');
}
