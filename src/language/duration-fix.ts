// The duration someone meant when writing one the policy does not accept: `60 sec`, `5 minutes`, `1hr`.
const UNITS: [RegExp, string][] = [
  [/^(ms|msecs?|millis(econds?)?)$/, 'ms'],
  [/^(s|secs?|seconds?)$/, 's'],
  [/^(m|mins?|minutes?)$/, 'm'],
  [/^(h|hrs?|hours?)$/, 'h'],
  [/^(d|days?)$/, 'd'],
];

export function suggestDuration(written: string): string | undefined {
  const match = /^["']?\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*["']?$/.exec(written.trim());
  if (!match || Number(match[1]) <= 0) return undefined;
  const unitText = match[2].toLowerCase() || 's';
  const unit = UNITS.find(([pattern]) => pattern.test(unitText))?.[1];
  const fixed = unit ? `${match[1]}${unit}` : undefined;
  return fixed && fixed !== written.trim() ? fixed : undefined;
}
