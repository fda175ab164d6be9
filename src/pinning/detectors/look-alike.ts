/**
 * `look-alike` (warning): a word that mixes Latin letters with letters that only look like Latin
 * ones — Cyrillic or Greek look-alikes (`rеad_file` with a Cyrillic е), fullwidth or mathematical
 * forms. A person reads the word they expect; a check, a search or a policy rule reading the
 * characters sees another. An honest text rarely does this: a Russian or Greek word is written in
 * its own script, units such as µs and Δt use letters that imitate none, and a word written wholly
 * in a styled form (𝐛𝐨𝐥𝐝) is not mixed. Every text is read, names and schema values included. The
 * phrase checks read through such letters anyway (skeleton.ts); this says that they were there.
 */

import type { Finding } from '../findings';
import type { FieldText } from '../fields';
import { FieldFindings, finding, type Detector } from './detector';
import { LOOK_ALIKES } from './skeleton';

/** Look-alike letters named in one finding's message; the rest are counted. */
const NAMED_PER_WORD = 3;

const WORD_PART = /^[\p{L}\p{M}\p{N}]$/u;
const LETTER = /^\p{L}$/u;
const LATIN = /^\p{Script=Latin}$/u;
const CYRILLIC = /^\p{Script=Cyrillic}$/u;
const GREEK = /^\p{Script=Greek}$/u;
const ASCII_LETTER = /^[A-Za-z]$/;
const NOT_ASCII = /[^\x00-\x7f]/;

interface LookAlike {
  char: string;
  code: number;
  /** The Latin letter it passes for. */
  as: string;
}

/** What a character is to a word: a Latin letter, a look-alike of one, another part of a word, or a break. */
type Part = 'latin' | LookAlike | 'other' | undefined;

export const lookAlikes: Detector = (field: FieldText, _context, out: Finding[]) => {
  const text = field.text;
  if (!NOT_ASCII.test(text)) return;
  const found = new FieldFindings(out);
  let start = -1;
  let latin = false;
  let alikes: LookAlike[] = [];
  for (let i = 0; i <= text.length; ) {
    const code = i < text.length ? text.codePointAt(i)! : 32;
    const width = code > 0xffff ? 2 : 1;
    const part = partOf(code);
    if (part === undefined) {
      if (latin && alikes.length > 0) {
        const [from, to, seen] = [start, i, alikes];
        found.add('warning', () => finding(field, 'look-alike', 'warning', from, to, described(seen)));
      }
      start = -1;
      latin = false;
      alikes = [];
    } else {
      if (start < 0) start = i;
      if (part === 'latin') latin = true;
      else if (part !== 'other') alikes.push(part);
    }
    i += width;
  }
  found.finish();
};

function partOf(code: number): Part {
  if (code < 0x80) {
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return 'latin';
    return (code >= 48 && code <= 57) || code === 95 ? 'other' : undefined; // digits and _ join a word (read_file)
  }
  const char = String.fromCodePoint(code);
  if (!WORD_PART.test(char)) return undefined;
  if (!LETTER.test(char)) return 'other';
  const as = LOOK_ALIKES.get(code) ?? compatibleLetter(char);
  if (as !== undefined) return { char, code, as };
  return LATIN.test(char) ? 'latin' : 'other';
}

/** The ASCII letter a compatibility form stands for (ｉ, 𝐢, ſ), if it is one letter. */
function compatibleLetter(char: string): string | undefined {
  const compatible = char.normalize('NFKC');
  return compatible !== char && ASCII_LETTER.test(compatible) ? compatible : undefined;
}

function described(alikes: readonly LookAlike[]): string {
  const distinct = [...new Map(alikes.map((a) => [a.code, a])).values()];
  const named = distinct.slice(0, NAMED_PER_WORD).map((a) => `"${a.char}" (U+${a.code.toString(16).toUpperCase().padStart(4, '0')}, ${kindOf(a)}) for "${a.as}"`);
  const more = distinct.length - named.length;
  return `a word that mixes Latin letters with look-alikes of them: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function kindOf(a: LookAlike): string {
  if (CYRILLIC.test(a.char)) return 'Cyrillic';
  if (GREEK.test(a.char)) return 'Greek';
  if (a.code >= 0xff00 && a.code <= 0xffef) return 'fullwidth';
  if (a.code >= 0x1d400 && a.code <= 0x1d7ff) return 'mathematical';
  return 'compatibility form';
}
