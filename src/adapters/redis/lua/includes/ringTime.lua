-- calls:ring:<call_id> and calls:ring_remote:<remote>: hashes {at, expires_at} (+ call_id for the
-- remote). The call keeps its first ring time; the remote follows the newest call.

local function keepRingTime(key, at, now, ttl)
  local expiresAt = tonumber(redis.call('HGET', key, 'expires_at'))
  if expiresAt and expiresAt > now then return end
  redis.call('HSET', key, 'at', at, 'expires_at', now + ttl)
  redis.call('PEXPIREAT', key, now + ttl)
end

local function followRingRemote(key, callId, at, now, ttl)
  local v = redis.call('HMGET', key, 'call_id', 'expires_at')
  local expiresAt = tonumber(v[2])
  if v[1] == callId and expiresAt and expiresAt > now then return end
  redis.call('HSET', key, 'call_id', callId, 'at', at, 'expires_at', now + ttl)
  redis.call('PEXPIREAT', key, now + ttl)
end
