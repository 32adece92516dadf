-- calls:active:<remote>: the live call as a hash, the fields of legs.ts LiveCall:
--   claimed_call_id, remote, direction, claimed_by, timestamp (start, ms), answered ('1'/'0'),
--   answered_by, answered_at (absent until answered), legs (JSON object mac -> leg),
--   transfer (fingerprint JSON, absent when none), expires_at (ms; the key's PEXPIREAT too),
--   last_end_at (latest event time a leg ended, ms; absent until one did: legs.ts LiveCall.lastEndAt).
-- Expiry is decided against the caller's `now`, so a claim can be seen to expire before Redis drops it.
-- Needs includes/expiry.lua.

local function readCall(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  local f = {}
  for i = 1, #flat, 2 do f[flat[i]] = flat[i + 1] end
  local transfer = nil
  if f.transfer then transfer = cjson.decode(f.transfer) end
  return {
    callId = f.claimed_call_id, remote = f.remote, direction = f.direction, claimedBy = f.claimed_by,
    startedAt = tonumber(f.timestamp), answered = f.answered == '1', answeredBy = f.answered_by,
    answeredAt = tonumber(f.answered_at), legs = cjson.decode(f.legs), transfer = transfer,
    expiresAt = tonumber(f.expires_at), lastEndAt = tonumber(f.last_end_at),
  }
end

-- The live call at `now`; a claim expired at `now` is dropped on the way (as the embedded store does).
local function liveCall(key, now)
  local call = readCall(key)
  if call and call.expiresAt <= now then
    redis.call('DEL', key)
    return nil
  end
  return call
end

local function freshCall(remote, callId, mac, direction, now, ringTtl)
  return {
    callId = callId, remote = remote, direction = direction, claimedBy = mac, startedAt = now,
    answered = false, answeredBy = nil, answeredAt = nil, legs = {}, transfer = nil, expiresAt = now + ringTtl,
  }
end

local function saveCall(key, call)
  local fields = {
    'claimed_call_id', call.callId, 'remote', call.remote, 'direction', call.direction, 'claimed_by', call.claimedBy,
    'timestamp', call.startedAt, 'answered', call.answered and '1' or '0',
    -- An empty Lua table encodes as {} (an object), which is what legs must be.
    'legs', cjson.encode(call.legs), 'expires_at', call.expiresAt,
  }
  if call.answeredBy then table.insert(fields, 'answered_by') table.insert(fields, call.answeredBy) end
  if call.answeredAt then table.insert(fields, 'answered_at') table.insert(fields, call.answeredAt) end
  if call.transfer then table.insert(fields, 'transfer') table.insert(fields, cjson.encode(call.transfer)) end
  if call.lastEndAt then table.insert(fields, 'last_end_at') table.insert(fields, call.lastEndAt) end
  redis.call('DEL', key)
  redis.call('HSET', key, unpack(fields))
  redis.call('PEXPIREAT', key, call.expiresAt)
end

-- calls:device_reported:<mac>:<remote>: hash call_id, event_id, expires_at.
local function reportedCall(key, now)
  local v = redis.call('HMGET', key, 'call_id', 'event_id', 'expires_at')
  local expiresAt = tonumber(v[3])
  if not v[1] or not expiresAt or expiresAt <= now then return nil end
  return { callId = v[1], eventId = v[2] }
end

local function markReported(key, callId, eventId, expiresAt)
  redis.call('HSET', key, 'call_id', callId, 'event_id', eventId, 'expires_at', expiresAt)
  redis.call('PEXPIREAT', key, expiresAt)
end
