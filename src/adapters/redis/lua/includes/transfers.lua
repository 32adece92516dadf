-- calls:transfers: zset of transfer fingerprints scored by their time (ms). A member is
-- "<seq>:<fingerprint JSON>": seq (a ULID from the client) keeps members unique and, as the
-- members of equal score sort by it, makes the newest of one millisecond win.

local function fingerprintOf(member)
  return cjson.decode(string.match(member, '^[^:]*:(.*)$'))
end

-- Takes (removes) the newest fingerprint of the remote at or after now - window, or returns nil.
-- The remote's older fingerprints can never match again and go; anyone's older than the
-- retention (at the wall clock) go too.
local function takeTransfer(key, remote, now, windowMs, clock, retentionMs)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (clock - retentionMs))
  local cutoff = now - windowMs
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', '(' .. cutoff)) do
    if fingerprintOf(member).remote == remote then redis.call('ZREM', key, member) end
  end
  for _, member in ipairs(redis.call('ZREVRANGEBYSCORE', key, '+inf', cutoff)) do
    local fingerprint = fingerprintOf(member)
    if fingerprint.remote == remote then
      redis.call('ZREM', key, member)
      return fingerprint
    end
  end
  return nil
end
