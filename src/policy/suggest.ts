// "Did you mean": the candidates closest to a misspelling.

export function editDistance(a: string, b: string): number {
  return boundedEditDistance(a, b, Math.max(a.length, b.length));
}

// Two rows of the distance table, reused: a policy with hundreds of unknown tools asks for thousands of distances.
let previous = new Uint32Array(64);
let current = new Uint32Array(64);

/** The edit distance of `a` and `b` when it is at most `max`; otherwise some number above `max`, found early. */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (previous.length <= b.length) {
    previous = new Uint32Array(b.length + 1);
    current = new Uint32Array(b.length + 1);
  }
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1; // every later row is at least this far
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/** Candidates within a third of the word's length (at least 1, case ignored), closest first (ties in their order). */
export function closestMatches(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = word.toLowerCase();
  const budget = Math.max(1, Math.floor(word.length / 3));
  // The best `limit` so far, kept in order: a policy naming hundreds of unknown tools asks this for each.
  const found: string[] = [];
  const distances: number[] = [];
  for (const candidate of candidates) {
    const distance = boundedEditDistance(lower, candidate.toLowerCase(), budget);
    if (distance > budget) continue;
    let at = found.length;
    while (at > 0 && distances[at - 1]! > distance) at--;
    if (at >= limit) continue;
    // Insert at `at` by shifting (splice would allocate an array of the removed items on every call).
    if (found.length < limit) {
      found.push(candidate);
      distances.push(distance);
    }
    for (let i = found.length - 1; i > at; i--) {
      found[i] = found[i - 1]!;
      distances[i] = distances[i - 1]!;
    }
    found[at] = candidate;
    distances[at] = distance;
  }
  return found;
}
