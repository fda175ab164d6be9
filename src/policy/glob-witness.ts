// A tool name two globs both match, when there is one: the shortest, found by walking both globs at
// once. Two rules that both match a name may decide it differently once either changes (an allow glob
// written first wins a tie over a deny glob), so a comparison that tries only each glob's own names
// would miss the names they share.

/** How much walking one pair may cost (states times letters); past it, no name is found. */
const MAX_STEPS = 200_000;

/** A name both globs match, or undefined when none does (or finding one would cost too much). */
export function sharedName(a: string, b: string): string | undefined {
  const p = Array.from(a);
  const q = Array.from(b);
  // Letters worth trying: the globs' own literal characters, and one neither writes.
  const letters = [...new Set([...p, ...q].filter((ch) => ch !== '*' && ch !== '?')), '\u0001'];
  if ((p.length + 1) * (q.length + 1) * letters.length > MAX_STEPS) return undefined;

  const width = q.length + 1;
  const from = new Map<number, { previous: number; letter: string }>();
  const start = closure(p, 0) * width + closure(q, 0);
  const queue = [start];
  const seen = new Set([start]);
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head];
    const i = Math.floor(state / width);
    const j = state % width;
    if (i === p.length && j === q.length) return spell(from, state, start);
    for (const letter of letters) {
      for (const ni of steps(p, i, letter)) {
        for (const nj of steps(q, j, letter)) {
          const next = ni * width + nj;
          if (seen.has(next)) continue;
          seen.add(next);
          from.set(next, { previous: state, letter });
          queue.push(next);
        }
      }
    }
  }
  return undefined;
}

/** Past any `*` at `i`: a `*` may match nothing. Positions are kept past their stars. */
function closure(pattern: string[], i: number): number {
  while (pattern[i] === '*') i++;
  return i;
}

/**
 * Where the glob can be after reading `letter` from position `i` (already past its stars): a `*` just
 * before `i` may take it and stay; a `?` or the same literal moves on.
 */
function steps(pattern: string[], i: number, letter: string): number[] {
  const next: number[] = [];
  if (i > 0 && pattern[i - 1] === '*') next.push(i);
  const part = pattern[i];
  if (part === '?' || (part !== undefined && part === letter)) next.push(closure(pattern, i + 1));
  return [...new Set(next)];
}

function spell(from: Map<number, { previous: number; letter: string }>, state: number, start: number): string {
  const letters: string[] = [];
  while (state !== start) {
    const step = from.get(state)!;
    letters.push(step.letter);
    state = step.previous;
  }
  return letters.reverse().join('');
}
