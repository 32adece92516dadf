-- calls:answered: zset call id -> until when the call counts as answered (ms). wasAnswered looks a
-- call up by id alone, and a script only learns a call's id from calls:active:<remote>, so the
-- per-call answer lives in this one account-wide key instead of a key named by the call id.
-- Needs includes/expiry.lua.

local function pruneAnswered(key, clock)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', clock)
end

-- A live answered call counts as answered while its claim lives (the claim only ever lengthens).
local function keepAnswered(key, callId, untilAt, clock)
  redis.call('ZADD', key, 'GT', untilAt, callId)
  extendExpiry(key, untilAt)
  pruneAnswered(key, clock)
end

-- Once the call is over, it counts as answered for as long as its calls:recent entry lives.
local function settleAnswered(key, recent, clock)
  if recent.answered then
    redis.call('ZADD', key, recent.expiresAt, recent.callId)
    extendExpiry(key, recent.expiresAt)
  else
    redis.call('ZREM', key, recent.callId)
  end
  pruneAnswered(key, clock)
end
