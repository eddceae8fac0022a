// The history store's Lua scripts. Each runs atomically on the Redis node that holds the channel (both
// keys share a hash tag), so the serial counter, the entry and the trim of one append can never be
// interleaved with another append, a read, a reset or a purge of that channel, from any node.
//
// Retained entries are always the consecutive serials oldest..newest (only XTRIM MINID removes, from
// the old end), and their times never decrease, so "the first serial at or after a time" is a binary
// search and the bytes of any run of entries follow from the running total `c` each entry carries.

/** Shared functions: the Redis clock, entry access, the channel's state and the trim. */
const PRELUDE = `
local function fmt(n) return string.format('%d', n) end
local function now_ms()
  local clock = redis.call('TIME')
  return tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
end
local function fields(entry)
  local f = {}
  local list = entry[2]
  for i = 1, #list, 2 do f[list[i]] = list[i + 1] end
  return f
end
local function serial_of(entry) return tonumber(string.match(entry[1], '^(%d+)')) end
local function first_entry(key) return redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1] end
local function last_entry(key) return redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1] end
local function fields_at(key, serial)
  local id = fmt(serial) .. '-0'
  return fields(redis.call('XRANGE', key, id, id)[1])
end
-- The first serial in lo..hi whose fields satisfy pred (false up to some serial, true from it on), or hi + 1.
local function first_where(key, lo, hi, pred)
  local low, high = lo, hi + 1
  while low < high do
    local mid = math.floor((low + high) / 2)
    if pred(fields_at(key, mid)) then high = mid else low = mid + 1 end
  end
  return low
end
-- {stream id, next serial, count, bytes, oldest serial, newest serial, oldest time, newest time}; false for none.
local function state(meta, entries)
  local sid = redis.call('HGET', meta, 'sid')
  if not sid then return {false, false, 0, 0, false, false, false, false} end
  local next_serial = tonumber(redis.call('HGET', meta, 'next'))
  local first = first_entry(entries)
  if not first then return {sid, next_serial, 0, 0, false, false, false, false} end
  local last = last_entry(entries)
  local ff, lf = fields(first), fields(last)
  local oldest, newest = serial_of(first), serial_of(last)
  local bytes = tonumber(lf.c) - tonumber(ff.c) + tonumber(ff.n)
  return {sid, next_serial, newest - oldest + 1, bytes, oldest, newest, tonumber(ff.t), tonumber(lf.t)}
end
-- Drops what is older than win seconds, then beyond maxm messages, then beyond maxb bytes (0 = no bound);
-- the count and byte bounds never drop the newest message.
local function trim(entries, now, win, maxm, maxb)
  local first = first_entry(entries)
  if not first then return end
  local last = last_entry(entries)
  local oldest, newest = serial_of(first), serial_of(last)
  local low = oldest
  local cutoff = now - win * 1000
  if tonumber(fields(first).t) < cutoff then
    low = first_where(entries, oldest, newest, function(f) return tonumber(f.t) >= cutoff end)
  end
  if maxm > 0 and newest - low + 1 > maxm then low = newest - maxm + 1 end
  if maxb > 0 and low < newest then
    local total = tonumber(fields(last).c)
    local kept = function(f) return total - tonumber(f.c) + tonumber(f.n) <= maxb end
    if not kept(fields_at(entries, low)) then
      low = math.min(first_where(entries, low, newest, kept), newest)
    end
  end
  if low > oldest then redis.call('XTRIM', entries, 'MINID', fmt(low) .. '-0') end
end
-- Applies the window of the channel's last append, as reads do.
local function expire(meta, entries)
  local win = redis.call('HGET', meta, 'win')
  if win then trim(entries, now_ms(), tonumber(win), 0, 0) end
end
`;

/**
 * KEYS: meta, entries. ARGV: a fresh stream id (used when the channel has none), payload, operation kind,
 * window seconds, max messages (0 = none), max bytes (0 = none), event name, whether it is given ('1'),
 * message id, whether it is given ('1').
 * Returns {stream id, serial, published at ms}.
 */
