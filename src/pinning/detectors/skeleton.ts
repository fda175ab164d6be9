/**
 * The skeleton of a text: what it reads as, for the phrase checks. "Ignore previous instructions"
 * written with Cyrillic о and е, in fullwidth forms or in mathematical bold shows the same words to
 * the agent and to a person, and none of them to a check that reads ASCII. So each character is
 * folded before the phrases are looked for:
 * - compatibility forms by NFKC (fullwidth ｉ, mathematical 𝐢, ligatures such as ﬁ, ＜ and ／);
 * - Cyrillic and Greek letters that look like Latin ones (and a few Latin ones, such as a dotless ı)
 *   to the letter they imitate (a small table from Unicode's confusables, UTS #39);
 * - invisible characters (format characters such as zero-width spaces and soft hyphens, variation
 *   selectors) left out, so they cannot split a word ("ig\u00adnore"); `hidden-unicode` reports them.
 * Case is kept. Each unit of the skeleton remembers where its character starts in the original, so
 * a finding's range and excerpt are the text as the server wrote it. One pass; a character never
 * grows by more than MAX_EXPANSION units, so the skeleton stays within a few times the text.
 */

import type { FieldText } from '../fields';
import { isInvisibleLetterOrMark } from '../visible';

/** A character whose compatibility form is longer than this (ﷺ is 18) is not folded: no look-alike is. */
const MAX_EXPANSION = 4;

/** Cyrillic and Greek letters that pass for Latin ones, and the Latin letter each passes for. */
export const LOOK_ALIKES: ReadonlyMap<number, string> = new Map([
  // Cyrillic
  [0x0430, 'a'], [0x0433, 'r'], [0x0435, 'e'], [0x043a, 'k'], [0x043e, 'o'], [0x0440, 'p'], [0x0441, 'c'],
  [0x0443, 'y'], [0x0445, 'x'], [0x0455, 's'], [0x0456, 'i'], [0x0458, 'j'], [0x0461, 'w'], [0x0475, 'v'],
  [0x04af, 'y'], [0x04bb, 'h'], [0x04cf, 'l'], [0x0501, 'd'], [0x051b, 'q'], [0x051d, 'w'],
  [0x0405, 'S'], [0x0406, 'I'], [0x0408, 'J'], [0x0410, 'A'], [0x0412, 'B'], [0x0415, 'E'], [0x041a, 'K'],
  [0x041c, 'M'], [0x041d, 'H'], [0x041e, 'O'], [0x0420, 'P'], [0x0421, 'C'], [0x0422, 'T'], [0x0423, 'Y'],
  [0x0425, 'X'], [0x0474, 'V'], [0x04ae, 'Y'], [0x04c0, 'I'], [0x051a, 'Q'], [0x051c, 'W'],
  // Greek
  [0x03b1, 'a'], [0x03b3, 'y'], [0x03b9, 'i'], [0x03ba, 'k'], [0x03bd, 'v'], [0x03bf, 'o'], [0x03c1, 'p'],
  [0x03c5, 'u'], [0x03c7, 'x'], [0x03f2, 'c'], [0x03f3, 'j'],
  [0x037f, 'J'], [0x0391, 'A'], [0x0392, 'B'], [0x0395, 'E'], [0x0396, 'Z'], [0x0397, 'H'], [0x0399, 'I'],
  [0x039a, 'K'], [0x039c, 'M'], [0x039d, 'N'], [0x039f, 'O'], [0x03a1, 'P'], [0x03a4, 'T'], [0x03a5, 'Y'],
  [0x03a7, 'X'], [0x03f9, 'C'],
]);

/**
 * Latin letters that pass for others (dotless ı for i): folded too, but no `look-alike` warning, since
 * words of languages such as Turkish mix them with ASCII letters honestly.
 */
const LATIN_LOOK_ALIKES: ReadonlyMap<number, string> = new Map([[0x0131, 'i'], [0x0237, 'j'], [0x0251, 'a'], [0x0261, 'g']]);

const FORMAT = /^\p{Cf}$/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** What one character (not ASCII) reads as: '' for an invisible one. */
export function foldCodePoint(code: number): string {
  const alike = LOOK_ALIKES.get(code) ?? LATIN_LOOK_ALIKES.get(code);
  if (alike !== undefined) return alike;
  const char = String.fromCodePoint(code);
  if (isInvisibleLetterOrMark(code) || FORMAT.test(char)) return '';
  const compatible = char.normalize('NFKC');
  if (compatible === char || compatible.length > MAX_EXPANSION) return char;
  // … is not three full stops that end a sentence, nor ¨ a space and a mark: only letters and digits expand.
  if (compatible.length > 1 && !LETTER_OR_DIGIT.test(compatible)) return char;
  let folded = '';
  for (const part of compatible) folded += LOOK_ALIKES.get(part.codePointAt(0)!) ?? part;
  return folded;
}

export interface Folded {
  text: string;
  /**
   * For each unit of `text`, and one past its end, the offset in the original text where the
   * character it comes from starts. Absent when the text is its own skeleton.
   */
  map?: readonly number[];
}

const NOT_ASCII = /[^\x00-\x7f]/;

/** The skeleton of `text`, with the way back to the original. */
export function foldText(text: string): Folded {
  if (!NOT_ASCII.test(text)) return { text };
  let folded = '';
  const map: number[] = [];
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const part = code < 0x80 ? text[i] : foldCodePoint(code);
    for (let k = 0; k < part.length; k++) map.push(i);
    folded += part;
    i += width;
  }
  map.push(text.length);
  return folded === text ? { text } : { text: folded, map };
}

/** The range of the original text that skeleton units [start, end) come from: whole characters. */
export function originalRange(map: readonly number[] | undefined, original: string, start: number, end: number): { start: number; end: number } {
  if (map === undefined) return { start, end };
  if (end <= start) return { start: map[start], end: map[start] };
  const last = map[end - 1];
  return { start: map[start], end: last + ((original.codePointAt(last) ?? 0) > 0xffff ? 2 : 1) };
}

interface Origin {
  field: FieldText;
  map: readonly number[];
}

const skeletons = new WeakMap<FieldText, FieldText>();
const origins = new WeakMap<FieldText, Origin>();

/** The field with its text folded to its skeleton (the field itself when nothing folds), made once. */
export function skeletonOf(field: FieldText): FieldText {
  let skeleton = skeletons.get(field);
  if (skeleton === undefined) {
    const { text, map } = foldText(field.text);
    skeleton = map === undefined ? field : { ...field, text };
    if (map !== undefined) origins.set(skeleton, { field, map });
    skeletons.set(field, skeleton);
  }
  return skeleton;
}

/** Where `field.text[start, end)` is in the text as written: the field itself unless it is a skeleton. */
export function inOriginal(field: FieldText, start: number, end: number): { field: FieldText; start: number; end: number } {
  const origin = origins.get(field);
  if (origin === undefined) return { field, start, end };
  return { field: origin.field, ...originalRange(origin.map, origin.field.text, start, end) };
}

/** The original text of `field.text[start, end)`. */
export function originalText(field: FieldText, start: number, end: number): string {
  const at = inOriginal(field, start, end);
  return at.field.text.slice(at.start, at.end);
}
