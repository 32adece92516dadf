--[[
  heartbeat: the seed's set_session_heartbeat (CallStateStore.setSessionHeartbeat): the session
  lives until `expires at`.

  Version: 2 (agents:connected is no longer written here; it belongs to the agent status store,
  which PresenceService keeps in step with the sessions)

  Input:
    KEYS[1]  sessions:heartbeat:<socket_id>  (hash agent, expires_at)
    KEYS[2]  sessions:live                   (zset socket id -> expires at)
    KEYS[3]  sessions:agents                 (hash socket id -> agent)

    ARGV[1]  agent
    ARGV[2]  socket id
    ARGV[3]  expires at (ms): now + ttl

  Output: nil.
]]
--- @include "expiry"

local agent, socketId = ARGV[1], ARGV[2]
local expiresAt = tonumber(ARGV[3])

redis.call('HSET', KEYS[1], 'agent', agent, 'expires_at', expiresAt)
redis.call('PEXPIREAT', KEYS[1], expiresAt)
redis.call('ZADD', KEYS[2], expiresAt, socketId)
redis.call('HSET', KEYS[3], socketId, agent)
for i = 2, 3 do extendExpiry(KEYS[i], expiresAt) end
return nil
