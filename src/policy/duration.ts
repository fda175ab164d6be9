// Rate-limit windows: a number of seconds, or a string such as 500ms, 30s, 5m, 1h, 1d.

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/;

export const DURATION_HELP = 'use a number of seconds (60) or a duration such as 30s, 5m, 1h or 1d';

/** Seconds in a duration, or undefined when the value is not a positive duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]];
  return seconds > 0 ? seconds : undefined;
}

/** A short human form of a number of seconds: 60 -> "60s", 3600 -> "1h". */
export function formatSeconds(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}