export const APPEND = `${PRELUDE}
local now = now_ms()
local sid = redis.call('HGET', KEYS[1], 'sid')
if not sid then
  sid = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'sid', sid, 'next', 1, 'total', 0, 'last', 0)
end
local serial = redis.call('HINCRBY', KEYS[1], 'next', 1) - 1
local t = math.max(now, tonumber(redis.call('HGET', KEYS[1], 'last') or '0'))
local size = #ARGV[2]
local total = redis.call('HINCRBY', KEYS[1], 'total', size)
local args = {KEYS[2], fmt(serial) .. '-0', 't', fmt(t), 'n', size, 'c', fmt(total), 'o', ARGV[3], 'p', ARGV[2]}
if ARGV[8] == '1' then args[#args + 1] = 'e'; args[#args + 1] = ARGV[7] end
if ARGV[10] == '1' then args[#args + 1] = 'm'; args[#args + 1] = ARGV[9] end
redis.call('XADD', unpack(args))
redis.call('HSET', KEYS[1], 'last', fmt(t), 'win', ARGV[4])
trim(KEYS[2], now, tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))
-- Once the newest message has outlived the window nothing is left: the channel's keys go too.
local ttl = math.ceil(tonumber(ARGV[4]) * 1000)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return {sid, serial, t}
`;

/**
 * KEYS: meta, entries. ARGV: 'oldest_first' or 'newest_first', limit, cursor serial, start serial,
 * end serial, start time, end time ('' when not given).
 * Returns {state, entries in direction order, 1 when more match}.
 */
export const READ = `${PRELUDE}
expire(KEYS[1], KEYS[2])
local st = state(KEYS[1], KEYS[2])
if st[3] == 0 then return {st, {}, 0} end
local oldest_first = ARGV[1] == 'oldest_first'
local limit = tonumber(ARGV[2])
local cursor, start_serial, end_serial = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local start_time, end_time = tonumber(ARGV[6]), tonumber(ARGV[7])
local lo, hi = st[5], st[6]
if start_serial then lo = math.max(lo, start_serial) end
if end_serial then hi = math.min(hi, end_serial) end
if start_time and lo <= hi then
  lo = first_where(KEYS[2], lo, hi, function(f) return tonumber(f.t) >= start_time end)
end
if end_time and lo <= hi then
  hi = first_where(KEYS[2], lo, hi, function(f) return tonumber(f.t) > end_time end) - 1
end
if cursor then
  if oldest_first then lo = math.max(lo, cursor + 1) else hi = math.min(hi, cursor - 1) end
end
local matching = math.max(0, hi - lo + 1)
local take = math.min(matching, limit)
local items = {}
if take > 0 then
  if oldest_first then
    items = redis.call('XRANGE', KEYS[2], fmt(lo) .. '-0', fmt(lo + take - 1) .. '-0')
  else
    items = redis.call('XREVRANGE', KEYS[2], fmt(hi) .. '-0', fmt(hi - take + 1) .. '-0')
  end
end
local more = 0
if matching > limit then more = 1 end
return {st, items, more}
`;

/** KEYS: meta, entries. Returns the state (after dropping what outlived the window). */
export const STATE = `${PRELUDE}
expire(KEYS[1], KEYS[2])
return state(KEYS[1], KEYS[2])
`;

/**
 * KEYS: meta, entries. ARGV: the new stream id, the window (seconds) the meta key expires after when the
 * channel has none of its own. Returns {previous stream id, purged messages, purged bytes, state}.
 */
export const RESET = `${PRELUDE}
expire(KEYS[1], KEYS[2])
local before = state(KEYS[1], KEYS[2])
local win = redis.call('HGET', KEYS[1], 'win') or ARGV[2]
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'sid', ARGV[1], 'next', 1, 'total', 0, 'last', 0, 'win', win)
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(win) * 1000))
return {before[1], before[3], before[4], state(KEYS[1], KEYS[2])}
`;

/**
 * KEYS: meta, entries. ARGV: 'all', 'before_serial' or 'before_time_ms', and the serial or time.
 * Returns {purged messages, purged bytes, state}.
 */
export const PURGE = `${PRELUDE}
expire(KEYS[1], KEYS[2])
local st = state(KEYS[1], KEYS[2])
if st[3] == 0 then return {0, 0, st} end
local oldest, newest = st[5], st[6]
local low
if ARGV[1] == 'all' then
  low = newest + 1
elseif ARGV[1] == 'before_serial' then
  low = math.min(tonumber(ARGV[2]), newest + 1)
else
  local before = tonumber(ARGV[2])
  low = first_where(KEYS[2], oldest, newest, function(f) return tonumber(f.t) >= before end)
end
if low <= oldest then return {0, 0, st} end
local first, cut = fields_at(KEYS[2], oldest), fields_at(KEYS[2], low - 1)
local bytes = tonumber(cut.c) - tonumber(first.c) + tonumber(first.n)
redis.call('XTRIM', KEYS[2], 'MINID', fmt(low) .. '-0')
return {low - oldest, bytes, state(KEYS[1], KEYS[2])}
`;
