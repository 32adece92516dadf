--[[
  queueMissed: the seed's queue_missed_call (CallStateStore.queueMissedCall): one entry per call id;
  queueing the same call again keeps the first entry and due time.

  Version: 1

  Input:
    KEYS[1]  calls:missed:queue     (hash call id -> entry JSON {callId, remote, mac, payload})
    KEYS[2]  calls:missed:schedule  (zset call id -> due time, ms)

    ARGV[1]  call id
    ARGV[2]  entry JSON
    ARGV[3]  due time (ms)

  Output: 1 when newly queued, 0 when the call was queued already.
]]

local callId, entry, dueAt = ARGV[1], ARGV[2], tonumber(ARGV[3])

if redis.call('HSETNX', KEYS[1], callId, entry) == 0 then return 0 end
redis.call('ZADD', KEYS[2], dueAt, callId)
return 1
