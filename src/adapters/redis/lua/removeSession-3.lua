--[[
  removeSession: an agent UI disconnected (CallStateStore.removeSession).

  Version: 2 (the agent sets are the agent status store's)

  Input:
    KEYS[1]  sessions:heartbeat:<socket_id>
    KEYS[2]  sessions:live     (zset socket id -> expires at)
    KEYS[3]  sessions:agents   (hash socket id -> agent)

    ARGV[1]  socket id

  Output: nil.
]]
--- @include "sessions"

redis.call('DEL', KEYS[1])
dropSession(KEYS[2], KEYS[3], ARGV[1])
return nil
