// One tool name for each way a set of globs can tell names apart. A name that is not an exact rule key
// is decided by the globs that match it (the most specific, then the first written), so two names
// matched by the same globs are decided alike by every policy made of those globs. Walking all the
// globs at once (a product of their automata, built as it is explored) reaches every set of globs some
// name matches, with a shortest such name: trying those names tries every decision the globs can give.

/** A letter no glob writes: a control character, which real tool names do not hold. */
const FILLER = '\u0001';

export interface GlobRegions {
  /** A name matched by exactly this set of globs, for every set some name is matched by. */
  names: string[];
}

/**
 * A name per set of matching globs (none when no glob matches: the empty set is a set too), each not
 * one of `avoid` (exact rule keys, decided by their rule) when another name with the same globs was
 * reached. Undefined when exploring would cost more than `budget` steps (glob positions visited).
 */
export function globRegions(patterns: readonly string[], avoid: ReadonlySet<string>, budget = 500_000): GlobRegions | undefined {
  const globs = [...new Set(patterns)].map((pattern) => Array.from(pattern));
  // The filler first: names made of it are the least likely to be exact rule keys.
  const letters = [FILLER, ...new Set(globs.flat().filter((ch) => ch !== '*' && ch !== '?'))];
  // A name that begins an exact key may lead only to exact keys; a state it reached is walked again by a name that does not.
  const avoided = [...avoid].sort();
  const risky = (name: string) => {
    let low = 0;
    let high = avoided.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (avoided[middle] < name) low = middle + 1;
      else high = middle;
    }
    return low < avoided.length && avoided[low].startsWith(name);
  };

  // A state: for each live glob, the positions it may be at (past any `*`). Globs that can no longer match are left out.
  type State = Map<number, number[]>;
  const start: State = new Map(globs.map((glob, index) => [index, [closure(glob, 0)]]));
  const keyOf = (state: State) => [...state].map(([index, positions]) => `${index}:${positions.join(',')}`).join(';');
  const matchedBy = (state: State) => [...state].filter(([index, positions]) => positions.includes(globs[index].length)).map(([index]) => index).join(',');

  // State -> whether a name that begins no exact key reached it.
  const seen = new Map([[keyOf(start), !risky('')]]);
  const queue: { state: State; name: string }[] = [{ state: start, name: '' }];
  const found = new Map<string, string>();
  let steps = 0;
  for (let head = 0; head < queue.length; head++) {
    const { state, name } = queue[head];
    const matched = matchedBy(state);
    const known = found.get(matched);
    if (known === undefined || (avoid.has(known) && !avoid.has(name))) found.set(matched, name);
    for (const letter of letters) {
      const next: State = new Map();
      for (const [index, positions] of state) {
        steps += positions.length;
        const moved = positions.length === 1 ? stepsFrom(globs[index], positions[0], letter) : [...new Set(positions.flatMap((at) => stepsFrom(globs[index], at, letter)))].sort((a, b) => a - b);
        if (moved.length > 0) next.set(index, moved);
      }
      if (steps > budget) return undefined;
      const key = keyOf(next);
      const nextName = name + letter;
      const safe = !risky(nextName);
      const reached = seen.get(key);
      if (reached === true || (reached === false && !safe)) continue;
      seen.set(key, safe);
      queue.push({ state: next, name: nextName });
    }
  }
  return { names: [...found.values()] };
}

/** Past any `*` at `i`: a `*` may match nothing. */
function closure(glob: string[], i: number): number {
  while (glob[i] === '*') i++;
  return i;
}

/** Where a glob at `i` (past its stars) can be after one `letter`: a `*` just before `i` takes it and stays; a `?` or the same literal moves on. */
function stepsFrom(glob: string[], i: number, letter: string): number[] {
  const next: number[] = [];
  if (i > 0 && glob[i - 1] === '*') next.push(i);
  const part = glob[i];
  if (part === '?' || (part !== undefined && part === letter)) next.push(closure(glob, i + 1));
  return next;
}
