--[[
  heartbeat: the seed's set_session_heartbeat (CallStateStore.setSessionHeartbeat): the session
  lives until `expires at`; the agent is connected.

  Input:
    KEYS[1]  sessions:heartbeat:<socket_id>  (hash agent, expires_at)
    KEYS[2]  sessions:live                   (zset socket id -> expires at)
    KEYS[3]  sessions:agents                 (hash socket id -> agent)
    KEYS[4]  agents:connected                (set of agents)

    ARGV[1]  agent
    ARGV[2]  socket id
    ARGV[3]  expires at (ms): now + ttl
    ARGV[4]  wall clock of the caller (ms), for housekeeping only

  Output: nil.
]]
--- @include "expiry"
--- @include "sessions"

local agent, socketId = ARGV[1], ARGV[2]
local expiresAt, clock = tonumber(ARGV[3]), tonumber(ARGV[4])

local previousAgent = redis.call('HGET', KEYS[3], socketId)
redis.call('HSET', KEYS[1], 'agent', agent, 'expires_at', expiresAt)
redis.call('PEXPIREAT', KEYS[1], expiresAt)
redis.call('ZADD', KEYS[2], expiresAt, socketId)
redis.call('HSET', KEYS[3], socketId, agent)
redis.call('SADD', KEYS[4], agent)
for i = 2, 4 do extendExpiry(KEYS[i], expiresAt) end
if previousAgent and previousAgent ~= agent and not agentHasSession(KEYS[2], KEYS[3], previousAgent, clock) then
  redis.call('SREM', KEYS[4], previousAgent)
end
return nil
