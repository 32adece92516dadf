--[[
  sessionCreate: a new agent UI session (AgentSessions.create, RedisAgentSessions). The session
  record expires with the session; sessions:active indexes the account's sessions and lives as
  long as the longest of them. Sessions over by `now` leave the index on the way.

  Version: 1

  Input:
    KEYS[1]  session:<id>     (string: the session JSON; id = sha256 of the token, never the token)
    KEYS[2]  sessions:active  (zset session id -> expires at)

    ARGV[1]  session id
    ARGV[2]  session JSON {id, account, agent, createdAt, expiresAt}
    ARGV[3]  expires at (ms)
    ARGV[4]  now (ms)

  Output: nil.
]]
--- @include "expiry"

local id, record = ARGV[1], ARGV[2]
local expiresAt, now = tonumber(ARGV[3]), tonumber(ARGV[4])

redis.call('SET', KEYS[1], record, 'PXAT', expiresAt)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], expiresAt, id)
extendExpiry(KEYS[2], expiresAt)
return nil
