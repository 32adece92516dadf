--[[
  presence: sets one flag of an agent's presence (CallStateStore.setManualStatus / setPhoneDnd),
  keeping the account's listing in step.

  Version: 2 (agents:available is no longer written here; it is the agent status store's, with
  the derived status: online, not on a call, available)

  Input:
    KEYS[1]  agent:presence:<agent>  (hash manual, phone_dnd)
    KEYS[2]  agents:presence         (hash agent -> {"manual", "phoneDnd"} JSON, for the listing)

    ARGV[1]  agent
    ARGV[2]  field: manual | phone_dnd
    ARGV[3]  value: available | away | dnd for manual; 1 | 0 for phone_dnd

  Output: nil.
]]

local agent, field, value = ARGV[1], ARGV[2], ARGV[3]

redis.call('HSET', KEYS[1], field, value)
local flags = redis.call('HMGET', KEYS[1], 'manual', 'phone_dnd')
local manual, phoneDnd = flags[1] or 'available', flags[2] == '1'
redis.call('HSET', KEYS[1], 'manual', manual, 'phone_dnd', phoneDnd and '1' or '0')
redis.call('HSET', KEYS[2], agent, cjson.encode({ manual = manual, phoneDnd = phoneDnd }))
return nil
