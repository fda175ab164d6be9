// Sliding-window rate limiting: a call is allowed when fewer than `max` calls were allowed in the
// `windowMs` before it. No calendar buckets, so there is no double burst at a boundary.
// Each key keeps a ring of the last `max` allowed timestamps: O(1) per call, O(max) memory per key.

export type Acquired = { ok: true } | { ok: false; retryAfterMs: number };

interface Window {
  stamps: Float64Array;
  /** Index of the oldest stamp once the ring is full; the next write position. */
  head: number;
  count: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a call against `key` if it fits in the window; else says when a call would fit again. */
  tryAcquire(key: string, max: number, windowMs: number): Acquired {
    const now = this.now();
    const window = this.windowFor(key, max);
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
    for (const key of this.windows.keys()) if (key.endsWith(suffix)) this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  private windowFor(key: string, max: number): Window {
    const existing = this.windows.get(key);
    if (existing && existing.stamps.length === max) return existing;
    const window: Window = { stamps: new Float64Array(max), head: 0, count: 0 };
    if (existing) {
      // The limit changed (a policy reload): keep the most recent calls that still fit.
      const kept = Math.min(existing.count, max);
      const size = existing.stamps.length;
      for (let i = 0; i < kept; i++) {
        window.stamps[i] = existing.stamps[(existing.head + existing.count - kept + i) % size];
      }
      window.count = kept;
    }
    this.windows.set(key, window);
    return window;
  }
}
