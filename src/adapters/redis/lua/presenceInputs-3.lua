--[[
  presenceInputs: what a presence pass reads of the call state (CallStateStore.presenceInputs),
  in one round trip: the sessions live at `now` (as liveSessions, expired ones dropped on the
  way) and every agent's presence record (as presenceRecords).

  Version: 1

  Input:
    KEYS[1]  sessions:live     (zset socket id -> expires at)
    KEYS[2]  sessions:agents   (hash socket id -> agent)
    KEYS[3]  agents:presence   (hash agent -> {"manual", "phoneDnd"} JSON)

    ARGV[1]  now (ms)
    ARGV[2]  wall clock of the caller (ms)

  Output: { sessions, records }: sessions as liveSessions answers them (flat { agent, socket id,
  expires at, ... }), records as HGETALL answers agents:presence (flat { agent, JSON, ... }).
]]
--- @include "sessions"

local sessions = liveSessionsAt(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]))
return { sessions, redis.call('HGETALL', KEYS[3]) }
