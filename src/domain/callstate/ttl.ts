/**
 * Every call-state key (docs/redis.md, Call-state keys) with its lifetime, in one place (the seed's
 * constants.rs), for both adapters: RedisCallStateStore uses exactly these keys (built only by
 * redis/keys.ts); SqliteCallStateStore keeps the same records as tables (cs_<name>) with an
 * expires_at column. In Redis every record also keeps its expiry time (ms) inside the value,
 * because expiry is decided against the method's `now` (Lua compares the two); the key's real
 * TTL (PEXPIREAT, same instant) lets Redis drop it. A key holding several records (hash, zset)
 * lives as long as its longest-lived record.
 *
 * key (under <root>:account:{<account>}:,     what                                       TTL
 * root `cal` by default)
 * calls:active:<remote>                       hash: claimed_call_id, remote, direction,   RING while ringing,
 *                                             claimed_by, timestamp (start), answered,    ANSWERED from the
 *                                             answered_by, answered_at, legs (JSON),      last answer
 *                                             transfer (JSON), expires_at, last_end_at
 * calls:device_reported:<mac>:<remote>        hash: call_id, event_id, expires_at         RING (ANSWERED once
 *                                                                                         that device answered)
 * calls:ring:<call_id>                        hash: at (first ring, ms), expires_at       RING
 *                                             (Redis: written for the id a call is claimed with; a later join
 *                                             does not recreate it once expired, the script cannot name it)
 * calls:ring_remote:<remote>                  hash: call_id, at, expires_at               RING
 * calls:direction:<call_id>                   in | out (plain string)                     DIRECTION
 * calls:recent:<remote>                       hash call id -> JSON of a call just ended:  RECENT from its
 *                                             direction, claimed_by, answered,             latest end
 *                                             answered_by, start, answered_at, legs,
 *                                             ended_at (its latest end), expires_at
 *                                             (answered never goes back to false); an
 *                                             event at or before ended_at that finds no
 *                                             live call joins it (legs.ts isLateEventOf)
 * calls:answered                              zset call id -> until when it counts as     ANSWERED while live,
 *                                             answered (wasAnswered by call id)           RECENT once ended
 * calls:event_result:<event_id>               hash ringing|answered -> result JSON, and   EVENT_RESULT
 *                                             <transition>:expires_at; returned again
 *                                             on redelivery
 * calls:missed:queue                          hash call id -> entry JSON (remote, mac,     none: until
 *                                             payload)                                    acknowledged
 * calls:missed:schedule                       zset call id -> due time; taking an entry   none: until
 *                                             leases it (due = now + MISSED_LEASE)        acknowledged
 * calls:transfers                             zset "<seq>:<fingerprint JSON>" -> time;    TRANSFER_RETENTION
 *                                             matched within RINGSIDE_TRANSFER_WINDOW_MS  after the newest
 * calls:relationship:<call_id>_parent         parent call id (plain string)               RELATIONSHIP
 * sessions:heartbeat:<socket_id>              hash: agent, expires_at                     heartbeat ttl
 *                                                                                         (RINGSIDE_HEARTBEAT_TTL_MS)
 * sessions:live                               zset socket id -> expires at                longest session
 * sessions:agents                             hash socket id -> agent                     longest session
 * agent:presence:<agent>                      hash: manual, phone_dnd                     none
 * agents:presence                             hash agent -> {manual, phoneDnd} JSON       none
 *                                             (the listing of presenceRecords)
 *
 * Beside the call state, under the same tenant prefix and in the same database (REDIS_CALLS_DB:
 * they are state, not a cache that may be dropped), the seed's session, agent and queue keys:
 *
 * agent:status:<agent>                        hash: status (available | away | dnd |      none: rewritten
 *                                             on_call | offline), manual, phone_dnd,      by each presence
 *                                             name, since, at                             pass, deleted with
 *                                             (presence/RedisAgentStatusStore.ts)         the agent
 * agents:registered                           set: the account's agents                   none (same)
 * agents:available                            set: status available                       none (same)
 * agents:connected                            set: status other than offline (a live      none (same)
 *                                             UI session)
 * agents:by_user                              hash agent id -> display name               none (same)
 * session:<id>                                agent UI session JSON {id, account, agent,  the session
 *                                             createdAt, expiresAt}; id = sha256(token)   (RINGSIDE_SESSION_TTL_MS)
 *                                             (sessions/RedisAgentSessions.ts)
 * sessions:active                             zset session id -> expires at               longest session
 * queue:<name>                                zset item id -> score (oldest first)        none: until taken
 *                                             (queues/RedisQueues.ts; `callback`: open    or removed
 *                                             missed calls by missed time)
 * queue:<name>:items                          hash item id -> {data, audience} JSON       none (same)
 * queues:meta                                 hash name -> {name, description, createdAt} none
 *
 * global keys (no hash tag; never in a script together with an account's keys)
 * <root>:missed:accounts                      zset account -> when it last queued a       none: pruned by
 *                                             missed call (accountsWithMissedCalls)       accountsWithMissedCalls
 * <root>:ws:connections                       hash: open UI connections of every node     none (owned by
 *                                             (named by redis/keys.ts push())             push/RedisPushHub.ts)
 * <root>:account:{<account>}:push             pub/sub channel of the account's pushes     (a channel, no key)
 */
export const TTL_MS = {
  ring: 5 * 60_000,
  answered: 4 * 60 * 60_000,
  direction: 60 * 60_000,
  recent: 10 * 60_000,
  relationship: 60 * 60_000,
  missedLease: 30_000,
  eventResult: 4 * 60 * 60_000,
  /** Fingerprints older than this are purged whatever the window (both adapters). */
  transferRetention: 60 * 60_000,
  transferWindowDefault: 120_000,
  heartbeatDefault: 90_000,
} as const;
