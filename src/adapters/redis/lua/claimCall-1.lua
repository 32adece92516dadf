--[[
  claimCall: the seed's claim_call (CallStateStore.claimCall): the first device wins while the
  claim lives.

  Version: 1

  Input:
    KEYS[1]  calls:active:<remote>

    ARGV[1]  remote
    ARGV[2]  call id to claim with
    ARGV[3]  mac of the claiming device
    ARGV[4]  direction: in | out
    ARGV[5]  now (ms): expiry is decided against it
    ARGV[6]  TTL_MS of ttl.ts as JSON

  Output: { 1, call id } when claimed, { 0, existing call id } when a live claim exists.
]]
--- @include "expiry"
--- @include "call"

local remote, callId, mac, direction = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = tonumber(ARGV[5])
local ttl = cjson.decode(ARGV[6])

local existing = liveCall(KEYS[1], now)
if existing then return { 0, existing.callId } end
local call = freshCall(remote, callId, mac, direction, now, ttl.ring)
call.legs[mac] = { state = 'ringing', transfer = false, eventId = '' }
saveCall(KEYS[1], call)
return { 1, callId }
