// The state a gateway decides with: in Redis when given `--redis URL` (shared by every instance that
// names it), else in this process's memory, as a single proxy keeps it.
import { MemoryState } from './memory-state';
import { RedisState, type RedisStateOptions } from './redis-state';
import type { TeamState } from './state';

export function openTeamState(options: { redis?: Omit<RedisStateOptions, 'log'>; log?: (message: string) => void } = {}): TeamState {
  return options.redis ? new RedisState({ ...options.redis, ...(options.log ? { log: options.log } : {}) }) : new MemoryState();
}
