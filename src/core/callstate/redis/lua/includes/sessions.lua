-- sessions:live (zset socket id -> expires at, ms) and sessions:agents (hash socket id -> agent)
-- index an account's sessions; agents:connected is the set of agents with a session.

local function agentHasSession(liveKey, agentsKey, agent, at)
  local flat = redis.call('HGETALL', agentsKey)
  for i = 1, #flat, 2 do
    if flat[i + 1] == agent then
      local expiresAt = tonumber(redis.call('ZSCORE', liveKey, flat[i]))
      if expiresAt and expiresAt > at then return true end
    end
  end
  return false
end

-- Forgets a session in the indexes; its agent leaves agents:connected with its last session.
local function dropSession(liveKey, agentsKey, connectedKey, socketId, clock)
  local agent = redis.call('HGET', agentsKey, socketId)
  redis.call('ZREM', liveKey, socketId)
  redis.call('HDEL', agentsKey, socketId)
  if agent and not agentHasSession(liveKey, agentsKey, agent, clock) then
    redis.call('SREM', connectedKey, agent)
  end
end
