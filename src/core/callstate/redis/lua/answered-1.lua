--[[
  answered: a device answered (CallStateStore.answered), as one atomic step: marks its leg
  answered and decides ownership (includes/legs.lua answerLeg); the answered claim then lives
  TTL_MS.answered from now. Port of EmbeddedCallStateStore.answered.

  Input:
    KEYS[1]  calls:active:<remote>
    KEYS[2]  calls:device_reported:<mac>:<remote>
    KEYS[3]  calls:event_result:<event_id>
    KEYS[4]  calls:answered

    ARGV[1]  mac of the device
    ARGV[2]  event id
    ARGV[3]  now (ms): expiry is decided against it
    ARGV[4]  wall clock of the caller (ms), for housekeeping only
    ARGV[5]  TTL_MS of ttl.ts as JSON

  Output: AnsweredResult as JSON, or nil when the remote has no live call.
]]
--- @include "expiry"
--- @include "call"
--- @include "legs"
--- @include "memo"
--- @include "answered"

local mac, eventId = ARGV[1], ARGV[2]
local now, clock = tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl = cjson.decode(ARGV[5])

local memo = recalled(KEYS[3], 'answered', now)
if memo then return memo end

local call = liveCall(KEYS[1], now)
if not call then return nil end

local owner, previousOwner = answerLeg(call, mac, eventId, now)
call.expiresAt = math.max(call.expiresAt, now + ttl.answered)
saveCall(KEYS[1], call)
keepAnswered(KEYS[4], call.callId, call.expiresAt, clock)

-- The device's report of this call lives as long as the answered call (no duplicate ring meanwhile).
local reported = redis.call('HMGET', KEYS[2], 'call_id', 'expires_at')
if reported[1] == call.callId then
  local expiresAt = math.max(tonumber(reported[2]) or 0, now + ttl.answered)
  redis.call('HSET', KEYS[2], 'expires_at', expiresAt)
  redis.call('PEXPIREAT', KEYS[2], expiresAt)
end

local result = {
  callId = call.callId, owner = owner, answeredBy = call.answeredBy or mac, previousOwner = orNull(previousOwner),
  startedAt = call.startedAt, direction = call.direction,
}
return remember(KEYS[3], 'answered', cjson.encode(result), now, ttl.eventResult)
