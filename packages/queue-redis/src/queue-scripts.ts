// The queue's Lua scripts. Each runs atomically on the Redis node that holds the queue, so two
// workers never claim the same job, and times come from that node's clock (TIME), not the workers'.
//
// A job id is in exactly one of wait, delayed or active at a time. Its `attempts` entry, incremented
// by each claim, is the lease's fencing token: a worker whose lease has lapsed and whose job was
// claimed again cannot complete, retry, fail or renew it any more. `defineScripts` registers them on a
// client as typed commands.

import type { Cluster, Redis } from 'ioredis';

/** Milliseconds on the Redis server's clock. */
const NOW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/** Removes a job from active or, if its lease lapsed meanwhile, from wait (the tail, where it went). */
const UNLEASE = `
local function unlease(active, wait, id)
  if redis.call('ZREM', active, id) == 0 then redis.call('LREM', wait, -1, id) end
end
`;

/**
 * KEYS: jobs, wait. ARGV: id, data, capacity (0 = none).
 * Returns 1, or 0 when the queue already holds `capacity` jobs.
 */
export const PUSH = `
local capacity = tonumber(ARGV[3])
if capacity > 0 and redis.call('HLEN', KEYS[1]) >= capacity then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('LPUSH', KEYS[2], ARGV[1])
return 1
`;

/**
 * KEYS: jobs, attempts, wait, delayed, active. ARGV: how many to claim, lease ms.
 * First returns jobs whose lease lapsed (their worker died) and retries that are due to the front of
 * wait, then claims up to ARGV[1] jobs: each goes into active with a lease and gets its attempt
 * counted. Returns a flat array id, data, attempts, id, data, attempts, ...
 */
export const CLAIM = `${NOW}
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, 100)
for i = 1, #lapsed do
  redis.call('ZREM', KEYS[5], lapsed[i])
  redis.call('RPUSH', KEYS[3], lapsed[i])
end
local due = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 100)
for i = 1, #due do
  redis.call('ZREM', KEYS[4], due[i])
  redis.call('RPUSH', KEYS[3], due[i])
end
local wanted = tonumber(ARGV[1])
local deadline = now + tonumber(ARGV[2])
local claimed = {}
local popped = 0
while popped < wanted + 100 and #claimed < wanted * 3 do
  local id = redis.call('RPOP', KEYS[3])
  if not id then break end
  popped = popped + 1
  local data = redis.call('HGET', KEYS[1], id)
  -- An id without data belongs to a job already completed; it is dropped here.
  if data then
    redis.call('ZADD', KEYS[5], deadline, id)
    local attempts = redis.call('HINCRBY', KEYS[2], id, 1)
    claimed[#claimed + 1] = id
    claimed[#claimed + 1] = data
    claimed[#claimed + 1] = attempts
  end
end
return claimed
`;

/** KEYS: jobs, attempts, active. ARGV: id, token. Deletes the job. Returns 0 when the lease was lost. */
export const COMPLETE = `
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

/** KEYS: attempts, active, wait, delayed. ARGV: id, token, delay ms. Returns 0 when the lease was lost. */
export const RETRY = `${NOW}${UNLEASE}
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
unlease(KEYS[2], KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[3]), ARGV[1])
return 1
`;

/**
 * KEYS: jobs, attempts, active, wait, dlq. ARGV: id, token, reason, queue name, dlq length (0 = no dlq).
 * Moves the job to the dead-letter list, which keeps only the newest entries. Returns 0 when the
 * lease was lost.
 */
export const FAIL = `${NOW}${UNLEASE}
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
local data = redis.call('HGET', KEYS[1], ARGV[1])
unlease(KEYS[3], KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
local keep = tonumber(ARGV[5])
if keep > 0 then
  -- The data is JSON already; it is embedded as is so numbers keep every digit.
  local entry = '{"id":' .. cjson.encode(ARGV[1]) .. ',"queue":' .. cjson.encode(ARGV[4])
    .. ',"attempts":' .. ARGV[2] .. ',"reason":' .. cjson.encode(ARGV[3])
    .. ',"failedAt":' .. string.format('%d', now) .. ',"data":' .. (data or 'null') .. '}'
  redis.call('LPUSH', KEYS[5], entry)
  redis.call('LTRIM', KEYS[5], 0, keep - 1)
end
return 1
`;

/** KEYS: attempts, active. ARGV: lease ms, then id, token pairs. Extends the leases still held. */
export const RENEW = `${NOW}
local deadline = now + tonumber(ARGV[1])
local renewed = 0
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    renewed = renewed + redis.call('ZADD', KEYS[2], 'XX', 'CH', deadline, ARGV[i])
  end
end
return renewed
`;

/**
 * KEYS: attempts, active, wait. ARGV: id, token pairs. Hands jobs still running at close() back to the
 * front of wait, so another instance takes them now rather than when their lease lapses.
 */
export const RELEASE = `
local released = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] and redis.call('ZREM', KEYS[2], ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[3], ARGV[i])
    released = released + 1
  end
end
return released
`;

/** The scripts as commands of a client, after {@link defineScripts}. */
export interface Scripts {
  sockudoQueuePush(jobs: string, wait: string, id: string, data: string, capacity: number): Promise<number>;
  sockudoQueueClaim(
    jobs: string,
    attempts: string,
    wait: string,
    delayed: string,
    active: string,
    count: number,
    leaseMs: number,
  ): Promise<Array<string | number>>;
  sockudoQueueComplete(
    jobs: string,
    attempts: string,
    active: string,
    id: string,
    token: number,
  ): Promise<number>;
  sockudoQueueRetry(
    attempts: string,
    active: string,
    wait: string,
    delayed: string,
    id: string,
    token: number,
    delayMs: number,
  ): Promise<number>;
  sockudoQueueFail(
    jobs: string,
    attempts: string,
    active: string,
    wait: string,
    dlq: string,
    id: string,
    token: number,
    reason: string,
    queue: string,
    keep: number,
  ): Promise<number>;
  sockudoQueueRenew(
    attempts: string,
    active: string,
    leaseMs: number,
    ...idTokenPairs: Array<string | number>
  ): Promise<number>;
  sockudoQueueRelease(
    attempts: string,
    active: string,
    wait: string,
    ...idTokenPairs: Array<string | number>
  ): Promise<number>;
}

/** Registers the scripts on `client` (EVALSHA, loaded on first use) and returns it typed. */
export function defineScripts(client: Redis | Cluster): Scripts {
  const define = (name: string, numberOfKeys: number, lua: string) => {
    // Defining twice (a shared client used by two queues) is harmless: same name, same script.
    client.defineCommand(name, { numberOfKeys, lua });
  };
  define('sockudoQueuePush', 2, PUSH);
  define('sockudoQueueClaim', 5, CLAIM);
  define('sockudoQueueComplete', 3, COMPLETE);
  define('sockudoQueueRetry', 4, RETRY);
  define('sockudoQueueFail', 5, FAIL);
  define('sockudoQueueRenew', 2, RENEW);
  define('sockudoQueueRelease', 3, RELEASE);
  return client as unknown as Scripts;
}
