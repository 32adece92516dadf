--[[
  legEnded: hangup, missed or rejected on one device (CallStateStore.legEnded), as one atomic
  step: ends the device's leg; when the logical call is over (includes/legs.lua callIsOver) the
  claim is released and the call is kept in calls:recent:<remote> for late events (with its legs,
  so that a late leg can make it live again; includes/recent.lua rememberEnded).
  Port of SqliteCallStateStore.legEnded.

  Version: 2

  Input:
    KEYS[1]  calls:active:<remote>
    KEYS[2]  calls:recent:<remote>
    KEYS[3]  calls:answered

    ARGV[1]  mac of the device
    ARGV[2]  now (ms): expiry is decided against it
    ARGV[3]  wall clock of the caller (ms), for housekeeping only
    ARGV[4]  TTL_MS of ttl.ts as JSON

  Output: LegEndedResult as JSON, or nil when the remote has neither a live nor a recent call.
]]
--- @include "expiry"
--- @include "call"
--- @include "legs"
--- @include "recent"
--- @include "answered"

local mac = ARGV[1]
local now, clock = tonumber(ARGV[2]), tonumber(ARGV[3])
local ttl = cjson.decode(ARGV[4])

local function result(call, callEnded, late)
  return cjson.encode({
    callId = call.callId, direction = call.direction, answered = call.answered, answeredBy = orNull(call.answeredBy),
    startedAt = call.startedAt, answeredAt = orNull(call.answeredAt), callEnded = callEnded, late = late,
  })
end

local call = liveCall(KEYS[1], now)
if not call then
  local recent = latestRecent(KEYS[2], now)
  if not recent then return nil end
  return result(recent, false, true)
end

local leg = call.legs[mac]
local callEnded = false
if leg and leg.state ~= 'ended' then
  call.legs[mac] = { state = 'ended', transfer = leg.transfer, eventId = leg.eventId }
  call.lastEndAt = math.max(call.lastEndAt or now, now)
  callEnded = callIsOver(call)
  if callEnded then
    redis.call('DEL', KEYS[1])
    settleAnswered(KEYS[3], rememberEnded(KEYS[2], call, ttl.recent, clock), clock)
  else
    saveCall(KEYS[1], call)
  end
end
return result(call, callEnded, false)
