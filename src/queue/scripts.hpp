// The Lua scripts of the queue module: every multi-key step that must be atomic. Each is
// loaded once per connection and called by SHA (RedisConnection::eval). Expiries use the
// server's TIME, so the clocks of worker hosts never matter.
#pragma once

#include "queue/redis_connection.hpp"

namespace sw::queue::scripts {

// KEYS: in-flight, deliveries[, scan record, claim]. ARGV: raw[, worker id]. Removes raw
// from in-flight and forgets its delivery count; with the task's keys also deletes its
// scan record and releases its claim when this worker holds it. Returns 1 when raw was in
// flight, else 0 (and then changes nothing).
const LuaScript& acknowledge();
// KEYS: in-flight, queue[, claim]. ARGV: raw, replacement, "front" or "back"[, worker id].
// When raw was in flight: removes it and pushes the replacement to the front (RPUSH: the
// end consumers take next) or the back (LPUSH: behind every waiting task), and releases
// the task's claim when this worker holds it. Returns 1/0.
const LuaScript& return_to_queue();
// KEYS: in-flight, dead letters, deliveries[, scan record, claim]. ARGV: raw, entry,
// score[, worker id]. When raw was in flight: removes it, ZADDs the entry, forgets the
// delivery count, and with the task's keys deletes its scan record and releases its claim
// (held by this worker). Returns 1/0.
const LuaScript& dead_letter();
// KEYS: in-flight, queue, dead letters, deliveries. ARGV: raw, max deliveries, entry,
// score, dead worker id. When raw was in flight: removes it and counts one more delivery;
// below the maximum RPUSHes it back (returns 1), at the maximum ZADDs the entry (returns
// 2); either way the dead worker's claim on the task id is released. 0 when it was no
// longer in flight (another reaper took it). The claim key is built in the script from the
// entry's task id (sw:claim:{task_id}): a standalone or Sentinel Redis, not a cluster.
const LuaScript& reap_task();
// KEYS: claim. ARGV: worker id, ttl ms. Claims a task id for this worker: {"claimed", me}
// when it was free, {"mine", me} when this worker held it already (expiry refreshed),
// {"taken_over", holder} when its holder's heartbeat (sw:worker:{holder}:alive, built in
// the script) is gone, {"held", holder} when a live worker holds it.
const LuaScript& claim_task();
// KEYS: claim. ARGV: worker id. Deletes the claim when this worker holds it. Returns 1/0.
const LuaScript& release_claim();
// KEYS: heartbeat, workers, worker pools. ARGV: worker id, ttl ms, info, pool. Creates the
// heartbeat and the registry entry when missing and records the pool.
const LuaScript& register_worker();
// KEYS: heartbeat, workers. ARGV: worker id, ttl ms, info. Refreshes both.
const LuaScript& heartbeat();
// KEYS: heartbeat, workers, worker pools, then the worker's in-flight lists for every one
// of its pools. ARGV: worker id. Removes the worker from the registry when its heartbeat
// is gone and all its in-flight lists are empty. Returns 1 when removed.
const LuaScript& forget_worker();
// KEYS: dead letters, queue, deliveries. ARGV: member, message. When the member is still
// there: removes it, LPUSHes the message, forgets its delivery count. Returns 1/0.
const LuaScript& requeue_dead_letter();
// KEYS: last-used hash, then one lease set per candidate scanner. ARGV: task id, ttl ms,
// then instance id and limit per candidate. Returns the chosen instance id or nil.
const LuaScript& acquire_lease();
// KEYS: queue, in-flight. ARGV: count. Moves up to `count` tasks, as fetch does one
// (right end into in-flight, LMOVE RIGHT LEFT), in one step. Returns them in fetch order.
const LuaScript& fetch_many();
// KEYS: queue, in-flight, then the pool's lease sets. Moves the next task (right end) into
// in-flight, as fetch does, only when its task id (the message's task_id) still holds an
// unexpired lease in one of the sets: a task whose worker died re-attaching while its own
// lease fills the scanner's room. Returns the moved message or nil.
const LuaScript& fetch_leased();
// KEYS: one lease set per lease. ARGV: ttl ms, then the task id of each lease. Extends
// each unexpired lease. Returns 1/0 per lease, in order.
const LuaScript& renew_leases();
// KEYS: lease sets. Returns the number of unexpired leases of each.
const LuaScript& count_leases();

}  // namespace sw::queue::scripts
