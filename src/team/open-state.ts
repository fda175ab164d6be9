// The state a gateway decides with: in Redis when given `--redis URL` (shared by every instance that
// names it), else in this process's memory, as a single proxy keeps it.
import { MemoryState } from './memory-state';
import type { RedisStateOptions } from './redis-state';
import type { TeamState } from './state';

export function openTeamState(options: { redis?: Omit<RedisStateOptions, 'log'>; log?: (message: string) => void } = {}): TeamState {
  if (!options.redis) return new MemoryState();
  // Loaded only with --redis: the Redis client is about 9 MB of a gateway's memory that one without it never needs.
  const { RedisState } = require('./redis-state') as typeof import('./redis-state');
  return new RedisState({ ...options.redis, ...(options.log ? { log: options.log } : {}) });
}
