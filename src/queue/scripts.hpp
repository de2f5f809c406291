// The Lua scripts of the queue module: every multi-key step that must be atomic. Each is
// loaded once per connection and called by SHA (RedisConnection::eval). Expiries use the
// server's TIME, so the clocks of worker hosts never matter.
#pragma once

#include "queue/redis_connection.hpp"

namespace sw::queue::scripts {

// KEYS: in-flight, deliveries. ARGV: raw. Removes raw from in-flight and forgets its
// delivery count. Returns 1 when it was in flight, else 0.
const LuaScript& acknowledge();
// KEYS: in-flight, queue. ARGV: raw, replacement, "front" or "back". When raw was in
// flight: removes it and pushes the replacement to the front (RPUSH: the end consumers
// take next) or the back (LPUSH: behind every waiting task). Returns 1/0.
const LuaScript& return_to_queue();
// KEYS: in-flight, dead letters, deliveries. ARGV: raw, entry, score. When raw was in
// flight: removes it, ZADDs the entry, forgets the delivery count. Returns 1/0.
const LuaScript& dead_letter();
// KEYS: in-flight, queue, dead letters, deliveries. ARGV: raw, max deliveries, entry,
// score. When raw was in flight: removes it and counts one more delivery; below the
// maximum RPUSHes it back (returns 1), at the maximum ZADDs the entry (returns 2). 0 when
// it was no longer in flight (another reaper took it).
const LuaScript& reap_task();
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
// KEYS: lease set. ARGV: task id, ttl ms. Extends an unexpired lease. Returns 1/0.
const LuaScript& renew_lease();
// KEYS: lease sets. Returns the number of unexpired leases of each.
const LuaScript& count_leases();

}  // namespace sw::queue::scripts
