-- calls:event_result:<event_id>: hash <transition> -> result JSON, <transition>:expires_at -> ms.
-- A redelivered event gets exactly its first result back and changes nothing.
-- Needs includes/expiry.lua.

local function recalled(key, transition, now)
  local v = redis.call('HMGET', key, transition, transition .. ':expires_at')
  local expiresAt = tonumber(v[2])
  if v[1] and expiresAt and expiresAt > now then return v[1] end
  return nil
end

local function remember(key, transition, resultJson, now, ttl)
  redis.call('HSET', key, transition, resultJson, transition .. ':expires_at', now + ttl)
  extendExpiry(key, now + ttl)
  return resultJson
end
