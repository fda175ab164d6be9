// Connections to Redis that fail fast and heal themselves. A command is never queued while Redis is
// away (it rejects at once, and the caller refuses its call) and never waits longer than the timeout;
// meanwhile the client reconnects with a capped exponential backoff, saying so in the log once per
// outage and once when Redis is back.
import Redis, { type RedisOptions } from 'ioredis';
import { StateUnavailable } from './state';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  /** The most a command may take before it is given up on, in ms. Default 250. */
  timeoutMs?: number;
  /** The longest wait between reconnection attempts, in ms. Default 2000. */
  maxBackoffMs?: number;
  /** Where connection news goes (lost, reconnecting, back). Default: nowhere. */
  log?: (message: string) => void;
}

export const DEFAULT_TIMEOUT_MS = 250;

/** Where a URL points, without its password: what logs and reasons name. */
export function redisLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'redis (an unreadable URL)';
  }
}

/** The delay before reconnection attempt `attempt` (1, 2, …): doubling from 50 ms up to the cap, with jitter so instances do not reconnect in step. */
export function backoffMs(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 50 * 2 ** Math.min(attempt - 1, 16));
  return Math.round(base * (0.75 + 0.5 * random()));
}

export function openRedis(options: RedisConnectionOptions, role: string): Redis {
  const where = redisLocation(options.url);
  const log = options.log ?? (() => {});
  const maxBackoff = options.maxBackoffMs ?? 2000;
  let down = false;
  const settings: RedisOptions = {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // No commandTimeout: ioredis arms a timer per command, which halves throughput; Deadlines sweeps instead.
    connectTimeout: Math.max(1000, (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) * 4),
    enableAutoPipelining: true,
    // Reconnect for as long as it takes; every attempt's delay is logged with the first failure only.
    retryStrategy: (attempt) => {
      const delay = backoffMs(attempt, maxBackoff);
      if (attempt === 1 || attempt % 20 === 0) log(`redis (${role}) at ${where} unreachable; reconnecting in ${delay} ms (attempt ${attempt}, backing off up to ${maxBackoff} ms)`);
      return delay;
    },
    // A replica promoted, or a server that forgot our scripts: reconnect rather than answer wrongly.
    reconnectOnError: (error) => /READONLY|LOADING/.test(error.message),
  };
  const client = new Redis(options.url, settings);
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log(`redis (${role}) at ${where}: connection lost (${error.message}); calls that need it are refused until it is back`);
  });
  client.on('close', () => {
    if (!down) log(`redis (${role}) at ${where}: connection closed; calls that need it are refused until it is back`);
    down = true;
  });
  client.on('ready', () => {
    if (down) log(`redis (${role}) at ${where}: connected again`);
    down = false;
  });
  return client;
}

interface Pending {
  due: number;
  reject: (error: Error) => void;
}

class TimedOut extends Error {}

/**
 * Gives up on operations that take longer than `timeoutMs`: one sweep timer for all of them (a timer
 * per command costs more than the command), so an operation is given up between the timeout and a
 * fifth more. The command itself may still run on Redis later; its answer is then ignored.
 */
export class Deadlines {
  private readonly pending = new Set<Pending>();
  private timer?: NodeJS.Timeout;

  constructor(readonly timeoutMs: number) {}

  run<T>(operation: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { due: performance.now() + this.timeoutMs, reject };
      this.pending.add(entry);
      this.timer ??= setInterval(() => this.sweep(), Math.max(2, this.timeoutMs / 5)).unref();
      operation.then(
        (value) => {
          this.pending.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(entry);
          reject(error);
        },
      );
    });
  }

  private sweep(): void {
    const now = performance.now();
    for (const entry of this.pending) {
      if (entry.due > now) continue;
      this.pending.delete(entry);
      entry.reject(new TimedOut('timed out'));
    }
    if (this.pending.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/** Runs one Redis operation within the deadline; whatever goes wrong comes out as a StateUnavailable that names Redis and why. */
export async function guarded<T>(where: string, what: string, deadlines: Deadlines, operation: () => Promise<T>): Promise<T> {
  try {
    return await deadlines.run(operation());
  } catch (error) {
    throw new StateUnavailable(`${describe(error, deadlines.timeoutMs)} (redis at ${where}, ${what})`);
  }
}

function describe(error: unknown, timeoutMs: number): string {
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof TimedOut || /timed out/i.test(message)) return `Redis did not answer within ${timeoutMs} ms`;
  if (/enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|ETIMEDOUT|isn't writeable/i.test(message)) return 'Redis is unreachable';
  return `Redis failed: ${message}`;
}
