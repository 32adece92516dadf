--[[
  queueTake: the oldest item of a queue that the taker may take (Queues.pop and Queues.peek,
  RedisQueues): lowest score first, equal scores by id. An item whose audience is null is for
  anyone; otherwise only for a taker known by one of the names it lists (an agent's id, or
  `helpline:<number>` of a helpline the agent belongs to). Without a taker, the oldest item
  whatever its audience. Popping removes the item in the same step, so two takers never get the
  same item.

  Version: 2 (the taker is a JSON array of names; version 1 took one member)

  Input:
    KEYS[1]  queue:<name>        (zset item id -> score)
    KEYS[2]  queue:<name>:items  (hash item id -> {"data", "audience"} JSON)

    ARGV[1]  the taker's names, a JSON array ('' : anyone)
    ARGV[2]  1: pop (remove the item), 0: peek
    ARGV[3]  how many items to read per step while looking

  Output: nil, or { id, score, item JSON }.
]]

local take, batch = ARGV[2] == '1', tonumber(ARGV[3])
local names = nil
if ARGV[1] ~= '' then
  names = {}
  for _, name in ipairs(cjson.decode(ARGV[1])) do names[name] = true end
end

local function mayTake(item)
  if names == nil or item == nil then return true end
  local audience = cjson.decode(item).audience
  if type(audience) ~= 'table' then return true end
  for _, allowed in ipairs(audience) do
    if names[allowed] then return true end
  end
  return false
end

local offset = 0
while true do
  local page = redis.call('ZRANGE', KEYS[1], offset, offset + batch - 1, 'WITHSCORES')
  if #page == 0 then return nil end
  for i = 1, #page, 2 do
    local id = page[i]
    local item = redis.call('HGET', KEYS[2], id)
    if item == false then item = nil end
    if mayTake(item) then
      if take then
        redis.call('ZREM', KEYS[1], id)
        redis.call('HDEL', KEYS[2], id)
      end
      return { id, page[i + 1], item or '{}' }
    end
  end
  offset = offset + batch
end
