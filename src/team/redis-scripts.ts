// The Lua scripts the Redis store runs: each is one atomic step, so instances that share a Redis see
// one order of events. Time is Redis's own clock (TIME), never an instance's: instances whose clocks
// differ still count the same window and expire approvals at the same moment.

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Sliding-window decisions, several at once (a batch of one is the common case when calls are few).
 * KEYS[i]: a window's sorted set (one member per allowed call, scored by its time). ARGV, three per key:
 * max, window in ms, a member unique to that call. Returns one number per key: 0 when the call fits (it
 * is counted), else the ms until a call would fit. Each set holds at most `max` members. Decisions run
 * in order, each atomic: the same key twice in a batch counts twice.
 */
export const ACQUIRE = `${NOW}
local out = {}
for i = 1, #KEYS do
  local max = tonumber(ARGV[i * 3 - 2])
  local window = tonumber(ARGV[i * 3 - 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) < max then
    redis.call('ZADD', KEYS[i], now, ARGV[i * 3])
    redis.call('PEXPIRE', KEYS[i], window)
    out[i] = 0
  else
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    out[i] = math.max(1, tonumber(oldest[2]) + window - now)
  end
end
return out
`;

/** KEYS[1]: the session's grants (a hash of tool -> until). ARGV: the tool's field, ttl in ms. */
export const GRANT = `${NOW}
local ttl = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], now + ttl)
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`;

/** KEYS[1]: the session's grants. ARGV[1]: the tool's field. 1 while the grant lasts. */
export const HAS_GRANT = `${NOW}
local untilMs = redis.call('HGET', KEYS[1], ARGV[1])
if untilMs and tonumber(untilMs) > now then return 1 end
return 0
`;

/**
 * A new pending approval. KEYS[1]: its hash, KEYS[2]: the index of pending ids. ARGV: id, request JSON,
 * ttl in ms, how long the record outlives its expiry. Returns {createdAt, expiresAt}.
 */
export const CREATE_APPROVAL = `${NOW}
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'request', ARGV[2], 'createdAt', now, 'expiresAt', now + ttl, 'state', 'pending')
redis.call('PEXPIRE', KEYS[1], ttl + tonumber(ARGV[4]))
redis.call('ZADD', KEYS[2], now, ARGV[1])
return {now, now + ttl}
`;

/**
 * An answer: taken only while the call is pending and unexpired (the first answer wins). KEYS[1]: its
 * hash, KEYS[2]: the index. ARGV: id, answer JSON, the channel to announce it on. 1 taken, 0 not.
 */
export const ANSWER_APPROVAL = `${NOW}
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
if tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) <= now then
  redis.call('HSET', KEYS[1], 'state', 'expired')
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'answered', 'answer', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[1])
return 1
`;

/**
 * The asking instance is done waiting (expiry, withdrawal): a call still pending is closed with the
 * denial given, so no later answer is taken. KEYS as for ANSWER_APPROVAL; ARGV: id, denial JSON.
 * Returns the answer that stands (the denial, or an answer given just before).
 */
export const CLOSE_APPROVAL = `
local state = redis.call('HGET', KEYS[1], 'state')
redis.call('ZREM', KEYS[2], ARGV[1])
if state == 'answered' then return redis.call('HGET', KEYS[1], 'answer') end
if state then redis.call('HSET', KEYS[1], 'state', 'closed', 'answer', ARGV[2]) end
return ARGV[2]
`;
