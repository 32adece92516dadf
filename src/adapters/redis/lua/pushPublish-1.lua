--[[
  pushPublish: publishes a push for an account's agents (RedisPushHub) on the account's channel.
  A plain PUBLISH names no key, so a Cluster client sends each one to a random node and two
  pushes of one call could reach the other processes in the wrong order; as a script whose key
  is the channel itself (it carries the account's hash tag), every push of an account goes
  through the node of the account's slot, in order (docs/redis.md, Cluster).

  Version: 1

  Input:
    KEYS[1]  account:{<account>}:push  (the channel; no key of that name is read or written)

    ARGV[1]  the envelope JSON

  Output: how many subscribers of that node received it.
]]
return redis.call('PUBLISH', KEYS[1], ARGV[1])
