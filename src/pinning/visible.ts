/**
 * Text made safe to show: invisible, format and control characters written as `\u{...}`, so an
 * excerpt or a tool name in a message cannot itself hide text, reorder a line or drive a terminal.
 */

/** Longest excerpt shown; the offsets still cover the whole offending text. */
export const EXCERPT_LIMIT = 160;

/** `text` with every character that does not show for itself escaped, cut to `limit` characters. */
export function visible(text: string, limit = EXCERPT_LIMIT): string {
  let out = '';
  let shown = 0;
  for (let i = 0; i < text.length; i++) {
    if (shown >= limit) return out + '…';
    const code = text.codePointAt(i)!;
    const wide = code > 0xffff;
    if (code >= 0x20 && code < 0x7f) {
      out += text[i];
    } else if (code === 0x0a || code === 0x09) {
      out += code === 0x0a ? '\\n' : '\\t';
    } else if (needsEscape(code)) {
      out += `\\u{${code.toString(16).toUpperCase()}}`;
    } else {
      out += wide ? text.slice(i, i + 2) : text[i];
    }
    if (wide) i++;
    shown++;
  }
  return out;
}

/** The offending range of `text`, made visible. */
export function excerptOf(text: string, start: number, end: number): string {
  return visible(text.slice(start, end));
}

/** Quoted and visible, for naming a tool or field in a message. */
export function quoted(name: string): string {
  return `"${visible(name, 80)}"`;
}

const INVISIBLE_GENERAL = /^[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]$/u;

function needsEscape(code: number): boolean {
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  if (isInvisibleLetterOrMark(code)) return true;
  if (code >= 0xd800 && code <= 0xdfff) return true; // a lone surrogate
  return INVISIBLE_GENERAL.test(String.fromCodePoint(code));
}

/**
 * Characters of other categories that show as nothing: Hangul fillers, the combining grapheme
 * joiner, Mongolian free variation selectors, variation selectors. Shared with `hidden-unicode`.
 */
export function isInvisibleLetterOrMark(code: number): boolean {
  return (
    code === 0x034f ||
    code === 0x115f ||
    code === 0x1160 ||
    code === 0x3164 ||
    code === 0xffa0 ||
    (code >= 0x180b && code <= 0x180f) ||
    isVariationSelector(code)
  );
}

export function isVariationSelector(code: number): boolean {
  return (code >= 0xfe00 && code <= 0xfe0f) || (code >= 0xe0100 && code <= 0xe01ef);
}
