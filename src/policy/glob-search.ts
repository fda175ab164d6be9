// Whether some tool name matches every glob of one list and none of another, and one such name. A
// name's deciding glob is the first that matches it in the order of precedence, so "decided by this
// glob here and by that one there" is such a question: match both, and no glob that would come first.
// The globs are walked together (a product of their automata, built as it is explored); a glob that
// must not match and can no longer match is dropped, so the walk stays small for the usual globs.
import { globMatcher } from './glob';

/** The letters the globs of one search write; any other letter moves every glob alike. */
interface Alphabet {
  written: Set<string>;
  /** The first letter from U+0001 up that no glob writes (a control character, unless a glob writes it). */
  filler: string;
}

function alphabetOf(globs: readonly string[]): Alphabet {
  const written = new Set(globs.flatMap((glob) => Array.from(glob)));
  return { written, filler: unwritten(written, 1) };
}

function unwritten(written: Set<string>, from: number, skip?: string): string {
  for (let code = from; ; code++) {
    const letter = String.fromCodePoint(code);
    if (!written.has(letter) && letter !== skip) return letter;
  }
}

/** A name; `none` when no name qualifies; `unknown` when finding out would cost more than the budget. */
export type SearchResult = { name: string } | 'none' | 'unknown';

/** Steps (glob positions visited) a walk may still take; each walk takes what it uses from it. */
export interface Steps {
  left: number;
}

/**
 * A name matched by every glob of `must` and by none of `mustNot`, not one of `avoid` (exact rule keys,
 * which their own rule decides), within `budget` steps (a number, or what is left of a shared budget).
 */
export function findName(must: readonly string[], mustNot: readonly string[], avoid: ReadonlySet<string>, budget: number | Steps): SearchResult {
  const steps = typeof budget === 'number' ? { left: budget } : budget;
  const excluded = mustNot.map(globMatcher);
  const qualifies = (name: string) => !avoid.has(name) && !excluded.some((glob) => glob.test(name));
  const alphabet = alphabetOf([...must, ...mustNot]);
  // Likely names first, cheaply: the shortest the required globs share, and the same made of fillers.
  for (const name of likelyNames(must, steps, alphabet)) if (qualifies(name)) return { name };
  return walk(must, mustNot, avoid, steps, alphabet);
}

function likelyNames(must: readonly string[], steps: Steps, alphabet: Alphabet): string[] {
  const filler = alphabet.filler;
  if (must.length === 0) return ['', filler, filler + filler];
  const found = walk(must, [], new Set(), steps, alphabet);
  if (typeof found !== 'object') return [];
  const shortest = found.name;
  const filled = must.length === 1 ? [must[0].replace(/[*?]/g, filler), must[0].replace(/\*/g, '').replace(/\?/g, filler)] : [];
  return [shortest, ...filled];
}

interface Glob {
  parts: string[];
  required: boolean;
}

/** For each live glob (by index), the positions it may be at, past any `*`. */
type State = Map<number, number[]>;

function walk(must: readonly string[], mustNot: readonly string[], avoid: ReadonlySet<string>, steps: Steps, alphabet: Alphabet): SearchResult {
  const globs: Glob[] = [...must.map((g) => ({ parts: Array.from(g), required: true })), ...mustNot.map((g) => ({ parts: Array.from(g), required: false }))];
  const avoided = [...avoid].sort();
  const start: State = new Map(globs.map((glob, index) => [index, [closure(glob.parts, 0)]]));
  const keyOf = (state: State) => [...state].map(([index, positions]) => `${index}:${positions.join(',')}`).join(';');
  // State -> whether a name that begins no exact key reached it (one that does may lead only to exact keys).
  const seen = new Map([[keyOf(start), !begins(avoided, '')]]);
  const queue: { state: State; name: string }[] = [{ state: start, name: '' }];
  for (let head = 0; head < queue.length; head++) {
    const { state, name } = queue[head];
    if (accepts(globs, state) && !avoid.has(name)) return { name };
    for (const letter of lettersAt(globs, state, avoided, name, alphabet)) {
      const next: State = new Map();
      let dead = false;
      for (const [index, positions] of state) {
        steps.left -= positions.length;
        const glob = globs[index];
        const moved = positions.length === 1 ? stepsFrom(glob.parts, positions[0], letter) : [...new Set(positions.flatMap((at) => stepsFrom(glob.parts, at, letter)))].sort((a, b) => a - b);
        if (moved.length > 0) next.set(index, moved);
        else if (glob.required) dead = true; // a required glob can no longer match
        if (!glob.required && matchesEveryExtension(glob.parts, moved)) dead = true; // nor can an excluded one be escaped
        if (dead) break;
      }
      if (steps.left < 0) return 'unknown';
      if (dead) continue;
      const key = keyOf(next);
      const nextName = name + letter;
      const safe = !begins(avoided, nextName);
      const reached = seen.get(key);
      if (reached === true || (reached === false && !safe)) continue;
      seen.set(key, safe);
      queue.push({ state: next, name: nextName });
    }
  }
  return 'none';
}

function accepts(globs: Glob[], state: State): boolean {
  for (let index = 0; index < globs.length; index++) {
    const atEnd = state.get(index)?.includes(globs[index].parts.length) ?? false;
    if (atEnd !== globs[index].required) return false;
  }
  return true;
}

/** At its end, past a `*`: it matches this name and every longer one. */
function matchesEveryExtension(parts: string[], positions: number[]): boolean {
  return parts.length > 0 && parts[parts.length - 1] === '*' && positions.includes(parts.length);
}

/** Whether some key of the sorted `keys` begins with `name`. */
function begins(keys: string[], name: string): boolean {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (keys[middle] < name) low = middle + 1;
    else high = middle;
  }
  return low < keys.length && keys[low].startsWith(name);
}

/**
 * The letters worth trying from a state: those some live glob writes next; any other letter moves every
 * glob as the filler does. The filler first: names made of it are the least likely to be exact rule keys;
 * when the name so far begins one, another letter no glob writes too, that begins none.
 */
function lettersAt(globs: Glob[], state: State, avoided: string[], name: string, alphabet: Alphabet): string[] {
  const letters = new Set([alphabet.filler]);
  for (const [index, positions] of state) {
    for (const at of positions) {
      const part = globs[index].parts[at];
      if (part !== undefined && part !== '*' && part !== '?') letters.add(part);
    }
  }
  if (begins(avoided, name)) {
    // Exact keys are finitely many: among the letters no glob writes, one soon begins none of them.
    for (let other = unwritten(alphabet.written, 1, alphabet.filler); ; other = unwritten(alphabet.written, other.codePointAt(0)! + 1, alphabet.filler)) {
      if (!begins(avoided, name + other)) {
        letters.add(other);
        break;
      }
    }
  }
  return [...letters];
}

/** Past any `*` at `i`: a `*` may match nothing. */
function closure(parts: string[], i: number): number {
  while (parts[i] === '*') i++;
  return i;
}

/** Where a glob at `i` (past its stars) can be after one `letter`: a `*` just before `i` takes it and stays; a `?` or the same literal moves on. */
function stepsFrom(parts: string[], i: number, letter: string): number[] {
  const next: number[] = [];
  if (i > 0 && parts[i - 1] === '*') next.push(i);
  const part = parts[i];
  if (part === '?' || (part !== undefined && part === letter)) next.push(closure(parts, i + 1));
  return next;
}
