-- Shared by the call-state scripts (spliced in by luaScripts.ts where a script includes "expiry").

-- Pushes a key's expiry out to `at` (ms since the epoch), never pulls it in: a key holding several
-- records (a hash or zset) lives as long as its longest-lived record. A missing key is left alone.
local function extendExpiry(key, at)
  local current = redis.call('PEXPIRETIME', key)
  if current == -1 or (current >= 0 and current < at) then
    redis.call('PEXPIREAT', key, at)
  end
end

-- JSON null for a Lua nil (cjson leaves nil fields out; the TypeScript types want null).
local function orNull(value)
  if value == nil then return cjson.null end
  return value
end
