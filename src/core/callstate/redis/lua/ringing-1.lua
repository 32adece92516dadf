--[[
  ringing: an incoming or outgoing event of one device, as one atomic step (CallStateStore.ringing):
  redelivery check, duplicate check, transfer match, claim or join, device reported, ring time,
  direction. Port of EmbeddedCallStateStore.ringing; the leg rules are in includes/legs.lua.

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

  Ring time and direction are keyed by call id, and only the candidate's keys can be named by the
  client: a call joined or continued under an older id keeps the ones written when it was claimed.
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

local call = liveCall(KEYS[1], now)
local reported = reportedCall(KEYS[2], now)
if call and reported and reported.callId == call.callId and reported.eventId ~= eventId then
  return remember(KEYS[3], 'ringing', cjson.encode({ kind = 'duplicate', callId = call.callId }), now, ttl.eventResult)
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

local fingerprint = nil
if direction == 'in' then
  fingerprint = takeTransfer(KEYS[4], remote, now, windowMs, clock, ttl.transferRetention)
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

local leg = call.legs[mac]
if leg == nil or leg.state ~= 'answered' then
  call.legs[mac] = { state = 'ringing', transfer = kind == 'transferred', eventId = eventId }
end
local lifetime = ttl.ring
if call.answered then lifetime = ttl.answered end
call.expiresAt = math.max(call.expiresAt, now + lifetime)
saveCall(KEYS[1], call)
if call.answered then keepAnswered(KEYS[6], call.callId, call.expiresAt, clock) end
markReported(KEYS[2], call.callId, eventId, now + ttl.ring)
if call.callId == candidate then
  keepRingTime(KEYS[7], call.startedAt, now, ttl.ring)
  redis.call('SET', KEYS[9], call.direction, 'NX', 'PXAT', now + ttl.direction)
end
followRingRemote(KEYS[8], call.callId, call.startedAt, now, ttl.ring)
if kind == 'transferred' and candidate ~= call.callId then
  redis.call('SET', KEYS[10], call.callId, 'PXAT', now + ttl.relationship)
end

local result = { kind = kind, callId = call.callId, startedAt = call.startedAt, transfer = orNull(transfer) }
return remember(KEYS[3], 'ringing', cjson.encode(result), now, ttl.eventResult)
