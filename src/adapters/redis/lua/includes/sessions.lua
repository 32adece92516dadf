-- sessions:live (zset socket id -> expires at, ms) and sessions:agents (hash socket id -> agent)
-- index an account's presence sessions (one per open agent UI).

-- Forgets a session in the indexes.
local function dropSession(liveKey, agentsKey, socketId)
  redis.call('ZREM', liveKey, socketId)
  redis.call('HDEL', agentsKey, socketId)
end
