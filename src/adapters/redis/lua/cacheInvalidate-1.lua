--[[
  cacheInvalidate: one step of a directory cache write (RedisCacheLayer.invalidate): bumps the
  scopes' versions, deletes their entries, publishes the event.

  Version: 1

  Input: one fixed key, then a variable tail of keys (the caller counts them per call, so the
  numberOfKeys it passes is 1 + the number of entry keys).
    KEYS[1]     cache:versions  (hash scope -> counter)
    KEYS[2..n]  every entry key of the written scopes (variable tail)

    ARGV[1]     channel ('' none)
    ARGV[2]     event JSON
    ARGV[3]     versions TTL (ms)
    ARGV[4..]   the written scopes

  Output: how many subscribers received the event (0 when there is no channel).
]]
for i = 4, #ARGV do redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
if ARGV[1] == '' then return 0 end
return redis.call('PUBLISH', ARGV[1], ARGV[2])
