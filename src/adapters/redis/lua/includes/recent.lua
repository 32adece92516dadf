-- calls:recent:<remote>: hash call id -> JSON {callId, direction, claimedBy, answered, answeredBy?,
-- startedAt, answeredAt?, legs, endedAt, expiresAt} of the calls that ended for this remote: late
-- events of a call that is over (includes/legs.lua isLateEventOf), and a blind transfer continuing
-- one, find it here. Records written before late joins have no claimedBy and legs.
-- Needs includes/expiry.lua.

local function recentCall(key, callId, now)
  local json = redis.call('HGET', key, callId)
  if not json then return nil end
  local recent = cjson.decode(json)
  if recent.expiresAt <= now then return nil end
  return recent
end

-- The call that ended last for the remote, among those not expired at `now`.
local function latestRecent(key, now)
  local flat = redis.call('HGETALL', key)
  local latest = nil
  for i = 2, #flat, 2 do
    local recent = cjson.decode(flat[i])
    if recent.expiresAt > now and (latest == nil or recent.endedAt > latest.endedAt) then latest = recent end
  end
  return latest
end

-- Upserts the ended call like the embedded store's cs_recent: answered never goes back to false,
-- the first answer time, start and claimant are kept. The call ended at the latest end of its legs
-- (call.lastEndAt), and the later end is kept (a call reopened by a late leg can end again at an
-- earlier event time). Fields expired at the wall clock are dropped.
local function rememberEnded(key, call, ttl, clock)
  local endedAt = call.lastEndAt
  local previousJson = redis.call('HGET', key, call.callId)
  local previous = {}
  if previousJson then previous = cjson.decode(previousJson) end
  local recent = {
    callId = call.callId,
    direction = previous.direction or call.direction,
    claimedBy = previous.claimedBy or call.claimedBy,
    answered = call.answered or previous.answered == true,
    answeredBy = call.answeredBy or previous.answeredBy,
    startedAt = previous.startedAt or call.startedAt,
    answeredAt = previous.answeredAt or call.answeredAt,
    legs = call.legs,
    endedAt = math.max(previous.endedAt or endedAt, endedAt),
    expiresAt = math.max(previous.expiresAt or 0, endedAt + ttl),
  }
  redis.call('HSET', key, call.callId, cjson.encode(recent))
  extendExpiry(key, recent.expiresAt)
  local flat = redis.call('HGETALL', key)
  for i = 1, #flat, 2 do
    if cjson.decode(flat[i + 1]).expiresAt <= clock then redis.call('HDEL', key, flat[i]) end
  end
  return recent
end
