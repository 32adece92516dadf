--[[
  findTransfer: the seed's find_transfer_match (CallStateStore.findTransferMatch): takes the newest
  fingerprint of the remote within the window.

  Version: 1

  Input:
    KEYS[1]  calls:transfers

    ARGV[1]  remote
    ARGV[2]  now (ms)
    ARGV[3]  window (ms)
    ARGV[4]  wall clock of the caller (ms), for housekeeping only
    ARGV[5]  TTL_MS of ttl.ts as JSON

  Output: the fingerprint as JSON, or nil.
]]
--- @include "transfers"

local remote = ARGV[1]
local now, windowMs, clock = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl = cjson.decode(ARGV[5])

local fingerprint = takeTransfer(KEYS[1], remote, now, windowMs, clock, ttl.transferRetention)
if not fingerprint then return nil end
return cjson.encode(fingerprint)
