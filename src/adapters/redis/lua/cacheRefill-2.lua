--[[
  cacheRefill: refills a directory cache entry (RedisCacheLayer.refill) only if the scope's version
  is still the one read before the source was: a reader that loaded the old value before a write
  cannot put it back after the write deleted it.

  Version: 1

  Input:
    KEYS[1]  cache:versions  (hash scope -> counter)
    KEYS[2]  the entry's key (a hash of entries, or one JSON string)

    ARGV[1]  scope
    ARGV[2]  its version read before the source ('' none)
    ARGV[3]  TTL (ms)
    ARGV[4]  'hash' or 'string'
    ARGV[5]  the first field ('' for a string)
    ARGV[6]  its value (a string's JSON)
    ARGV[7..]  more field, value pairs (hashes)

  Output: 1 when stored, 0 when the scope was written since its version was read.
]]
if (redis.call('HGET', KEYS[1], ARGV[1]) or '') ~= ARGV[2] then return 0 end
if ARGV[4] == 'string' then
  redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[3])
else
  for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
  if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
end
return 1
