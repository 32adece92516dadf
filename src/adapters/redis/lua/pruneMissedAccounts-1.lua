--[[
  pruneMissedAccounts: drops accounts from the global list of accounts with missed calls queued,
  but only those not marked since `cutoff`: an account that queued a call while the sweeper looked
  at its (then empty) queue was marked again after the cutoff and stays.

  Version: 1

  Input:
    KEYS[1]  <root>:missed:accounts  (global zset account -> when it last queued a missed call, ms)

    ARGV[1]  cutoff (ms)
    ARGV[2..n]  accounts whose queue was seen empty

  Output: how many accounts were dropped.
]]

local cutoff = tonumber(ARGV[1])
local dropped = 0
for i = 2, #ARGV do
  local markedAt = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[i]))
  if markedAt and markedAt < cutoff then
    dropped = dropped + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return dropped
