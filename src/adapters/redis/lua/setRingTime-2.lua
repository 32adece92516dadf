--[[
  setRingTime: the seed's set_ring_time (CallStateStore.setRingTime): keeps the first ring time of
  the call; the remote follows the newest call. `at` is also the `now` expiry is decided against.

  Version: 1

  Input:
    KEYS[1]  calls:ring:<call_id>
    KEYS[2]  calls:ring_remote:<remote>

    ARGV[1]  call id
    ARGV[2]  ring time (ms)
    ARGV[3]  TTL_MS of ttl.ts as JSON

  Output: nil.
]]
--- @include "ringTime"

local callId, at = ARGV[1], tonumber(ARGV[2])
local ttl = cjson.decode(ARGV[3])

keepRingTime(KEYS[1], at, at, ttl.ring)
followRingRemote(KEYS[2], callId, at, at, ttl.ring)
return nil
