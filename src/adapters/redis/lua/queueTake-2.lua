--[[
  queueTake: the oldest item of a queue that `member` may take (Queues.pop and Queues.peek,
  RedisQueues): lowest score first, equal scores by id. An item whose audience is null is for
  anyone; otherwise only for the members it lists. Without a member, the oldest item whatever its
  audience. Popping removes the item in the same step, so two takers never get the same item.

  Version: 1

  Input:
    KEYS[1]  queue:<name>        (zset item id -> score)
    KEYS[2]  queue:<name>:items  (hash item id -> {"data", "audience"} JSON)

    ARGV[1]  member ('' : anyone)
    ARGV[2]  1: pop (remove the item), 0: peek
    ARGV[3]  how many items to read per step while looking

  Output: nil, or { id, score, item JSON }.
]]

local member, take, batch = ARGV[1], ARGV[2] == '1', tonumber(ARGV[3])

local function mayTake(item)
  if member == '' or item == nil then return true end
  local audience = cjson.decode(item).audience
  if type(audience) ~= 'table' then return true end
  for _, allowed in ipairs(audience) do
    if allowed == member then return true end
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
