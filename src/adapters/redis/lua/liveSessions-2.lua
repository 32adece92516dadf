--[[
  liveSessions: the sessions live at `now` (CallStateStore.liveSessions). Sessions that expired
  before both `now` and the wall clock are dropped from the indexes on the way.

  Version: 3 (the listing moved to includes/sessions.lua, shared with presenceInputs; same behaviour)

  Input:
    KEYS[1]  sessions:live     (zset socket id -> expires at)
    KEYS[2]  sessions:agents   (hash socket id -> agent)

    ARGV[1]  now (ms)
    ARGV[2]  wall clock of the caller (ms)

  Output: flat array { agent, socket id, expires at, ... }.
]]
--- @include "sessions"

return liveSessionsAt(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]))
