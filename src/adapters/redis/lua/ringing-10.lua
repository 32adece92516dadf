--[[
  ringing: an incoming or outgoing event of one device, as one atomic step (CallStateStore.ringing):
  redelivery check, duplicate check, transfer match, claim or join, device reported, ring time,
  direction. Port of SqliteCallStateStore.ringing; the leg rules are in includes/legs.lua.

  Version: 2

  Input:
    KEYS[1]  calls:active:<remote>
    KEYS[2]  calls:device_reported:<mac>:<remote>
    KEYS[3]  calls:event_result:<event_id>
    KEYS[4]  calls:transfers
    KEYS[5]  calls:recent:<remote>
    KEYS[6]  calls:answered
    KEYS[7]  calls:ring:<candidate_call_id>
    KEYS[8]  calls:ring_remote:<remote>
    KEYS[9]  calls:direction:<candidate_call_id>
    KEYS[10] calls:relationship:<candidate_call_id>_parent

    ARGV[1]  remote
    ARGV[2]  mac of the device
    ARGV[3]  event id
    ARGV[4]  candidate call id (the id when this event starts a new logical call)
    ARGV[5]  direction: in | out
    ARGV[6]  now (ms): expiry is decided against it
    ARGV[7]  transfer window (ms)
    ARGV[8]  wall clock of the caller (ms), for housekeeping only
    ARGV[9]  TTL_MS of ttl.ts as JSON

  Output: RingingResult as JSON.

  A ring that finds no live call and no transfer fingerprint, and is at or before the end of the
  remote's most recent call in the same direction, joins that call late (includes/legs.lua
  isLateEventOf): a call nobody answered is live again with this leg (late = reopened), an
  answered one stays over and only learns that the device reported it (late = over).

  Ring time and direction are keyed by call id, and only the candidate's keys can be named by the
  client: a call joined, continued or reopened under an older id keeps the ones written when it
  was claimed.
]]
--- @include "expiry"
--- @include "call"
--- @include "legs"
--- @include "memo"
--- @include "recent"
--- @include "answered"
--- @include "ringTime"
--- @include "transfers"

local remote, mac, eventId, candidate, direction = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now, windowMs, clock = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local ttl = cjson.decode(ARGV[9])

local memo = recalled(KEYS[3], 'ringing', now)
if memo then return memo end

local function answer(result)
  return remember(KEYS[3], 'ringing', cjson.encode(result), now, ttl.eventResult)
end

local call = liveCall(KEYS[1], now)
local reported = reportedCall(KEYS[2], now)
-- The device already reported this call with another event: a repeat, not a new ring.
local function reportedAgain(callId)
  return reported ~= nil and reported.callId == callId and reported.eventId ~= eventId
end
if call and reportedAgain(call.callId) then
  return answer({ kind = 'duplicate', callId = call.callId })
end

-- A blind transfer whose claim was already released continues with what is known of the call.
local function continuedCall(callId)
  local continued = freshCall(remote, callId, mac, direction, now, ttl.ring)
  local recent = recentCall(KEYS[5], callId, now)
  if recent then
    continued.direction = recent.direction
    continued.startedAt = recent.startedAt
    continued.answered = recent.answered
    continued.answeredBy = recent.answeredBy
    continued.answeredAt = recent.answeredAt
  end
  return continued
end

-- The device's leg rings (an answered leg stays answered) on the live call, and the ring is recorded.
local function addRingingLeg(live, transferLeg)
  local leg = live.legs[mac]
  if leg == nil or leg.state ~= 'answered' then
    live.legs[mac] = { state = 'ringing', transfer = transferLeg, eventId = eventId }
  end
  local lifetime = ttl.ring
  if live.answered then lifetime = ttl.answered end
  live.expiresAt = math.max(live.expiresAt, now + lifetime)
  saveCall(KEYS[1], live)
  if live.answered then keepAnswered(KEYS[6], live.callId, live.expiresAt, clock) end
  markReported(KEYS[2], live.callId, eventId, now + ttl.ring)
  if live.callId == candidate then
    keepRingTime(KEYS[7], live.startedAt, now, ttl.ring)
    redis.call('SET', KEYS[9], live.direction, 'NX', 'PXAT', now + ttl.direction)
  end
  followRingRemote(KEYS[8], live.callId, live.startedAt, now, ttl.ring)
end

local function lateRing(ended)
  if reportedAgain(ended.callId) then return { kind = 'duplicate', callId = ended.callId } end
  local joined = { kind = 'joined', callId = ended.callId, startedAt = ended.startedAt, transfer = cjson.null }
  if not lateLegReopens(ended) then
    markReported(KEYS[2], ended.callId, eventId, now + ttl.ring)
    joined.late = 'over'
    return joined
  end
  addRingingLeg(reopenedCall(ended, remote, mac, now + ttl.ring), false)
  joined.late = 'reopened'
  return joined
end

local fingerprint = nil
if direction == 'in' then
  fingerprint = takeTransfer(KEYS[4], remote, now, windowMs, clock, ttl.transferRetention)
end
if not call and not fingerprint then
  local ended = latestRecent(KEYS[5], now)
  if ended and ended.direction == direction and isLateEventOf(ended, now) then return answer(lateRing(ended)) end
end

local kind, transfer = 'new', nil
if fingerprint then
  kind, transfer = 'transferred', fingerprint
  call = call or continuedCall(fingerprint.callId)
  call.transfer = fingerprint
elseif call then
  if call.transfer and transferRinging(call) then
    kind, transfer = 'transferred', call.transfer
  else
    kind = 'joined'
  end
else
  call = freshCall(remote, candidate, mac, direction, now, ttl.ring)
end

addRingingLeg(call, kind == 'transferred')
if kind == 'transferred' and candidate ~= call.callId then
  redis.call('SET', KEYS[10], call.callId, 'PXAT', now + ttl.relationship)
end

return answer({ kind = kind, callId = call.callId, startedAt = call.startedAt, transfer = orNull(transfer) })
