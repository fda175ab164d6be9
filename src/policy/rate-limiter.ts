// Sliding-window rate limiting: a call is allowed when fewer than `max` calls were allowed in the
// `windowMs` before it. No calendar buckets, so there is no double burst at a boundary.
// Each key keeps a ring of the last `max` allowed timestamps: O(1) per call, O(max) memory per key.
//
// Keys come from callers (a conversation id per call), so what is held is bounded two ways: a window whose
// calls have all left it counts nothing and is freed by a sweep that looks at a few windows per call (no
// timer per window); and each scope holds at most MAX_WINDOWS_PER_SCOPE windows: a call that would need
// one more is refused (never counted in a window that could be dropped, so no limit is ever loosened).

export type Acquired = { ok: true } | { ok: false; retryAfterMs: number; full?: { windows: number } };

interface Window {
  stamps: Float64Array;
  /** Index of the oldest stamp once the ring is full; the next write position. */
  head: number;
  count: number;
  /** The longest window the key was counted with: its stamps matter until they are older than this. */
  windowMs: number;
  scope: string;
}

/** Live windows one scope may hold (e.g. conversations with a `scope: session` limit counting at once). */
export const MAX_WINDOWS_PER_SCOPE = 10_000;
/**
 * Windows looked at on each call, more than the one a call can add: a round of the sweep over N windows
 * takes N/3 calls, so expired windows held are at most a third of the live ones.
 */
const SWEEP_PER_CALL = 4;
/** Windows looked at before refusing a call at the cap (bounded: a flood at the cap costs no more per call). */
const SWEEP_AT_CAP = 32;

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  /** Where the sweep goes on from (a Map's iterator sees entries added and deleted after it was made). */
  private cursor = this.windows.entries();
  private readonly perScope = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxWindowsPerScope = MAX_WINDOWS_PER_SCOPE,
  ) {}

  /**
   * Counts a call against `key` if it fits in the window; else says when a call would fit again, or that
   * `scope` holds as many windows as it may (`full`).
   */
  tryAcquire(key: string, max: number, windowMs: number, scope = ''): Acquired {
    const now = this.now();
    this.sweep(now, SWEEP_PER_CALL);
    const window = this.windowFor(key, max, windowMs, scope, now);
    if (!window) return { ok: false, retryAfterMs: windowMs, full: { windows: this.maxWindowsPerScope } };
    if (window.count < max) {
      window.stamps[(window.head + window.count) % max] = now;
      window.count++;
      return { ok: true };
    }
    const oldest = window.stamps[window.head];
    if (now - oldest >= windowMs) {
      window.stamps[window.head] = now;
      window.head = (window.head + 1) % max;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(oldest + windowMs - now)) };
  }

  /** Drops the windows whose key ends with `suffix` (e.g. a session that ended). */
  forget(suffix: string): void {
    for (const [key, window] of this.windows) if (key.endsWith(suffix)) this.drop(key, window);
  }

  /** Windows held (live, or expired and not yet swept). */
  get size(): number {
    return this.windows.size;
  }

  private windowFor(key: string, max: number, windowMs: number, scope: string, now: number): Window | undefined {
    const existing = this.windows.get(key);
    if (existing && existing.stamps.length === max) {
      existing.windowMs = Math.max(existing.windowMs, windowMs);
      return existing;
    }
    if (!existing && !this.roomIn(scope, now)) return undefined;
    const window: Window = { stamps: new Float64Array(max), head: 0, count: 0, windowMs, scope };
    if (existing) {
      // The limit changed (a policy reload): keep the most recent calls that still fit.
      const kept = Math.min(existing.count, max);
      const size = existing.stamps.length;
      for (let i = 0; i < kept; i++) {
        window.stamps[i] = existing.stamps[(existing.head + existing.count - kept + i) % size];
      }
      window.count = kept;
      window.windowMs = Math.max(existing.windowMs, windowMs);
      this.drop(key, existing);
    }
    this.windows.set(key, window);
    this.perScope.set(scope, (this.perScope.get(scope) ?? 0) + 1);
    return window;
  }

  /** Whether `scope` may hold one more window, after freeing a few expired ones when it is at its cap. */
  private roomIn(scope: string, now: number): boolean {
    if ((this.perScope.get(scope) ?? 0) < this.maxWindowsPerScope) return true;
    this.sweep(now, SWEEP_AT_CAP);
    return (this.perScope.get(scope) ?? 0) < this.maxWindowsPerScope;
  }

  /** Looks at the next `count` windows after the cursor (round and round), freeing the expired ones. */
  private sweep(now: number, count: number): void {
    for (let i = Math.min(count, this.windows.size); i > 0; i--) {
      let next = this.cursor.next();
      if (next.done) next = (this.cursor = this.windows.entries()).next();
      if (next.done) return;
      const [key, window] = next.value;
      if (expired(window, now)) this.drop(key, window);
    }
  }

  private drop(key: string, window: Window): void {
    this.windows.delete(key);
    const left = (this.perScope.get(window.scope) ?? 1) - 1;
    if (left > 0) this.perScope.set(window.scope, left);
    else this.perScope.delete(window.scope);
  }
}

/** Every call counted in the window has left it: the window counts nothing any more. */
function expired(window: Window, now: number): boolean {
  if (window.count === 0) return true;
  const newest = window.stamps[(window.head + window.count - 1) % window.stamps.length];
  return now - newest >= window.windowMs;
}
