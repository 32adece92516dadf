--[[
  removeSession: an agent UI disconnected (CallStateStore.removeSession).

  Input:
    KEYS[1]  sessions:heartbeat:<socket_id>
    KEYS[2]  sessions:live     (zset socket id -> expires at)
    KEYS[3]  sessions:agents   (hash socket id -> agent)
    KEYS[4]  agents:connected  (set of agents)

    ARGV[1]  socket id
    ARGV[2]  wall clock of the caller (ms): sessions expired by then do not keep the agent connected

  Output: nil.
]]
--- @include "sessions"

redis.call('DEL', KEYS[1])
dropSession(KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[2]))
return nil
