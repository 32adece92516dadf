--[[
  presence: sets one flag of an agent's presence (CallStateStore.setManualStatus / setPhoneDnd),
  keeping the account's listing and agents:available in step.

  Input:
    KEYS[1]  agent:presence:<agent>  (hash manual, phone_dnd)
    KEYS[2]  agents:presence         (hash agent -> {"manual", "phoneDnd"} JSON, for the listing)
    KEYS[3]  agents:available        (set: manual status available and no phone DND)

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
if manual == 'available' and not phoneDnd then
  redis.call('SADD', KEYS[3], agent)
else
  redis.call('SREM', KEYS[3], agent)
end
return nil
