/**
 * Every call-state key of SPEC section 5 with its lifetime, in one place (the seed's
 * constants.rs). The embedded store uses the same names as row kinds so that both adapters
 * are described by this one table.
 *
 * key (under cal:account:{<account>}:)        what                                   TTL
 * calls:active:<remote>                       hash: claimed_call_id, timestamp,      RING while ringing,
 *                                             answered, answered_by, legs (JSON)     ANSWERED once answered
 * calls:device_reported:<mac>:<remote>        call id + event id that reported it    RING
 * calls:ring:<call_id>                        ring start (ms)                         RING
 * calls:ring_remote:<remote>                  ring start (ms)                         RING
 * calls:direction:<call_id>                   in | out                                DIRECTION
 * calls:recent:<remote>                       call id + answered of a call just ended RECENT
 *                                             (embedded: keyed by call id, found by remote or id;
 *                                             answered never goes back to false)
 * calls:event_result:<event_id>               result of ringing/answered for that     EVENT_RESULT
 *                                             event, returned again on redelivery
 * calls:missed:queue / calls:missed:schedule  list of pending missed calls + zset     until taken
 *                                             of due times (lease on take)
 * calls:transfers                             zset remote -> fingerprint, scored by   transfer window
 *                                             time (RINGSIDE_TRANSFER_WINDOW_MS)
 * calls:relationship:<call_id>_parent         parent call id                          RELATIONSHIP
 * sessions:heartbeat:<socket_id>              agent of a live UI session              RINGSIDE_HEARTBEAT_TTL_MS
 * agent:presence:<agent>                      manual status and phone DND             none
 */
export const TTL_MS = {
  ring: 5 * 60_000,
  answered: 4 * 60 * 60_000,
  direction: 60 * 60_000,
  recent: 10 * 60_000,
  relationship: 60 * 60_000,
  missedLease: 30_000,
  eventResult: 4 * 60 * 60_000,
  transferWindowDefault: 120_000,
  heartbeatDefault: 90_000,
} as const;
