--[[
  KEYS[1] the account's cache:versions hash
  KEYS[2..n] every entry key of the written scopes
  ARGV[1] channel ('' none); ARGV[2] event JSON; ARGV[3] versions TTL ms; ARGV[4..] scopes
]]
-- One step of a write: bump the scopes' versions, delete their entries, publish the event.
for i = 4, #ARGV do redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
if ARGV[1] == '' then return 0 end
return redis.call('PUBLISH', ARGV[1], ARGV[2])
