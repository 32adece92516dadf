-- sessions:live (zset socket id -> expires at, ms) and sessions:agents (hash socket id -> agent)
-- index an account's presence sessions (one per open agent UI).

-- Forgets a session in the indexes.
local function dropSession(liveKey, agentsKey, socketId)
  redis.call('ZREM', liveKey, socketId)
  redis.call('HDEL', agentsKey, socketId)
end

-- The sessions live at `now`, as a flat array { agent, socket id, expires at, ... }. Sessions that
-- expired before both `now` and the caller's wall clock are dropped from the indexes on the way.
local function liveSessionsAt(liveKey, agentsKey, now, clock)
  for _, socketId in ipairs(redis.call('ZRANGEBYSCORE', liveKey, '-inf', math.min(now, clock))) do
    dropSession(liveKey, agentsKey, socketId)
  end
  local live = redis.call('ZRANGEBYSCORE', liveKey, '(' .. now, '+inf', 'WITHSCORES')
  local sessions = {}
  for i = 1, #live, 2 do
    local agent = redis.call('HGET', agentsKey, live[i])
    if agent then
      table.insert(sessions, agent)
      table.insert(sessions, live[i])
      table.insert(sessions, live[i + 1])
    end
  end
  return sessions
end
