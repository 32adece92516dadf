--[[
  answered: a device answered (CallStateStore.answered), as one atomic step: marks its leg
  answered and decides ownership (includes/legs.lua answerLeg); the answered claim then lives
  TTL_MS.answered from now. Port of SqliteCallStateStore.answered.

  With no live call, an answer at or before the end of the remote's most recent call belongs to
  that call (includes/legs.lua isLateEventOf): a call nobody answered is live again and this
  device owns it; an answered one stays over and nobody new owns it (answerToEndedCall).

  Version: 2

  Input:
    KEYS[1]  calls:active:<remote>
    KEYS[2]  calls:device_reported:<mac>:<remote>
    KEYS[3]  calls:event_result:<event_id>
    KEYS[4]  calls:answered
    KEYS[5]  calls:recent:<remote>

    ARGV[1]  mac of the device
    ARGV[2]  event id
    ARGV[3]  now (ms): expiry is decided against it
    ARGV[4]  wall clock of the caller (ms), for housekeeping only
    ARGV[5]  TTL_MS of ttl.ts as JSON
    ARGV[6]  remote

  Output: AnsweredResult as JSON, or nil when the remote has neither a live call nor an ended one
  the answer belongs to.
]]
--- @include "expiry"
--- @include "call"
--- @include "legs"
--- @include "memo"
--- @include "recent"
--- @include "answered"

local mac, eventId, remote = ARGV[1], ARGV[2], ARGV[6]
local now, clock = tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl = cjson.decode(ARGV[5])

local memo = recalled(KEYS[3], 'answered', now)
if memo then return memo end

local call = liveCall(KEYS[1], now)
if not call then
  local ended = latestRecent(KEYS[5], now)
  if not ended or not isLateEventOf(ended, now) then return nil end
  if not lateLegReopens(ended) then
    return remember(KEYS[3], 'answered', cjson.encode(answerToEndedCall(ended, mac)), now, ttl.eventResult)
  end
  call = reopenedCall(ended, remote, mac, now + ttl.answered)
end

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
