--[[
  createTransfer: the seed's create_transfer_fingerprint (CallStateStore.createTransferFingerprint).

  Version: 1

  Input:
    KEYS[1]  calls:transfers

    ARGV[1]  member: "<seq>:<fingerprint JSON>" (includes/transfers.lua)
    ARGV[2]  fingerprint time (ms), the score
    ARGV[3]  TTL_MS of ttl.ts as JSON

  Output: nil.
]]
--- @include "expiry"

local member, at = ARGV[1], tonumber(ARGV[2])
local ttl = cjson.decode(ARGV[3])

redis.call('ZADD', KEYS[1], at, member)
extendExpiry(KEYS[1], at + ttl.transferRetention)
return nil
