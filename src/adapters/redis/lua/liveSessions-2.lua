--[[
  liveSessions: the sessions live at `now` (CallStateStore.liveSessions). Sessions that expired
  before both `now` and the wall clock are dropped from the indexes on the way.

  Version: 2 (the agent sets are the agent status store's)

  Input:
    KEYS[1]  sessions:live     (zset socket id -> expires at)
    KEYS[2]  sessions:agents   (hash socket id -> agent)

    ARGV[1]  now (ms)
    ARGV[2]  wall clock of the caller (ms)

  Output: flat array { agent, socket id, expires at, ... }.
]]
--- @include "sessions"

local now, clock = tonumber(ARGV[1]), tonumber(ARGV[2])
local expiredBy = math.min(now, clock)

for _, socketId in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', expiredBy)) do
  dropSession(KEYS[1], KEYS[2], socketId)
end
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')
local sessions = {}
for i = 1, #live, 2 do
  local agent = redis.call('HGET', KEYS[2], live[i])
  if agent then
    table.insert(sessions, agent)
    table.insert(sessions, live[i])
    table.insert(sessions, live[i + 1])
  end
end
return sessions
