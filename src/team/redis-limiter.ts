// Rate-limit counts in Redis: the decisions asked for in one turn of the event loop go to Redis as one
// script call (redis-scripts.ts ACQUIRE), which decides each in order, atomically. A batch costs Redis
// and this process about what one decision did, so many calls in flight cost little more than one.
import { randomBytes } from 'node:crypto';
import type { Acquired } from '../policy/rate-limiter';
import type { ScriptedRedis } from './redis-state';

interface Asked {
  key: string;
  max: number;
  windowMs: number;
  resolve: (acquired: Acquired) => void;
  reject: (error: unknown) => void;
}

/** Keeps one script call short: Redis runs nothing else meanwhile. */
const MAX_BATCH = 256;

export class RedisLimiter {
  private queue: Asked[] = [];
  private scheduled = false;
  /** Members of the windows' sets: unique across instances (random) and calls (a counter). */
  private readonly instance = randomBytes(6).toString('base64url');
  private sequence = 0;

  constructor(
    private readonly client: ScriptedRedis,
    private readonly keyPrefix: string,
    private readonly run: <T>(what: string, operation: () => Promise<T>) => Promise<T>,
  ) {}

  tryAcquire(key: string, max: number, windowMs: number): Promise<Acquired> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key: this.keyPrefix + key, max, windowMs: Math.ceil(windowMs), resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) this.send(this.queue.splice(0, MAX_BATCH));
  }

  private send(batch: Asked[]): void {
    const keys = batch.map((asked) => asked.key);
    const args: (string | number)[] = [];
    for (const asked of batch) args.push(asked.max, asked.windowMs, `${this.instance}:${(this.sequence = (this.sequence + 1) % Number.MAX_SAFE_INTEGER)}`);
    this.run('rate limit', () => this.client.wardenAcquire(keys.length, ...keys, ...args)).then(
      (results) => batch.forEach((asked, i) => asked.resolve(Number(results[i]) === 0 ? { ok: true } : { ok: false, retryAfterMs: Number(results[i]) })),
      (error: unknown) => batch.forEach((asked) => asked.reject(error)),
    );
  }
}
