/**
 * The words of a prose text, read once and shared by the detectors that look for phrases:
 * lower-cased words with their offsets and sentence numbers, and a phrase matcher that runs in time
 * linear in the number of words (each phrase is tried from each word, with bounded gaps, never
 * backtracking).
 */

import type { FieldText } from '../fields';

export interface Word {
  /** Lower case; ’ written as '. */
  text: string;
  start: number;
  end: number;
  /** Sentences end at . ! ? before a space, at ;, at a blank line, and at a tag such as <IMPORTANT>. */
  sentence: number;
}

/** Words of one slot, and how many other words may come before it (0 for the first slot). */
export interface Slot {
  words: ReadonlySet<string>;
  gap: number;
}

export interface Phrase {
  slots: readonly Slot[];
}

export interface PhraseMatch {
  /** First and last word of the match (indexes into the words). */
  first: number;
  last: number;
  start: number;
  end: number;
}

const cache = new WeakMap<FieldText, Word[]>();

/** The words of `field.text`, computed once per text. */
export function wordsOf(field: FieldText): Word[] {
  let words = cache.get(field);
  if (words === undefined) {
    words = splitWords(field.text);
    cache.set(field, words);
  }
  return words;
}

const LETTER = /^\p{L}$/u;

function isWordChar(code: number): boolean {
  if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57)) return true;
  return code >= 0x80 && LETTER.test(String.fromCharCode(code));
}

export function splitWords(text: string): Word[] {
  const words: Word[] = [];
  let sentence = 0;
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 32;
    if (isWordChar(code)) {
      if (start < 0) start = i;
      continue;
    }
    const apostrophe = code === 39 || code === 0x2019;
    if (start >= 0 && apostrophe && i + 1 < text.length && isWordChar(text.charCodeAt(i + 1))) continue; // don't
    if (start >= 0) {
      let word = text.slice(start, i).toLowerCase();
      if (word.includes('\u2019')) word = word.replaceAll('\u2019', "'");
      words.push({ text: word, start, end: i, sentence });
      start = -1;
    }
    if (endsSentence(text, i, code)) sentence++;
  }
  return words;
}

function endsSentence(text: string, i: number, code: number): boolean {
  if (code === 60 || code === 62 || code === 59) return true; // < > : a tag starts or ends a block; ; ends a clause
  if (code === 10) {
    // A blank line ends a sentence; a single line break is often just wrapping.
    let j = i + 1;
    while (j < text.length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 13)) j++;
    return text.charCodeAt(j) === 10 || isListMarker(text.charCodeAt(j));
  }
  if (code !== 46 && code !== 33 && code !== 63) return false; // . ! ?
  const next = text.charCodeAt(i + 1);
  return Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13;
}

/** A line starting with - * or # starts an item of its own. */
function isListMarker(code: number): boolean {
  return code === 45 || code === 42 || code === 35;
}

export function slot(gap: number, ...words: string[]): Slot {
  return { words: new Set(words), gap };
}

export function phrase(...slots: Slot[]): Phrase {
  return { slots };
}

/**
 * Every match of `p` in `words`, within one sentence, taking for each slot the nearest word that
 * fits. Matches do not overlap; time is words × slots × gap.
 */
export function matchPhrase(words: readonly Word[], p: Phrase): PhraseMatch[] {
  const matches: PhraseMatch[] = [];
  const first = p.slots[0];
  for (let i = 0; i < words.length; i++) {
    if (!first.words.has(words[i].text)) continue;
    const last = matchFrom(words, p, i);
    if (last < 0) continue;
    matches.push({ first: i, last, start: words[i].start, end: words[last].end });
    i = last;
  }
  return matches;
}

function matchFrom(words: readonly Word[], p: Phrase, from: number): number {
  let at = from;
  for (let s = 1; s < p.slots.length; s++) {
    const { words: wanted, gap } = p.slots[s];
    let found = -1;
    for (let j = at + 1; j <= at + 1 + gap && j < words.length; j++) {
      if (words[j].sentence !== words[from].sentence) break;
      if (wanted.has(words[j].text)) {
        found = j;
        break;
      }
    }
    if (found < 0) return -1;
    at = found;
  }
  return at;
}

const sentenceCache = new WeakMap<FieldText, Set<string>[]>();

/** The set of words of each sentence of `field.text`, computed once per text. */
export function sentencesOf(field: FieldText): Set<string>[] {
  let sentences = sentenceCache.get(field);
  if (sentences === undefined) {
    sentences = [];
    for (const w of wordsOf(field)) (sentences[w.sentence] ??= new Set()).add(w.text);
    sentenceCache.set(field, sentences);
  }
  return sentences;
}

/** Whether any word of `wanted` is in sentences `from` to `to` of the text. */
export function sentencesHave(field: FieldText, from: number, to: number, wanted: ReadonlySet<string>): boolean {
  const sentences = sentencesOf(field);
  for (let s = Math.max(0, from); s <= to && s < sentences.length; s++) {
    const words = sentences[s];
    if (words === undefined) continue;
    for (const w of wanted) if (words.has(w)) return true;
  }
  return false;
}

/** The sentence number at offset `at` (the sentence of the nearest word at or before it). */
export function sentenceAt(field: FieldText, at: number): number {
  const words = wordsOf(field);
  let low = 0;
  let high = words.length - 1;
  let found = 0;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (words[mid].start <= at) {
      found = words[mid].sentence;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}
