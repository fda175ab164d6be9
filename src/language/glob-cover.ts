// Whether one tool-name glob matches every name another matches, decided on the patterns themselves:
// `*` in the covering glob may stand for any run of the other's symbols, `?` for one symbol that is not
// `*`, and a literal only for the same literal. A yes is always right; some covers of several
// wildcards in a row go unseen, which only means a missed warning.

export function globCovers(covering: string, covered: string): boolean {
  const a = [...covering];
  const b = [...covered];
  // can[i][j]: a[i..] covers b[j..]
  let next: boolean[] = new Array(b.length + 1).fill(false);
  next[b.length] = true;
  for (let i = a.length - 1; i >= 0; i--) {
    const current: boolean[] = new Array(b.length + 1).fill(false);
    for (let j = b.length; j >= 0; j--) {
      if (a[i] === '*') {
        // Absorb nothing, or b[j] and go on absorbing.
        current[j] = next[j] || (j < b.length && current[j + 1]);
      } else if (j < b.length) {
        const symbol = b[j];
        const matches = a[i] === '?' ? symbol !== '*' : symbol === a[i] && symbol !== '*' && symbol !== '?';
        current[j] = matches && next[j + 1];
      }
    }
    next = current;
  }
  return next[0];
}
