--[[
  readyMissed: the seed's get_ready_missed_calls (CallStateStore.getReadyMissedCalls): the due
  entries, oldest first (ties by call id), each leased (rescheduled to now + lease) so that the
  entries of a taker that crashes before ackMissedCall come back.

  Version: 1

  Input:
    KEYS[1]  calls:missed:queue     (hash call id -> entry JSON)
    KEYS[2]  calls:missed:schedule  (zset call id -> due time, ms)

    ARGV[1]  now (ms)
    ARGV[2]  at most this many entries (> 0)
    ARGV[3]  lease (ms)

  Output: flat array { entry JSON, due time, entry JSON, due time, ... } (due time before the lease).
]]

local now, limit, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])

local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
local taken = {}
for i = 1, #due, 2 do
  local callId, dueAt = due[i], due[i + 1]
  local entry = redis.call('HGET', KEYS[1], callId)
  if entry then
    redis.call('ZADD', KEYS[2], 'XX', now + lease, callId)
    table.insert(taken, entry)
    table.insert(taken, dueAt)
  else
    redis.call('ZREM', KEYS[2], callId)
  end
end
return taken
