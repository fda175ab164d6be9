/**
 * `hidden-unicode` (error): characters that show as nothing, or that reorder what is shown, in any
 * text of the definitions. The agent reads them; the user does not see them.
 *
 * - Tag characters U+E0000–E007F spell ASCII invisibly ("ASCII smuggling"); the message spells it out.
 *   Only an emoji subdivision flag (U+1F3F4 followed by lower-case tags and U+E007F) is left alone.
 * - Zero-width characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+180E). A joiner between two
 *   emoji, or between letters of a script that needs joiners (not Latin), is left alone.
 * - Bidirectional controls (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069), which make the
 *   text shown differ from the text read.
 * - Other invisible format characters (category Cf, such as the soft hyphen), Hangul fillers, the
 *   combining grapheme joiner, and runs of variation selectors (one after a character is how emoji
 *   are written; a run of them carries bytes).
 * Control characters and terminal escapes are `ansi-escape`'s.
 */

import type { Finding } from '../findings';
import type { FieldText } from '../fields';
import { isInvisibleLetterOrMark, isVariationSelector } from '../visible';
import { FieldFindings, finding, type Detector } from './detector';

type HiddenKind = 'tag' | 'zero-width' | 'bidi' | 'variation' | 'invisible';

const KIND_WORDS: Record<HiddenKind, string> = {
  tag: 'tag characters',
  'zero-width': 'zero-width characters',
  bidi: 'bidirectional controls',
  variation: 'variation selectors',
  invisible: 'invisible format characters',
};

export const hiddenUnicode: Detector = (field: FieldText, _context, out: Finding[]) => {
  const text = field.text;
  const found = new FieldFindings(out);
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) < 0x80) {
      i++;
      continue;
    }
    const runStart = i;
    const kinds = new Set<HiddenKind>();
    let tagText = '';
    for (;;) {
      const code = text.codePointAt(i);
      if (code === undefined) break;
      const kind = hiddenKind(text, i, code, runStart);
      if (kind === undefined) break;
      kinds.add(kind);
      if (kind === 'tag' && code >= 0xe0020 && code <= 0xe007e) tagText += String.fromCharCode(code - 0xe0000);
      i += code > 0xffff ? 2 : 1;
    }
    if (i === runStart) {
      i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
      continue;
    }
    found.add('error', () => finding(field, 'hidden-unicode', 'error', runStart, i, describeRun(text, runStart, i, kinds, tagText)));
  }
  found.finish();
};

function describeRun(text: string, start: number, end: number, kinds: Set<HiddenKind>, tagText: string): string {
  const count = [...text.slice(start, end)].length;
  const what = [...kinds].map((k) => KIND_WORDS[k]).join(', ');
  const spelled = tagText ? `; they spell "${tagText.length > 200 ? tagText.slice(0, 200) + '…' : tagText}"` : '';
  return `${count} hidden character${count === 1 ? '' : 's'} (${what}) the user does not see${spelled}`;
}

/** Why the code point at `i` is hidden, or undefined when it shows (or is allowed where it is). */
function hiddenKind(text: string, i: number, code: number, runStart: number): HiddenKind | undefined {
  if (code < 0x80) return undefined;
  if (code >= 0xe0000 && code <= 0xe007f) return isInSubdivisionFlag(text, i) ? undefined : 'tag';
  if (code === 0x200c || code === 0x200d) return isLegitimateJoiner(text, i) ? undefined : 'zero-width';
  if (code === 0x200b || (code >= 0x2060 && code <= 0x2064) || code === 0xfeff || code === 0x180e) return 'zero-width';
  if (code === 0x200e || code === 0x200f || code === 0x061c || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
    return 'bidi';
  }
  if (isVariationSelector(code)) return isLoneSelector(text, i, runStart) ? undefined : 'variation';
  if (isInvisibleLetterOrMark(code)) return 'invisible';
  if (isFormatCharacter(code)) return 'invisible';
  return undefined;
}

const FORMAT = /^\p{Cf}$/u;
/** Format characters that show a glyph of their own (number signs, abbreviation marks). */
const VISIBLE_FORMAT = new Set([0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06dd, 0x070f, 0x0890, 0x0891, 0x08e2, 0x110bd, 0x110cd]);

function isFormatCharacter(code: number): boolean {
  return !VISIBLE_FORMAT.has(code) && FORMAT.test(String.fromCodePoint(code));
}

/** One variation selector right after a visible character (how ⚠️ is written) is not hidden text. */
function isLoneSelector(text: string, i: number, runStart: number): boolean {
  if (i !== runStart || i === 0) return false;
  const next = text.codePointAt(i + (text.codePointAt(i)! > 0xffff ? 2 : 1));
  if (next !== undefined && isVariationSelector(next)) return false;
  const before = codePointBefore(text, i);
  return before !== undefined && !/\s/u.test(String.fromCodePoint(before)) && before >= 0x20;
}

const EMOJI_OR_MODIFIER = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Emoji_Component}\uFE0F]$/u;
const JOINING_SCRIPT_LETTER = /^[\p{L}\p{M}]$/u;
const LATIN_OR_COMMON = /^[\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]$/u;

/** ZWJ/ZWNJ inside an emoji sequence, or between letters of a script such as Arabic or Devanagari. */
function isLegitimateJoiner(text: string, i: number): boolean {
  const before = codePointBefore(text, i);
  const after = text.codePointAt(i + 1);
  if (before === undefined || after === undefined || before < 0x80 || after < 0x80) return false;
  const b = String.fromCodePoint(before);
  const a = String.fromCodePoint(after);
  if (EMOJI_OR_MODIFIER.test(b) && EMOJI_OR_MODIFIER.test(a)) return text.charCodeAt(i) === 0x200d;
  return JOINING_SCRIPT_LETTER.test(b) && JOINING_SCRIPT_LETTER.test(a) && !LATIN_OR_COMMON.test(b) && !LATIN_OR_COMMON.test(a);
}

/** 🏴 followed by at most 7 lower-case letter or digit tags and a cancel tag: a subdivision flag. */
function isInSubdivisionFlag(text: string, i: number): boolean {
  let start = i;
  while (start >= 2 && i - start <= 14 && isTag(text.codePointAt(start - 2))) start -= 2; // bounded: linear
  if (i - start > 14 || codePointBefore(text, start) !== 0x1f3f4) return false;
  for (let j = start; j < start + 18; j += 2) {
    const code = text.codePointAt(j);
    if (code === 0xe007f) return j >= i;
    if (code === undefined || !((code >= 0xe0061 && code <= 0xe007a) || (code >= 0xe0030 && code <= 0xe0039))) return false;
  }
  return false;
}

function isTag(code: number | undefined): boolean {
  return code !== undefined && code >= 0xe0000 && code <= 0xe007f;
}

function codePointBefore(text: string, i: number): number | undefined {
  if (i === 0) return undefined;
  const low = text.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = text.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(i - 2);
  }
  return low;
}
